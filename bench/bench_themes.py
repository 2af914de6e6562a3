"""Times `bot.themes.cluster` on 1k, 10k and 100k synthetic inputs with precomputed vectors.

Vectors are given, so embedding is left out and only the clustering is measured. Each kind holds a fixed
number of latent themes (unit centres in random directions plus Gaussian noise), so the cost should grow
about linearly with n (O(n·k·d)); an n×n similarity matrix would grow 100× per step instead.

By default the vectors are lists of floats (a caller's own items); `--stored` gives them as /summary does, the
float32 bytes each input keeps (bot/themes/plan_themes.py), which the clustering reads without a list of floats.

    .venv/bin/python bench/bench_themes.py [--sizes 1000 10000 100000] [--dim 384] [--topics 200] [--stored]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.domain import InputKind
from bot.themes import ThemeItem, cluster


class NoEmbeddings(Embeddings):
    """Every bench item carries its vector; a call to embed would mean the bench measures the wrong thing."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError(f"bench asked to embed {len(texts)} texts")

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError("bench asked to embed a query")


def synthetic_items(n: int, dim: int, topics_per_kind: int, seed: int = 0, stored: bool = False) -> list[ThemeItem]:
    """n items spread over the five kinds, each near one of its kind's latent theme centres; `stored`: each
    vector as the float32 bytes an input keeps."""
    rng = np.random.default_rng(seed)
    kinds = [kind.value for kind in InputKind]
    centres = rng.normal(size=(len(kinds), topics_per_kind, dim))
    centres /= np.linalg.norm(centres, axis=2, keepdims=True)
    kind_of = rng.integers(len(kinds), size=n)
    topic_of = rng.integers(topics_per_kind, size=n)
    vectors = centres[kind_of, topic_of] + rng.normal(scale=0.8 / np.sqrt(dim), size=(n, dim))
    ids = rng.permutation(n)
    return [
        ThemeItem.model_construct(
            id=int(ids[i]),
            person_id=int(i % 97),
            kind=kinds[kind_of[i]],
            text=f"input {i}",
            vector=vectors[i].astype("<f4").tobytes() if stored else vectors[i].astype(np.float32).tolist(),
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--topics", type=int, default=200, help="latent themes per kind")
    parser.add_argument("--stored", action="store_true", help="vectors as stored with the inputs (float32 bytes)")
    args = parser.parse_args()
    embeddings = NoEmbeddings()
    print(f"{'items':>8} {'seconds':>9} {'themes':>7} {'growth':>7}")
    previous: tuple[int, float] | None = None
    for n in args.sizes:
        items = synthetic_items(n, args.dim, args.topics, stored=args.stored)
        start = time.perf_counter()
        themes = cluster(items, embeddings)
        seconds = time.perf_counter() - start
        growth = "" if previous is None else f"{seconds / previous[1]:.1f}x/{n / previous[0]:.0f}x"
        print(f"{n:>8} {seconds:>9.3f} {len(themes):>7} {growth:>7}", flush=True)
        previous = (n, seconds)
    form = "stored float32 bytes" if args.stored else "lists of floats"
    print(f"(dim={args.dim}, {args.topics} latent themes per kind, vectors as {form}; growth: time ratio/size ratio)")


if __name__ == "__main__":
    main()
