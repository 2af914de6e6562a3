"""The training corpora of `knowledge/training/` (format in its README): read, validated, turned into cases."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.checker.verdict import decide_verdict
from bot.domain import CriterionId, InputKind, Status, Verdict
from bot.errors import PlanbotError
from bot.paths import knowledge_path
from bot.ports import INTERVIEW_TOPICS

TRAINING_DIR = knowledge_path("training")
STYLES = ("terse", "long", "typos", "bullets", "numbers", "mixed")


class LabelledSentence(BaseModel):
    text: str = Field(min_length=1)
    labels: dict[CriterionId, Status] = Field(default_factory=dict)

    @field_validator("labels")
    @classmethod
    def _settled_only(cls, labels: dict[CriterionId, Status]) -> dict[CriterionId, Status]:
        if any(status is Status.unclear for status in labels.values()):
            raise ValueError("a sentence label is met or not_met; leave out what the sentence does not settle")
        return labels


class CheckerExample(BaseModel):
    """An initiative labelled sentence by sentence; its statuses and verdict are derived, never written."""

    id: str
    value_chain: str
    style: str
    sentences: list[LabelledSentence] = Field(min_length=1)
    joiner: str = " "

    @property
    def text(self) -> str:
        return self.joiner.join(sentence.text for sentence in self.sentences)

    @property
    def statuses(self) -> dict[CriterionId, Status]:
        """not_met if a sentence says so, else met if one does, else unclear: all eight criteria."""
        out = {}
        for criterion in CriterionId:
            said = {sentence.labels.get(criterion) for sentence in self.sentences}
            out[criterion] = (
                Status.not_met if Status.not_met in said else Status.met if Status.met in said else Status.unclear
            )
        return out

    @property
    def verdict(self) -> Verdict:
        return decide_verdict(self.statuses)

    def to_contract(self) -> dict[str, Any]:
        """The contracts' checker row: only the criteria the text settles are labelled."""
        settled = {c.value: s.value for c, s in self.statuses.items() if s is not Status.unclear}
        return {
            "id": self.id,
            "text": self.text,
            "criteria": settled,
            "verdict": self.verdict.value,
            "value_chain": self.value_chain,
            "style": self.style,
        }


class LabelledSegment(BaseModel):
    text: str = Field(min_length=1)
    kind: InputKind | None = None


class CaptureExample(BaseModel):
    """A stakeholder message labelled segment by segment."""

    id: str
    value_chain: str
    style: str
    role: str | None = None
    question: str | None = None
    segments: list[LabelledSegment] = Field(min_length=1)
    joiner: str = " "

    @field_validator("question")
    @classmethod
    def _known_topic(cls, question: str | None) -> str | None:
        if question is not None and question not in INTERVIEW_TOPICS:
            raise ValueError(f"question {question!r} is not an interview topic ({', '.join(INTERVIEW_TOPICS)})")
        return question

    @property
    def text(self) -> str:
        return self.joiner.join(segment.text for segment in self.segments)

    @property
    def kinds(self) -> list[str]:
        return [segment.kind.value for segment in self.segments if segment.kind is not None]

    def to_contract(self) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, "text": self.text, "kinds": self.kinds}
        if self.question:
            row["question"] = self.question
        if self.role:
            row["role"] = self.role
        return row | {"value_chain": self.value_chain, "style": self.style}


def _read(paths: Iterable[Path], model: type[BaseModel]) -> list[Any]:
    rows: list[Any] = []
    seen: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise PlanbotError(f"{path}: no such corpus file") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = model.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                raise PlanbotError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise PlanbotError(f"{path}:{number}: {where}: {first['msg']}"[:300]) from None
            if row.id in seen:
                raise PlanbotError(f"{path}:{number}: id {row.id!r} appears twice")
            seen.add(row.id)
            rows.append(row)
    if not rows:
        raise PlanbotError(f"no {model.__name__} rows in {', '.join(map(str, paths)) or 'no files'}")
    return rows


def corpus_files(task: str, directory: Path = TRAINING_DIR) -> list[Path]:
    return sorted(directory.glob(f"{task}.*.jsonl"))


def read_checker_corpus(paths: Iterable[Path] | None = None) -> list[CheckerExample]:
    return _read(list(paths) if paths is not None else corpus_files("checker"), CheckerExample)


def read_capture_corpus(paths: Iterable[Path] | None = None) -> list[CaptureExample]:
    return _read(list(paths) if paths is not None else corpus_files("capture"), CaptureExample)


def fingerprint(paths: Iterable[Path]) -> str:
    """What a head was trained from: the bytes of its corpus and of the cue files its features read."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
