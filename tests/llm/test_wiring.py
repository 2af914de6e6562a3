"""The composition root uses the model when PLANBOT_LLM is set, and nothing changes when it is not."""

from __future__ import annotations

from pathlib import Path

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.checker import OfflineChecker
from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.llm.answerer import LLMAnswerer
from bot.llm.extractor import LLMExtractor
from bot.services import Services
from bot.settings import load_settings
from tests.fakes.embeddings import HashingEmbeddings


def test_without_a_model_everything_is_offline(tmp_path: Path) -> None:
    services = Services(load_settings(data_dir=tmp_path), embeddings_override=HashingEmbeddings())
    assert services.llm is None
    assert type(services.answerer) is OfflineAnswerer
    assert type(services.extractor) is OfflineExtractor
    assert type(services.checker) is OfflineChecker
    services.close()


def test_with_a_model_the_engine_goes_through_it_and_survives_its_failures(tmp_path: Path) -> None:
    model = FakeListChatModel(responses=["this is not JSON at all"] * 20)
    services = Services(
        load_settings(data_dir=tmp_path, llm="openai:test-model"),
        embeddings_override=HashingEmbeddings(),
        chat_model_override=model,
    )
    assert isinstance(services.answerer, LLMAnswerer) and isinstance(services.extractor, LLMExtractor)
    facilitator = TranscriptAdapter(services.engine, Person(key="cli:fatma"))
    facilitator.send("/newplan Dairy")
    facilitator.send("dairy")
    code = next(
        line.split()[-1]
        for reply in facilitator.send("Highlands")
        for line in reply.text.splitlines()
        if line.startswith("stakeholders:")
    )
    farmer = TranscriptAdapter(services.engine, Person(key="cli:wanjiru"))
    farmer.send(f"/start {code}")
    for label in ("I agree", "Producer", "Micro (1-4 people)", "Skip"):
        farmer.tap(label)
    replies = farmer.send("the milk cooling centre closes too early so evening milk is lost")
    assert "Question 2 of 8" in replies[-1].text  # the malformed model reply fell back to the offline capture
    assert services.llm.stats.reasons("capture")["invalid_json"] >= 1
    services.close()
