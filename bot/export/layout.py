"""The draft laid out once as a list of plain blocks, so DOCX and Markdown show the same sections in the same order.

Every heading and fixed sentence comes from the `export` section of the message catalogue; stakeholder text is
carried as data (cleaned of characters no document format accepts) and escaped by each renderer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel

from bot.domain import InputKind
from bot.export.draft import Draft, DraftInitiative, DraftTheme, NamedActor, Quote, ranked_names
from bot.messages import Catalogue, catalogue

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


Block = Heading | Paragraph | Field | ItemList | Table


def layout(draft: Draft, messages: Catalogue | None = None) -> list[Block]:
    """The draft's sections, in reading order."""
    say = _Say(messages or catalogue())
    blocks: list[Block] = []
    blocks += _title(draft, say)
    blocks += _gathering(draft, say)
    blocks += _themes(draft, say)
    blocks += _named(draft, say)
    blocks += _initiatives(draft, say)
    blocks += _plan_check(draft, say)
    blocks += _open_questions(draft, say)
    blocks += _appendix(draft, say)
    return blocks


def document_title(draft: Draft, messages: Catalogue | None = None) -> str:
    return _Say(messages or catalogue())("title", plan=clean(draft.title.plan))


def document_subject(draft: Draft, messages: Catalogue | None = None) -> str:
    t = draft.title
    return _Say(messages or catalogue())("subject", value_chain=clean(t.value_chain), region=clean(t.region))


class _Say:
    """`export.`-prefixed catalogue look-ups, and labels that fall back to the raw key."""

    def __init__(self, messages: Catalogue) -> None:
        self.messages = messages

    def __call__(self, key: str, **values: object) -> str:
        return self.messages.text(f"export.{key}", **values)

    def label(self, key: str, value: str | None, fallback: str | None = None) -> str:
        """A catalogue label for a key like an actor type; unknown keys (custom types) show as written."""
        if value is None:
            return fallback if fallback is not None else self("not_given")
        return self.known(key, value) or clean(value)

    def known(self, key: str, value: str) -> str | None:
        """The catalogue's word for `value` under `key`, or None when the catalogue has none."""
        try:
            found = self.messages.raw(f"{key}.{value}")
        except KeyError:
            return None
        return found if isinstance(found, str) else None


def _date(value: date | None, say: _Say) -> str:
    return value.isoformat() if value else say("not_given")


def _empty(draft: Draft, say: _Say, specific: str) -> Paragraph:
    """Nothing to show: the plan has no input at all, or this section is empty on its own."""
    return Paragraph(text=say(specific) if draft.has_input else say("no_input"))


def _title(draft: Draft, say: _Say) -> list[Block]:
    t = draft.title
    blocks: list[Block] = [
        Heading(level=0, text=document_title(draft, say.messages)),
        Field(label=say("fields.value_chain"), value=clean(t.value_chain) or say("not_given")),
        Field(label=say("fields.region"), value=clean(t.region) or say("not_given")),
        Field(label=say("fields.date"), value=t.date.isoformat()),
        Field(label=say("fields.version"), value=str(t.version)),
        Heading(level=1, text=say("sections.vision")),
    ]
    vision = clean(t.vision or "").strip()
    blocks.append(Paragraph(text=vision or say("no_vision")))
    return blocks


def _gathering(draft: Draft, say: _Say) -> list[Block]:
    g = draft.gathering
    blocks: list[Block] = [Heading(level=1, text=say("sections.gathering"))]
    if not draft.has_input and not g.participants:
        return [*blocks, Paragraph(text=say("no_input"))]
    people, mses = g.people, g.mses
    share = f"{round(100 * mses / people)}%" if people else "-"
    blocks += [
        Paragraph(text=say("gathering_summary", people=people, inputs=g.inputs)),
        Field(label=say("fields.first_input"), value=_date(g.first_input, say)),
        Field(label=say("fields.last_input"), value=_date(g.last_input, say)),
        Field(label=say("fields.mse_share"), value=say("mse_share", mses=mses, people=people, share=share)),
    ]
    blocks.append(Heading(level=2, text=say("sections.meetings")))
    if g.meetings:
        blocks.append(ItemList(items=[m.isoformat() for m in sorted(g.meetings)]))
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


def _theme_blocks(theme: DraftTheme, rank: int, say: _Say) -> list[Block]:
    actors = ", ".join(
        f"{say.label('engine.actor_types', a.actor_type)} ({a.people})"
        for a in sorted(theme.actor_types, key=lambda a: (-a.people, a.actor_type))
    )
    blocks: list[Block] = [
        Heading(level=3, text=say("theme_heading", rank=rank, label=clean(theme.label))),
        Paragraph(text=say("theme_counts", people=theme.people, inputs=theme.inputs)),
        Field(label=say("fields.actor_types"), value=actors or say("not_given")),
    ]
    if theme.quotes:
        blocks.append(
            ItemList(items=[say("quote", text=clean(q.text).strip(), speaker=speaker(q, say)) for q in theme.quotes])
        )
    return blocks


def _themes(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.priorities"))]
    for kind, section in ((InputKind.constraint, "constraints"), (InputKind.opportunity, "opportunities")):
        blocks.append(Heading(level=2, text=say(f"sections.{section}")))
        ranked = draft.ranked_themes(kind)
        if not ranked:
            blocks.append(_empty(draft, say, f"no_{section}"))
            continue
        blocks.append(
            Table(
                header=[say("columns.rank"), say("columns.theme"), say("columns.people"), say("columns.inputs")],
                rows=[
                    [str(n), clean(th.label), str(th.people), str(th.inputs)] for n, th in enumerate(ranked, start=1)
                ],
            )
        )
        for n, theme in enumerate(ranked, start=1):
            blocks += _theme_blocks(theme, n, say)
    return blocks


def _named_table(names: list[NamedActor], say: _Say) -> Table:
    return Table(
        header=[say("columns.name"), say("columns.named_by")],
        rows=[[clean(n.name), str(n.people)] for n in ranked_names(names)],
    )


def _named(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.named"))]
    for attr, section in (("influential_actors", "influential"), ("aggregation_points", "aggregation")):
        blocks.append(Heading(level=2, text=say(f"sections.{section}")))
        names = getattr(draft, attr)
        blocks.append(_named_table(names, say) if names else _empty(draft, say, f"no_{section}"))
    return blocks


def _initiative_blocks(initiative: DraftInitiative, n: int, say: _Say) -> list[Block]:
    status = say("accepted") if initiative.accepted else say("proposed")
    blocks: list[Block] = [
        Heading(level=3, text=say("initiative_heading", n=n, title=clean(initiative.title), status=status))
    ]
    if initiative.description.strip():
        blocks.append(Paragraph(text=clean(initiative.description).strip()))
    if initiative.answers:
        blocks.append(Field(label=say("fields.answers"), value=""))
        blocks.append(ItemList(items=[clean(a) for a in initiative.answers]))
    optional: list[tuple[str, str | None]] = [
        ("actors", ", ".join(clean(a) for a in initiative.actors) or None),
        ("lead_actor", initiative.lead_actor),
        ("investment", initiative.investment),
        ("first_benefits", initiative.first_benefits),
        ("risk", initiative.risk),
        ("mse_reach", initiative.mse_reach),
    ]
    for key, value in optional:
        blocks.append(Field(label=say(f"fields.{key}"), value=clean(value) if value else say("not_given")))
    if initiative.steps:
        blocks.append(Field(label=say("fields.steps"), value=""))
        blocks.append(ItemList(items=[clean(s) for s in initiative.steps], ordered=True))
    if initiative.scorecard:
        blocks.append(
            Table(
                header=[
                    say("columns.criterion"),
                    say("columns.status"),
                    say("columns.evidence"),
                    say("columns.guidance"),
                ],
                rows=[
                    [
                        clean(row.label),
                        say(f"statuses.{row.status.value}"),
                        clean(row.evidence) if row.evidence else say("no_evidence"),
                        clean(row.quote),
                    ]
                    for row in initiative.scorecard
                ],
                kind="scorecard",
            )
        )
    else:
        blocks.append(Paragraph(text=say("not_checked")))
    verdict = say(f"verdicts.{initiative.verdict.value}") if initiative.verdict else say("no_verdict")
    blocks.append(Field(label=say("fields.verdict"), value=verdict))
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
        )
    )
    return blocks


def _open_questions(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.open_questions"))]
    asking = [i for i in draft.ordered_initiatives() if i.questions]
    if not asking:
        return [*blocks, _empty(draft, say, "no_open_questions")]
    for initiative in asking:
        blocks.append(Heading(level=2, text=clean(initiative.title)))
        blocks.append(
            ItemList(
                items=[
                    say("question_line", label=clean(q.label), question=clean(q.question)) for q in initiative.questions
                ]
            )
        )
    return blocks


def _appendix(draft: Draft, say: _Say) -> list[Block]:
    blocks: list[Block] = [Heading(level=1, text=say("sections.appendix"))]
    if not draft.criteria:
        return [*blocks, Paragraph(text=say("no_criteria"))]
    blocks.append(Paragraph(text=say("appendix_intro")))
    blocks.append(
        Table(
            header=[say("columns.criterion"), say("columns.meaning"), say("columns.guidance"), say("columns.source")],
            rows=[[clean(c.label), clean(c.meaning), clean(c.quote), clean(c.source)] for c in draft.criteria],
        )
    )
    return blocks
