"""Initiative drafts from a plan's themes and actors, written by the model and checked by the checker.

Drafts are proposals for the facilitator, never decisions: each comes with its scorecard. A draft that names
an actor nobody mentioned, answers no theme or carries a link is dropped; a reply with none left falls back.
`propose(material)` (what /propose and `planbot propose` call) is stricter: one invalid draft and the whole
reply is distrusted, so the person gets the offline proposer's proposals instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from bot.checker.judge import Checker
from bot.checker.models import Beneficiaries, GuidanceCitation, Initiative, Scorecard
from bot.checker.offline import render_initiative
from bot.domain import SUPPORT_QUALITIES, InputKind, Status, Verdict
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.parsing import parse_reply
from bot.llm.prompts import escape, load_prompt
from bot.proposals.models import MaterialTheme, PlanMaterial, Proposal, ProposalAnswer
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

PATTERN = "llm_draft"  # the `pattern` of a model-drafted proposal (offline ones name their library pattern)
PROBLEM_KINDS = (InputKind.constraint, InputKind.opportunity, InputKind.idea)
NAMED_KINDS = (InputKind.influential_actor, InputKind.aggregation_point)
MAX_THEMES = 12
_VERDICT_RANK = {Verdict.recommended: 0, Verdict.revise: 1, Verdict.not_recommended: 2}


class Proposer(Protocol):
    def propose(self, material: PlanMaterial) -> list[Proposal]: ...


class LLMProposalDrafter:
    """Themes and actors in, checked initiative drafts out; `fallback` (the offline proposer) on failure."""

    def __init__(
        self,
        client: LLMClient,
        checker: Checker,
        fallback: Fallback | None = None,
        *,
        stats: FallbackStats | None = None,
        proposer: Proposer | None = None,
    ) -> None:
        self.client = client
        self.checker = checker
        self.fallback = fallback
        self.proposer = proposer
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
                    beneficiaries=Beneficiaries(description=item.beneficiaries) if item.beneficiaries else None,
                    answers=sorted({str(i) for theme in answered for i in theme.item_ids}, key=int),
                )
            )
        if not kept:
            raise LLMUnavailable("no_valid_draft", f"{len(reply.initiatives)} drafts, none valid")
        return kept

    # ---- the plan's proposals (the engine's and the CLI's entry point) ------------------------------------

    def propose(self, material: PlanMaterial, fallback: Proposer | None = None) -> list[Proposal]:
        """Checked proposals in the offline proposer's shape; `fallback` (else the constructor's proposer) when
        the model fails, any draft is invalid, or none is better than not_recommended."""
        offline = fallback or self.proposer
        themes = material.ranked(*PROBLEM_KINDS)[:MAX_THEMES]
        if not themes:
            return offline.propose(material) if offline else []
        actors = list(dict.fromkeys(t.label for t in material.ranked(*NAMED_KINDS)))
        try:
            reply = self.client.complete(self.messages(themes, actors))  # type: ignore[arg-type]
            proposals = self._proposals(parse_reply(reply, _Reply), material, themes, actors)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            return offline.propose(material) if offline else []
        self.stats.record(USE, "ok")
        return proposals

    def _proposals(
        self, reply: _Reply, material: PlanMaterial, themes: Sequence[MaterialTheme], actors: Sequence[str]
    ) -> list[Proposal]:
        known = {" ".join(a.split()).casefold(): a for a in actors}
        keys = {f"t{n}": theme for n, theme in enumerate(themes, start=1)}
        proposals: list[Proposal] = []
        for item in reply.initiatives:
            words = " ".join([item.title, item.description, *item.steps, item.beneficiaries or ""])
            named = [known.get(" ".join(a.split()).casefold()) for a in item.actors]
            lead = known.get(" ".join((item.lead_actor or "").split()).casefold()) if item.lead_actor else None
            if None in named or (item.lead_actor and lead is None):
                raise LLMUnavailable("invented_actor", f"{item.title[:60]!r} names an actor nobody named")
            if any(k not in keys for k in item.answers):
                raise LLMUnavailable("invented_input", f"{item.title[:60]!r} answers no theme of the plan")
            if _URL.search(words):
                raise LLMUnavailable("link", f"{item.title[:60]!r} carries a link")
            input_ids = sorted({i for k in item.answers for i in keys[k].input_ids})
            answers = [material.input(i) for i in input_ids]
            if not answers or any(a is None for a in answers):
                raise LLMUnavailable("invented_input", f"{item.title[:60]!r} answers inputs not in the plan")
            actor_names = list(dict.fromkeys([*(a for a in named if a), *([lead] if lead else [])]))
            initiative = Initiative(
                title=item.title.strip(),
                description=item.description.strip(),
                actors=actor_names,
                lead_actor=lead,
                steps=[s.strip() for s in item.steps if s.strip()],
                first_benefits=item.first_benefits,
                beneficiaries=Beneficiaries(description=item.beneficiaries) if item.beneficiaries else None,
                answers=[str(i) for i in input_ids],
            )
            card = self.checker.check(initiative)
            if card.verdict is Verdict.not_recommended:
                self.stats.record(USE, "draft_not_recommended")
                continue
            people = {a.person_id for a in answers if a is not None and a.person_id is not None}
            proposals.append(
                Proposal(
                    title=initiative.title,
                    text=" ".join(render_initiative(initiative).splitlines()[1:]),  # all but its title
                    pattern=PATTERN,
                    qualities=[q for q in SUPPORT_QUALITIES if card.status(q) is Status.met],
                    answers=[ProposalAnswer(input_id=a.id, kind=a.kind, text=a.text) for a in answers if a],
                    actors=actor_names,
                    scorecard=card,
                    guidance=_guidance_of(card),
                    people=len(people) or sum(keys[k].people for k in dict.fromkeys(item.answers)),
                )
            )
        if not proposals:
            raise LLMUnavailable("no_valid_draft", f"{len(reply.initiatives)} drafts, none recommendable")
        return sorted(
            proposals,
            key=lambda p: (
                _VERDICT_RANK[p.verdict],
                -sum(1 for r in p.scorecard.criteria if r.status is Status.met),
                -p.people,
            ),
        )


def _guidance_of(card: Scorecard) -> GuidanceCitation:
    """The guidance passage behind the draft: that of its first met criterion (else its first criterion)."""
    met = [r for r in card.criteria if r.status is Status.met and r.citation.quote]
    return (met or card.criteria)[0].citation
