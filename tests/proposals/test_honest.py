"""The proposer is honest: each proposal keeps the verdict the checker gives its text, and nothing nobody said (who
gains, who pays, where) is written in to earn a criterion; what the material leaves open stays a question."""

from __future__ import annotations

import pytest

from bot.checker import OfflineChecker
from bot.domain import Status, Verdict
from bot.proposals import OfflineProposer
from bot.proposals.patterns import load_patterns
from bot.proposals.render import scoped
from tests.fakes.embeddings import HashingEmbeddings
from tests.proposals.conftest import interviewed_material
from tests.proposals.test_proposer import LOOSE


@pytest.fixture(scope="module")
def loose() -> OfflineProposer:
    embeddings = HashingEmbeddings()
    return OfflineProposer(OfflineChecker(embeddings), embeddings, LOOSE)


def test_every_proposal_keeps_the_checkers_own_verdict_on_its_text(loose: OfflineProposer) -> None:
    for proposal in loose.propose(interviewed_material()):
        # its text as checked: each field's sentence scoped to the criteria that field speaks to
        again = loose.checker.check(scoped(proposal.fields, LOOSE.render, LOOSE.scopes))
        assert again.to_contract_json() == proposal.scorecard.to_contract_json(), proposal.title


def test_who_gains_is_never_made_up_from_who_raised_it(loose: OfflineProposer) -> None:
    # every raiser runs a micro or small firm, but no input names who would gain
    material = interviewed_material(sizes={1: "micro", 2: "micro", 3: "small"}, drop=("aggregation_points",))
    proposals = loose.propose(material)
    open_reach = [p for p in proposals if p.fields.beneficiaries.open]
    assert open_reach
    for proposal in open_reach:
        assert "micro and small firms gain" not in proposal.text.casefold()
        assert load_patterns().questions.beneficiaries in proposal.to_settle
        assert proposal.fields.mse_share == 1.0  # the share is kept as data, for the meeting
        reach = next(r for r in proposal.scorecard.criteria if r.id.value == "reaches_mses")
        if reach.status is Status.met:  # then the proposal's own words say it, not a made-up line
            assert reach.evidence and "gain" not in reach.evidence.casefold()


def test_material_that_names_no_investor_or_place_gives_a_proposal_held_back(loose: OfflineProposer) -> None:
    material = interviewed_material(
        sizes={1: "large", 2: "large", 3: "large"}, drop=("aggregation_points", "investment", "quick_win")
    )
    proposals = loose.propose(material)
    assert proposals
    held_back = [p for p in proposals if p.verdict is not Verdict.recommended]
    assert held_back, [(p.title, p.verdict.value) for p in proposals]
    for proposal in held_back:
        assert proposal.fields.investment.open and proposal.to_settle
