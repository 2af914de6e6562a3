"""The offline extractor's behaviour: none-detection, kind cues, the question prior, the output shape."""

from __future__ import annotations

import pytest

from bot.capture import CaptureLexicon, OfflineExtractor, load_lexicon
from bot.domain import InputKind
from bot.errors import PlanbotError
from bot.ports import Extractor
from tests.fakes.embeddings import CountingEmbeddings, HashingEmbeddings


def kinds(extractor: OfflineExtractor, text: str, question: str | None = None) -> list[str]:
    return [item.kind.value for item in extractor.extract(text, question)]


def test_it_implements_the_extractor_protocol(extractor: OfflineExtractor) -> None:
    def use(port: Extractor) -> list:
        return port.extract("no cooler for the milk", "constraints")

    assert use(extractor)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "👍👍",
        "🙏🙏🙏 !!",
        "Hello",
        "Good morning everyone",
        "thank you very much",
        "ok thanks bye",
        "Merci beaucoup",
        "Habari za asubuhi",
        "Gracias",
        "not sure",
    ],
)
def test_greetings_thanks_emoji_and_vague_answers_hold_no_input(extractor: OfflineExtractor, text: str) -> None:
    assert extractor.extract(text, "constraints") == []


@pytest.mark.parametrize(
    "text",
    [
        "what does this plan mean for me?",
        "Can you explain what an aggregation point is?",
        "How do I see what others said",
        "Pls who can I call for help with the app",
    ],
)
def test_a_question_to_the_assistant_is_no_input(extractor: OfflineExtractor, text: str) -> None:
    assert extractor.is_question(text)
    assert extractor.extract(text) == []


def test_a_statement_or_a_proposal_is_not_a_question(extractor: OfflineExtractor) -> None:
    assert not extractor.is_question("the road to the market is very bad")
    assert not extractor.is_question("Why not plant at different times so we dont all sell together")
    assert kinds(extractor, "Why not plant at different times so we dont all sell together") == ["idea"]
    assert not extractor.is_question("Hello")


def test_a_question_with_an_input_beside_it_keeps_the_input(extractor: OfflineExtractor) -> None:
    text = "What does this plan mean for me? Also the feed is too expensive."
    assert not extractor.is_question(text)
    assert kinds(extractor, text, "constraints") == ["constraint"]


def test_an_idea_given_to_the_constraints_question_is_an_idea(extractor: OfflineExtractor) -> None:
    assert kinds(extractor, "We could buy one cooler together as a group", "constraints") == ["idea"]


def test_two_inputs_in_one_message_are_both_captured(extractor: OfflineExtractor) -> None:
    found = extractor.extract("there is no cooler; we should build a shared store together", "constraints")
    assert [item.kind for item in found] == [InputKind.constraint, InputKind.idea]
    assert [item.text for item in found] == ["there is no cooler", "we should build a shared store together"]


def _prior_only_lexicon() -> CaptureLexicon:
    """No cues and prototypes that share no word with the test text: only the question prior can decide."""
    base = load_lexicon()
    return base.model_copy(
        update={
            "cues": {},
            "off_topic_similarity": 0.0,
            "off_topic_similarity_answer": 0.0,
            "prototypes": {
                kind.value: [word]
                for kind, word in zip(InputKind, ["alpha", "bravo", "charlie", "delta", "echo"], strict=True)
            },
        }
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("influential_actors", "influential_actor"),
        ("aggregation_points", "aggregation_point"),
        ("constraints", "constraint"),
        ("opportunities", "opportunity"),
        ("small_step", "idea"),
        ("quick_win", "idea"),
        ("investment", "idea"),
    ],
)
def test_the_question_prior_decides_when_nothing_else_does(question: str, expected: str) -> None:
    extractor = OfflineExtractor(HashingEmbeddings(), _prior_only_lexicon())
    assert kinds(extractor, "Kamau Githunguri", question) == [expected]


def test_without_a_question_the_prior_is_flat() -> None:
    lexicon = load_lexicon()
    assert list(lexicon.prior(None).values()) == pytest.approx([0.2] * 5)
    assert lexicon.prior("constraints")[InputKind.constraint] > 0.5


def test_unknown_question_key_names_the_valid_keys(extractor: OfflineExtractor) -> None:
    with pytest.raises(PlanbotError, match="small_step") as caught:
        extractor.extract("no road", "weather")
    assert "weather" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_each_input_keeps_the_words_confidence_and_a_short_summary(extractor: OfflineExtractor) -> None:
    text = "Mwenyekiti wa ushirika, kila mtu anamsikiliza"
    message = f"the road to the collection centre is very bad in the long rains and the trucks get stuck\n{text}"
    found = extractor.extract(message, "constraints")
    assert found, "the constraint is kept"
    for item in found:
        assert item.text in message
        assert 0.0 <= item.confidence <= 1.0
        assert 0 < len(item.summary) <= 80
    assert any(item.text == text for item in found), "other languages are kept as written"


def test_a_long_message_is_fine(extractor: OfflineExtractor) -> None:
    sentence = "The feed is too expensive for small farmers. "
    message = (sentence * (4096 // len(sentence)))[:4096]
    found = extractor.extract(message, "constraints")
    assert len(found) >= 80
    assert all(item.kind == InputKind.constraint for item in found)


def test_one_batched_embedding_call_per_message_and_prototypes_once(
    extractor: OfflineExtractor, counting_embeddings: CountingEmbeddings
) -> None:
    extractor.extract("no cooler. roads bad. we could share a truck", "constraints")
    prototypes = sum(len(v) for v in extractor.lexicon.prototypes.values())
    assert [len(call) for call in counting_embeddings.calls] == [prototypes, 3]
    extractor.extract("buyers pay late; no credit")
    assert [len(call) for call in counting_embeddings.calls] == [prototypes, 3, 2]
    extractor.extract("Hello")  # nothing to classify: no embedding call at all
    assert len(counting_embeddings.calls) == 3


def test_a_broken_lexicon_file_is_a_one_line_error(tmp_path) -> None:
    broken = tmp_path / "capture.yaml"
    broken.write_text("prototypes:\n  constraint: []\n", encoding="utf-8")
    with pytest.raises(PlanbotError, match=r"capture\.yaml") as caught:
        load_lexicon(broken)
    assert "\n" not in str(caught.value)
    with pytest.raises(PlanbotError, match="no such capture lexicon"):
        load_lexicon(tmp_path / "missing.yaml")


def test_a_broken_overrides_file_is_a_one_line_error_naming_it(tmp_path) -> None:
    from bot.capture.lexicon import load_overrides
    from bot.errors import PlanbotError

    broken = tmp_path / "en.overrides.yaml"
    broken.write_text("idea:\n  - '(unclosed'\n", encoding="utf-8")
    with pytest.raises(PlanbotError, match=r"en\.overrides\.yaml: not a valid overrides file"):
        load_overrides(broken)
    assert load_overrides(tmp_path / "missing.yaml") == {}
