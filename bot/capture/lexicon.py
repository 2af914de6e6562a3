"""The capture lexicon: cues, none-cues, question-key priors and few-shot prototypes, read from prompts/."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from bot.domain import InputKind
from bot.errors import PlanbotError
from bot.messages import PROMPTS_DIR
from bot.ports import INTERVIEW_TOPICS

NONE_LABEL = "none"
DEFAULT_LEXICON_PATH = PROMPTS_DIR / "capture" / "en.yaml"


class Weights(BaseModel):
    temperature: float = Field(0.05, gt=0)
    cue_weight: float = Field(1.0, ge=0)
    cue_cap: int = Field(2, ge=0)
    prior_weight: float = Field(1.0, ge=0)
    top_k: int = Field(2, ge=1)


class NoneCues(BaseModel):
    social: list[str] = Field(default_factory=list)
    filler: list[str] = Field(default_factory=list)
    vague: list[str] = Field(default_factory=list)
    question_starts: list[str] = Field(default_factory=list)
    question_lead_ins: list[str] = Field(default_factory=list)
    proposal_questions: list[str] = Field(default_factory=list)
    continuations: list[str] = Field(default_factory=list)


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex for phrases on word boundaries; "*" in a phrase stands for any letters."""
    parts = []
    for phrase in sorted({p.strip().lower() for p in phrases if p.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word).replace(r"\*", r"\w*") for word in phrase.split())
        parts.append(body)
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


class CaptureLexicon(BaseModel):
    """Everything the offline extractor knows about kinds, as data (prompts/capture/<lang>.yaml)."""

    weights: Weights = Field(default_factory=Weights)
    off_topic_similarity: float = 0.3
    off_topic_similarity_answer: float = 0.22
    min_confidence: float = Field(0.0, ge=0, le=1)
    cues: dict[InputKind, list[str]] = Field(default_factory=dict)
    none: NoneCues = Field(default_factory=NoneCues)
    priors: dict[str, dict[InputKind, float]] = Field(default_factory=dict)
    none_prior: float = Field(0.15, gt=0)
    none_prior_answer: float = Field(0.06, gt=0)
    prototypes: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> CaptureLexicon:
        unknown = set(self.priors) - set(INTERVIEW_TOPICS)
        if unknown:
            raise ValueError(f"priors name unknown question keys {sorted(unknown)}")
        labels = {k.value for k in InputKind} | {NONE_LABEL}
        if set(self.prototypes) - labels:
            raise ValueError(f"prototypes name unknown kinds {sorted(set(self.prototypes) - labels)}")
        for kind in InputKind:
            if not self.prototypes.get(kind.value):
                raise ValueError(f"prototypes: no example for {kind.value}")
        return self

    def prior(self, question: str | None) -> dict[InputKind, float]:
        """The kind distribution expected for an answer to `question`; uniform when unknown or absent."""
        table = self.priors.get(question or "")
        if not table:
            return {kind: 1.0 / len(InputKind) for kind in InputKind}
        total = sum(table.get(kind, 0.0) for kind in InputKind) or 1.0
        return {kind: max(table.get(kind, 0.0), 1e-3) / total for kind in InputKind}


def load_lexicon(path: Path | str | None = None) -> CaptureLexicon:
    """Read and validate a capture lexicon; a broken file is a one-line PlanbotError naming it."""
    target = Path(path) if path else DEFAULT_LEXICON_PATH
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
        return CaptureLexicon.model_validate(data)
    except FileNotFoundError:
        raise PlanbotError(f"{target}: no such capture lexicon") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = f"{'.'.join(str(part) for part in first['loc']) or 'file'}: {first['msg']}"[:200]
        raise PlanbotError(f"{target}: not a valid capture lexicon ({reason})") from None
    except (yaml.YAMLError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:200]
        raise PlanbotError(f"{target}: not a valid capture lexicon ({reason})") from None


DEFAULT_OVERRIDES_PATH = PROMPTS_DIR / "capture" / "en.overrides.yaml"


def load_overrides(path: Path | str | None = None) -> dict[InputKind, list[re.Pattern[str]]]:
    """The head's high-precision overrides; a broken file is a one-line PlanbotError naming it."""
    target = Path(path) if path else DEFAULT_OVERRIDES_PATH
    if not target.is_file():
        return {}
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
        return {InputKind(kind): [re.compile(p, re.IGNORECASE) for p in patterns] for kind, patterns in data.items()}
    except (yaml.YAMLError, ValueError, TypeError, re.error) as exc:
        raise PlanbotError(f"{target}: not a valid overrides file ({str(exc).splitlines()[0][:200]})") from None
