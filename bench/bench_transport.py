"""The transport's ceiling: a bare PTB echo bot polling the loopback fake Bot API under load.

Run from the repository root: ``python -m bench.bench_transport --users 100 --messages 10``.
Each fake user sends a message and waits for the echo before sending the next (as a person does);
``--burst`` instead queues every message at once and measures how fast the bot drains them.
Everything stays on 127.0.0.1 and every loop is bounded by ``--users`` x ``--messages``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

try:
    from bench.echo_bot import build_echo_application
    from planbot_testkit.server import BotMessage, FakeBotApi, FakeUser, polling
except ModuleNotFoundError as exc:  # run as a script from elsewhere: say how to run it
    sys.exit(f"error: {exc.name} not importable; run from the repository root: python -m bench.bench_transport")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def _user_session(
    server: FakeBotApi, user: FakeUser, inbox: asyncio.Queue[BotMessage], messages: int, timeout: float
) -> list[float]:
    latencies = []
    for j in range(messages):
        started = time.monotonic()
        server.send_text(user, f"{user.first_name} msg {j}")
        reply = await asyncio.wait_for(inbox.get(), timeout)
        latencies.append(reply.sent_at - started)
    return latencies


async def run(users: int, messages: int, *, burst: bool, concurrent: int, timeout: float) -> dict[str, float]:
    async with FakeBotApi() as server:
        app = build_echo_application(
            server.token, server.base_url, server.base_file_url, concurrent_updates=concurrent or False
        )
        people = [server.new_user(f"user{i}") for i in range(users)]
        async with polling(app):
            started = time.monotonic()
            if burst:
                sent_at = {}
                for j in range(messages):
                    for user in people:
                        sent_at[(user.id, j)] = time.monotonic()
                        server.send_text(user, f"{user.first_name} msg {j}")
                await server.wait_for(lambda: all(len(server.messages_to(u)) >= messages for u in people), timeout)
                latencies = [
                    m.sent_at - sent_at[(u.id, j)] for u in people for j, m in enumerate(server.messages_to(u))
                ]
            else:
                inboxes: dict[int, asyncio.Queue[BotMessage]] = {u.id: asyncio.Queue() for u in people}
                server.on_message.append(lambda m: inboxes[m.chat_id].put_nowait(m))
                per_user = await asyncio.gather(
                    *(_user_session(server, u, inboxes[u.id], messages, timeout) for u in people)
                )
                latencies = [lat for lats in per_user for lat in lats]
            elapsed = time.monotonic() - started
        wrong = sum(
            1 for u in people for j, m in enumerate(server.messages_to(u)) if m.text != f"{u.first_name} msg {j}"
        )
    total = users * messages
    return {
        "updates": total,
        "seconds": round(elapsed, 3),
        "updates_per_s": round(total / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "wrong_replies": wrong,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--burst", action="store_true", help="queue every message at once")
    parser.add_argument("--concurrent", type=int, default=0, help="PTB concurrent_updates (0 = sequential)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for any one reply")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 10_000 and 1 <= args.messages <= 1_000):
        parser.error("--users must be 1..10000 and --messages 1..1000")
    figures = asyncio.run(
        run(args.users, args.messages, burst=args.burst, concurrent=args.concurrent, timeout=args.timeout)
    )
    if args.json:
        print(json.dumps(figures))
    else:
        mode = "burst" if args.burst else "closed-loop"
        print(
            f"{mode}: {figures['updates']} updates from {args.users} users in {figures['seconds']}s = "
            f"{figures['updates_per_s']} updates/s; reply latency p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; "
            f"wrong replies {figures['wrong_replies']}"
        )
    return 1 if figures["wrong_replies"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
