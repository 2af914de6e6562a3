"""Integration fixtures: the real packaged model (loaded once), real Chroma and a real SQL store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import load_settings


@pytest.fixture
def make_services(real_embeddings, tmp_path: Path) -> Iterator:
    built: list[Services] = []

    def make(data_dir: Path | None = None, database_url: str | None = None) -> Services:
        settings = load_settings(data_dir=data_dir or tmp_path / "data", database_url=database_url)
        services = Services(settings, embeddings_override=real_embeddings)
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()
