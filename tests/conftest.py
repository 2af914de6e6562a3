"""Shared fixtures and the network guard: any test that reaches past loopback fails."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkAccessError(AssertionError):
    """A test tried to open a connection to a non-loopback address."""


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like never leave the machine
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: would need DNS, which is the network


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise NetworkAccessError(f"test tried to reach {address!r}: only loopback is allowed")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise NetworkAccessError(f"test tried to reach {address!r}: only loopback is allowed")
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No planbot variables from the developer's shell or .env leak into a test."""
    for name in list(os.environ):
        if name.startswith("PLANBOT_") or name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture(scope="session")
def real_embeddings():
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    from bot.knowledge.embeddings import SentenceTransformerEmbeddings

    embeddings = SentenceTransformerEmbeddings()
    embeddings.embed_query("warm up")
    return embeddings


@pytest.fixture
def bot_token() -> str:
    """A token in Telegram's shape (``<bot id>:<secret>``); it only ever reaches 127.0.0.1."""
    from planbot_testkit import DEFAULT_TOKEN

    return DEFAULT_TOKEN


@pytest.fixture
async def bot_api(bot_token: str):
    """A started loopback Bot API server on a random port, stopped after the test."""
    from planbot_testkit import FakeBotApi

    server = FakeBotApi(bot_token)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


POSTGRES_URL = os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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
        if os.environ.get("PLANBOT_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL not reachable at {POSTGRES_URL}, and PLANBOT_REQUIRE_POSTGRES is set (CI)")
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
