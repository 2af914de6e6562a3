"""Hand-built plan material for the proposer tests, and one real model per session for the `model` tests."""

from __future__ import annotations

import pytest
from langchain_core.embeddings import Embeddings

from bot.domain import InputKind
from bot.proposals import MaterialInput, MaterialTheme, PlanMaterial


def build_material(
    chain: str = "dairy", with_named: bool = True, extra: list[tuple[InputKind, str, int]] | None = None
) -> PlanMaterial:
    """A dairy plan: (kind, text, person) inputs, one theme per distinct text, people counted per theme."""
    said = [
        (InputKind.constraint, "milk goes sour before it reaches the plant", 1),
        (InputKind.constraint, "milk goes sour before it reaches the plant", 2),
        (InputKind.constraint, "milk goes sour before it reaches the plant", 3),
        (InputKind.constraint, "farmers sell milk to hawkers for cash", 1),
        (InputKind.constraint, "no credit to buy a cooler", 4),
        (InputKind.opportunity, "schools want yoghurt", 2),
        (InputKind.idea, "pay farmers every two weeks", 3),
    ]
    if with_named:
        said += [
            (InputKind.influential_actor, "the cooperative chairman", 1),
            (InputKind.influential_actor, "the cooperative chairman", 4),
            (InputKind.aggregation_point, "Ol Kalou collection centre", 2),
            (InputKind.aggregation_point, "Nyandarua SACCO", 3),
        ]
    said += extra or []
    inputs = [MaterialInput(id=n, kind=kind, text=text, person_id=p) for n, (kind, text, p) in enumerate(said, 1)]
    themes: dict[tuple[InputKind, str], list[MaterialInput]] = {}
    for item in inputs:
        themes.setdefault((item.kind, item.text), []).append(item)
    return PlanMaterial(
        plan_id=1,
        name="Nyandarua dairy",
        value_chain=chain,
        region="Nyandarua",
        inputs=inputs,
        themes=[
            MaterialTheme(
                kind=kind, label=text, input_ids=[i.id for i in items], people=len({i.person_id for i in items})
            )
            for (kind, text), items in themes.items()
        ],
    )


@pytest.fixture(scope="session")
def model_embeddings() -> Embeddings:
    """The real packaged all-MiniLM-L6-v2, shared by this directory's `model` tests."""
    from bot.knowledge.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings()
