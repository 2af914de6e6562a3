"""Helpers for driving planbot's real PTB Application through the loopback fake Bot API server."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import load_settings
from planbot_testkit import FakeBotApi
from planbot_testkit.script import INVITE_LINK, running_bot
from planbot_testkit.script import ScriptedChat as Chat

__all__ = ["INVITE_LINK", "Chat", "make_services_factory", "running_bot", "services_factory"]


def make_services_factory(real_embeddings, tmp_path: Path, bot_api: FakeBotApi, bot_token: str):
    def make(**overrides: object) -> Services:
        settings = load_settings(
            data_dir=tmp_path / "data", telegram_bot_token=bot_token, telegram_base_url=bot_api.base_url, **overrides
        )
        return Services(settings, embeddings_override=real_embeddings)

    return make


@pytest.fixture
def services_factory(real_embeddings, tmp_path: Path, bot_api: FakeBotApi, bot_token: str):
    return make_services_factory(real_embeddings, tmp_path, bot_api, bot_token)
