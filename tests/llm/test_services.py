"""build_llm_services: offline when no LLM is set; every use wired to one client and one reason counter."""

from __future__ import annotations

import importlib.util

import pytest

from bot.errors import SettingsError
from bot.llm import build_llm_services, llm_scope
from bot.settings import load_settings
from tests.llm.conftest import scripted


def test_no_llm_setting_builds_nothing(clean_env, offline_answerer, offline_extractor, offline_checker) -> None:
    built = build_llm_services(
        load_settings(), answerer=offline_answerer, extractor=offline_extractor, checker=offline_checker
    )
    assert built is None


@pytest.mark.skipif(importlib.util.find_spec("langchain_anthropic") is not None, reason="langchain-anthropic installed")
def test_a_missing_provider_package_stops_start_up_with_one_line(
    clean_env, offline_answerer, offline_extractor, offline_checker
) -> None:
    with pytest.raises(SettingsError, match=r"pip install 'planbot\[anthropic\]'"):
        build_llm_services(
            load_settings(llm="anthropic:claude-3-5-haiku-latest"),
            answerer=offline_answerer,
            extractor=offline_extractor,
            checker=offline_checker,
        )


def test_the_settings_budget_applies_to_every_use(
    clean_env, offline_answerer, offline_extractor, offline_checker
) -> None:
    settings = load_settings(llm="openai:any", llm_person_requests_per_hour=1)
    built = build_llm_services(
        settings,
        answerer=offline_answerer,
        extractor=offline_extractor,
        checker=offline_checker,
        model=scripted('{"inputs": []}'),
    )
    assert built is not None
    with llm_scope(person=1, plan=1):
        assert built.extractor.extract("hello all, good morning") == []
        question = built.phraser.phrase("ideas", "Do you have an idea?")
    assert question == "Do you have an idea?"
    assert built.stats.reasons() == {"ok": 1, "budget": 1}
    built.close()
