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


# ---- propose(material): the model drafts from the offline proposer's structure -----------------------------

from bot.domain import InputKind  # noqa: E402
from bot.proposals import MaterialInput, OfflineProposer  # noqa: E402
from bot.proposals.patterns import load_patterns  # noqa: E402
from bot.proposals.render import render  # noqa: E402
from tests.proposals.conftest import interviewed_material  # noqa: E402


def _key(material, text: str) -> str:
    themes = material.ranked(InputKind.constraint, InputKind.opportunity, InputKind.idea)
    return next(f"t{n}" for n, t in enumerate(themes, start=1) if t.label == text)


def _structured(material, **overrides: object) -> dict:
    sour = _key(material, "milk goes sour before it reaches the collection centre")
    bulk = _key(material, "farmers could bulk milk together at one cooler")
    draft = {
        "title": "Bulk milk at one cooler at the collection centre",
        "description": "Dairy farmers bring their milk to one shared cooler, so it stays cold and sells better.",
        "actors": ["the cooperative chairman"],
        "lead_actor": "the cooperative chairman",
        "where": "Ol Kalou collection centre",
        "first_step": "one cooler at the collection centre first",
        "first_benefits": "cold milk",
        "when": "from next month",
        "investment": None,
        "beneficiaries": "all 300 farmers who bring milk there, most of them small farmers",
        "answers": [sour, bulk],
        "sources": {"first_step": ["i9"], "benefit": ["i10"], "when": ["i10"], "beneficiaries": ["i7"]},
    }
    draft.update(overrides)
    return {"initiatives": [draft]}


def _offline(embeddings) -> OfflineProposer:
    from bot.checker import OfflineChecker

    return OfflineProposer(OfflineChecker(embeddings), embeddings)


def test_the_model_drafts_the_same_fields_and_is_checked_the_same_way(make_client, offline_checker, embeddings):
    material = interviewed_material()
    model = scripted(json.dumps(_structured(material)))
    drafter = LLMProposalDrafter(make_client(model), offline_checker)
    [proposal] = drafter.propose(material, _offline(embeddings))
    prompt = str(model.seen[0][-1].content)
    assert "- the cooperative chairman" in prompt and "- Ol Kalou collection centre" in prompt  # clean names
    assert "i9 (small step): start with one cooler at the collection centre" in prompt
    assert "everybody trusts him" not in prompt.split("<facts>")[0]  # the themes and names are short phrases
    fields = proposal.fields
    assert proposal.pattern == "llm_draft" and proposal.title == "Bulk milk at one cooler at the collection centre"
    assert fields.lead.value == "the cooperative chairman" and fields.lead.sources == [6]
    assert fields.where.value == "Ol Kalou collection centre" and fields.where.sources == [7]
    assert fields.first_step.sources == [9] and fields.benefit.sources == [10]
    assert fields.investment.open and fields.investment.question == load_patterns().questions.investment
    assert proposal.text == render(fields, load_patterns().render)
    assert proposal.scorecard == offline_checker.check(proposal.text)
    assert proposal.credit is not None and proposal.credit.people == 2
    assert drafter.stats.reasons("draft")["ok"] == 1


def test_an_invalid_structured_draft_gives_the_offline_proposals(make_client, offline_checker, embeddings):
    said = "the milk goes sour on the long road before it reaches the collection centre in the afternoon"
    material = interviewed_material()
    material = material.model_copy(
        update={"inputs": [*material.inputs, MaterialInput(id=99, kind=InputKind.constraint, text=said, person_id=4)]}
    )
    long_copy = f"Farmers say {said}, so they bulk it."  # 17 words of one input in a row
    for overrides, reason in [
        ({"where": "the county headquarters"}, "invented_actor"),
        ({"sources": {"first_step": ["i999"]}}, "invented_input"),
        (
            {"title": "Bulk milk together at one cooler at Ol Kalou collection centre with the cooperative chairman"},
            "bad_title",
        ),
        ({"description": long_copy}, "copied_input"),
    ]:
        model = scripted(json.dumps(_structured(material, **overrides)))
        drafter = LLMProposalDrafter(make_client(model), offline_checker)
        proposals = drafter.propose(material, _offline(embeddings))
        assert proposals and all(p.pattern != "llm_draft" for p in proposals), reason
        assert drafter.stats.reasons("draft")[reason] == 1
