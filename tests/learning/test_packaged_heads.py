"""The shipped heads: trained on the current corpus, used with the packaged model, and sensible on plain cases."""

from __future__ import annotations

import pytest

from bot.capture import OfflineExtractor
from bot.checker.offline import OfflineChecker
from bot.cli.app import main
from bot.domain import CriterionId, InputKind, Status, Verdict

pytestmark = pytest.mark.model


def test_the_shipped_heads_were_trained_on_the_current_corpus_and_cues(capsys) -> None:
    """Editing a corpus file, criteria.yaml or the capture lexicon without `planbot train` fails here."""
    assert main(["train", "--check"]) == 0, capsys.readouterr().err


def test_the_packaged_model_uses_the_trained_heads(real_embeddings) -> None:
    assert OfflineChecker(real_embeddings).heads is not None
    assert OfflineExtractor(real_embeddings).heads is not None


@pytest.mark.parametrize(
    "text",
    [
        "Buy a new pick-up truck for the programme coordinator so he can visit the office from home.",
        "A grant to Lakeview Cold Stores Ltd to refurbish the owner's private guest house.",
    ],
)
def test_a_self_serving_initiative_is_not_recommended_with_its_sentence_as_evidence(real_embeddings, text) -> None:
    card = OfflineChecker(real_embeddings).check(text)
    assert card.verdict is Verdict.not_recommended
    decided = [r for r in card.criteria if r.id in (CriterionId.industry_wide, CriterionId.reaches_mses)]
    assert any(r.status is Status.not_met for r in decided)
    assert all(r.evidence is None or r.evidence in text for r in decided)
    industry = next(r for r in decided if r.id is CriterionId.industry_wide)
    if industry.status is Status.not_met:  # the passage it goes against, not the general one
        assert industry.citation.quote.startswith("avoid enterprise-level interventions")


def test_a_quick_win_answer_is_an_idea_not_an_aggregation_point(real_embeddings) -> None:
    extractor = OfflineExtractor(real_embeddings)
    found = extractor.extract("an ice box at the landing site in the next three months", "quick_win")
    assert [item.kind for item in found] == [InputKind.idea]
