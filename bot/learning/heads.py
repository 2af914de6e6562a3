"""Linear softmax heads stored as arrays, and the check that they fit the embedding model in use.

A head is only valid on the vectors it was trained on: each file keeps the vector of a probe sentence, and a
model whose vector for it differs is refused (the caller then falls back to its cue-only decisions).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.errors import PlanbotError
from bot.paths import knowledge_path

log = logging.getLogger(__name__)

HEADS_DIR = knowledge_path("heads")
PROBE_SENTENCE = "The cooperative buys milk from six hundred small farmers at the collection centre."
PROBE_MIN_COSINE = 0.995
FORMAT_VERSION = 1


@dataclass(frozen=True)
class LinearHead:
    """softmax(x @ weights.T + bias) over `classes`; x is a feature row built the way training built it."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (classes, features)
    bias: np.ndarray  # (classes,)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = np.atleast_2d(features) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class HeadSet:
    """The heads of one task (e.g. one per criterion), the probe vector, and tuned decision thresholds."""

    task: str
    heads: dict[str, LinearHead]
    probe: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def fits(self, embeddings: Embeddings) -> bool:
        """True when `embeddings` gives the training model's vector for the probe sentence."""
        vector = np.asarray(embeddings.embed_documents([PROBE_SENTENCE])[0], dtype=float)
        if vector.shape != self.probe.shape:
            return False
        norm = float(np.linalg.norm(vector) * np.linalg.norm(self.probe))
        return norm > 0 and float(vector @ self.probe) / norm >= PROBE_MIN_COSINE

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"probe": self.probe}
        heads_meta = {}
        for name, head in self.heads.items():
            arrays[f"{name}.weights"] = head.weights.astype(np.float32)
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
            heads_meta[name] = list(head.classes)
        meta = {"format": FORMAT_VERSION, "task": self.task, "heads": heads_meta, **self.meta}
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)


def read_heads(path: Path) -> HeadSet:
    """A head file; a missing or broken one is a one-line PlanbotError naming it."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT_VERSION:
                raise PlanbotError(f"{path}: head format {meta.get('format')!r}, expected {FORMAT_VERSION}")
            heads = {
                name: LinearHead(
                    classes=tuple(classes),
                    weights=np.asarray(data[f"{name}.weights"], dtype=float),
                    bias=np.asarray(data[f"{name}.bias"], dtype=float),
                )
                for name, classes in meta["heads"].items()
            }
            probe = np.asarray(data["probe"], dtype=float)
    except FileNotFoundError:
        raise PlanbotError(f"{path}: no such head file (run `planbot train`)") from None
    except (OSError, KeyError, ValueError) as exc:
        raise PlanbotError(f"{path}: not a planbot head file ({type(exc).__name__}: {exc})"[:300]) from None
    extra = {k: v for k, v in meta.items() if k not in ("format", "task", "heads")}
    return HeadSet(task=meta["task"], heads=heads, probe=probe, meta=extra)


@cache
def _packaged(task: str) -> HeadSet | None:
    path = HEADS_DIR / f"{task}.npz"
    if not path.is_file():
        log.warning("no trained %s heads at %s: cue-only decisions (run `planbot train`)", task, path)
        return None
    return read_heads(path)


def load_heads(task: str, embeddings: Embeddings) -> HeadSet | None:
    """The packaged heads of `task` when they fit `embeddings`; None (cue-only decisions) otherwise."""
    heads = _packaged(task)
    if heads is None:
        return None
    if not heads.fits(embeddings):
        log.warning("the %s heads were trained on another embedding model: cue-only decisions", task)
        return None
    return heads


PACKAGED = object()  # "the packaged heads of this task", as opposed to given heads or None (cue-only)


class LazyHeads:
    """The heads a provider decides with, resolved on first use (checking the packaged ones costs one embedding)."""

    def __init__(self, task: str, embeddings: Embeddings, wanted: object = PACKAGED) -> None:
        self.task = task
        self.embeddings = embeddings
        self.wanted = wanted

    @cached_property
    def value(self) -> HeadSet | None:
        if self.wanted is PACKAGED:
            return load_heads(self.task, self.embeddings)
        return self.wanted  # type: ignore[return-value]
