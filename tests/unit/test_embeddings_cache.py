"""The embedding cache returns what the model would, and encodes each new text once."""

from __future__ import annotations

import numpy as np

from bot.knowledge.embeddings import SentenceTransformerEmbeddings


class _CountingModel:
    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array([[float(len(text)), 1.0] for text in texts])


def _with_model(cache_size: int) -> tuple[SentenceTransformerEmbeddings, _CountingModel]:
    embeddings = SentenceTransformerEmbeddings("unused", cache_size=cache_size)
    model = _CountingModel()
    embeddings._model = model  # the loading itself is covered by the tests on the real model
    return embeddings, model


def test_repeated_texts_are_encoded_once_and_keep_their_order() -> None:
    embeddings, model = _with_model(cache_size=8)
    first = embeddings.embed_documents(["milk", "cooling centre", "milk"])
    assert first == [[4.0, 1.0], [14.0, 1.0], [4.0, 1.0]]
    assert embeddings.embed_query("cooling centre") == [14.0, 1.0]
    assert model.encoded == ["milk", "cooling centre"]


def test_the_cache_stays_within_its_size_and_can_be_off() -> None:
    embeddings, model = _with_model(cache_size=2)
    embeddings.embed_documents(["a", "bb", "ccc"])
    embeddings.embed_query("a")  # evicted: encoded again
    assert model.encoded == ["a", "bb", "ccc", "a"]
    uncached, model = _with_model(cache_size=0)
    uncached.embed_query("a")
    uncached.embed_query("a")
    assert model.encoded == ["a", "a"]
