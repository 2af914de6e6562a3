"""LLMQuestionPhraser: a natural wording of the catalogue question, or the catalogue question itself."""

from __future__ import annotations

import pytest

from bot.llm.client import Limits
from bot.llm.phraser import LLMQuestionPhraser, OfflinePhraser
from bot.messages import catalogue
from bot.ports import QuestionPhraser
from bot.usage import llm_scope
from tests.llm.conftest import FailingChatModel, scripted

TOPIC = "aggregation_points"


@pytest.fixture
def question() -> str:
    return catalogue().text(f"interview.topics.{TOPIC}")


def test_the_offline_phraser_asks_the_catalogue_question(question: str) -> None:
    phraser: QuestionPhraser = OfflinePhraser()
    assert phraser.phrase(TOPIC, question, said=["we grow cashew"]) == question


def test_a_good_wording_is_asked(make_client, question: str) -> None:
    model = scripted("Where do cashew farmers near you sell, buy or meet, like a market or a processor?")
    phraser = LLMQuestionPhraser(make_client(model))
    phrased = phraser.phrase(TOPIC, question, said=["we grow cashew in Mtwara, price is low"])
    assert phrased == "Where do cashew farmers near you sell, buy or meet, like a market or a processor?"
    prompt = model.seen[0][-1].content
    assert "we grow cashew in Mtwara" in prompt and question in prompt


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("   ", "empty"),
        ("Tell me where you sell your cashew.", "not_a_question"),
        ("Where do you sell? " + "Please explain in detail. " * 20 + "Where?", "too_long"),
        ("Where do you sell, see https://example.com/form?", "link_or_markup"),
        ("Juma said the Tandahimba cooperative buys all our nuts, where do you sell?", "other_person_text"),
        ("What is your favourite football team?", "off_intent"),
    ],
)
def test_a_bad_wording_gives_the_catalogue_question(make_client, question: str, reply: str, reason: str) -> None:
    phraser = LLMQuestionPhraser(make_client(scripted(reply)))
    others = ["the Tandahimba cooperative buys all our nuts at low price"]
    assert phraser.phrase(TOPIC, question, said=["we grow cashew"], others=others) == question
    assert phraser.stats.reasons("phrase") == {reason: 1}


def test_another_language_is_accepted_without_the_english_topic_check(make_client, question: str) -> None:
    model = scripted("Wakulima wa korosho huuza au hukutana wapi, kama sokoni au kwa mchakataji?")
    phrased = LLMQuestionPhraser(make_client(model)).phrase(TOPIC, question, language="sw")
    assert phrased.startswith("Wakulima wa korosho")


@pytest.mark.parametrize(
    ("model", "reason"), [(scripted("Where?", sleep=1.0), "timeout"), (FailingChatModel(), "error")]
)
def test_provider_failures_give_the_catalogue_question(make_client, question: str, model, reason: str) -> None:
    phraser = LLMQuestionPhraser(make_client(model, timeout=0.1))
    assert phraser.phrase(TOPIC, question) == question
    assert phraser.stats.reasons("phrase") == {reason: 1}


def test_an_exhausted_budget_gives_the_catalogue_question(make_client, question: str) -> None:
    model = scripted("Where do you sell your fish, at a landing site or to a trader?")
    phraser = LLMQuestionPhraser(make_client(model, limits=Limits(person_requests=0)))
    with llm_scope(person=5):
        assert phraser.phrase(TOPIC, question) == question
    assert model.seen == []
