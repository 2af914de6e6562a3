"""Initiative drafts from a plan's themes and actors, written by the model and checked by the checker.

Drafts are proposals for the facilitator, never decisions: each comes with its scorecard. A draft that names
an actor nobody mentioned, answers no theme or carries a link is dropped; a reply with none left falls back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from bot.checker.judge import Checker
from bot.checker.models import Beneficiaries, Initiative, Scorecard
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.parsing import parse_reply
from bot.llm.prompts import escape, load_prompt
from bot.themes.models import Theme

USE = "draft"
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


class _DraftReply(BaseModel):
    title: str = Field(min_length=3, max_length=120)
    description: str = Field("", max_length=1200)
    actors: list[str] = Field(default_factory=list, max_length=8)
    lead_actor: str | None = None
    steps: list[str] = Field(default_factory=list, max_length=8)
    first_benefits: str | None = Field(None, max_length=200)
    beneficiaries: str | None = Field(None, max_length=300)
    answers: list[str] = Field(min_length=1)


class _Reply(BaseModel):
    initiatives: list[_DraftReply] = Field(max_length=5)


class Draft(BaseModel):
    """A drafted initiative and what the checker says of it."""

    initiative: Initiative
    scorecard: Scorecard


Fallback = Callable[[Sequence[Theme], Sequence[str]], list[Initiative]]


class LLMProposalDrafter:
    """Themes and actors in, checked initiative drafts out; `fallback` (the offline proposer) on failure."""

    def __init__(
        self,
        client: LLMClient,
        checker: Checker,
        fallback: Fallback | None = None,
        *,
        stats: FallbackStats | None = None,
    ) -> None:
        self.client = client
        self.checker = checker
        self.fallback = fallback
        self.stats = stats or client.stats
        self.prompt = load_prompt("draft")

    def draft(self, themes: Sequence[Theme], actors: Sequence[str]) -> list[Draft]:
        if not themes:
            return []
        try:
            reply = self.client.complete(self.messages(themes, actors))
            initiatives = self.validated(parse_reply(reply, _Reply), themes, actors)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            initiatives = list(self.fallback(themes, actors)) if self.fallback else []
        else:
            self.stats.record(USE, "ok")
        return [Draft(initiative=i, scorecard=self.checker.check(i)) for i in initiatives]

    def messages(self, themes: Sequence[Theme], actors: Sequence[str]):
        theme_lines = "\n".join(f"t{n} ({t.kind}): {escape(t.label)}" for n, t in enumerate(themes, start=1))
        actor_lines = "\n".join(f"- {escape(a)}" for a in actors) or "-"
        return self.prompt.render(themes=theme_lines, actors=actor_lines)

    def validated(self, reply: _Reply, themes: Sequence[Theme], actors: Sequence[str]) -> list[Initiative]:
        known = {a.casefold().strip(): a for a in actors}
        keys = {f"t{n}": theme for n, theme in enumerate(themes, start=1)}
        kept: list[Initiative] = []
        for item in reply.initiatives:
            words = " ".join([item.title, item.description, *item.steps, item.beneficiaries or ""])
            named = [known.get(a.casefold().strip()) for a in item.actors]
            lead = known.get((item.lead_actor or "").casefold().strip()) if item.lead_actor else None
            answered = [keys[k] for k in item.answers if k in keys]
            if (
                None in named
                or (item.lead_actor and lead is None)
                or not answered
                or len(answered) != len(item.answers)
                or _URL.search(words)
            ):
                self.stats.record(USE, "draft_dropped")
                continue
            kept.append(
                Initiative(
                    title=item.title.strip(),
                    description=item.description.strip(),
                    actors=[a for a in named if a],
                    lead_actor=lead,
                    steps=[s.strip() for s in item.steps if s.strip()],
                    first_benefits=item.first_benefits,
                    beneficiaries=Beneficiaries(description=item.beneficiaries)
                    if item.beneficiaries
                    else None,
                    answers=sorted({str(i) for theme in answered for i in theme.item_ids}, key=int),
                )
            )
        if not kept:
            raise LLMUnavailable("no_valid_draft", f"{len(reply.initiatives)} drafts, none valid")
        return kept
