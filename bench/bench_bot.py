"""planbot under load, in one run: transport, engine, /summary scaling, memory and a profile.

    .venv/bin/python -m bench.bench_bot [--users 100 1000] [--messages 3] [--summary 1000 10000 100000]
                                         [--postgres URL] [--out docs/benchmarks.md]

Measures, on this machine: updates/s and reply latency p50/p95/p99 of planbot (in-process PTB Application,
real packaged model) with N concurrent stakeholders through the loopback fake Bot API, beside the bare PTB
echo bot on the same server, on SQLite and on PostgreSQL (skipped when unreachable); the engine's latency per
message without Telegram; /summary time for plans of 1k, 10k and 100k inputs inserted directly (with the
cached vectors of migration 0005, and without them as before it, up to 10k); the RSS of the process; and a
cProfile of the engine saying where the time goes. Everything stays on 127.0.0.1 and every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import math
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

try:
    from sqlalchemy import create_engine, select, text

    from bench.bench_transport import percentile
    from bench.bench_transport import run as run_echo
    from bot.engine.inputs import pack_vector
    from bot.engine.models import Incoming, Person
    from bot.engine.turn import BASE
    from bot.knowledge.embeddings import SentenceTransformerEmbeddings
    from bot.services import Services
    from bot.settings import load_settings
    from bot.storage.models import Plan
    from bot.storage.plan_models import ConversationState, Membership, PersonRow, StoredInput
    from planbot_testkit import FakeBotApi
    from planbot_testkit.script import running_bot
except ModuleNotFoundError as exc:
    sys.exit(f"error: {exc.name} not importable; run from the repository root: python -m bench.bench_bot")

ANSWERS = (
    "the cooling centre closes at five so the evening milk is lost",
    "feed prices went up twice since the long rains",
    "a hotel in town wants fresh yoghurt every morning",
    "the cooperative chairman decides who gets the loans",
    "the processor at the junction buys from most farmers",
    "cashew buyers pay late and the road to the market is bad",
    "fish smokers lose money when the ice plant is down",
    "coffee washing station pays only after three months",
)
KINDS = ("constraint", "opportunity", "idea", "influential_actor", "aggregation_point")


def stats(latencies: list[float], elapsed: float) -> dict[str, float]:
    return {
        "updates": len(latencies),
        "updates_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def new_plan(services: Services, name: str = "Bench dairy") -> tuple[int, Person]:
    facilitator = Person(key=f"bench-fac:{uuid.uuid4().hex[:8]}", display_name="Fatma")
    for step in (Incoming(command="newplan", args=name), Incoming(text="dairy"), Incoming(text="Highlands")):
        services.engine.handle(facilitator, step)
    with services.db.session() as session:
        plan_id = session.scalar(select(Plan.id).where(Plan.name == name).order_by(Plan.id.desc()))
    return plan_id, facilitator


def seed_stakeholders(services: Services, plan_id: int, keys: list[str]) -> None:
    """People who joined, agreed and gave a profile: the interview's first question is next."""
    now = datetime.now(UTC)
    with services.db.session() as session:
        for key in keys:
            person = PersonRow(key=key, display_name=key, created_at=now)
            session.add(person)
            session.flush()
            session.add(
                Membership(
                    person_id=person.id,
                    plan_id=plan_id,
                    role="stakeholder",
                    actor_type="producer",
                    size="micro",
                    organisation="",
                    consented_at=now,
                    joined_at=now,
                )
            )
            session.add(
                ConversationState(
                    person_id=person.id,
                    active_plan_id=plan_id,
                    state=BASE,
                    pending={},
                    offered=[],
                    updated_at=now,
                )
            )


async def bot_load(services: Services, bot_api: FakeBotApi, users: int, messages: int) -> dict[str, float]:
    plan_id, _ = new_plan(services, f"Load {users} {uuid.uuid4().hex[:4]}")
    people = [bot_api.new_user(f"u{n}") for n in range(users)]
    seed_stakeholders(services, plan_id, [f"tg:{user.id}" for user in people])
    inboxes: dict[int, asyncio.Queue] = {user.id: asyncio.Queue() for user in people}
    bot_api.on_message.append(lambda m: inboxes[m.chat_id].put_nowait(m) if m.chat_id in inboxes else None)

    async def person(user) -> list[float]:
        latencies = []
        for n in range(messages):
            started = time.monotonic()
            bot_api.send_text(user, f"{ANSWERS[(user.id + n) % len(ANSWERS)]} ({user.id}-{n})")
            reply = await asyncio.wait_for(inboxes[user.id].get(), 300)
            latencies.append(reply.sent_at - started)
        return latencies

    started = time.monotonic()
    per_person = await asyncio.gather(*(person(user) for user in people))
    elapsed = time.monotonic() - started
    bot_api.on_message.clear()
    return stats([lat for lats in per_person for lat in lats], elapsed)


async def telegram_rows(make, users_list: list[int], messages: int) -> list[tuple[str, dict]]:
    rows = []
    async with FakeBotApi() as bot_api, running_bot(lambda: make(bot_api)) as services:
        for users in users_list:
            rows.append((f"planbot, {users} stakeholders", await bot_load(services, bot_api, users, messages)))
    return rows


def engine_latency(services: Services, count: int) -> tuple[dict[str, float], str]:
    plan_id, _ = new_plan(services, "Engine bench")
    keys = [f"bench:{n}" for n in range(count)]
    seed_stakeholders(services, plan_id, keys)
    latencies = []
    profile = cProfile.Profile()
    started = time.monotonic()
    for n, key in enumerate(keys):
        incoming = Incoming(text=f"{ANSWERS[n % len(ANSWERS)]} ({n})", source_id=f"bench:{n}")
        began = time.perf_counter()
        profile.enable()
        services.engine.handle(Person(key=key, display_name=key), incoming)
        profile.disable()
        latencies.append(time.perf_counter() - began)
    elapsed = time.monotonic() - started
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
    return stats(latencies, elapsed), out.getvalue()


def summary_time(services: Services, size: int, pool: list[tuple[str, bytes]], cached: bool) -> float:
    plan_id, facilitator = new_plan(services, f"Summary {size} {cached} {uuid.uuid4().hex[:4]}")
    now = datetime.now(UTC)
    people = max(1, size // 20)
    with services.db.session() as session:
        keys = [f"sum:{plan_id}:{n}" for n in range(people)]
    seed_stakeholders(services, plan_id, keys)
    with services.db.session() as session:
        ids = list(session.scalars(select(PersonRow.id).where(PersonRow.key.like(f"sum:{plan_id}:%"))))
        rows = []
        for n in range(size):
            words, vector = pool[n % len(pool)]
            rows.append(
                {
                    "person_id": ids[n % len(ids)],
                    "plan_id": plan_id,
                    "kind": KINDS[n % len(KINDS)],
                    "text": f"{words} #{n}",
                    "summary": words[:80],
                    "confidence": 0.8,
                    "question": None,
                    "source_id": f"seed:{n}",
                    "position": 0,
                    "vector": vector if cached else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(StoredInput.__table__.insert(), rows[start : start + 5000])
    began = time.perf_counter()
    services.engine.handle(facilitator, Incoming(command="summary"))
    return time.perf_counter() - began


def vector_pool(embeddings, count: int = 2000) -> list[tuple[str, bytes]]:
    """Distinct realistic-looking texts and their real embeddings, reused (with a suffix) for big plans."""
    places = ("Kilifi", "Meru", "Mwanza", "Tamale", "Kampot", "Huila", "Mopti", "Iringa", "Gulu", "Nakuru")
    texts = [f"{ANSWERS[n % len(ANSWERS)]} in {places[(n // 8) % 10]} group {n // 80}" for n in range(count)]
    vectors = embeddings.embed_documents(texts)
    return [(t, pack_vector(v)) for t, v in zip(texts, vectors, strict=True)]


@contextlib.contextmanager
def postgres_database(url: str | None):
    if not url:
        yield None
        return
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            name = f"planbot_bench_{uuid.uuid4().hex[:8]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable: the PostgreSQL rows are skipped
        print(f"PostgreSQL not reachable at {url}: {type(exc).__name__}; skipping its rows", file=sys.stderr)
        yield None
        return
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table(rows: list[tuple[str, dict]]) -> str:
    lines = [
        "| run | updates | updates/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['updates']} | {r['updates_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> str:
    embeddings = SentenceTransformerEmbeddings()
    embeddings.embed_query("warm up")
    work = Path(tempfile.mkdtemp(prefix="planbot-bench-"))
    load = os.getloadavg()[0]
    started = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    sections = [f"Machine: {os.cpu_count()} cores, load {load:.1f} at the start; MiniLM-L6-v2 on CPU; {started}.\n"]

    def make(bot_api: FakeBotApi, database_url: str | None = None, name: str = "sqlite") -> Services:
        settings = load_settings(
            data_dir=work / name,
            database_url=database_url,
            telegram_bot_token=bot_api.token,
            telegram_base_url=bot_api.base_url,
            flood_messages=10_000,
        )
        return Services(settings, embeddings_override=embeddings)

    transport: list[tuple[str, dict]] = []
    for users in args.users:
        echo = await run_echo(users, args.messages, burst=False, concurrent=256, timeout=300)
        transport.append((f"bare PTB echo bot, {users} users", echo))
    for name, r in await telegram_rows(lambda api: make(api), args.users, args.messages):
        transport.append((f"{name}, SQLite", r))
    with postgres_database(args.postgres) as pg_url:
        if pg_url:
            rows = await telegram_rows(lambda api: make(api, pg_url, "pg"), args.users, args.messages)
            transport += [(f"{name}, PostgreSQL", r) for name, r in rows]
    sections.append(
        f"### Through the loopback Bot API ({args.messages} messages each, closed loop)\n\n{table(transport)}\n"
    )

    services = Services(load_settings(data_dir=work / "engine"), embeddings_override=embeddings)
    engine_stats, profile = engine_latency(services, args.engine_messages)
    sections.append(f"### Engine alone, one answer per call (SQLite)\n\n{table([('engine.handle', engine_stats)])}\n")

    pool = vector_pool(embeddings)
    summary_lines = ["| inputs | /summary s (cached vectors) | s per n·log n ×1e6 | /summary s (re-embedding) |"]
    summary_lines.append("| ---: | ---: | ---: | ---: |")
    for size in args.summary:
        cached = summary_time(services, size, pool, cached=True)
        fresh = summary_time(services, size, pool, cached=False) if size <= args.reembed_max else None
        summary_lines.append(
            f"| {size} | {cached:.2f} | {cached / (size * math.log(size)) * 1e6:.2f} | "
            + (f"{fresh:.2f}" if fresh is not None else "not run")
            + " |"
        )
    sections.append("### /summary on one plan (SQLite)\n\n" + "\n".join(summary_lines) + "\n")
    sections.append(f"### Memory\n\nRSS of this one process (model, engine, Chroma, PTB): {rss_mb():.0f} MB\n")
    top = "\n".join(line for line in profile.splitlines() if line.strip())[:3500]
    sections.append(f"### Where the engine's time goes (cProfile, cumulative)\n\n```\n{top}\n```\n")
    services.close()
    return "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--engine-messages", type=int, default=300)
    parser.add_argument("--summary", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--reembed-max", type=int, default=10_000, help="largest plan timed without cached vectors")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the report into this Markdown file")
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
