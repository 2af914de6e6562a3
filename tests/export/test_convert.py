"""The checker's results carried into the draft with the rubric's own labels and guidance quotes."""

from __future__ import annotations

from bot.checker.models import (
    Beneficiaries,
    CriterionResult,
    FollowUp,
    GuidanceCitation,
    Initiative,
    Investment,
    Scorecard,
)
from bot.checker.plan_check import CheckedInitiative, check_plan
from bot.checker.rubric import load_rubric
from bot.checker.verdict import decide_verdict
from bot.domain import CriterionId, Status, Verdict
from bot.export import render_markdown
from bot.export.convert import draft_initiative, guidance_criteria, plan_check_rows
from bot.export.draft import Draft


def checked(title: str, statuses: dict[CriterionId, Status], accepted: bool = False) -> CheckedInitiative:
    rubric = load_rubric()
    results = [
        CriterionResult(
            id=spec.id,
            status=statuses.get(spec.id, Status.unclear),
            evidence="said so" if spec.id in statuses else None,
            citation=GuidanceCitation(document=rubric.document, quote=spec.quote),
        )
        for spec in rubric.criteria
    ]
    by_id = {r.id: r.status for r in results}
    card = Scorecard(
        verdict=decide_verdict(by_id),
        criteria=results,
        questions=[
            FollowUp(criterion=r.id, question=rubric.criterion(r.id).question)
            for r in results
            if r.status is Status.unclear
        ],
    )
    initiative = Initiative(
        title=title,
        description="Boat owners and the fish market share an ice plant.",
        actors=["beach management unit", "fish traders"],
        investment=Investment(who="BMU and county", amount="KES 2.4 million"),
        beneficiaries=Beneficiaries(description="women fish smokers", mse_count=120, mse_share=0.9),
        steps=["form committee", "buy ice machine"],
    )
    return CheckedInitiative(initiative=initiative, scorecard=card, accepted=accepted)


def test_appendix_comes_from_the_rubric() -> None:
    rubric = load_rubric()
    criteria = guidance_criteria()
    assert [c.id for c in criteria] == list(CriterionId)
    assert [c.label for c in criteria] == [spec.label for spec in rubric.criteria]
    assert criteria[0].quote == "Promote investment to relieve constraints and open up opportunities"
    assert criteria[0].source == f"{rubric.document}, {rubric.section}"


def test_checked_initiative_becomes_a_draft_initiative() -> None:
    entry = checked(
        "Ice plant at Kichwa landing site",
        {
            CriterionId.industry_wide: Status.met,
            CriterionId.reaches_mses: Status.met,
            CriterionId.investment: Status.met,
        },
        accepted=True,
    )
    initiative = draft_initiative(entry, answers=["fish spoil, no ice"])
    assert initiative.accepted and initiative.verdict is Verdict.recommended
    assert initiative.answers == ["fish spoil, no ice"]
    assert initiative.investment == "BMU and county: KES 2.4 million"
    assert initiative.mse_reach == (
        "women fish smokers; 120 micro and small enterprises; 90% of those who gain are micro or small enterprises"
    )
    assert initiative.scorecard[0].label == "Promotes investment"
    assert len(initiative.scorecard) == 8
    assert {q.criterion for q in initiative.questions} == {
        CriterionId.learning,
        CriterionId.small_steps,
        CriterionId.near_term_benefits,
        CriterionId.influential_actors,
        CriterionId.aggregation_points,
    }


def test_plan_check_rows_render(rich_draft: Draft) -> None:
    entries = [checked("Ice plant", {CriterionId.near_term_benefits: Status.met}, accepted=True)]
    result = check_plan(entries, influential_actors=["Mama Achieng"], top_themes=["fish spoil, no ice"])
    rows = plan_check_rows(result)
    assert [r.id for r in rows] == [item.id.value for item in result.checks]
    draft = rich_draft.model_copy(update={"plan_check": rows})
    markdown = render_markdown(draft)
    assert "A quick win | passed" in markdown
    assert f"{sum(r.passed for r in rows)} of {len(rows)} plan-level checks passed." in markdown
