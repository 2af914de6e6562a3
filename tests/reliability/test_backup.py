"""`planbot backup` / `planbot restore`: a copy taken while the bot runs, restored whole, and bad files refused."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from bot.cli.app import main
from bot.storage import Database
from bot.storage.backup import head_revision
from bot.storage.db import MIGRATIONS_DIR
from bot.storage.plan_models import StoredInput
from tests.engine.conftest import World, codes_from

ANSWERS = ("feed prices are too high", "the milk road is bad", "no cooling centre near the market")


@pytest.fixture
def data_env(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Path]:
    """Point the CLI at a data dir (as PLANBOT_DATA_DIR does for an operator)."""

    def use(folder: Path) -> Path:
        monkeypatch.setenv("PLANBOT_DATA_DIR", str(folder))
        return folder / "planbot.db"

    return use


def _plan_with_inputs(world: World) -> None:
    facilitator = world.person("fatma")
    facilitator.send("/newplan Dairy")
    facilitator.send("dairy")
    code, _ = codes_from(facilitator.send("Meru")[-1].text)
    for n, answer in enumerate(ANSWERS):
        farmer = world.person(f"farmer{n}")
        farmer.send(f"/start {code}")
        for label in ("I agree", "Producer", "Micro", "Skip"):
            farmer.tap(label)
        farmer.send(answer)


def _inputs(url: str) -> list[str]:
    db = Database(url)
    try:
        with db.session() as session:
            return sorted(session.scalars(select(StoredInput.text)))
    finally:
        db.dispose()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_backup_taken_while_the_bot_writes_restores_every_input_into_a_fresh_data_dir(
    tmp_path: Path, data_env, capsys: pytest.CaptureFixture[str]
) -> None:
    live = data_env(tmp_path / "live")
    world = World(f"sqlite:///{live}")
    _plan_with_inputs(world)
    stored = _inputs(world.url)
    assert len(stored) >= len(ANSWERS)

    # the bot is mid-write: a transaction holds the write lock with an input not yet committed
    with world.db.engine.connect() as busy:
        busy.execute(text("BEGIN IMMEDIATE"))
        busy.execute(
            text("UPDATE inputs SET text = 'not committed yet' WHERE id = (SELECT min(id) FROM inputs)"),
        )
        assert main(["backup", str(tmp_path / "backup.db")]) == 0
        busy.rollback()
    out = capsys.readouterr().out
    assert "1 plans" in out and f"{len(stored)} inputs" in out

    fresh = data_env(tmp_path / "fresh")
    assert main(["restore", str(tmp_path / "backup.db")]) == 0
    out = capsys.readouterr().out
    assert f"{len(stored)} inputs" in out and "planbot reindex" in out
    assert _inputs(f"sqlite:///{fresh}") == stored  # all there, and the uncommitted change is not
    assert _files(fresh.parent) == ["planbot.db"]  # no temporary file left beside it

    # the restored store carries on: the facilitator's summary still has every stakeholder's words
    restored = World(f"sqlite:///{fresh}")
    summary = restored.person("fatma").send("/summary")[0].text
    assert all(answer in summary for answer in ANSWERS), summary
    restored.close()
    world.close()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "not a planbot backup: the file is not an SQLite database"),
        (b"", "not a planbot backup: the file is not an SQLite database"),
        ("sqlite", "not a planbot backup: an SQLite database without planbot's tables"),
        ("truncated", "the backup is damaged (database disk image is malformed)"),
    ],
)
def test_restoring_a_file_that_is_not_a_planbot_database_is_one_line_and_changes_nothing(
    tmp_path: Path, data_env, capsys: pytest.CaptureFixture[str], content: bytes | str, expected: str
) -> None:
    live = data_env(tmp_path / "live")
    world = World(f"sqlite:///{live}")
    _plan_with_inputs(world)
    world.close()
    before, names = _digest(live), _files(live.parent)
    bad = tmp_path / "backup.db"
    if content == "truncated":  # a copy cut short: the right header, then not enough of the pages
        bad.write_bytes(live.read_bytes()[:8192])
    elif content == "sqlite":
        with sqlite3.connect(bad) as other:
            other.execute("CREATE TABLE recipes (name TEXT)")
        other.close()
    else:
        bad.write_bytes(content)

    for force in ([], ["--force"]):
        assert main(["restore", str(bad), *force]) == 2
        err = capsys.readouterr().err
        assert err == f"planbot: {bad}: {expected}; nothing was changed\n"
    assert _digest(live) == before and _files(live.parent) == names


def test_restore_over_a_database_asks_for_force_and_keeps_the_old_one(
    tmp_path: Path, data_env, capsys: pytest.CaptureFixture[str]
) -> None:
    source = data_env(tmp_path / "source")
    world = World(f"sqlite:///{source}")
    _plan_with_inputs(world)
    world.close()
    assert main(["backup", str(tmp_path / "backup.db")]) == 0
    assert main(["backup", str(tmp_path / "backup.db")]) == 2  # an existing backup is not overwritten silently
    assert "add --force" in capsys.readouterr().err

    target = data_env(tmp_path / "target")
    other = World(f"sqlite:///{target}")
    other.person("kofi").send("/newplan Cashew")
    other.close()
    before = _digest(target)
    assert main(["restore", str(tmp_path / "backup.db")]) == 2
    err = capsys.readouterr().err
    assert "already holds a database" in err and "--force" in err and "\n" not in err.strip()
    assert _digest(target) == before

    assert main(["restore", str(tmp_path / "backup.db"), "--force"]) == 0
    kept = [p for p in target.parent.iterdir() if p.name.startswith("planbot.db.before-restore-")]
    assert len(kept) == 1 and _digest(kept[0]) == before
    assert kept[0].name in capsys.readouterr().out
    assert _inputs(f"sqlite:///{target}") == _inputs(f"sqlite:///{source}")


def test_a_database_open_in_a_running_process_is_never_replaced(
    tmp_path: Path, data_env, capsys: pytest.CaptureFixture[str]
) -> None:
    target = data_env(tmp_path / "target")
    World(f"sqlite:///{target}").close()
    with sqlite3.connect(tmp_path / "backup.db") as copy, sqlite3.connect(target) as live:
        live.backup(copy)
    copy.close()
    live.close()
    # another process holds the database as a running planbot does: pooled connections, idle between messages
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom sqlalchemy import text\nfrom bot.storage import Database\n"
            f"db = Database({f'sqlite:///{target}'!r})\n"
            "with db.session() as s: s.execute(text('select count(*) from plans'))\n"
            "print('ready', flush=True)\nsys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = _digest(target)
        assert main(["restore", str(tmp_path / "backup.db"), "--force"]) == 2
        err = capsys.readouterr().err
        assert "open in another process" in err and "stop it first" in err
        assert _digest(target) == before
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert main(["restore", str(tmp_path / "backup.db"), "--force"]) == 0  # stopped: now it may


def _database_at(path: Path, revision: str) -> None:
    db = Database(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    db.dispose()


def test_an_older_backup_is_upgraded_and_a_newer_one_refused(
    tmp_path: Path, data_env, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    _database_at(old, "0005")
    target = data_env(tmp_path / "data")
    assert main(["restore", str(old)]) == 0
    assert "schema revision 0005; it was upgraded to" in capsys.readouterr().out
    with sqlite3.connect(target) as restored:
        assert restored.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    restored.close()

    newer = tmp_path / "newer.db"
    _database_at(newer, "head")
    with sqlite3.connect(newer) as future:
        future.execute("UPDATE alembic_version SET version_num = '9999'")
    future.close()
    before = _digest(target)
    assert main(["restore", str(newer), "--force"]) == 2
    assert "written by a newer planbot (schema revision 9999" in capsys.readouterr().err
    assert _digest(target) == before


def test_on_postgresql_the_commands_say_how_to_use_pg_dump_and_pg_restore(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://planbot:s3cret@127.0.0.1:5432/planbot")
    dump = tmp_path / "planbot.dump"
    assert main(["backup", str(dump)]) == 2
    err = capsys.readouterr().err
    assert f'pg_dump --format=custom --file={dump} "postgresql://planbot:***@127.0.0.1:5432/planbot"' in err
    assert main(["restore", str(dump)]) == 2
    err += capsys.readouterr().err
    assert "pg_restore --clean --if-exists" in err and "stop every planbot worker" in err
    assert "s3cret" not in err and not dump.exists()


def test_a_damaged_file_where_the_database_was_is_replaced_only_with_force_and_kept(
    tmp_path: Path, data_env, capsys: pytest.CaptureFixture[str]
) -> None:
    source = data_env(tmp_path / "source")
    world = World(f"sqlite:///{source}")
    _plan_with_inputs(world)
    world.close()
    assert main(["backup", str(tmp_path / "backup.db")]) == 0
    target = data_env(tmp_path / "target")
    target.parent.mkdir()
    target.write_bytes(b"\x00" * 100 + b"what a disk failure leaves")
    assert main(["restore", str(tmp_path / "backup.db")]) == 2
    assert "already holds a database" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "backup.db"), "--force"]) == 0
    assert _inputs(f"sqlite:///{target}") == _inputs(f"sqlite:///{source}")
    kept = [p for p in target.parent.iterdir() if ".before-restore-" in p.name]
    assert [p.read_bytes()[-26:] for p in kept] == [b"what a disk failure leaves"]
