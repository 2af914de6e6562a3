"""The draft assembled from a plan's rows: participants, themes, named actors, anonymous quotes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain import CriterionId, Status
from bot.errors import NotFoundError
from bot.export import escape_markdown, render_markdown
from bot.export.builder import build_draft
from bot.storage import Database
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.themes.models import Theme, ThemeItem
from tests.export.test_convert import checked
from tests.export.test_markdown import parse, plain


def by_first_word(items: list[ThemeItem]) -> Sequence[Theme]:
    """A behavioural stand-in for the clustering: same kind and same first word is the same theme."""
    groups: dict[tuple[str, str], list[ThemeItem]] = {}
    for item in items:
        groups.setdefault((item.kind, item.text.split()[0].lower()), []).append(item)
    return [
        Theme(
            kind=kind,
            label=group[0].text[:60],
            item_ids=sorted(i.id for i in group),
            person_ids=sorted({i.person_id for i in group}),
        )
        for (kind, _), group in groups.items()
    ]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'planbot.db'}")
    database.migrate()
    yield database
    database.dispose()


def add_plan(db: Database, name: str = "Mtwara Cashew 2027") -> int:
    with db.session() as session:
        plan = Plan(name=name, value_chain="cashew", region="Mtwara", vision="Our nuts processed at home.")
        session.add(plan)
        session.flush()
        return plan.id


def add_person(
    db: Database,
    plan_id: int,
    name: str,
    actor: str,
    size: str | None,
    role: str = "stakeholder",
    said: Sequence[tuple[str, str]] = (),
    when: datetime | None = None,
    consented: bool = True,
) -> int:
    when = when or datetime(2027, 2, 3, 10, tzinfo=UTC)
    with db.session() as session:
        person = PersonRow(key=f"cli:{name}", display_name=name)
        session.add(person)
        session.flush()
        session.add(
            Membership(
                person_id=person.id,
                plan_id=plan_id,
                role=role,
                actor_type=actor,
                size=size,
                consented_at=when if consented else None,
                joined_at=when,
            )
        )
        for n, (kind, text) in enumerate(said):
            session.add(
                StoredInput(
                    person_id=person.id,
                    plan_id=plan_id,
                    kind=kind,
                    text=text,
                    summary=text,
                    confidence=0.9,
                    source_id=f"m{n}",
                    position=0,
                    created_at=when,
                )
            )
        return person.id


def test_plan_without_input_gives_a_draft_that_says_so(db: Database) -> None:
    plan_id = add_plan(db)
    with db.session() as session:
        draft = build_draft(session, plan_id, by_first_word, today=date(2027, 3, 1))
    assert draft.title.plan == "Mtwara Cashew 2027" and draft.title.vision == "Our nuts processed at home."
    assert not draft.has_input and len(draft.criteria) == 8
    assert render_markdown(draft).count("No input gathered yet.") == 9


def test_unknown_plan_is_named(db: Database) -> None:
    with db.session() as session, pytest.raises(NotFoundError, match="--plan 42: no plan with this id"):
        build_draft(session, 42, by_first_word)


def test_plan_with_input(db: Database) -> None:
    plan_id = add_plan(db)
    early = datetime(2027, 1, 20, 8, tzinfo=UTC)
    add_person(
        db,
        plan_id,
        "Amina Said",
        "producer",
        "micro",
        when=early,
        said=[
            ("constraint", "price too low at auction, we sell to middlemen"),
            ("influential_actor", "Mzee Bakari the lead farmer"),
        ],
    )
    add_person(
        db,
        plan_id,
        "Juma",
        "producer",
        "micro",
        said=[("constraint", "price drop after rain, no store"), ("constraint", "no dryer, nuts get mould")],
    )
    add_person(
        db,
        plan_id,
        "Halima",
        "processor",
        "small",
        said=[("constraint", "price of raw nuts changes daily"), ("opportunity", "export kernels to India")],
    )
    add_person(
        db,
        plan_id,
        "Big Exporter Ltd",
        "trader",
        "large",
        said=[("aggregation_point", "the warehouse receipt system"), ("influential_actor", "Mzee Bakari is listened")],
    )
    add_person(db, plan_id, "Silent", "producer", "small")  # consented, no input yet: still a participant
    add_person(db, plan_id, "Declined", "producer", "small", consented=False)
    add_person(
        db,
        plan_id,
        "meeting notes, 2027-02-10",
        "notes",
        None,
        role="notes",
        when=datetime(2027, 2, 10, 15, tzinfo=UTC),
        said=[("constraint", "price information missing for farmers")],
    )
    first_input = None
    with db.session() as session:
        first_input = session.query(StoredInput).order_by(StoredInput.id).first().id
        cooler = checked("Warehouse drying shed", {CriterionId.industry_wide: Status.met})
        cooler.initiative.answers = [str(first_input), "export kernels to India"]
        draft = build_draft(session, plan_id, by_first_word, initiatives=[cooler], today=date(2027, 3, 1), version=3)

    g = draft.gathering
    assert g.people == 5 and g.mses == 4 and g.inputs == 9
    assert [(k.kind, k.inputs, k.people) for k in g.by_kind] == [
        ("constraint", 5, 4),
        ("opportunity", 1, 1),
        ("influential_actor", 2, 2),
        ("aggregation_point", 1, 1),
    ]
    assert (g.first_input, g.last_input) == (date(2027, 1, 20), date(2027, 2, 10))
    assert g.meetings == [date(2027, 2, 10)]

    price = draft.ranked_themes(draft.themes[0].kind)[0]
    assert price.label.startswith("price") and price.people == 4 and price.inputs == 4
    # every input of the theme is quoted, the meeting note too, each with its input id
    assert [q.actor_type for q in price.quotes] == ["producer", "producer", "processor", "notes"]
    assert all(q.input_id is not None for q in price.quotes)
    assert {a.actor_type: a.people for a in price.actor_types} == {"producer": 2, "processor": 1, "notes": 1}

    assert [(n.name, n.people) for n in draft.influential_actors] == [("Mzee Bakari the lead farmer", 2)]
    assert [q.text for q in draft.influential_actors[0].said] == [
        "Mzee Bakari the lead farmer",
        "Mzee Bakari is listened",
    ]
    assert [n.name for n in draft.aggregation_points] == ["the warehouse receipt system"]
    assert draft.initiatives[0].answers == [price.label, "export kernels to India"]
    assert draft.title.version == 3

    markdown = render_markdown(draft)
    for name in ("Amina", "Juma", "Halima", "Big Exporter", "Silent"):
        assert name not in markdown  # quotes are anonymous: actor type and size only
    text = plain(parse(markdown))
    assert "(a micro producer)" in text and "(a small processor)" in text
    assert "4 of 5 participants are micro or small enterprises (80%)" in text
    assert (
        "5 participants gave 9 inputs: 5 constraints, 1 opportunity, 2 influential actors and 1 aggregation point."
        in text
    )
    with db.session() as session:
        for stored in session.query(StoredInput):
            assert escape_markdown("x " + stored.text)[2:] in markdown  # every input, in the stakeholders' words


def test_input_the_grouping_leaves_out_is_still_in_the_draft(db: Database) -> None:
    plan_id = add_plan(db)
    add_person(db, plan_id, "Amina", "producer", "micro", said=[("constraint", "no dryer"), ("idea", "a shared dryer")])

    def loses_ideas(items: list[ThemeItem]) -> Sequence[Theme]:
        return [t for t in by_first_word(items) if t.kind != "idea"]

    with db.session() as session:
        draft = build_draft(session, plan_id, loses_ideas, today=date(2027, 3, 1))
    assert [t.label for t in draft.ranked_themes("idea")] == ["a shared dryer"]
    assert '"a shared dryer" (a micro producer)' in plain(parse(render_markdown(draft)))
