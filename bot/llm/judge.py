"""The LLM judge: per-criterion statuses from the model, combined with the offline checker's evidence.

The offline checker runs first. The model settles criteria the offline checker left unclear, and overrules an
offline decision only when that decision was weak (its head cleared the threshold by less than
`WEAK_OFFLINE_STRENGTH`); a strong offline decision, a cue's or a structured field's, stands. The model's
evidence must be copied from the initiative after injected instructions were removed. Verdict, citations and
follow-up questions always come from the rubric and the contract's rule.
"""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from bot.checker.judge import Checker
from bot.checker.models import CriterionResult, FollowUp, Initiative, Scorecard
from bot.checker.offline import render_initiative
from bot.checker.parsing import Parser
from bot.checker.rubric import Rubric, load_rubric
from bot.checker.verdict import decide_verdict
from bot.domain import CriterionId, Status
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.parsing import appears_in, parse_reply
from bot.llm.prompts import escape, load_prompt

USE = "judge"
# An offline decision whose head cleared its threshold by less than this may be overruled by the model.
WEAK_OFFLINE_STRENGTH = 0.1


class _Judged(BaseModel):
    id: CriterionId
    status: Status
    evidence: str | None = None


class _Judgement(BaseModel):
    criteria: list[_Judged]

    @field_validator("criteria")
    @classmethod
    def _all_eight_once(cls, criteria: list[_Judged]) -> list[_Judged]:
        if sorted(c.id for c in criteria) != sorted(CriterionId):
            raise ValueError("the judgement must name each of the eight criteria exactly once")
        return criteria


class LLMJudge:
    """Implements `bot.checker.Checker`; never less grounded than the offline checker it holds."""

    def __init__(
        self,
        client: LLMClient,
        offline: Checker,
        *,
        rubric: Rubric | None = None,
        stats: FallbackStats | None = None,
    ) -> None:
        self.client = client
        self.offline = offline
        self.rubric = rubric or load_rubric()
        self.parser = Parser(self.rubric.lexicon)
        self.stats = stats or client.stats
        self.prompt = load_prompt("judge")

    def check(self, initiative: Initiative | str) -> Scorecard:
        card = self.offline.check(initiative)  # also the one-line error for an empty initiative
        text = render_initiative(initiative) if isinstance(initiative, Initiative) else initiative
        cleaned = "\n".join(self.parser.clean_sentences(text))
        if not cleaned or all(r.status is not Status.unclear for r in card.criteria):
            return card
        try:
            reply = self.client.complete(self.messages(cleaned))
            judged = self._grounded(parse_reply(reply, _Judgement), cleaned)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            return card
        self.stats.record(USE, "ok")
        return self._combine(card, judged)

    def messages(self, cleaned: str):
        lines = "\n".join(
            f'- {c.id.value}: met when {c.met} not_met when {c.not_met} Guidance: "{c.quote}"'
            for c in self.rubric.criteria
        )
        return self.prompt.render(criteria=lines, initiative=escape(cleaned))

    @staticmethod
    def _grounded(judgement: _Judgement, cleaned: str) -> dict[CriterionId, _Judged]:
        for item in judgement.criteria:
            if item.status is not Status.unclear and not (item.evidence and appears_in(item.evidence, cleaned)):
                raise LLMUnavailable("ungrounded", f"evidence for {item.id.value} is not in the initiative")
        return {item.id: item for item in judgement.criteria}

    def _combine(self, card: Scorecard, judged: dict[CriterionId, _Judged]) -> Scorecard:
        results: list[CriterionResult] = []
        for offline in card.criteria:
            model = judged[offline.id]
            weak = offline.strength is not None and offline.strength < WEAK_OFFLINE_STRENGTH
            overrule = (
                offline.status is not Status.unclear and weak and model.status not in (Status.unclear, offline.status)
            )
            if overrule:
                self.stats.record(USE, "overruled_weak_offline")
            if (offline.status is Status.unclear or overrule) and model.status is not Status.unclear:
                results.append(
                    CriterionResult(
                        id=offline.id,
                        status=model.status,
                        evidence=" ".join((model.evidence or "").split()),
                        citation=offline.citation.model_copy(
                            update={"quote": self.rubric.criterion(offline.id).quote_for(model.status)}
                        ),
                    )
                )
                continue
            if Status.unclear not in (offline.status, model.status) and model.status is not offline.status:
                self.stats.record(USE, "disagreed_kept_offline")
            results.append(offline)
        questions = [
            FollowUp(criterion=r.id, question=self.rubric.criterion(r.id).question)
            for r in results
            if r.status is Status.unclear
        ]
        return Scorecard(
            verdict=decide_verdict({r.id: r.status for r in results}), criteria=results, questions=questions
        )
