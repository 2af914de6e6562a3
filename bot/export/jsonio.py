"""The draft as versioned JSON (`{"schema": "planbot.draft/1", ...}`) and back, with errors that name the field."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from bot.errors import PlanbotError
from bot.export.draft import SCHEMA, Draft
from bot.messages import catalogue


def render_json(draft: Draft) -> str:
    """The model dump, `schema` first; stable key order so a round trip gives the same text."""
    return json.dumps(draft.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2) + "\n"


def _where(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def load_json(text: str | bytes, source: str = "draft") -> Draft:
    """Validate a draft; a broken one is a one-line PlanbotError naming the source and the first bad field."""
    say = catalogue().text
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanbotError(
            say("export.errors.not_json", source=source, line=exc.lineno, column=exc.colno, reason=exc.msg)
        ) from None
    except UnicodeDecodeError as exc:
        raise PlanbotError(
            say("export.errors.not_json", source=source, line=1, column=exc.start + 1, reason="not UTF-8")
        ) from None
    if not isinstance(data, dict):
        raise PlanbotError(say("export.errors.not_object", source=source, given=type(data).__name__))
    given = data.get("schema")
    if given is None:
        raise PlanbotError(say("export.errors.no_schema", source=source, expected=SCHEMA))
    if given != SCHEMA:
        raise PlanbotError(say("export.errors.schema", source=source, given=given, expected=SCHEMA))
    try:
        return Draft.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = " ".join(str(first["msg"]).split())
        raise PlanbotError(
            say("export.errors.field", source=source, field=_where(first["loc"]) or "(top)", reason=reason)
        ) from None
