"""What every CLI command shares: settings, logging and the services, built once per invocation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from bot.logs import configure_logging
from bot.services import Services
from bot.settings import load_settings

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)


@contextmanager
def services() -> Iterator[Services]:
    settings = load_settings()
    configure_logging(settings)
    built = Services(settings)
    try:
        yield built
    finally:
        built.close()
