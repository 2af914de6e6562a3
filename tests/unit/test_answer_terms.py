"""How `ask` reads a question, without the model: stems, typo repair and the shipped everyday-word expansions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import PlanbotError
from bot.knowledge.terms import (
    EXPANSIONS_FILE,
    Expansions,
    content_words,
    default_expansions,
    repair,
    stem,
)

OUT_OF_SCOPE = [
    "how do I get a visa",
    "what's the weather tomorrow",
    "best fertilizer for maize?",
    "How do I cook rice?",
    "what is the capital of France?",
    "how to open bank account",
    "who will win the election",
]


def _terms(question: str) -> str:
    return " | ".join(default_expansions().terms_for(question))


def test_inflections_share_a_stem() -> None:
    for group in (
        ("trade", "traders", "trading", "traded"),
        ("company", "companies"),
        ("fix", "fixing"),
        ("stop", "stopped"),
        ("investment", "investments"),
        ("change", "changes", "changed"),
    ):
        assert len({stem(word) for word in group}) == 1, group
    assert stem("multiple", None) != stem("multiplier", None)  # uncut stems keep them apart
    assert content_words("Can the traders invest?") == ["trad", "invest"]


def test_obvious_typos_are_repaired_against_known_words_only() -> None:
    vocabulary = {"investment", "commitment", "stakeholders", "different"}
    assert repair("why investmnt", vocabulary) == "why investment"
    assert repair("keep stakholders comitment", vocabulary) == "keep stakeholders commitment"
    assert repair("diferent buyers", vocabulary) == "different buyers"
    assert repair("visa weather", vocabulary) == "visa weather"  # nothing near: left as written


def test_the_shipped_file_loads_and_is_the_default() -> None:
    shipped = Expansions.load(EXPANSIONS_FILE)
    assert len(shipped.rules) >= 20
    assert default_expansions().vocabulary == shipped.vocabulary


@pytest.mark.parametrize(
    ("question", "guidance_words"),
    [
        ("can we fund a single firm?", "enterprise-level interventions"),
        ("how to keep the people on board", "maintain stakeholder commitment"),
        ("what is investment for", "promote investment"),
        ("quick wins matter?", "benefits in the near term"),
        ("who do the farmers listen to", "influential actors"),
        ("the factory that buys from many farmers", "processing firm"),
        ("will small traders benefit", "benefits reach MSEs"),
    ],
)
def test_everyday_phrasings_call_the_guidance_terms(question: str, guidance_words: str) -> None:
    assert guidance_words in _terms(question)


def test_funding_one_firm_is_about_enterprise_level_interventions_not_investment() -> None:
    terms = _terms("may we fund a single firm")
    assert "enterprise-level" in terms
    assert "promote investment" not in terms  # the investment rule yields to the one-firm rule


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_call_nothing(question: str) -> None:
    assert _terms(question) == ""


def test_a_rule_matches_any_order_and_words_between() -> None:
    rules = Expansions.parse({"rules": [{"terms": "lead farmer", "when": ["respected farmer|grower"]}]})
    assert rules.terms_for("a grower everyone respects") == ["lead farmer"]
    assert rules.terms_for("the farmers here are well respected") == ["lead farmer"]
    assert rules.terms_for("respected elders") == []  # every slot must have a word


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping with a list of rules"),
        ({"rules": [{"terms": "x"}]}, "rule 1: expected `terms` and `when`"),
        ({"rules": [{"terms": "", "when": ["a"]}]}, "rule 1: `terms` must be words"),
        ({"rules": [{"terms": "lead farmer", "when": []}]}, "rule 1: `when` must be a list"),
        ({"rules": [{"terms": "lead farmer", "when": ["a ||"]}]}, "an empty slot"),
        ({"rules": [{"terms": "lead farmer", "when": ["a"], "yields_to": ["nobody"]}]}, "names no rule: nobody"),
    ],
)
def test_a_malformed_file_is_one_line_naming_the_rule(data: object, message: str) -> None:
    with pytest.raises(PlanbotError, match=r"^x\.yaml: ") as caught:
        Expansions.parse(data, "x.yaml")
    assert message in str(caught.value)


def test_a_missing_or_broken_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlanbotError, match="no such expansions file"):
        Expansions.load(tmp_path / "none.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n")
    with pytest.raises(PlanbotError, match="not valid YAML"):
        Expansions.load(broken)
