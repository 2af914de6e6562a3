"""The chat model from PLANBOT_LLM: a clear one-line error for a missing package or a malformed spec."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from bot.errors import SettingsError
from bot.llm.provider import LOCAL_SERVER_KEY, build_chat_model, parse_llm_spec
from bot.settings import load_settings


class RecordingFactory:
    """Stands in for init_chat_model: records what it was asked for and returns a fake chat model."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, model: str, **kwargs: Any) -> FakeListChatModel:
        self.calls.append((model, kwargs))
        return FakeListChatModel(responses=["ok"])


def test_no_llm_setting_means_the_offline_engine(clean_env) -> None:
    assert build_chat_model(load_settings()) is None


@pytest.mark.skipif(importlib.util.find_spec("langchain_anthropic") is not None, reason="langchain-anthropic installed")
def test_a_missing_provider_package_is_named_with_the_install_command(clean_env, monkeypatch) -> None:
    """The dev extras install langchain-openai (for the loopback server tests), not langchain-anthropic."""
    monkeypatch.setenv("PLANBOT_LLM", "anthropic:claude-3-5-haiku-latest")
    with pytest.raises(SettingsError) as caught:
        build_chat_model(load_settings())
    assert str(caught.value) == (
        "PLANBOT_LLM: anthropic needs the package langchain-anthropic: pip install 'planbot[anthropic]'"
    )
    assert "\n" not in str(caught.value)


def test_every_known_provider_names_its_own_extra(clean_env, monkeypatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    for provider, package in (("anthropic", "langchain-anthropic"), ("ollama", "langchain-ollama")):
        with pytest.raises(SettingsError, match=rf"{provider} needs the package {package}: .*planbot\[{provider}\]"):
            build_chat_model(load_settings(llm=f"{provider}:some-model"))


@pytest.mark.parametrize("spec", ["gpt-4o-mini", "openai:", ":llama3"])
def test_a_malformed_spec_says_what_is_expected(spec: str) -> None:
    with pytest.raises(SettingsError, match=r"^PLANBOT_LLM: expected provider:model"):
        parse_llm_spec(spec)


def test_an_unknown_provider_is_a_settings_error(clean_env) -> None:
    with pytest.raises(SettingsError, match=r"^PLANBOT_LLM: .*foo:bar"):
        build_chat_model(load_settings(llm="foo:bar"))


def test_an_openai_compatible_server_gets_its_base_url_timeout_and_a_placeholder_key(clean_env, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    factory = RecordingFactory()
    settings = load_settings(llm="qwen2.5-7b-instruct", llm_base_url="http://127.0.0.1:8080/v1", llm_timeout_seconds=7)
    model = build_chat_model(settings, factory=factory)
    assert model is not None
    name, kwargs = factory.calls[0]
    assert name == "qwen2.5-7b-instruct"
    assert kwargs["model_provider"] == "openai"
    assert kwargs["base_url"] == "http://127.0.0.1:8080/v1"
    assert kwargs["timeout"] == 7
    assert kwargs["max_retries"] == 0  # retries and their backoff are the client's, counted in the budget
    assert kwargs["api_key"] == LOCAL_SERVER_KEY


def test_the_llm_settings_are_read_from_the_environment(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("PLANBOT_LLM_TIMEOUT_SECONDS", "3.5")
    monkeypatch.setenv("PLANBOT_LLM_PERSON_REQUESTS_PER_HOUR", "5")
    monkeypatch.setenv("PLANBOT_LLM_PLAN_TOKENS_PER_HOUR", "1000")
    settings = load_settings()
    assert settings.llm_timeout_seconds == 3.5
    assert settings.llm_person_requests_per_hour == 5
    assert settings.llm_plan_tokens_per_hour == 1000


def test_a_bad_timeout_names_its_variable(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("PLANBOT_LLM_TIMEOUT_SECONDS", "0")
    with pytest.raises(SettingsError, match=r"^PLANBOT_LLM_TIMEOUT_SECONDS: "):
        load_settings()
