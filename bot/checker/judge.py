"""The checker interface, and an LLM judge that plugs into it but can never do worse than the offline checker.

The judge asks a language model for per-criterion statuses only; the verdict, citations and follow-up
questions always come from the rubric and the contract's rule. Any failure (no answer, bad JSON, a wrong
schema, evidence that is not in the initiative) falls back to the offline checker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel, ValidationError, field_validator

from bot.checker.models import CriterionResult, FollowUp, GuidanceCitation, Initiative, Scorecard
from bot.checker.offline import render_initiative
from bot.checker.parsing import Parser
from bot.checker.rubric import Rubric, load_rubric
from bot.checker.verdict import decide_verdict
from bot.domain import CriterionId, Status

log = logging.getLogger(__name__)


class Checker(Protocol):
    """Anything that turns an initiative into a scorecard: the offline checker, an LLM judge."""

    def check(self, initiative: Initiative | str) -> Scorecard: ...


Judge = Checker


class _JudgedCriterion(BaseModel):
    id: CriterionId
    status: Status
    evidence: str | None = None


class _Judgement(BaseModel):
    criteria: list[_JudgedCriterion]

    @field_validator("criteria")
    @classmethod
    def _all_eight_once(cls, criteria: list[_JudgedCriterion]) -> list[_JudgedCriterion]:
        if sorted(c.id for c in criteria) != sorted(CriterionId):
            raise ValueError("the judgement must name each of the eight criteria exactly once")
        return criteria


class LLMJudge:
    """Statuses from a language model (`complete(prompt)` gives its reply), checked; offline on failure."""

    def __init__(self, complete: Callable[[str], str], fallback: Checker, rubric: Rubric | None = None) -> None:
        self.complete = complete
        self.fallback = fallback
        self.rubric = rubric or load_rubric()
        self.parser = Parser(self.rubric.lexicon)

    def prompt(self, text: str) -> str:
        """The judge prompt, from the template in criteria.yaml; the initiative goes in as quoted data."""
        rubric_lines = "\n".join(
            f'- {c.id.value}: met when {c.met} not_met when {c.not_met} Guidance: "{c.quote}"'
            for c in self.rubric.criteria
        )
        return self.rubric.judge_prompt.format(criteria=rubric_lines, initiative=json.dumps(text))

    def check(self, initiative: Initiative | str) -> Scorecard:
        text = render_initiative(initiative) if isinstance(initiative, Initiative) else initiative
        cleaned = "\n".join(self.parser.clean_sentences(text or ""))
        if not cleaned:
            return self.fallback.check(initiative)
        try:
            reply = self.complete(self.prompt(cleaned))
            judgement = _Judgement.model_validate(json.loads(_json_part(reply)))
        except (ValidationError, ValueError, TypeError) as exc:
            log.warning("LLM judge reply rejected (%s); using the offline checker", type(exc).__name__)
            return self.fallback.check(initiative)
        except Exception as exc:  # any provider failure means: offline
            log.warning("LLM judge failed (%s); using the offline checker", type(exc).__name__)
            return self.fallback.check(initiative)
        judged = {c.id: c for c in judgement.criteria}
        for item in judged.values():
            item.evidence = (item.evidence or "").strip().rstrip(".,;:!? ") or None
            if item.status is not Status.unclear and (not item.evidence or item.evidence not in cleaned):
                log.warning("LLM judge evidence for %s is not in the initiative; offline checker", item.id)
                return self.fallback.check(initiative)
        return self._scorecard(judged)

    def _scorecard(self, judged: dict[CriterionId, _JudgedCriterion]) -> Scorecard:
        results = [
            CriterionResult(
                id=spec.id,
                status=judged[spec.id].status,
                evidence=judged[spec.id].evidence if judged[spec.id].status is not Status.unclear else None,
                citation=GuidanceCitation(document=self.rubric.document, quote=spec.quote),
            )
            for spec in self.rubric.criteria
        ]
        questions = [
            FollowUp(criterion=r.id, question=self.rubric.criterion(r.id).question)
            for r in results
            if r.status is Status.unclear
        ]
        return Scorecard(
            verdict=decide_verdict({r.id: r.status for r in results}), criteria=results, questions=questions
        )


def _json_part(reply: object) -> str:
    """The JSON object in a reply (models like to wrap it in prose or code fences)."""
    if not isinstance(reply, str):
        raise TypeError("the judge reply is not text")
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the judge reply")
    return reply[start : end + 1]
