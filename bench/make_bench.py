"""`make bench`: the benchmarks at modest sizes in one run, their tables written into docs/benchmarks.md.

    .venv/bin/python -m bench.make_bench [--users 100] [--messages 2] [--engine-messages 300]
                                         [--summary 1000 10000 100000] [--reembed-max 1000]
                                         [--clustering 1000 10000 100000] [--questions 100] [--chunks 300]
                                         [--postgres URL] [--out docs/benchmarks.md]

One command so the README's figures come from one run on one machine: the loopback rows (planbot with N
stakeholders beside the bare PTB echo bot, on the same server, in the same run: `bench/bench_bot.py`), the engine
alone, /summary of plans of 1k/10k/100k inputs with their stored vectors, memory, the clustering alone on the same
sizes (`bench/bench_themes.py`, best of 3) and the knowledge base (`bench/bench_knowledge.py`). The heavy loopback
rows run once. The tables replace whatever lies between the two marker comments of `--out` (added at the end when
missing); the rest of the file is left as it is. PostgreSQL rows are run only with `--postgres URL`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

try:
    from bench import bench_bot
    from bench.bench_themes import NoEmbeddings, synthetic_items
    from bot.themes import cluster
except ModuleNotFoundError as exc:
    sys.exit(f"error: {exc.name} not importable; run from the repository root: python -m bench.make_bench")

START = "<!-- make bench: start -->"
END = "<!-- make bench: end -->"
ROOT = Path(__file__).resolve().parents[1]


def clustering_table(sizes: list[int], repeat: int = 3) -> str:
    """`cluster` alone on stored float32 vectors (as /summary gives them): best of `repeat` per size."""
    lines = ["| inputs | seconds (best of 3) | themes |", "| ---: | ---: | ---: |"]
    embeddings = NoEmbeddings()
    for size in sizes:
        items = synthetic_items(size, 384, 200, stored=True)
        best, themes = float("inf"), []
        for _ in range(repeat):
            started = time.perf_counter()
            themes = cluster(items, embeddings)
            best = min(best, time.perf_counter() - started)
        lines.append(f"| {size} | {best:.2f} | {len(themes)} |")
        print(f"clustering {size}: {best:.2f} s", flush=True)
    return "\n".join(lines)


def knowledge_table(questions: int, chunks: int) -> str:
    """`bench/bench_knowledge.py` (ingest and `ask` beside the bare model), in a process of its own."""
    command = [sys.executable, "-m", "bench.bench_knowledge", "--questions", str(questions), "--chunks", str(chunks)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode:
        return f"bench_knowledge failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
    return "\n".join(line for line in done.stdout.splitlines() if line.startswith("|"))


def replace_between_markers(path: Path, body: str) -> None:
    """Put `body` between START and END in `path`, or append the marked block when the markers are missing."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{START}\n{body.rstrip()}\n{END}"
    if START in text and END in text.split(START, 1)[1]:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[100])
    parser.add_argument("--messages", type=int, default=2)
    parser.add_argument("--engine-messages", type=int, default=300)
    parser.add_argument("--summary", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--reembed-max", type=int, default=1000, help="largest plan timed without stored vectors")
    parser.add_argument("--clustering", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--questions", type=int, default=100, help="knowledge bench: `ask` questions")
    parser.add_argument("--chunks", type=int, default=300, help="knowledge bench: chunks ingested")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL for its rows too (none by default)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    began = time.monotonic()
    report = asyncio.run(bench_bot.main_async(args))
    themes = clustering_table(args.clustering)
    knowledge = knowledge_table(args.questions, args.chunks)
    command = "make bench  # = .venv/bin/python -m bench.make_bench"
    body = "\n".join(
        [
            f"Written by `{command}` in {time.monotonic() - began:.0f} s.\n",
            report.replace("\n### ", "\n#### "),
            "#### Clustering alone (`bot.themes.cluster`, stored float32 vectors, 200 latent themes per kind)\n",
            themes,
            f"\n#### Knowledge base ({args.chunks} chunks ingested, {args.questions} questions asked)\n",
            knowledge,
            "",
        ]
    )
    print(body)
    replace_between_markers(args.out, body)
    print(f"written into {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
