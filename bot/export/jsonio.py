"""The draft as versioned JSON (`{"schema": "planbot.draft/2", ...}`) and back, with errors that name the field.

A version 1 draft (planbot.draft/1) is still read: it is upgraded to the current shape before it is validated.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from bot.errors import PlanbotError
from bot.export.draft import PREVIOUS_SCHEMAS, SCHEMA, Draft
from bot.messages import catalogue

V1 = "planbot.draft/1"


def render_json(draft: Draft) -> str:
    """The model dump, `schema` first; stable key order so a round trip gives the same text."""
    return json.dumps(draft.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2) + "\n"


def _where(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 draft in the current shape: the scorecard rows lose their guidance quote (the appendix,
    `criteria`, holds each passage once); everything else of version 1 is a subset of version 2."""
    if data.get("schema") != V1:
        return data
    upgraded = {**data, "schema": SCHEMA}
    initiatives = upgraded.get("initiatives")
    if isinstance(initiatives, list):
        upgraded["initiatives"] = [_without_quotes(item) for item in initiatives]
    return upgraded


def _without_quotes(item: Any) -> Any:
    if not isinstance(item, dict) or not isinstance(item.get("scorecard"), list):
        return item
    rows = [
        {k: v for k, v in row.items() if k != "quote"} if isinstance(row, dict) else row for row in item["scorecard"]
    ]
    return {**item, "scorecard": rows}


def read_json(text: str | bytes, source: str = "draft") -> tuple[Draft, str]:
    """The draft and the schema it was written in (a version 1 draft comes back upgraded)."""
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
    if given != SCHEMA and given not in PREVIOUS_SCHEMAS:
        expected = ", ".join(f'"{name}"' for name in (SCHEMA, *PREVIOUS_SCHEMAS))
        raise PlanbotError(say("export.errors.schema", source=source, given=given, expected=expected))
    try:
        return Draft.model_validate(upgrade(data)), str(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = " ".join(str(first["msg"]).split())
        raise PlanbotError(
            say("export.errors.field", source=source, field=_where(first["loc"]) or "(top)", reason=reason)
        ) from None


def load_json(text: str | bytes, source: str = "draft") -> Draft:
    """Validate a draft; a broken one is a one-line PlanbotError naming the source and the first bad field."""
    return read_json(text, source)[0]
