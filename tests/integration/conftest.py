"""Integration fixtures: the real packaged model (loaded once), real Chroma and a real SQL store."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.services import Services
from bot.settings import load_settings

POSTGRES_URL = os.environ.get(
    "PLANBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


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


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty database on the local PostgreSQL, dropped afterwards; skips when unreachable."""
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    name = f"planbot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
