"""Reading a model's reply: the JSON in it, checked against a pydantic schema, or a fallback reason."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.llm.client import LLMUnavailable

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def json_part(reply: str) -> Any:
    """The JSON value in a reply (models wrap it in prose or code fences); LLMUnavailable("invalid_json")."""
    fenced = _FENCE.search(reply)
    text = fenced.group(1) if fenced else reply
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        raise LLMUnavailable("invalid_json", "no JSON in the reply")
    start = min(starts)
    end = max(text.rfind("}"), text.rfind("]"))
    try:
        return json.loads(text[start : end + 1])
    except (json.JSONDecodeError, ValueError) as exc:
        raise LLMUnavailable("invalid_json", str(exc)) from None


def parse_reply(reply: str, schema: type[M]) -> M:
    """The reply as `schema`; LLMUnavailable("invalid_json" | "schema") when it is not."""
    data = json_part(reply)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise LLMUnavailable("schema", f"{where}: {first['msg']}") from None


def normalised(text: str) -> str:
    """Case, accents of form (NFKC), quotes and white space folded, for "is this text in that text" checks."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return _SPACE.sub(" ", text).strip()


def appears_in(part: str, whole: str) -> bool:
    """True when `part` (edge punctuation aside) is written in `whole`."""
    needle = normalised(part).strip(" .,;:!?-–—\"'()")
    return bool(needle) and needle in normalised(whole)
