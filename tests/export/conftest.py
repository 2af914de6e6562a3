"""Sample drafts: a rich dairy plan (themes, ideas, named actors, three checked initiatives) and an empty one."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import CriterionId, InputKind, Status, Verdict
from bot.export.convert import guidance_criteria
from bot.export.draft import (
    ActorCount,
    AnsweredQuestion,
    Draft,
    DraftInitiative,
    DraftTheme,
    Gathering,
    KindCount,
    NamedActor,
    OpenQuestion,
    ParticipantGroup,
    PlanCheckRow,
    Quote,
    ScoreRow,
    TitleBlock,
)

HOSTILE = "**bold** <script>alert(1)</script> [x](http://evil) | pipe { MERGEFIELD x }"


def scorecard(statuses: dict[CriterionId, Status]) -> list[ScoreRow]:
    rows = []
    for spec in guidance_criteria():
        status = statuses.get(spec.id, Status.unclear)
        evidence = f"evidence for {spec.id.value}" if status is not Status.unclear else None
        rows.append(ScoreRow(criterion=spec.id, label=spec.label, status=status, evidence=evidence))
    return rows


def questions(rows: list[ScoreRow]) -> list[OpenQuestion]:
    return [
        OpenQuestion(criterion=r.criterion, label=r.label, question=f"What about {r.label.lower()}?")
        for r in rows
        if r.status is Status.unclear
    ]


def make_rich_draft() -> Draft:
    met = Status.met
    cold = scorecard({c: met for c in CriterionId})
    grading = scorecard({CriterionId.small_steps: met, CriterionId.industry_wide: met, CriterionId.reaches_mses: met})
    one_firm = scorecard({CriterionId.investment: met, CriterionId.industry_wide: Status.not_met})
    return Draft(
        title=TitleBlock(
            plan="Njombe Dairy Upgrading 2027",
            value_chain="dairy",
            region="Njombe",
            date=date(2027, 3, 14),
            version=2,
            vision="By 2030 our milk is sold chilled and graded to three dairies in Mbeya and Dar.",
        ),
        gathering=Gathering(
            participants=[
                ParticipantGroup(actor_type="producer", size="micro", count=14),
                ParticipantGroup(actor_type="producer", size="small", count=4),
                ParticipantGroup(actor_type="processor", size="small", count=2),
                ParticipantGroup(actor_type="processor", size="large", count=1),
                ParticipantGroup(actor_type="trader", size="micro", count=3),
                ParticipantGroup(actor_type="finance", size="medium", count=1),
                ParticipantGroup(actor_type="boda transporter", size=None, count=2),
            ],
            inputs=86,
            by_kind=[
                KindCount(kind="constraint", inputs=63, people=24),
                KindCount(kind="opportunity", inputs=10, people=9),
                KindCount(kind="idea", inputs=3, people=3),
                KindCount(kind="influential_actor", inputs=7, people=6),
                KindCount(kind="aggregation_point", inputs=3, people=3),
            ],
            first_input=date(2027, 1, 9),
            last_input=date(2027, 3, 12),
            meetings=[date(2027, 2, 20), date(2027, 1, 15)],
        ),
        themes=[
            DraftTheme(
                kind=InputKind.constraint,
                label="milk spoils before reaching the dairy",
                people=17,
                inputs=25,
                actor_types=[ActorCount(actor_type="producer", people=14), ActorCount(actor_type="trader", people=3)],
                quotes=[
                    Quote(text="evening milk go bad, no cooler near", actor_type="producer", size="micro"),
                    Quote(text="we pour 20 litre some days", actor_type="trader", size="micro"),
                ],
            ),
            DraftTheme(
                kind=InputKind.constraint,
                label="low price, dairy pays late",
                people=21,
                inputs=30,
                actor_types=[
                    ActorCount(actor_type="producer", people=18),
                    ActorCount(actor_type="processor", people=3),
                ],
                quotes=[
                    Quote(text="dairy pay after 2 month, we cant wait", actor_type="producer", size="small"),
                    Quote(text="price 600 per litre too low", actor_type="producer", size="micro"),
                    Quote(text="banks want collateral we dont have", actor_type="processor", size="small"),
                ],
            ),
            DraftTheme(
                kind=InputKind.constraint,
                label="no feed in dry season",
                people=6,
                inputs=8,
                actor_types=[ActorCount(actor_type="producer", people=6)],
                quotes=[Quote(text="dry season cows give 2 litre only", actor_type="producer")],
            ),
            DraftTheme(
                kind=InputKind.opportunity,
                label="school milk programme buys locally",
                people=9,
                inputs=10,
                actor_types=[ActorCount(actor_type="processor", people=2), ActorCount(actor_type="producer", people=7)],
                quotes=[Quote(text="council want milk for 40 schools", actor_type="processor", size="large")],
            ),
            DraftTheme(
                kind=InputKind.idea,
                label="a cooler shared by the village",
                people=2,
                inputs=2,
                actor_types=[ActorCount(actor_type="producer", people=2)],
                quotes=[
                    Quote(text="one cooler for the village", actor_type="producer", size="micro", question="ideas"),
                    Quote(text="we can pay 5000 each", actor_type="producer", size="small", question="investment"),
                ],
            ),
            DraftTheme(
                kind=InputKind.idea,
                label="start with the evening milk",
                people=1,
                inputs=1,
                quotes=[Quote(text="start with the evening milk", actor_type="trader", question="small_step")],
            ),
        ],
        influential_actors=[
            NamedActor(
                name="Mzee Kihwele, lead farmer in Ikuna",
                people=11,
                said=[Quote(text="Mzee Kihwele, everyone copies him"), Quote(text="mzee kihwele")],
            ),
            NamedActor(name="ASAS Dairies", people=15),
        ],
        aggregation_points=[
            NamedActor(
                name="Ikuna milk collection centre", people=19, said=[Quote(text="Ikuna milk collection centre")]
            )
        ],
        initiatives=[
            DraftInitiative(
                title="Grading milk at the collection centre",
                description="Test milk with a lactometer, pay by grade, sell to two dairies.",
                accepted=False,
                answers=["low price, dairy pays late"],
                actors=["collection centre", "producers"],
                first_benefits="first graded payment in 1 month",
                steps=["buy lactometers", "train graders", "agree grade prices with two dairies"],
                scorecard=grading,
                verdict=Verdict.revise,
                questions=questions(grading),
            ),
            DraftInitiative(
                title="Shared cooler at Ikuna collection centre",
                description="The cooperative and the SACCO co-finance a 3,000 litre cooler.",
                accepted=True,
                answers=["milk spoils before reaching the dairy", "evening milk go bad, no cooler near"],
                actors=["Ikuna cooperative", "SACCO", "ASAS Dairies"],
                lead_actor="Ikuna cooperative",
                investment="cooperative 20%, SACCO loan 80% (TZS 45 million)",
                first_benefits="evening milk sold from month 2",
                steps=["agree shares", "buy cooler", "train two operators", "start evening collection"],
                risk="power cuts; a generator is shared with the school",
                mse_reach="140 micro farmers deliver to the centre",
                answered=[
                    AnsweredQuestion(
                        criterion=CriterionId.near_term_benefits,
                        label="Near-term benefits",
                        question="When will the stakeholders see the first benefit?",
                        answer="the evening milk is sold from month 2",
                    )
                ],
                scorecard=cold,
                verdict=Verdict.recommended,
                questions=[],
            ),
            DraftInitiative(
                title="New processing line for one dairy",
                description="A grant buys a UHT line for one large dairy.",
                accepted=False,
                scorecard=one_firm,
                verdict=Verdict.not_recommended,
                questions=questions(one_firm),
            ),
        ],
        plan_check=[
            PlanCheckRow(id="support_qualities", passed=True, explanation="All four support qualities are covered."),
            PlanCheckRow(id="near_term_win", passed=True, explanation="The cooler offers benefits in the near term."),
            PlanCheckRow(
                id="themes_answered", passed=False, explanation="No initiative answers: no feed in dry season."
            ),
        ],
        criteria=guidance_criteria(),
    )


@pytest.fixture
def rich_draft() -> Draft:
    return make_rich_draft()


@pytest.fixture
def empty_draft() -> Draft:
    return Draft(
        title=TitleBlock(
            plan="Zanzibar Beach Tourism", value_chain="tourism", region="Zanzibar", date=date(2027, 5, 2)
        ),
        criteria=guidance_criteria(),
    )


@pytest.fixture
def hostile_draft() -> Draft:
    """Every stakeholder-written field carries markup, HTML, a field code and a control character."""
    draft = make_rich_draft()
    text = HOSTILE + "\x07\x0b"
    draft.title.vision = text
    draft.themes[0].label = text
    draft.themes[0].quotes[0].text = text
    draft.influential_actors[0].name = text
    draft.initiatives[0].title = text
    draft.initiatives[0].description = "1. " + text + "\n# heading\n---"
    draft.initiatives[0].steps = [text]
    draft.initiatives[0].scorecard[0].evidence = text + "\nline two"
    draft.themes[4].quotes[0].text = text
    draft.influential_actors[0].said[0].text = text
    draft.initiatives[1].answered[0].answer = text
    return draft
