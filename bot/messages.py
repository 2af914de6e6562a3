"""The message catalogue: every sentence planbot says to a person lives in prompts/messages/<lang>.yaml."""

from __future__ import annotations

import logging
import string
from functools import cache
from typing import Any

import yaml

from bot.paths import PROMPTS_DIR

DEFAULT_LANGUAGE = "en"


# The catalogues a person can pick, in the order of their buttons. To add a language: copy
# prompts/messages/en.yaml to <code>.yaml and translate every sentence (keep each {placeholder}, /command and HTML
# tag), name it under language.names in every catalogue, and add its code here; tests/unit/test_catalogues.py
# fails until nothing is missing.
LANGUAGES = ("en", "sw", "fr")

log = logging.getLogger(__name__)
_MISSING = object()


class Catalogue:
    """Look up a message by dotted key and fill in its {placeholders}; falls back to English."""

    def __init__(
        self, messages: dict[str, Any], fallback: Catalogue | None = None, language: str = DEFAULT_LANGUAGE
    ) -> None:
        self._messages = messages
        self._fallback = fallback
        self.language = language
        self._told: set[str] = set()  # keys already logged as missing (once each per process)

    def _own(self, key: str) -> Any:
        node: Any = self._messages
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    def raw(self, key: str) -> Any:
        node = self._own(key)
        if node is not _MISSING:
            return node
        if self._fallback is None:
            raise KeyError(f"message {key!r} is not in the catalogue")
        if key not in self._told:  # a translator's gap: the person still gets the sentence, in English
            self._told.add(key)
            log.warning("message %r is missing in the %r catalogue; saying it in English", key, self.language)
        return self._fallback.raw(key)

    def text(self, key: str, **values: object) -> str:
        """The sentence with its values; a plural message ({by: NAME, one: ..., other: ...}) picks its form."""
        template = self.raw(key)
        if isinstance(template, dict) and {"by", "one", "other"} <= set(template):
            template = template["one"] if values.get(template["by"]) == 1 else template["other"]
        if not isinstance(template, str):
            raise KeyError(f"message {key!r} is not a sentence")
        return template.format(**values) if values else template

    def leaves(self) -> dict[str, Any]:
        """This catalogue's own messages by dotted key (a plural message is one leaf), to compare languages."""
        found: dict[str, Any] = {}

        def walk(node: Any, prefix: str) -> None:
            if isinstance(node, dict) and not {"by", "one", "other"} <= set(node):
                for name, child in node.items():
                    walk(child, f"{prefix}.{name}" if prefix else str(name))
            else:
                found[prefix] = node

        walk(self._messages, "")
        return found


def placeholders(template: str) -> list[str]:
    """The {fields} a sentence fills in, in order; a translation must keep exactly these."""
    return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]


def language_code(code: str | None) -> str | None:
    """The catalogue a language tag names ("sw", "fr-CA" → "fr"), or None when planbot has none for it."""
    base = (code or "").replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else None


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> Catalogue:
    """The catalogue of one language (read once per process; the files are data, not code)."""
    path = PROMPTS_DIR / "messages" / f"{language}.yaml"
    fallback = None if language == DEFAULT_LANGUAGE else catalogue(DEFAULT_LANGUAGE)
    if not path.exists():
        return fallback or Catalogue({})
    return Catalogue(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, fallback, language)
