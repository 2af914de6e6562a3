"""What every CLI command shares: settings, logging and the services, built once per invocation."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from bot.services import Services
from bot.settings import load_settings

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@contextmanager
def services() -> Iterator[Services]:
    settings = load_settings()
    configure_logging(settings.log_level)
    built = Services(settings)
    try:
        yield built
    finally:
        built.close()
