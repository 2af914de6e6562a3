"""Which initiative answers which theme: the one rule /summary, the plan-level check and the export share.

An initiative answers a theme when what it does is semantically close to the theme's inputs: the mean cosine
between its gist (its title and first sentence, see `gist`) and the theme's members reaches ANSWER_THRESHOLD, and
is within ANSWER_MARGIN of that initiative's closest theme. The facet guard of the clustering applies too: an
initiative that names facets and shares none with the theme's inputs (bins and cleaning against a road) does not
answer it, so a joint beach clean-up answers "plastic on the beach", not "the road to the reef beach" that only
shares the beach. Input ids an initiative lists are not trusted on their own: what it says decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.errors import PlanbotError
from bot.themes.facets import apart, facets
from bot.themes.models import ThemeItem

# Mean cosine (raw all-MiniLM-L6-v2 vectors) an initiative's gist needs with a theme's inputs to answer it. Set on
# the demo plan (knowledge/demo-workshop.yaml) and its 11 checked and proposed initiatives: the ones that act on
# a problem score 0.34 to 0.56 with it (the joint beach clean-up 0.51 with the beach plastic, the shared cold
# room 0.56 with "no ice at the landing site"), the highest pair of an initiative and a problem it does not act
# on (and shares a facet with) 0.26.
ANSWER_THRESHOLD = 0.32
# How far below an initiative's closest theme another theme may be and still count as answered by it.
ANSWER_MARGIN = 0.10


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def gist(title: str, text: str) -> str:
    """What an initiative does: its title and its first sentence (a proposal's later sentences name where,
    who leads and the first step, which would make it look close to every theme those places appear in)."""
    first = _SENTENCE_END.split((text or "").strip())[0].strip()
    head = (title or "").rstrip("…").strip()
    if not first:
        return head
    if not head or first.startswith(head) or head.startswith(first):
        return first if len(first) >= len(head) else head
    return f"{head}. {first}"


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def answering(
    groups: Sequence[Sequence[int]],
    items: Sequence[ThemeItem],
    initiatives: Sequence[tuple[str, str]],
    embeddings: Embeddings,
    kind: str = "constraint",
) -> list[list[int]]:
    """For each theme (the ids of its inputs, among `items`), the indexes of the initiatives (title, text) that
    answer it, closest first. Pass every theme of the kind, not a top few: "closest" is over what is passed."""
    if not groups or not initiatives:
        return [[] for _ in groups]
    initiatives = [gist(title, text) for title, text in initiatives]
    by_id = {item.id: item for item in items}
    members = [[by_id[i] for i in group if i in by_id] for group in groups]
    needed = list(dict.fromkeys(item.id for group in members for item in group))
    missing = [by_id[i].text for i in needed if by_id[i].vector is None]
    fresh = embeddings.embed_documents([*missing, *initiatives])
    if len(fresh) != len(missing) + len(initiatives):
        raise PlanbotError(f"embeddings: got {len(fresh)} vectors for {len(missing) + len(initiatives)} texts")
    supply = iter(fresh[: len(missing)])
    vectors = {i: by_id[i].numbers() if by_id[i].vector is not None else next(supply) for i in needed}
    if len({len(v) for v in vectors.values()} | {len(v) for v in fresh}) > 1:  # stored under another model
        vectors = dict(zip(needed, embeddings.embed_documents([by_id[i].text for i in needed]), strict=True))
    wanted = _unit(np.asarray(fresh[len(missing) :], dtype=np.float64))
    scores = np.full((len(initiatives), len(groups)), -np.inf)
    for t, group in enumerate(members):
        if group:
            rows = _unit(np.asarray([vectors[item.id] for item in group], dtype=np.float64))
            scores[:, t] = (wanted @ rows.T).mean(axis=1)
    said = [facets(text, kind) for text in initiatives]
    about = [frozenset().union(*(facets(item.text, kind) for item in group)) for group in members]
    best = scores.max(axis=1)
    out: list[list[int]] = []
    for t in range(len(groups)):
        found = [
            n
            for n in range(len(initiatives))
            if scores[n, t] >= ANSWER_THRESHOLD
            and scores[n, t] >= best[n] - ANSWER_MARGIN
            and not apart(said[n], about[t])
        ]
        out.append(sorted(found, key=lambda n: (-scores[n, t], n)))
    return out
