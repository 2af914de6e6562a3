"""Captured inputs: stored with the words as written, who, where, answering what, from which message."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings
from sqlalchemy import delete, select

from bot.domain import CapturedInput, InputKind
from bot.engine.turn import Turn
from bot.storage.plan_models import StoredInput
from bot.themes.plan_themes import fill_vectors, pack_vector, unpack_vector  # noqa: F401 - both still read here

SUMMARY_CHARS = 80


@runtime_checkable
class EmbeddingExtractor(Protocol):
    """An extractor that also hands back the vectors it embedded (`bot.capture.OfflineExtractor`)."""

    @property
    def embeddings(self) -> Embeddings: ...

    def extract_embedded(
        self, text: str, question: str | None = None
    ) -> tuple[list[CapturedInput], dict[str, list[float]]]: ...


def shorten(text: str, width: int = SUMMARY_CHARS) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder="…")


def embed_rows(turn: Turn, rows: Sequence[StoredInput], known: Mapping[str, list[float]] | None = None) -> None:
    """Each stored input keeps its embedding, so grouping reads vectors instead of re-embedding the plan.

    `known`: vectors the extractor already computed for this message (text → vector); only rows whose text is
    not among them are embedded, so one answer makes one embedding call.
    """
    for row in rows:
        row.vector = None  # new words (an edit): the old vector no longer fits
    fill_vectors(rows, turn.providers.embeddings, dict(known or {}))


def extract(turn: Turn, text: str, question: str | None) -> tuple[list[CapturedInput], dict[str, list[float]]]:
    """The extractor's inputs in `text`, and the vectors it embedded on the way when it can give them."""
    extractor = turn.providers.extractor
    if isinstance(extractor, EmbeddingExtractor) and extractor.embeddings is turn.providers.embeddings:
        return extractor.extract_embedded(text, question=question)
    return extractor.extract(text, question=question), {}  # its vectors (if any) are not of the engine's model


def kind_label(turn: Turn, kind: str) -> str:
    return turn.t(f"engine.kinds.{kind}")


def describe(turn: Turn, rows: list[StoredInput]) -> str:
    """ "a problem — the road is bad; an idea — …": each input after the plain name of its kind."""
    return "; ".join(
        turn.t("engine.described", kind=turn.t(f"engine.kinds_a.{row.kind}"), text=shorten(row.summary or row.text, 60))
        for row in rows
    )


def for_person(turn: Turn, plan_id: int, person_id: int | None = None) -> list[StoredInput]:
    person_id = turn.person.id if person_id is None else person_id
    return list(
        turn.session.scalars(
            select(StoredInput)
            .where(StoredInput.plan_id == plan_id, StoredInput.person_id == person_id)
            .order_by(StoredInput.id)
        )
    )


def store(
    turn: Turn,
    plan_id: int,
    found: list[CapturedInput],
    question: str | None,
    person_id: int | None = None,
    source_id: str | None = None,
    vectors: Mapping[str, list[float]] | None = None,
) -> tuple[list[StoredInput], int]:
    """Stores new inputs; the same words already kept for this person in this plan are not kept twice.

    `vectors`: the embeddings already computed for this message's texts (see `extract`), reused for the rows.
    Returns the rows stored and how many were repeats.
    """
    person_id = turn.person.id if person_id is None else person_id
    source_id = source_id or turn.source_id
    existing = {(row.kind, " ".join(row.text.split()).casefold()) for row in for_person(turn, plan_id, person_id)}
    start = (
        turn.session.scalar(
            select(StoredInput.position)
            .where(
                StoredInput.person_id == person_id,
                StoredInput.plan_id == plan_id,
                StoredInput.source_id == source_id,
            )
            .order_by(StoredInput.position.desc())
            .limit(1)
        )
        or -1
    ) + 1
    stored: list[StoredInput] = []
    repeats = 0
    for item in found:
        key = (item.kind.value, " ".join(item.text.split()).casefold())
        if key in existing:
            repeats += 1
            continue
        existing.add(key)
        row = StoredInput(
            person_id=person_id,
            plan_id=plan_id,
            kind=item.kind.value,
            text=item.text,
            summary=item.summary or shorten(item.text),
            confidence=item.confidence,
            question=question,
            source_id=source_id,
            position=start + len(stored),
            created_at=turn.now,
            updated_at=turn.now,
        )
        turn.session.add(row)
        stored.append(row)
    embed_rows(turn, stored, vectors)
    turn.session.flush()
    return stored, repeats


def capture(
    turn: Turn, plan_id: int, text: str, question: str | None, fallback: InputKind | None = None
) -> tuple[list[StoredInput], int]:
    """Extracts and stores; with `fallback`, an answer the extractor finds nothing in is kept as that kind."""
    found, vectors = extract(turn, text, question)
    if not found and fallback is not None:
        found = [CapturedInput(kind=fallback, text=text.strip(), summary=shorten(text), confidence=0.3)]
    return store(turn, plan_id, found, question, vectors=vectors)


def replace_from_source(turn: Turn, source_id: str, text: str) -> tuple[list[StoredInput], bool]:
    """An edited message: its earlier inputs are replaced by those found in the new text.

    Returns the new rows and whether the message had captured anything before.
    """
    old = list(
        turn.session.scalars(
            select(StoredInput).where(StoredInput.person_id == turn.person.id, StoredInput.source_id == source_id)
        )
    )
    if not old:
        return [], False
    plan_id, question = old[0].plan_id, old[0].question
    turn.session.execute(
        delete(StoredInput).where(StoredInput.person_id == turn.person.id, StoredInput.source_id == source_id)
    )
    turn.session.flush()
    found, vectors = extract(turn, text, question)
    rows, _ = store(turn, plan_id, found, question, source_id=source_id, vectors=vectors)
    return rows, True
