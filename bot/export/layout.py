"""The draft laid out once as a list of plain blocks, so DOCX and Markdown show the same sections in the same order.

Every heading and fixed sentence comes from the `export` section of the message catalogue; stakeholder text is
carried as data (cleaned of characters no document format accepts) and escaped by each renderer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from bot.domain import InputKind, Status
from bot.export.draft import Draft, DraftInitiative, DraftTheme, Gathering, NamedActor, Quote, ranked_names
from bot.messages import Catalogue, catalogue

if TYPE_CHECKING:
    from bot.charts import Chart

# XML 1.0 refuses C0 controls except tab/newline/CR, and Word also chokes on DEL, C1 controls, lone
# surrogates and the two non-characters U+FFFE/U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Stakeholder text with the characters documents reject removed; CR/CRLF become newlines."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class Heading(BaseModel):
    level: int  # 0 is the document title
    text: str


class Paragraph(BaseModel):
    text: str


class Field(BaseModel):
    """A labelled value: the label is a catalogue word, the value may be stakeholder text."""

    label: str
    value: str


class ItemList(BaseModel):
    items: list[str]
    ordered: bool = False


class Table(BaseModel):
    header: list[str]
    rows: list[list[str]]
    kind: Literal["plain", "scorecard"] = "plain"
    widths: list[float] | None = None  # relative column widths for documents with a page; None: by content


class Figure(BaseModel):
    """A chart (bot.charts) by its name; each renderer finds its PNG by that name. `alt` says what it shows."""

    name: str
    alt: str


Block = Heading | Paragraph | Field | ItemList | Table | Figure


def layout(draft: Draft, messages: Catalogue | None = None, charts: Sequence[Chart] = ()) -> list[Block]:
    """The draft's sections, in reading order; `charts` given, "The picture" comes first, after the vision."""
    say = _Say(messages or catalogue())
    blocks: list[Block] = []
    blocks += _title(draft, say)
    blocks += _picture(charts, say)
    blocks += _gathering(draft, say)
    blocks += _themes(draft, say)
    blocks += _ideas(draft, say)
    blocks += _named(draft, say)
    blocks += _initiatives(draft, say)
    blocks += _plan_check(draft, say)
    blocks += _said(draft, say)
    blocks += _appendix(draft, say)
    return blocks


def document_title(draft: Draft, messages: Catalogue | None = None) -> str:
    return _Say(messages or catalogue())("title", plan=clean(draft.title.plan))


def document_subject(draft: Draft, messages: Catalogue | None = None) -> str:
    t = draft.title
    return _Say(messages or catalogue())("subject", value_chain=clean(t.value_chain), region=clean(t.region))


# Kinds with a section of their own; inputs of any other kind (added later) are listed with the priorities.
RANKED_KINDS = {InputKind.constraint.value: "constraints", InputKind.opportunity.value: "opportunities"}
IDEA = InputKind.idea.value
NAMED = {InputKind.influential_actor.value: "influential", InputKind.aggregation_point.value: "aggregation"}
# The interview questions an idea can answer, in the interview's order; any other question comes after.
IDEA_QUESTIONS = ("ideas", "small_step", "quick_win", "investment")


class _Say:
    """`export.`-prefixed catalogue look-ups, and labels that fall back to the raw key."""

    def __init__(self, messages: Catalogue) -> None:
        self.messages = messages

    def __call__(self, key: str, **values: object) -> str:
        return self.messages.text(f"export.{key}", **values)

    def label(self, key: str, value: str | None, fallback: str = "") -> str:
        """A catalogue label for a key like an actor type; unknown keys (custom types) show as written."""
        if value is None:
            return fallback
        return self.known(key, value) or clean(value)

    def known(self, key: str, value: str) -> str | None:
        """The catalogue's word for `value` under `key`, or None when the catalogue has none."""
        try:
            found = self.messages.raw(f"{key}.{value}")
        except KeyError:
            return None
        return found if isinstance(found, str) else None

    def count(self, what: str, n: int) -> str:
        """ "1 participant", "6 participants": the number with its noun in the right form."""
        try:
            form = self.messages.raw(f"export.counts.{what}")
        except KeyError:
            form = None
        if isinstance(form, dict):
            return self(f"counts.{what}", n=n)
        return self("counts.other_kind", n=n, kind=clean(what.replace("_", " ")))


def _series(parts: list[str], say: _Say) -> str:
    """ "a, b and c" """
    if len(parts) <= 1:
        return "".join(parts)
    return say("series", items=", ".join(parts[:-1]), last=parts[-1])


def _empty(draft: Draft, say: _Say, specific: str) -> Paragraph:
    """Nothing to show: the plan has no input at all, or this section is empty on its own."""
    return Paragraph(text=say(specific) if draft.has_input else say("no_input"))


def _title(draft: Draft, say: _Say) -> list[Block]:
    t = draft.title
    blocks: list[Block] = [Heading(level=0, text=document_title(draft, say.messages))]
    for key, value in (("value_chain", clean(t.value_chain).strip()), ("region", clean(t.region).strip())):
        if value:
            blocks.append(Field(label=say(f"fields.{key}"), value=value))
    blocks += [
        Field(label=say("fields.date"), value=t.date.isoformat()),
        Field(label=say("fields.version"), value=str(t.version)),
        Heading(level=1, text=say("sections.vision")),
    ]
    vision = clean(t.vision or "").strip()
    blocks.append(Paragraph(text=vision or say("no_vision")))
    return blocks


def gathering_sentence(g: Gathering, say: _Say) -> str:
    """ "6 participants gave 47 inputs: 7 constraints, 6 opportunities, ... and 8 aggregation points." """
    people, inputs = say.count("participants", g.people), say.count("inputs", g.inputs)
    kinds = [say.count(k.kind, k.inputs) for k in g.by_kind if k.inputs]
    if not kinds:
        return say("gathering_summary", people=people, inputs=inputs)
    return say("gathering_summary_kinds", people=people, inputs=inputs, kinds=_series(kinds, say))


def _gathering(draft: Draft, say: _Say) -> list[Block]:
    g = draft.gathering
    blocks: list[Block] = [Heading(level=1, text=say("sections.gathering"))]
    if not draft.has_input and not g.participants:
        return [*blocks, Paragraph(text=say("no_input"))]
    people, mses = g.people, g.mses
    blocks.append(Paragraph(text=gathering_sentence(g, say)))
    if g.first_input and g.last_input:
        when = (
            g.first_input.isoformat()
            if g.first_input == g.last_input
            else say("date_range", first=g.first_input.isoformat(), last=g.last_input.isoformat())
        )
        blocks.append(Field(label=say("fields.when"), value=when))
    if people:
        share = f"{round(100 * mses / people)}%"
        blocks.append(
            Field(
                label=say("fields.mse_share"),
                value=say("mse_share", mses=mses, people=people, share=share),
            )
        )
    if g.meetings:
        blocks.append(Field(label=say("fields.meetings"), value=", ".join(m.isoformat() for m in sorted(g.meetings))))
    else:
        blocks.append(Paragraph(text=say("no_meetings")))
    blocks.append(Heading(level=2, text=say("sections.participants")))
    if not g.participants:
        blocks.append(Paragraph(text=say("no_participants")))
        return blocks
    sizes = _size_columns(g.participants)
    counts: dict[str, dict[str | None, int]] = {}
    for group in g.participants:
        row = counts.setdefault(group.actor_type, {})
        row[group.size] = row.get(group.size, 0) + group.count
    rows = [
        [say.label("engine.actor_types", actor)] + [str(row.get(size, 0)) for size in sizes] + [str(sum(row.values()))]
        for actor, row in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]
    totals = [sum(group.count for group in g.participants if group.size == size) for size in sizes]
    rows.append([say("columns.total"), *map(str, totals), str(people)])
    header = [
        say("columns.actor_type"),
        *(say.label("engine.sizes", size, say("size_not_given")) for size in sizes),
        say("columns.total"),
    ]
    blocks.append(Table(header=header, rows=rows))
    return blocks


def _picture(charts: Sequence[Chart], say: _Say) -> list[Block]:
    """The charts, with a sentence saying the tables hold the same numbers; nothing when there is no chart."""
    if not charts:
        return []
    blocks: list[Block] = [
        Heading(level=1, text=say.messages.text("charts.section")),
        Paragraph(text=say.messages.text("charts.intro")),
    ]
    return blocks + [Figure(name=chart.name, alt=chart.alt) for chart in charts]


def _size_columns(groups: Iterable) -> list[str | None]:
    """Sizes in the catalogue's order (micro to large), custom sizes after, "not given" last."""
    present = {group.size for group in groups}
    order = ["micro", "small", "medium", "large"]
    known = [s for s in order if s in present]
    custom = sorted(s for s in present if s is not None and s not in order)
    return [*known, *custom, *([None] if None in present else [])]


def speaker(quote: Quote, say: _Say) -> str:
    """ "a small processor": actor type and size, never a name unless the draft carries one on purpose."""
    if quote.speaker:
        return clean(quote.speaker)
    if quote.actor_type is None:
        return say("speaker.unknown")
    actor = clean(quote.actor_type)
    if quote.size is None:
        return say.known("export.speaker.alone", quote.actor_type) or say("speaker.custom_alone", actor=actor)
    return say(
        "speaker.sized",
        size=say.known("export.speaker.sizes", quote.size) or clean(quote.size),
        actor=say.known("export.speaker.actors", quote.actor_type) or actor,
    )


def _quote_line(quote: Quote, say: _Say) -> str:
    return say("quote", text=clean(quote.text).strip(), speaker=speaker(quote, say))


def _other_kinds(draft: Draft) -> list[str]:
    """Kinds of input with no section of their own (a kind added after this layout was written)."""
    known = {*RANKED_KINDS, IDEA, *NAMED}
    return sorted({theme.kind for theme in draft.themes} - known)


def _kind_title(kind: str, say: _Say) -> str:
    section = RANKED_KINDS.get(kind)
    if section is not None:
        return say(f"sections.{section}")
    return clean(kind.replace("_", " ").capitalize())  # a kind added later: its own name


def _ranking(ranked: list[DraftTheme], say: _Say) -> Table:
    return Table(
        header=[say("columns.rank"), say("columns.theme"), say("columns.people"), say("columns.inputs")],
        rows=[[str(n), clean(th.label), str(th.people), str(th.inputs)] for n, th in enumerate(ranked, start=1)],
        widths=[1.5, 12, 1.8, 1.8],
    )


def _themes(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.priorities"))]
    kinds = [*RANKED_KINDS, *_other_kinds(draft)]
    for kind in kinds:
        blocks.append(Heading(level=2, text=_kind_title(kind, say)))
        ranked = draft.ranked_themes(kind)
        if not ranked:
            section = RANKED_KINDS.get(kind)
            blocks.append(_empty(draft, say, f"no_{section}") if section else Paragraph(text=say("no_input")))
            continue
        blocks.append(_ranking(ranked, say))
    if any(draft.ranked_themes(kind) for kind in kinds):
        blocks.append(Paragraph(text=say("quotes_in_appendix")))
    return blocks


def _ideas(draft: Draft, say: _Say) -> list[Block]:
    """Every idea, grouped by the question it answered (ideas, a first small step, a quick win, what they would
    invest), ideas of one theme together and the themes most people share first."""
    blocks: list[Block] = [Heading(level=1, text=say("sections.ideas"))]
    ranked = draft.ranked_themes(IDEA)
    if not ranked:
        return [*blocks, _empty(draft, say, "no_ideas")]
    groups: dict[str, list[Quote]] = {}
    for theme in ranked:
        for quote in theme.quotes:
            key = quote.question if quote.question in IDEA_QUESTIONS else "other"
            groups.setdefault(key, []).append(quote)
    for key in (*IDEA_QUESTIONS, "other"):
        quotes = groups.get(key)
        if not quotes:
            continue
        if len(groups) > 1 or key != "other":
            blocks.append(Heading(level=2, text=say(f"idea_groups.{key}")))
        blocks.append(ItemList(items=[_quote_line(q, say) for q in quotes]))
    return blocks


def _mentions(name: NamedActor) -> str:
    """The stakeholders' own words for a name, each once: every mention grouped under the name, so a reader sees
    what was grouped; nothing when the only mention is the name itself."""
    seen: set[str] = set()
    words: list[str] = []
    for quote in name.said:
        text = " ".join(clean(quote.text).split())
        if text.casefold() not in seen:
            seen.add(text.casefold())
            words.append(f"\u201c{text}\u201d")
    if len(words) == 1 and seen == {" ".join(clean(name.name).casefold().split())}:
        return ""
    return "; ".join(words)


def _named(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.named"))]
    for attr, section in (("influential_actors", "influential"), ("aggregation_points", "aggregation")):
        blocks.append(Heading(level=2, text=say(f"sections.{section}")))
        names = ranked_names(getattr(draft, attr))
        if not names:
            blocks.append(_empty(draft, say, f"no_{section}"))
            continue
        blocks.append(
            Table(
                header=[say("columns.name"), say("columns.people"), say("columns.their_words")],
                rows=[[clean(n.name), str(n.people), _mentions(n)] for n in names],
                widths=[5, 1.8, 9],
            )
        )
    return blocks


def _evidence(initiative: DraftInitiative, say: _Say, settling: set[str]) -> list[list[str]]:
    """Criterion | status | evidence for the criteria the initiative settles (those still open are the questions
    to settle at the meeting); criteria settled the same way by the same sentence share one row, so no sentence
    is written out twice."""
    groups: dict[tuple[str, str], list[str]] = {}
    for row in initiative.scorecard:
        if row.criterion.value in settling:
            continue
        evidence = " ".join(clean(row.evidence).split()) if row.evidence else ""
        groups.setdefault((row.status.value, evidence), []).append(clean(row.label))
    return [
        ["; ".join(labels), say(f"statuses.{status}"), evidence or say("no_evidence")]
        for (status, evidence), labels in groups.items()
    ]


def _initiative_blocks(initiative: DraftInitiative, n: int, say: _Say) -> list[Block]:
    status = say("accepted") if initiative.accepted else say("proposed")
    verdict = say(f"verdicts.{initiative.verdict.value}") if initiative.verdict else say("no_verdict")
    blocks: list[Block] = [
        Heading(level=3, text=say("initiative_heading", n=n, title=clean(initiative.title).strip(), status=status)),
        Field(label=say("fields.verdict"), value=verdict),
    ]
    if initiative.description.strip():
        blocks.append(Paragraph(text=clean(initiative.description).strip()))
    if initiative.credit is not None:
        blocks.append(Field(label=say("fields.credit"), value=clean(initiative.credit.note).strip()))
    if initiative.answers:
        blocks.append(Field(label=say("fields.answers"), value="; ".join(clean(a) for a in initiative.answers)))
    present: list[tuple[str, str | None]] = [
        ("actors", ", ".join(clean(a) for a in initiative.actors) or None),
        ("lead_actor", initiative.lead_actor),
        ("investment", initiative.investment),
        ("first_benefits", initiative.first_benefits),
        ("risk", initiative.risk),
        ("mse_reach", initiative.mse_reach),
    ]
    for key, value in present:
        if value and clean(value).strip():  # a field nobody filled in is left out, not written "not given"
            blocks.append(Field(label=say(f"fields.{key}"), value=clean(value).strip()))
    if initiative.steps:
        blocks.append(Field(label=say("fields.steps"), value=""))
        blocks.append(ItemList(items=[clean(s) for s in initiative.steps], ordered=True))
    if initiative.answered:
        blocks.append(Field(label=say("fields.answered"), value=""))
        blocks.append(
            ItemList(
                items=[
                    say("answered_line", question=clean(a.question).strip(), answer=clean(a.answer).strip())
                    if a.question
                    else say("added_line", answer=clean(a.answer).strip())
                    for a in initiative.answered
                ]
            )
        )
    unclear = {row.criterion.value for row in initiative.scorecard if row.status is Status.unclear}
    settling = {q.criterion.value for q in initiative.questions} & unclear
    rows = _evidence(initiative, say, settling)
    if rows:
        blocks.append(
            Table(
                header=[say("columns.criterion"), say("columns.status"), say("columns.evidence")],
                rows=rows,
                kind="scorecard",
                widths=[4, 1.8, 11],
            )
        )
    elif not initiative.scorecard:
        blocks.append(Paragraph(text=say("not_checked")))
    settle = [clean(q).strip() for q in initiative.to_settle if clean(q).strip()]  # the proposal's open details
    settle += [say("question_line", label=clean(q.label), question=clean(q.question)) for q in initiative.questions]
    if settle:
        blocks.append(Field(label=say("fields.to_settle"), value=""))
        blocks.append(ItemList(items=list(dict.fromkeys(settle))))
    return blocks


def _initiatives(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.initiatives"))]
    if not draft.initiatives:
        return [*blocks, _empty(draft, say, "no_initiatives")]
    ordered = draft.ordered_initiatives()
    n = 0
    for accepted, section in ((True, "accepted"), (False, "proposed")):
        group = [i for i in ordered if i.accepted is accepted]
        if not group:
            continue
        blocks.append(Heading(level=2, text=say(f"sections.{section}")))
        for initiative in group:
            n += 1
            blocks += _initiative_blocks(initiative, n, say)
    return blocks


def _plan_check(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.plan_check"))]
    if not draft.plan_check:
        return [*blocks, _empty(draft, say, "no_plan_check")]
    passed = sum(1 for row in draft.plan_check if row.passed)
    blocks.append(Paragraph(text=say("plan_check_summary", passed=passed, total=len(draft.plan_check))))
    blocks.append(
        Table(
            header=[say("columns.check"), say("columns.result"), say("columns.explanation")],
            rows=[
                [
                    say.label("export.plan_checks", row.id),
                    say("passed") if row.passed else say("not_passed"),
                    clean(row.explanation),
                ]
                for row in draft.plan_check
            ],
            widths=[4, 1.8, 11],
        )
    )
    return blocks


def _theme_blocks(theme: DraftTheme, rank: int, say: _Say) -> list[Block]:
    actors = ", ".join(
        f"{say.label('engine.actor_types', a.actor_type)} ({a.people})"
        for a in sorted(theme.actor_types, key=lambda a: (-a.people, a.actor_type))
    )
    counts = say("theme_counts", people=theme.people, inputs=say.count("inputs", theme.inputs))
    if actors:
        counts = say("theme_counts_by", counts=counts, actors=actors)
    heading = Heading(level=3, text=say("theme_heading", rank=rank, label=clean(theme.label)))
    if len(theme.quotes) == 1 and theme.people == 1 and theme.inputs == 1:  # said once: the quote says who
        only = theme.quotes[0]
        if " ".join(clean(only.text).split()) == " ".join(clean(theme.label).split()):
            return [heading, Paragraph(text=say("theme_said_once", speaker=speaker(only, say)))]
        return [heading, ItemList(items=[_quote_line(only, say)])]
    blocks: list[Block] = [heading, Paragraph(text=counts)]
    if theme.quotes:
        blocks.append(ItemList(items=[_quote_line(q, say) for q in theme.quotes]))
    return blocks


def _said(draft: Draft, say: _Say) -> list[Block]:
    """Appendix 1: every theme of the priorities with every quote, in the ranking's order."""
    blocks: list[Block] = [Heading(level=1, text=say("sections.said"))]
    kinds = [kind for kind in (*RANKED_KINDS, *_other_kinds(draft)) if draft.ranked_themes(kind)]
    if not kinds:
        return [*blocks, _empty(draft, say, "no_said")]
    blocks.append(Paragraph(text=say("said_intro")))
    for kind in kinds:
        blocks.append(Heading(level=2, text=_kind_title(kind, say)))
        for n, theme in enumerate(draft.ranked_themes(kind), start=1):
            blocks += _theme_blocks(theme, n, say)
    return blocks


def _appendix(draft: Draft, say: _Say) -> list[Block]:
    """Appendix 2: each criterion once, with the guidance passage it comes from."""
    blocks: list[Block] = [Heading(level=1, text=say("sections.appendix"))]
    if not draft.criteria:
        return [*blocks, Paragraph(text=say("no_criteria"))]
    sources = sorted({clean(c.source) for c in draft.criteria})
    blocks.append(Paragraph(text=say("appendix_intro", source="; ".join(sources))))
    blocks.append(
        Table(
            header=[say("columns.criterion"), say("columns.meaning"), say("columns.guidance")],
            rows=[[clean(c.label), clean(c.meaning), clean(c.quote)] for c in draft.criteria],
            widths=[3.2, 6.5, 7],
        )
    )
    return blocks
