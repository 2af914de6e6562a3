"""LLMProposalDrafter: drafts that name only known actors and answer real themes, each checked."""

from __future__ import annotations

import json

from bot.checker.models import Initiative
from bot.domain import CriterionId
from bot.llm.drafter import LLMProposalDrafter
from bot.themes.models import Theme
from tests.llm.conftest import FailingChatModel, scripted

THEMES = [
    Theme(
        kind="constraint",
        label="Ice is too expensive at the landing site",
        item_ids=[3, 8],
        person_ids=[1, 2],
    ),
    Theme(kind="opportunity", label="Hotels in Watamu want fresh fish", item_ids=[5], person_ids=[2]),
]
ACTORS = ["Beach Management Unit", "Watamu Hotels Association"]


def _draft(**overrides: object) -> dict:
    draft = {
        "title": "Shared ice maker at the landing site",
        "description": "The Beach Management Unit runs one ice maker for all; small fishers pay per block.",
        "actors": ["Beach Management Unit", "Watamu Hotels Association"],
        "lead_actor": "Beach Management Unit",
        "steps": ["Rent a small ice maker for three months", "Sell fish to two hotels first"],
        "first_benefits": "in 2 months",
        "beneficiaries": "small fishers and fish traders",
        "answers": ["t1", "t2"],
    }
    draft.update(overrides)
    return draft


def test_valid_drafts_become_checked_initiatives(make_client, offline_checker) -> None:
    model = scripted(json.dumps({"initiatives": [_draft()]}))
    drafts = LLMProposalDrafter(make_client(model), offline_checker).draft(THEMES, ACTORS)
    assert len(drafts) == 1
    initiative = drafts[0].initiative
    assert initiative.lead_actor == "Beach Management Unit"
    assert initiative.answers == ["3", "5", "8"]
    assert [r.id for r in drafts[0].scorecard.criteria] == list(CriterionId)
    assert drafts[0].scorecard == offline_checker.check(initiative)


def test_a_draft_with_an_invented_actor_or_theme_is_dropped(make_client, offline_checker) -> None:
    reply = {
        "initiatives": [
            _draft(title="Minister funds everything", actors=["The Minister"], lead_actor=None),
            _draft(title="Unrelated", answers=["t9"]),
            _draft(title="Cold boxes for fish traders", answers=["t1"]),
        ]
    }
    drafter = LLMProposalDrafter(make_client(scripted(json.dumps(reply))), offline_checker)
    drafts = drafter.draft(THEMES, ACTORS)
    assert [d.initiative.title for d in drafts] == ["Cold boxes for fish traders"]
    assert drafter.stats.reasons("draft")["draft_dropped"] == 2


def test_no_valid_draft_or_a_failure_gives_the_fallback_proposals(make_client, offline_checker) -> None:
    offline = [Initiative(title="Offline proposal: shared ice", actors=["Beach Management Unit"])]
    for model, reason in [
        (scripted(json.dumps({"initiatives": [_draft(actors=["Nobody"])]})), "no_valid_draft"),
        (scripted("Here are my ideas: ..."), "invalid_json"),
        (FailingChatModel(), "error"),
    ]:
        drafter = LLMProposalDrafter(make_client(model), offline_checker, fallback=lambda themes, actors: offline)
        drafts = drafter.draft(THEMES, ACTORS)
        assert [d.initiative for d in drafts] == offline
        assert drafter.stats.reasons("draft")[reason] == 1
        assert drafter.stats.reasons("draft")["ok"] == 0


def test_no_themes_means_no_model_call(make_client, offline_checker) -> None:
    model = scripted("{}")
    assert LLMProposalDrafter(make_client(model), offline_checker).draft([], ACTORS) == []
    assert model.seen == []
