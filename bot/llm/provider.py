"""The chat model from `PLANBOT_LLM` (provider:model), through LangChain's `init_chat_model`.

Built once by the composition root, never at import. The provider's integration package is an optional extra;
a missing one is a one-line SettingsError that says what to install.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel

from bot.errors import SettingsError
from bot.settings import Settings

# provider -> (python module, PyPI package, planbot extra or None)
PROVIDER_PACKAGES: dict[str, tuple[str, str, str | None]] = {
    "openai": ("langchain_openai", "langchain-openai", "openai"),
    "anthropic": ("langchain_anthropic", "langchain-anthropic", "anthropic"),
    "ollama": ("langchain_ollama", "langchain-ollama", "ollama"),
}

# A local OpenAI-compatible server rarely checks the key, but the OpenAI client insists on one.
LOCAL_SERVER_KEY = "not-needed"


def parse_llm_spec(spec: str, base_url: str | None = None) -> tuple[str, str]:
    """(provider, model) from "provider:model"; a bare name with a base URL: an OpenAI-compatible server."""
    spec = spec.strip()
    provider, sep, model = spec.partition(":")
    if not sep:
        if base_url:
            return "openai", spec
        raise SettingsError(f"PLANBOT_LLM: expected provider:model, e.g. openai:gpt-4o-mini (got {spec!r})")
    provider, model = provider.strip().lower(), model.strip()
    if not provider or not model:
        raise SettingsError(f"PLANBOT_LLM: expected provider:model, e.g. openai:gpt-4o-mini (got {spec!r})")
    return provider, model


def _require_package(provider: str) -> None:
    known = PROVIDER_PACKAGES.get(provider)
    if known is None:
        return  # init_chat_model names the package of any other provider it supports
    module, package, extra = known
    if importlib.util.find_spec(module) is None:
        hint = f"pip install 'planbot[{extra}]'" if extra else f"pip install {package}"
        raise SettingsError(f"PLANBOT_LLM: {provider} needs the package {package}: {hint}")


def _provider_kwargs(provider: str, settings: Settings) -> dict[str, Any]:
    """Timeouts and the base URL in each provider's own words; retries stay with LLMClient (one backoff)."""
    kwargs: dict[str, Any] = {}
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if provider in ("openai", "anthropic"):
        kwargs.update(timeout=settings.llm_timeout_seconds, max_retries=0)
        if key:
            kwargs["api_key"] = key
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
        if provider == "openai" and not key and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = LOCAL_SERVER_KEY
    if provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": settings.llm_timeout_seconds}
    return kwargs


def build_chat_model(
    settings: Settings, *, factory: Callable[..., BaseChatModel] | None = None
) -> BaseChatModel | None:
    """The configured chat model, or None when PLANBOT_LLM is empty (the offline engine)."""
    if not settings.llm:
        return None
    provider, model = parse_llm_spec(settings.llm, settings.llm_base_url)
    _require_package(provider)
    if factory is None:
        from langchain.chat_models import init_chat_model

        factory = init_chat_model
    try:
        return factory(model, model_provider=provider, temperature=0, **_provider_kwargs(provider, settings))
    except ImportError as exc:
        raise SettingsError(f"PLANBOT_LLM: {provider} needs its LangChain package: {exc}") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SettingsError(f"PLANBOT_LLM: {first} (got {settings.llm!r})") from None
