"""Hand-built plan material for the proposer tests, and one real model per session for the `model` tests."""

from __future__ import annotations

from collections.abc import Callable

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


# (kind, question, text, person): a dairy plan as the interview captures it, with the answers to the small-step,
# quick-win and investment questions; person -> size below.
INTERVIEWED = [
    (InputKind.constraint, "constraints", "milk goes sour before it reaches the collection centre", 1),
    (InputKind.constraint, "constraints", "milk goes sour before it reaches the collection centre", 2),
    (InputKind.constraint, "constraints", "no credit to buy a cooler", 3),
    (InputKind.idea, "ideas", "farmers could bulk milk together at one cooler", 1),
    (InputKind.idea, "ideas", "farmers could bulk milk together at one cooler", 2),
    (InputKind.influential_actor, "influential_actors", "the cooperative chairman, everybody trusts him", 1),
    (
        InputKind.aggregation_point,
        "aggregation_points",
        "Ol Kalou collection centre, all 300 farmers bring milk there",
        2,
    ),
    (InputKind.aggregation_point, "aggregation_points", "the SACCO, most dairy farmers save there", 3),
    (InputKind.idea, "small_step", "start with one cooler at the collection centre", 1),
    (InputKind.idea, "quick_win", "cold milk at the collection centre from next month", 2),
    (InputKind.idea, "investment", "we can contribute for the cooler if the SACCO gives a loan", 1),
]
SIZES = {1: "micro", 2: "small", 3: "large"}


def interviewed_material(sizes: dict[int, str] | None = None, drop: tuple[str, ...] = ()) -> PlanMaterial:
    """The interviewed dairy plan; `drop` leaves out the answers to those questions."""
    sizes = SIZES if sizes is None else sizes
    said = [row for row in INTERVIEWED if row[1] not in drop]
    return material_from(said, sizes.get, name="Nyandarua dairy", value_chain="dairy", region="Nyandarua")


def material_from(
    said: list[tuple[InputKind, str, str, int]],
    size_of: Callable[[int], str | None],
    name: str,
    value_chain: str,
    region: str,
) -> PlanMaterial:
    """(kind, question, text, person) inputs of producers (`size_of` each person's size), one theme per text."""
    inputs = [
        MaterialInput(id=n, kind=kind, text=text, person_id=p, question=q, actor_type="producer", size=size_of(p))
        for n, (kind, q, text, p) in enumerate(said, 1)
    ]
    themes: dict[tuple[InputKind, str], list[MaterialInput]] = {}
    for item in inputs:
        themes.setdefault((item.kind, item.text), []).append(item)
    return PlanMaterial(
        plan_id=1,
        name=name,
        value_chain=value_chain,
        region=region,
        inputs=inputs,
        themes=[
            MaterialTheme(
                kind=kind, label=text, input_ids=[i.id for i in items], people=len({i.person_id for i in items})
            )
            for (kind, text), items in themes.items()
        ],
    )
