"""Plan-level checks over a set of checked initiatives."""

from __future__ import annotations

from bot.checker import CheckedInitiative, Initiative, OfflineChecker, PlanCheckId, check_plan

P = PlanCheckId


def _entry(checker: OfflineChecker, title: str, text: str, answers=(), accepted=False) -> CheckedInitiative:
    initiative = Initiative(title=title, description=text, answers=list(answers))
    return CheckedInitiative(initiative=initiative, scorecard=checker.check(initiative), accepted=accepted)


def _good_plan(checker: OfflineChecker) -> list[CheckedInitiative]:
    return [
        _entry(
            checker,
            "Beach clean-up",
            "The village chief and all hotels clear the beach; each hotel pays for bins. "
            "Small guesthouses get more guests within a month.",
            answers=["waste"],
            accepted=True,
        ),
        _entry(
            checker,
            "Milk cooling centre",
            "The cooperative collects milk from 600 small farmers; start with one cooler as a pilot. "
            "Farmers meet monthly to share prices.",
            answers=["milk_losses"],
        ),
    ]


def test_a_plan_that_covers_everything_passes_each_check(checker: OfflineChecker) -> None:
    result = check_plan(_good_plan(checker), ["village chief"], ["cooperative"], ["waste", "milk_losses"])
    assert result.passed, [i.explanation for i in result.checks if not i.passed]
    assert [i.id for i in result.checks] == [i for i in PlanCheckId if i is not P.themes_answered_by]
    assert all(i.explanation.endswith(".") for i in result.checks)


def test_an_unanswered_top_theme_is_named_and_the_answered_one_says_by_which_initiative(
    checker: OfflineChecker,
) -> None:
    result = check_plan(_good_plan(checker), top_themes=["waste", "roads"])
    item = result.item(P.themes_answered)
    assert not item.passed
    assert "roads" in item.explanation and "waste" not in item.explanation  # an answered theme is not in this line
    pairs = result.item(P.themes_answered_by)
    assert pairs.explanation == 'These top constraint themes are answered: "waste" by "Beach clean-up".'


def test_every_top_theme_answered_names_each_pair(checker: OfflineChecker) -> None:
    item = check_plan(_good_plan(checker), top_themes=["waste", "milk_losses"]).item(P.themes_answered)
    assert item.passed
    assert '"waste" by "Beach clean-up"' in item.explanation
    assert '"milk_losses" by "Milk cooling centre"' in item.explanation


def test_the_answered_mapping_decides_not_the_ids_an_initiative_lists(checker: OfflineChecker) -> None:
    plan = _good_plan(checker)  # the clean-up lists "waste" among its answers
    answered = {"waste": [], "roads": ["Beach clean-up", "Milk cooling centre"]}
    item = check_plan(plan, top_themes=["waste", "roads"], answered=answered).item(P.themes_answered)
    assert not item.passed
    assert item.explanation == "No initiative answers these top constraint themes: waste."
    assert check_plan(plan, top_themes=["waste", "roads"], answered=answered).item(
        P.themes_answered_by
    ).explanation == ('These top constraint themes are answered: "roads" by "Beach clean-up", "Milk cooling centre".')


def test_missing_support_quality_and_near_term_win(checker: OfflineChecker) -> None:
    plan = [_entry(checker, "Talk", "All hotels and small guesthouses talk about tourism.")]
    result = check_plan(plan)
    support = result.item(P.support_qualities)
    assert not support.passed and "Near-term benefits" in support.explanation
    assert not result.item(P.near_term_win).passed


def test_an_accepted_not_recommended_initiative_fails(checker: OfflineChecker) -> None:
    plan = [*_good_plan(checker), _entry(checker, "Lodge pool", "Sunset Lodge builds a pool.", accepted=True)]
    item = check_plan(plan).item(P.accepted)
    assert not item.passed and "Lodge pool" in item.explanation
    plan[-1] = plan[-1].model_copy(update={"accepted": False})
    assert check_plan(plan).item(P.accepted).passed


def test_a_named_aggregation_point_counts_even_when_the_rubric_is_unclear(checker: OfflineChecker) -> None:
    plan = [_entry(checker, "Scales", "Honest scales for Kariakoo.")]
    assert not check_plan(plan).item(P.aggregation_point).passed
    assert check_plan(plan, aggregation_points=["Kariakoo"]).item(P.aggregation_point).passed
