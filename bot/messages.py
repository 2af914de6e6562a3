"""The message catalogue: every sentence planbot says to a person lives in prompts/messages/<lang>.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
DEFAULT_LANGUAGE = "en"


class Catalogue:
    """Look up a message by dotted key and fill in its {placeholders}; falls back to English."""

    def __init__(self, messages: dict[str, Any], fallback: Catalogue | None = None) -> None:
        self._messages = messages
        self._fallback = fallback

    def raw(self, key: str) -> Any:
        node: Any = self._messages
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if self._fallback is not None:
                    return self._fallback.raw(key)
                raise KeyError(f"message {key!r} is not in the catalogue")
            node = node[part]
        return node

    def text(self, key: str, **values: object) -> str:
        """The sentence with its values; a plural message ({by: NAME, one: ..., other: ...}) picks its form."""
        template = self.raw(key)
        if isinstance(template, dict) and {"by", "one", "other"} <= set(template):
            template = template["one"] if values.get(template["by"]) == 1 else template["other"]
        if not isinstance(template, str):
            raise KeyError(f"message {key!r} is not a sentence")
        return template.format(**values) if values else template


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> Catalogue:
    """The catalogue of one language (read once per process; the files are data, not code)."""
    path = PROMPTS_DIR / "messages" / f"{language}.yaml"
    fallback = None if language == DEFAULT_LANGUAGE else catalogue(DEFAULT_LANGUAGE)
    if not path.exists():
        return fallback or Catalogue({})
    return Catalogue(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, fallback)
