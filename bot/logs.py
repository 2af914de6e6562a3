"""Logging set-up that never writes a secret: the bot token and webhook secret are masked in every record."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.settings import Settings

MASK = "***"
_NOISY = ("httpx", "httpcore", "chromadb", "sentence_transformers", "transformers", "alembic", "apscheduler")


class RedactSecrets(logging.Filter):
    """Formats the record early and replaces each secret (and a token's secret half) with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        parts: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= 6:
                parts.add(secret)
                if ":" in secret:
                    tail = secret.split(":", 1)[1]
                    if len(tail) >= 6:
                        parts.add(tail)
        self._secrets = sorted(parts, key=len, reverse=True)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self._redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def secrets_of(settings: Settings) -> list[str]:
    values = [settings.telegram_bot_token, settings.webhook_secret]
    return [value.get_secret_value() for value in values if value is not None]


def configure_logging(settings: Settings) -> None:
    """One handler on stderr, with the redaction filter, at the configured level."""
    level = logging.getLevelName(settings.log_level)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, level))
