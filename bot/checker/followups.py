"""Follow-up answers of a /check: each one merged into the initiative's structured fields and re-checked with it.

Why this is apart from the chat flow: the rule must hold wherever an answer is taken in. An answer is an answer to
one question (one criterion). It is written into the field that question is about (who leads, where, the first
step, the first benefit and when, who invests, who benefits), never pasted into the description, and the
initiative is checked again with it. The re-check decides that criterion only, and only on the answer's own words:
when the criterion changes, its evidence is a sentence of the answer. Other criteria keep what the initiative's
own words decided, so one reply to "how will firms learn?" such as "the factory buys from 5000 small farmers"
cannot turn a grant to one company into "recommended"; each criterion is settled by the answer to its question.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from bot.checker.judge import Checker
from bot.checker.models import Beneficiaries, CriterionResult, FollowUp, Initiative, Investment, Scorecard
from bot.checker.rubric import Rubric, load_rubric
from bot.checker.verdict import decide_verdict
from bot.domain import CriterionId, Status

# The criteria that decide the verdict on their own: when the initiative's words contradict one, it is asked too
# (first), since only an answer to its own question may settle it.
VERDICT_CRITERIA = (CriterionId.industry_wide, CriterionId.reaches_mses)


class Answered(BaseModel):
    """One follow-up question of the check and the facilitator's answer to it (the export's `follow_ups`)."""

    criterion: CriterionId
    question: str
    answer: str = Field(min_length=1)

    def to_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion.value, "question": self.question, "answer": self.answer}


def sentence(answer: str) -> str:
    """An answer as one sentence of the checked text: spaces normalised, a capital, a full stop."""
    text = " ".join(answer.split()).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _value(answer: str) -> str:
    """An answer as a field value: one line, no final full stop."""
    return " ".join(answer.split()).rstrip(" .")


def _name(answer: str) -> str:
    """The person an answer names ("the lead fisherman Bakari, the young fishers copy him" -> "Bakari, the lead
    fisherman"), or the answer when no name can be read."""
    from bot.proposals.phrases import names

    found = names(answer)
    return found[0] if found else answer


def _place(answer: str) -> str:
    from bot.proposals.phrases import place

    return place(answer) or answer


def merge(initiative: Initiative, criterion: CriterionId, answer: str) -> Initiative:
    """The initiative with the answer in the field its question is about."""
    value = _value(answer)
    if not value:
        return initiative
    update: dict[str, Any] = {}
    if criterion is CriterionId.investment:
        said = initiative.investment.who if initiative.investment and initiative.investment.who else None
        update["investment"] = Investment(who="; ".join(v for v in (said, value) if v))
    elif criterion is CriterionId.small_steps:
        update["steps"] = [value, *initiative.steps]  # the first small step
    elif criterion is CriterionId.learning:
        update["steps"] = [*initiative.steps, value]
    elif criterion is CriterionId.near_term_benefits:
        update["first_benefits"] = value
        update["first_benefits_months"] = None  # the words decide, read by the checker
    elif criterion is CriterionId.influential_actors:  # the name, as a clean noun phrase; the checked text keeps
        update["lead_actor"] = _name(value)  # the whole answer ("..., all the big hotels follow him")
        update["actors"] = list(dict.fromkeys([*initiative.actors, update["lead_actor"]]))
    elif criterion is CriterionId.aggregation_points:
        update["actors"] = list(dict.fromkeys([*initiative.actors, _place(value)]))
    elif criterion in (CriterionId.reaches_mses, CriterionId.industry_wide):
        said = initiative.beneficiaries.description if initiative.beneficiaries else None
        update["beneficiaries"] = Beneficiaries(description="; ".join(v for v in (said, value) if v))
    return initiative.model_copy(update=update)


def checked_text(description: str, answered: Sequence[Answered]) -> str:
    """What the checker reads: the initiative as typed, then each answer as a sentence of its own (so the answer's
    words, and only they, can be a criterion's evidence)."""
    return "\n".join([description.strip(), *(sentence(a.answer) for a in answered if a.answer.strip())])


def questions(card: Scorecard, rubric: Rubric | None = None) -> list[FollowUp]:
    """The questions still open: verdict-deciding criteria the text contradicts first, then the unclear ones."""
    rubric = rubric or load_rubric()
    contradicted = [
        FollowUp(criterion=c, question=rubric.criterion(c).question)
        for c in VERDICT_CRITERIA
        if card.status(c) is Status.not_met
    ]
    return [*contradicted, *card.questions]


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace(".", " ").split())


def _from_answer(result: CriterionResult, answer: str) -> bool:
    """Whether a criterion's evidence is (part of) the answer's words."""
    if not result.evidence:
        return False
    evidence, said = _norm(result.evidence), _norm(answer)
    return bool(evidence) and (evidence in said or said in evidence)


def _decided(recheck: Scorecard, alone: Scorecard | None, criterion: CriterionId, answer: str) -> CriterionResult:
    """The re-check's result for `criterion`, with the answer as its evidence when the answer decides it: the
    whole initiative's re-check names it, or the answer read with the typed text alone gives the same status
    from its own words (an earlier answer may say it first)."""
    new = recheck.criteria[[r.id for r in recheck.criteria].index(criterion)]
    if _from_answer(new, answer) or alone is None:
        return new
    own = alone.criteria[[r.id for r in alone.criteria].index(criterion)]
    return own if own.status is new.status and _from_answer(own, answer) else new


def settle(
    before: Scorecard,
    recheck: Scorecard,
    criterion: CriterionId,
    answer: str,
    rubric: Rubric | None = None,
    alone: Scorecard | None = None,
) -> Scorecard:
    """The scorecard after one answer: `criterion` as the re-check decides it when its evidence is the answer
    (`alone`: the typed text and this answer only, checked), every other criterion as before; the verdict by the
    contract's rule; the unclear criteria's questions."""
    rubric = rubric or load_rubric()
    new = _decided(recheck, alone, criterion, answer)
    results = []
    for old in before.criteria:
        if (
            old.id == criterion
            and new.status is not old.status
            and new.status is not Status.unclear
            and _from_answer(new, answer)
        ):
            results.append(new)
        else:
            results.append(old)
    verdict = decide_verdict({r.id: r.status for r in results})
    open_questions = [
        FollowUp(criterion=r.id, question=rubric.criterion(r.id).question)
        for r in results
        if r.status is Status.unclear
    ]
    return Scorecard(verdict=verdict, criteria=results, questions=open_questions)


def answer_one(
    checker: Checker,
    description: str,
    initiative: Initiative,
    answered: Sequence[Answered],
    card: Scorecard,
    question: FollowUp,
    answer: str,
) -> tuple[Initiative, list[Answered], Scorecard]:
    """One answer taken in: merged, re-checked with the initiative, settled on its own words."""
    given = Answered(criterion=question.criterion, question=question.question, answer=" ".join(answer.split()))
    now = [*answered, given]
    merged = merge(initiative, question.criterion, answer)
    recheck = checker.check(checked_text(description, now))
    alone = checker.check(checked_text(description, [given])) if len(now) > 1 else None
    return merged, now, settle(card, recheck, question.criterion, answer, alone=alone)
