"""The shapes the theme clustering takes and gives back, shared with the engine that calls it."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBytes, field_validator

STORED_DTYPE = "<f4"  # how `StoredInput.vector` keeps an embedding: little-endian float32 bytes


class ThemeItem(BaseModel):
    """One captured input to be grouped; `vector` lets a caller reuse an embedding it already has."""

    model_config = ConfigDict(frozen=True)

    id: int
    person_id: int
    kind: str
    text: str
    vector: list[float] | StrictBytes | None = Field(
        None,
        description="A precomputed embedding, when given not re-embedded: floats, or the float32 bytes an input's "
        "vector is stored as (read as they are, so a large plan builds no list of floats).",
    )

    @field_validator("vector", mode="after")
    @classmethod
    def _whole_floats(cls, value: object) -> object:
        if isinstance(value, bytes) and (not value or len(value) % np.dtype(STORED_DTYPE).itemsize):
            raise ValueError("stored vector bytes must hold whole float32 numbers")
        return value

    def numbers(self) -> list[float] | np.ndarray | None:
        """The vector as given: the list of floats, or the stored bytes read as a float32 array (no copy)."""
        if isinstance(self.vector, bytes):
            return np.frombuffer(self.vector, dtype=STORED_DTYPE)
        return self.vector

    def floats(self) -> list[float] | None:
        """The vector as a list of floats, whichever way it was given."""
        numbers = self.numbers()
        return numbers.tolist() if isinstance(numbers, np.ndarray) else numbers

    @field_validator("kind", mode="before")
    @classmethod
    def _plain_kind(cls, value: object) -> object:
        """An `InputKind` member arrives as its plain value, so themes compare and serialise as strings."""
        return getattr(value, "value", value)


class Theme(BaseModel):
    """Inputs of one kind that say the same thing, and the distinct people who said it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    label: str = Field(
        description="A short phrase of its inputs' own words (a name, a first clause or a short input), at most 60 "
        "characters, whole words, no ellipsis."
    )
    item_ids: list[int] = Field(description="Ids of the grouped inputs, ascending.")
    person_ids: list[int] = Field(description="Distinct people who raised it, ascending.")
    shared_ids: list[int] = Field(
        default_factory=list,
        description="Inputs of item_ids that name this player beside another one named first, whose theme holds "
        'them too ("the village chief and the hotel association chairman" counts for both).',
    )
