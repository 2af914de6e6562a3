"""The checker interface: the offline checker implements it, and so does the LLM judge in `bot.llm.judge`."""

from __future__ import annotations

from typing import Protocol

from bot.checker.models import Initiative, Scorecard


class Checker(Protocol):
    """Anything that turns an initiative into a scorecard: the offline checker, an LLM judge."""

    def check(self, initiative: Initiative | str) -> Scorecard: ...


Judge = Checker
