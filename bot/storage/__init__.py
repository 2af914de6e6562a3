"""The SQL store: the source of truth of planbot (SQLite by default, PostgreSQL for several workers)."""

from bot.storage.db import Database

__all__ = ["Database"]
