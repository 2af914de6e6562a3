"""Benchmark of the knowledge base with the packaged model: ingest throughput and `ask` latency.

Run: `python -m bench.bench_knowledge [--questions 200] [--chunks 600]`. Prints a Markdown table. The
bare-embedding column is the time of the model alone on the same questions, so the ratio shows what the
pipeline (Chroma search, SQL, lexical rerank, answer building) adds on top of the model.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.knowledge.embeddings import SentenceTransformerEmbeddings
from bot.services import Services
from bot.settings import load_settings
from evals.datasets import dataset_path
from evals.suites.common import read_rows

_TOPICS = [
    "milk cooling",
    "cashew grading",
    "coffee washing",
    "fish ice",
    "hotel waste",
    "seed credit",
    "road to market",
]
_VERBS = ["delays", "raises the cost of", "limits", "improves", "blocks", "helps"]


def _synthetic_document(paragraphs: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    lines = ["# Value chain analysis (synthetic)", ""]
    for n in range(paragraphs):
        if n % 25 == 0:
            lines += [f"## Section {n // 25 + 1}", ""]
        topic, verb, other = rng.choice(_TOPICS), rng.choice(_VERBS), rng.choice(_TOPICS)
        lines += [
            f"- Finding {n}: {topic} {verb} {other} for {rng.randint(5, 900)} small firms in district {n % 13}.",
            "",
        ]
    return "\n".join(lines)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=600)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        services = Services(load_settings(data_dir=Path(tmp)))
        embeddings = services.embeddings
        embeddings.embed_query("warm up the model")
        # the baseline: the same model with no cache, so every text is really encoded
        bare = SentenceTransformerEmbeddings(services.settings.embedding_model, cache_size=0)
        bare.embed_query("warm up the model")
        knowledge = services.knowledge  # opens the store and Chroma, loads the guidance (not timed)
        document = _synthetic_document(args.chunks)
        started = time.perf_counter()
        result = knowledge.ingest_text(document, source="synthetic.md", title="synthetic")
        ingest_seconds = time.perf_counter() - started
        chunks = result.chunks
        texts = [line for line in document.splitlines() if line.startswith("- ")]
        started = time.perf_counter()
        bare.embed_documents(texts)
        bare_ingest_seconds = time.perf_counter() - started

        base = [row["question"] for row in read_rows(dataset_path("answers", "test"))]
        questions = [base[n % len(base)] + ("" if n < len(base) else f" ({n})") for n in range(args.questions)]
        answerer = services.offline_answerer
        for n in range(10):
            answerer.ask(f"warm-up question {n} about the plan")

        ask_times: list[float] = []
        for question in questions:
            t0 = time.perf_counter()
            answerer.ask(question)
            ask_times.append(time.perf_counter() - t0)
        embed_times: list[float] = []
        for question in questions:
            t0 = time.perf_counter()
            bare.embed_query(question)
            embed_times.append(time.perf_counter() - t0)
        services.close()

    p50, p95 = _percentile(ask_times, 0.5) * 1000, _percentile(ask_times, 0.95) * 1000
    e50, e95 = _percentile(embed_times, 0.5) * 1000, _percentile(embed_times, 0.95) * 1000
    print("| measure | planbot | bare embedding | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| ingest, {chunks} chunks | {chunks / ingest_seconds:.0f} chunks/s ({ingest_seconds:.2f} s) "
        f"| {len(texts) / bare_ingest_seconds:.0f} chunks/s ({bare_ingest_seconds:.2f} s) "
        f"| {ingest_seconds / bare_ingest_seconds:.2f}× |"
    )
    print(f"| ask p50, {len(questions)} questions, warm | {p50:.1f} ms | {e50:.1f} ms | {p50 / e50:.2f}× |")
    print(f"| ask p95 | {p95:.1f} ms | {e95:.1f} ms | {p95 / e95:.2f}× |")
    print(f"| ask mean | {statistics.mean(ask_times) * 1000:.1f} ms | {statistics.mean(embed_times) * 1000:.1f} ms | |")


if __name__ == "__main__":
    main()
