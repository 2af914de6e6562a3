"""The learned heads: stored and read back exactly, refused on another model, trained from a corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.capture import OfflineExtractor
from bot.checker.offline import OfflineChecker
from bot.domain import CriterionId, InputKind, Status, Verdict
from bot.errors import PlanbotError
from bot.learning.corpus import read_capture_corpus, read_checker_corpus
from bot.learning.heads import HeadSet, LinearHead, read_heads
from bot.learning.train import train_capture, train_checker
from tests.fakes.embeddings import HashingEmbeddings

CHAINS = ("dairy", "coffee", "tourism", "fisheries", "rice", "honey")
SELF_SERVING = [
    "buy a new car for the manager of {firm}",
    "a grant to {firm} for its own new office",
    "renovate the house of the director of {firm}",
]
OPEN_TO_ALL = [
    "every small {what} farm in the district can join",
    "all the {what} traders of the market take part, small ones too",
    "open to each {what} group in the villages",
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _checker_rows() -> list[dict]:
    rows = []
    for n in range(60):
        chain = CHAINS[n % len(CHAINS)]
        firm = f"{chain.title()} Holdings Ltd"
        if n % 2:
            first = {"text": SELF_SERVING[n % 3].format(firm=firm), "labels": {"industry_wide": "not_met"}}
        else:
            first = {"text": OPEN_TO_ALL[n % 3].format(what=chain), "labels": {"industry_wide": "met"}}
        rows.append(
            {
                "id": f"ck-{n}",
                "value_chain": chain,
                "style": "terse",
                "sentences": [first, {"text": "the weather was fine last week", "labels": {}}],
                "joiner": ". ",
            }
        )
    return rows


def test_a_head_file_reads_back_the_same_probabilities(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    head = LinearHead(classes=("none", "met", "not_met"), weights=rng.normal(size=(3, 5)), bias=rng.normal(size=3))
    heads = HeadSet(task="checker", heads={"investment": head}, probe=rng.normal(size=4), meta={"thresholds": {}})
    heads.save(tmp_path / "checker.npz")
    back = read_heads(tmp_path / "checker.npz")
    x = rng.normal(size=(7, 5))
    assert back.heads["investment"].classes == head.classes
    np.testing.assert_allclose(back.heads["investment"].probabilities(x), head.probabilities(x), atol=1e-5)
    assert np.allclose(back.heads["investment"].probabilities(x).sum(axis=1), 1.0)


def test_a_broken_head_file_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "checker.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(PlanbotError, match=r"checker\.npz"):
        read_heads(broken)
    with pytest.raises(PlanbotError, match="planbot train"):
        read_heads(tmp_path / "missing.npz")


def test_heads_trained_on_another_model_are_not_used() -> None:
    """The packaged heads fit the packaged model only; a 256-dimension toy embedder falls back to the cues."""
    checker = OfflineChecker(HashingEmbeddings())
    assert checker.heads is None
    card = checker.check("The cooperative and the bank share the cost of a new cold room.")
    assert card.status(CriterionId.investment) is Status.met  # the cue still decides


def test_statuses_and_verdict_are_derived_from_the_sentence_labels(tmp_path: Path) -> None:
    row = {
        "id": "x",
        "value_chain": "dairy",
        "style": "terse",
        "sentences": [
            {"text": "the cooperative buys a cooler", "labels": {"investment": "met", "industry_wide": "met"}},
            {"text": "smallholders sell there", "labels": {"reaches_mses": "met"}},
            {"text": "only the chairman's farm gets it", "labels": {"reaches_mses": "not_met"}},
        ],
    }
    (example,) = read_checker_corpus([_write(tmp_path / "checker.t.jsonl", [row])])
    assert example.statuses[CriterionId.reaches_mses] is Status.not_met  # not_met wins over met
    assert example.statuses[CriterionId.learning] is Status.unclear
    assert example.verdict is Verdict.not_recommended
    assert example.to_contract()["criteria"] == {"investment": "met", "industry_wide": "met", "reaches_mses": "not_met"}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            {"id": "a", "value_chain": "d", "style": "t", "sentences": [{"text": "x", "labels": {"price": "met"}}]},
            "price",
        ),
        (
            {
                "id": "a",
                "value_chain": "d",
                "style": "t",
                "sentences": [{"text": "x", "labels": {"learning": "unclear"}}],
            },
            "met or not_met",
        ),
        ({"id": "a", "value_chain": "d", "style": "t", "sentences": []}, "sentences"),
    ],
)
def test_a_bad_corpus_row_names_the_file_and_line(tmp_path: Path, row: dict, reason: str) -> None:
    path = _write(tmp_path / "checker.bad.jsonl", [row])
    with pytest.raises(PlanbotError, match=rf"checker.bad.jsonl:1: .*{reason}"):
        read_checker_corpus([path])


def test_a_duplicate_id_across_files_is_refused(tmp_path: Path) -> None:
    rows = _checker_rows()[:1]
    with pytest.raises(PlanbotError, match="appears twice"):
        read_checker_corpus([_write(tmp_path / "checker.a.jsonl", rows), _write(tmp_path / "checker.b.jsonl", rows)])


def test_a_trained_checker_head_recognises_a_self_serving_initiative_it_never_saw(tmp_path: Path) -> None:
    examples = read_checker_corpus([_write(tmp_path / "checker.t.jsonl", _checker_rows())])
    embeddings = HashingEmbeddings()
    heads, report = train_checker(examples, OfflineChecker(embeddings, heads=None))
    assert report["cross_validation"]["joint_thresholds"]["verdict"] > 0.8  # whole value chains held out per fold
    checker = OfflineChecker(embeddings, heads=heads)
    card = checker.check("A grant to Sisal Holdings Ltd for its own new office. The weather was fine.")
    assert card.status(CriterionId.industry_wide) is Status.not_met
    assert card.verdict is Verdict.not_recommended
    evidence = next(r.evidence for r in card.criteria if r.id is CriterionId.industry_wide)
    assert evidence == "A grant to Sisal Holdings Ltd for its own new office"  # a sentence of the initiative


def test_a_trained_capture_head_uses_the_question_being_answered(tmp_path: Path) -> None:
    rows = []
    for n in range(48):
        chain = CHAINS[n % len(CHAINS)]
        rows.append(
            {
                "id": f"cp-{n}",
                "value_chain": chain,
                "style": "terse",
                "question": "constraints" if n % 2 else "influential_actors",
                "segments": [
                    {"text": f"the {chain} road is bad", "kind": "constraint"}
                    if n % 2
                    else {"text": f"the {chain} chairman everyone listens to", "kind": "influential_actor"}
                ],
            }
        )
    examples = read_capture_corpus([_write(tmp_path / "capture.t.jsonl", rows)])
    embeddings = HashingEmbeddings()
    heads, _ = train_capture(examples, OfflineExtractor(embeddings, heads=None))
    extractor = OfflineExtractor(embeddings, heads=heads)
    (found,) = extractor.extract("the tea road is bad", "constraints")
    assert found.kind is InputKind.constraint
    (actor,) = extractor.extract("the tea chairman everyone listens to", "influential_actors")
    assert actor.kind is InputKind.influential_actor
