"""Button data, built and read in one place: an action, then its typed parts ("mks:12:idea").

Telegram hands callback data back verbatim and caps it at 64 bytes, and stored conversation states keep the
data of the buttons last offered; so the wire format is fixed (the prefixes below), `build` refuses anything
Telegram would refuse, and `parse` turns anything it did not build (old, garbled, forged) into None.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64  # Telegram's limit of callback data (UTF-8)
SEPARATOR = ":"


class Action(StrEnum):
    """What a button does; the value is the prefix of its data."""

    INTERVIEW = "iv"  # iv:<why|skip|back>:<topic index>
    CONSENT = "consent"  # consent:<yes|named|no|more>
    ROLE = "role"  # role:<actor type key>
    SIZE = "size"  # size:<size key>
    ORG = "org"  # org:skip
    SWITCH = "sw"  # sw:<plan id>
    LANGUAGE = "lang"  # lang:<code>: the person's own language
    PLAN_LANGUAGE = "planlang"  # planlang:<code>: the active plan's default
    FORGET = "forget"  # forget:<yes|no>
    MINE_PAGE = "mp"  # mp:<page>
    MINE_ITEM = "mine"  # mine:<input id>
    MINE_KIND = "mk"  # mk:<input id>
    MINE_KIND_SET = "mks"  # mks:<input id>:<kind>
    MINE_EDIT = "me"  # me:<input id>
    MINE_DELETE = "md"  # md:<input id>
    INITIATIVE = "in"  # in:<initiative id>
    ACCEPT = "ina"
    REJECT = "inr"
    EDIT = "ine"
    SCORECARD = "ins"
    VIEWS = "inv"  # ask the stakeholders' views
    IDEAS = "inp"  # no parts: list the ideas to promote
    PROMOTE = "inpi"  # inpi:<input id>
    CHECK = "ck"  # ck:<skip|save|drop>
    VIEW = "vw"  # vw:<view id>:<stance>


# The parts each action carries, in order: int is an id, index or page; str a word (never containing ":").
LAYOUTS: dict[Action, tuple[type, ...]] = {
    Action.INTERVIEW: (str, int),
    Action.CONSENT: (str,),
    Action.ROLE: (str,),
    Action.SIZE: (str,),
    Action.ORG: (str,),
    Action.SWITCH: (int,),
    Action.LANGUAGE: (str,),
    Action.PLAN_LANGUAGE: (str,),
    Action.FORGET: (str,),
    Action.MINE_PAGE: (int,),
    Action.MINE_ITEM: (int,),
    Action.MINE_KIND: (int,),
    Action.MINE_KIND_SET: (int, str),
    Action.MINE_EDIT: (int,),
    Action.MINE_DELETE: (int,),
    Action.INITIATIVE: (int,),
    Action.ACCEPT: (int,),
    Action.REJECT: (int,),
    Action.EDIT: (int,),
    Action.SCORECARD: (int,),
    Action.VIEWS: (int,),
    Action.IDEAS: (),
    Action.PROMOTE: (int,),
    Action.CHECK: (str,),
    Action.VIEW: (int, str),
}


class CallbackDataError(ValueError):
    """Button data planbot must not send: too long for Telegram, or parts that do not fit the action."""


@dataclass(frozen=True)
class Callback:
    """A parsed button: its action and parts (at most one number and one word, see LAYOUTS)."""

    action: Action
    parts: tuple[int | str, ...] = ()

    @property
    def ref(self) -> int:
        """The number the button carries (an id, a topic index, a page)."""
        return next(part for part in self.parts if isinstance(part, int))

    @property
    def word(self) -> str:
        """The word the button carries (an answer, a key, a language code)."""
        return next(part for part in self.parts if isinstance(part, str))


def fits(data: str | None) -> bool:
    """Shape only (printable ASCII, 1..64 bytes): what an adapter checks before the engine reads it."""
    return bool(data) and data.isascii() and data.isprintable() and len(data.encode()) <= MAX_BYTES


def build(action: Action, *parts: int | str) -> str:
    """The data of a button; raises CallbackDataError rather than make a button Telegram would refuse."""
    layout = LAYOUTS[action]
    if len(parts) != len(layout) or any(
        type(part) is not kind for part, kind in zip(parts, layout, strict=False)
    ):  # bool is not an int here
        raise CallbackDataError(f"{action.name} takes {[k.__name__ for k in layout]}, not {parts!r}")
    for part in parts:
        if isinstance(part, str) and (not part or SEPARATOR in part):
            raise CallbackDataError(f"{action.name}: a word part must be non-empty without {SEPARATOR!r}")
        if isinstance(part, int) and part < 0:
            raise CallbackDataError(f"{action.name}: numbers are not negative")
    data = SEPARATOR.join([action.value, *(str(part) for part in parts)])
    if not fits(data):
        raise CallbackDataError(f"callback data over {MAX_BYTES} bytes or not printable ASCII: {data[:80]!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """The button `data` stands for; None for anything `build` could not have made."""
    if data is None or not fits(data):
        return None
    prefix, *raw = data.split(SEPARATOR)
    try:
        action = Action(prefix)
    except ValueError:
        return None
    layout = LAYOUTS[action]
    if len(raw) != len(layout):
        return None
    parts: list[int | str] = []
    for text, kind in zip(raw, layout, strict=True):
        if kind is int:
            if not text.isdigit():
                return None
            parts.append(int(text))
        elif not text:
            return None
        else:
            parts.append(text)
    return Callback(action, tuple(parts))
