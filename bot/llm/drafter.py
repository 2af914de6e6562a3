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
from bot.domain import SUPPORT_QUALITIES, InputKind, Status, Verdict
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.parsing import parse_reply
from bot.llm.prompts import escape, load_prompt
from bot.messages import catalogue
from bot.proposals import phrases
from bot.proposals.facts import Fact, PlanFacts
from bot.proposals.models import (
    FIELD_NAMES,
    Credit,
    MaterialTheme,
    PlanMaterial,
    Proposal,
    ProposalAnswer,
    ProposalFields,
    Slot,
)
from bot.proposals.patterns import TITLE_LIMIT, PatternLibrary, load_patterns
from bot.proposals.render import render
from bot.themes.models import Theme

USE = "draft"
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


class _DraftReply(BaseModel):
    title: str = Field(min_length=3, max_length=120)
    description: str = Field("", max_length=1200)
    actors: list[str] = Field(default_factory=list, max_length=8)
    lead_actor: str | None = None
    where: str | None = Field(None, max_length=200)
    steps: list[str] = Field(default_factory=list, max_length=8)
    first_step: str | None = Field(None, max_length=300)
    first_benefits: str | None = Field(None, max_length=200)
    when: str | None = Field(None, max_length=120)
    investment: str | None = Field(None, max_length=300)
    beneficiaries: str | None = Field(None, max_length=300)
    answers: list[str] = Field(min_length=1)
    sources: dict[str, list[str]] = Field(default_factory=dict, description="field -> ids (t1, i12) it came from")


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
MAX_COPY = 12  # no field repeats more than this many words of an input in a row
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
        return self.prompt.render(themes=theme_lines, actors=actor_lines, facts="-")

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
        the model fails, any draft is invalid, or none is better than not_recommended.

        The model drafts from the same structure the offline proposer builds: the plan's problems and ideas (t1,
        t2 ...), the clean names of the actors and places the stakeholders named, and their small steps, quick
        wins and pledges (i12 ...), and fills the same fields, each with the ids it came from. The text the
        checker reads is rendered from those fields, as offline."""
        offline = fallback or self.proposer
        themes = material.ranked(*PROBLEM_KINDS)[:MAX_THEMES]
        if not themes:
            return offline.propose(material) if offline else []
        library = load_patterns()
        facts = PlanFacts(material, getattr(offline, "embeddings", None), library)
        actors = [e.name for e in [*facts.actors, *facts.points]]
        try:
            reply = self.client.complete(self.structured_messages(themes, facts))
            proposals = self._proposals(parse_reply(reply, _Reply), material, themes, actors, facts, library)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            return offline.propose(material) if offline else []
        self.stats.record(USE, "ok")
        return proposals

    def structured_messages(self, themes: Sequence[MaterialTheme], facts: PlanFacts):
        """The prompt: problems and ideas (short phrases), the named players by their clean names, the facts."""
        theme_lines = []
        for n, theme in enumerate(themes, start=1):
            fact = facts.by_id.get(theme.input_ids[0])
            said = _short(fact) if fact is not None else theme.label
            theme_lines.append(f"t{n} ({theme.kind.value}, {theme.people} people): {escape(said)}")
        names = [f"- {escape(e.name)}" for e in facts.actors] + [f"- {escape(e.name)}" for e in facts.points]
        fact_lines = []
        for entity in [*facts.actors, *facts.points]:
            if entity.detail:
                ids = ",".join(f"i{i}" for i in entity.sources)
                fact_lines.append(f"{ids} ({entity.kind}): {escape(entity.name + entity.detail)}")
        for fact in facts.facts:
            line = _fact_line(fact)
            if line:
                fact_lines.append(f"i{fact.id} ({FACT_LABELS[fact.role]}): {escape(line)}")
        return self.prompt.render(
            themes="\n".join(theme_lines), actors="\n".join(names) or "-", facts="\n".join(fact_lines) or "-"
        )

    def _proposals(
        self,
        reply: _Reply,
        material: PlanMaterial,
        themes: Sequence[MaterialTheme],
        actors: Sequence[str],
        facts: PlanFacts | None = None,
        library: PatternLibrary | None = None,
    ) -> list[Proposal]:
        library = library or load_patterns()
        facts = facts or PlanFacts(material, None, library)
        known = {" ".join(a.split()).casefold(): a for a in actors}
        entities = {" ".join(e.name.split()).casefold(): e for e in [*facts.actors, *facts.points]}
        keys = {f"t{n}": theme for n, theme in enumerate(themes, start=1)}
        texts = [item.text for item in material.inputs]
        proposals: list[Proposal] = []
        for item in reply.initiatives:
            words = " ".join(
                [
                    item.title,
                    item.description,
                    *item.steps,
                    item.first_step or "",
                    item.investment or "",
                    item.beneficiaries or "",
                    item.where or "",
                ]
            )
            named = [known.get(" ".join(a.split()).casefold()) for a in item.actors]
            lead = known.get(" ".join((item.lead_actor or "").split()).casefold()) if item.lead_actor else None
            where = known.get(" ".join((item.where or "").split()).casefold()) if item.where else None
            if None in named or (item.lead_actor and lead is None) or (item.where and where is None):
                raise LLMUnavailable("invented_actor", f"{item.title[:60]!r} names an actor nobody named")
            if any(k not in keys for k in item.answers):
                raise LLMUnavailable("invented_input", f"{item.title[:60]!r} answers no theme of the plan")
            if _URL.search(words):
                raise LLMUnavailable("link", f"{item.title[:60]!r} carries a link")
            title = " ".join(item.title.split())
            if len(title) > TITLE_LIMIT or "\u2026" in title or "..." in title or '"' in title:
                raise LLMUnavailable("bad_title", f"{title[:60]!r} is not a short title")
            input_ids = sorted({i for k in item.answers for i in keys[k].input_ids})
            answers = [material.input(i) for i in input_ids]
            if not answers or any(a is None for a in answers):
                raise LLMUnavailable("invented_input", f"{item.title[:60]!r} answers inputs not in the plan")
            sources = self._sources(item, keys, facts)
            if where is None:  # a place among the draft's actors stands for "where"
                where = next(
                    (a for a in named if a and entities.get(a.casefold()) and entities[a.casefold()].kind == "point"),
                    None,
                )
            fields = _fields(item, title, lead, where, input_ids, sources, entities, library)
            for value in [title, *(v for _, slot in fields.slots() for v in (slot.value, slot.detail) if v)]:
                if any(phrases.copied_run(value, text) > MAX_COPY for text in texts):
                    raise LLMUnavailable("copied_input", f"{item.title[:60]!r} copies a stakeholder's sentence")
            text = render(fields, library.render)
            card = self.checker.check(text)
            if card.verdict is Verdict.not_recommended:
                self.stats.record(USE, "draft_not_recommended")
                continue
            people = {a.person_id for a in answers if a is not None and a.person_id is not None}
            actor_names = list(
                dict.fromkeys([*(a for a in named if a), *([lead] if lead else []), *([where] if where else [])])
            )
            ideas = [keys[k] for k in dict.fromkeys(item.answers) if keys[k].kind is InputKind.idea]
            credit = None
            if ideas:
                idea_people = max(theme.people for theme in ideas) or 1
                credit = Credit(
                    input_ids=sorted({i for theme in ideas for i in theme.input_ids}),
                    people=idea_people,
                    note=catalogue().text("proposals.credit", people=idea_people),
                )
            all_ids = sorted({*input_ids, *fields.sources()})
            proposals.append(
                Proposal(
                    title=title,
                    text=text,
                    pattern=PATTERN,
                    qualities=[q for q in SUPPORT_QUALITIES if card.status(q) is Status.met],
                    answers=[
                        ProposalAnswer(input_id=a.id, kind=a.kind, text=a.text)
                        for a in (material.input(i) for i in all_ids)
                        if a is not None
                    ],
                    actors=actor_names,
                    scorecard=card,
                    guidance=_guidance_of(card),
                    people=len(people) or sum(keys[k].people for k in dict.fromkeys(item.answers)),
                    fields=fields,
                    credit=credit,
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

    @staticmethod
    def _sources(item: _DraftReply, keys: dict[str, MaterialTheme], facts: PlanFacts) -> dict[str, list[int]]:
        """The ids each field says it came from (t3 -> that theme's inputs, i12 -> input 12); an id of no input
        of the plan distrusts the whole reply."""
        out: dict[str, list[int]] = {}
        for name, ids in item.sources.items():
            if name not in FIELD_NAMES:
                raise LLMUnavailable("invented_input", f"{item.title[:60]!r} names no field {name!r}")
            found: list[int] = []
            for key in ids:
                key = key.strip()
                if key in keys:
                    found += keys[key].input_ids
                elif key[:1] == "i" and key[1:].isdigit() and int(key[1:]) in facts.by_id:
                    found.append(int(key[1:]))
                else:
                    raise LLMUnavailable("invented_input", f"{item.title[:60]!r} cites {key!r}, no input of the plan")
            out[name] = list(dict.fromkeys(found))
        return out


FACT_LABELS = {
    "problem": "problem",
    "idea": "idea",
    "step": "small step",
    "win": "quick win",
    "pledge": "pledge",
    "actor": "actor",
    "point": "place",
}


def _short(fact: Fact) -> str:
    """A problem or idea as the proposer reads it: a noun phrase, a verb phrase or a short clause."""
    if fact.action is not None:
        return fact.action.verb_phrase
    return fact.topic or fact.clause or phrases.short_clause(fact.item.text) or fact.item.text[:80]


def _fact_line(fact: Fact) -> str | None:
    if fact.role == "step" and fact.action is not None:
        return fact.action.thing if fact.action.stated_as_thing and fact.action.thing else fact.action.verb_phrase
    if fact.role == "win" and fact.benefit:
        return f"{fact.benefit}, {fact.when.text}" if fact.when and not fact.when.frequency else fact.benefit
    if fact.role == "pledge" and fact.pledges:
        who = fact.speaker or "a stakeholder"
        return "; ".join(
            f"{p.who or who}: {p.verb} {p.what}" + (f", {p.condition}" if p.condition else "") for p in fact.pledges
        )
    if fact.role == "problem":
        groups = ", ".join(fact.groups)
        return f"{_short(fact)}" + (f" (groups: {groups})" if groups else "")
    if fact.role == "idea":
        return _short(fact)
    return None


def _fields(
    item: _DraftReply,
    title: str,
    lead: str | None,
    where: str | None,
    input_ids: list[int],
    sources: dict[str, list[int]],
    entities: dict,
    library: PatternLibrary,
) -> ProposalFields:
    """The model's draft as the offline proposer's fields; a field the draft leaves empty keeps the question."""
    questions = library.questions

    def slot(name: str, value: str | None, question: str | None, default: list[int]) -> Slot:
        value = " ".join(value.split()).rstrip(".") if value else None
        if not value:
            return Slot(question=question)
        return Slot(value=value, sources=sources.get(name) or list(default))

    def entity_slot(name: str, value: str | None, question: str) -> Slot:
        if not value:
            return Slot(question=question)
        entity = entities.get(" ".join(value.split()).casefold())
        ids = sources.get(name) or (list(entity.sources) if entity is not None else list(input_ids))
        return Slot(value=value, sources=ids, detail=entity.detail if entity is not None else None)

    return ProposalFields(
        title=Slot(value=title, sources=sources.get("title") or list(input_ids)),
        what=slot("what", item.description, None, input_ids),
        lead=entity_slot("lead", lead, questions.lead),
        where=entity_slot("where", where, questions.where),
        first_step=slot(
            "first_step", item.first_step or (item.steps[0] if item.steps else None), questions.first_step, input_ids
        ),
        benefit=slot("benefit", item.first_benefits, questions.benefit, input_ids),
        when=slot("when", item.when, None, input_ids),
        investment=slot("investment", item.investment, questions.investment, input_ids),
        beneficiaries=slot("beneficiaries", item.beneficiaries, questions.beneficiaries, input_ids),
    )


def _guidance_of(card: Scorecard) -> GuidanceCitation:
    """The guidance passage behind the draft: that of its first met criterion (else its first criterion)."""
    met = [r for r in card.criteria if r.status is Status.met and r.citation.quote]
    return (met or card.criteria)[0].citation
