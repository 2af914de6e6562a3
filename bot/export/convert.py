"""From the checker's shapes to the draft's: the draft stays plain data, so it carries labels and quotes itself.

The criteria's labels, meanings and guidance quotes come from the rubric (knowledge/criteria.yaml) through the
checker's loader; nothing here restates them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.export.draft import DraftInitiative, GuidanceCriterion, OpenQuestion, PlanCheckRow, ScoreRow
from bot.messages import catalogue

if TYPE_CHECKING:
    from bot.checker.models import Initiative, Scorecard
    from bot.checker.plan_check import CheckedInitiative, PlanCheck
    from bot.checker.rubric import Rubric


def _rubric(rubric: Rubric | None) -> Rubric:
    from bot.checker.rubric import load_rubric

    return rubric or load_rubric()


def guidance_criteria(rubric: Rubric | None = None) -> list[GuidanceCriterion]:
    """The appendix: every criterion with what meeting it looks like and the passage it comes from."""
    rubric = _rubric(rubric)
    source = f"{rubric.document}, {rubric.section}"
    return [
        GuidanceCriterion(
            id=c.id, label=c.label, meaning=" ".join(c.met.split()), quote=" ".join(c.quote.split()), source=source
        )
        for c in rubric.criteria
    ]


def scorecard_rows(scorecard: Scorecard, rubric: Rubric | None = None) -> list[ScoreRow]:
    rubric = _rubric(rubric)
    return [
        ScoreRow(
            criterion=result.id,
            label=rubric.criterion(result.id).label,
            status=result.status,
            evidence=result.evidence,
        )
        for result in scorecard.criteria
    ]


def open_questions(scorecard: Scorecard, rubric: Rubric | None = None) -> list[OpenQuestion]:
    rubric = _rubric(rubric)
    return [
        OpenQuestion(criterion=q.criterion, label=rubric.criterion(q.criterion).label, question=q.question)
        for q in scorecard.questions
    ]


def _investment(initiative: Initiative) -> str | None:
    money = initiative.investment
    if money is None or not (money.who or money.amount):
        return None
    if money.who and money.amount:
        return catalogue().text("export.investment", who=money.who, amount=money.amount)
    return money.who or money.amount


def _mse_reach(initiative: Initiative) -> str | None:
    reach = initiative.beneficiaries
    if reach is None:
        return None
    say = catalogue().text
    parts = [reach.description] if reach.description else []
    if reach.mse_count is not None:
        parts.append(say("export.mse_count", count=reach.mse_count))
    if reach.mse_share is not None:
        parts.append(say("export.mse_share_of", share=round(100 * reach.mse_share)))
    return "; ".join(parts) or None


def draft_initiative(
    checked: CheckedInitiative, answers: list[str] | None = None, rubric: Rubric | None = None
) -> DraftInitiative:
    """One initiative with its scorecard; `answers` are the theme labels or quotes its answer ids stand for."""
    rubric = _rubric(rubric)
    initiative = checked.initiative
    return DraftInitiative(
        title=initiative.title,
        description=initiative.description,
        accepted=checked.accepted,
        answers=list(answers if answers is not None else initiative.answers),
        actors=list(initiative.actors),
        lead_actor=initiative.lead_actor,
        investment=_investment(initiative),
        first_benefits=initiative.first_benefits,
        steps=list(initiative.steps),
        risk=initiative.risk,
        mse_reach=_mse_reach(initiative),
        scorecard=scorecard_rows(checked.scorecard, rubric),
        verdict=checked.scorecard.verdict,
        questions=open_questions(checked.scorecard, rubric),
    )


def plan_check_rows(check: PlanCheck) -> list[PlanCheckRow]:
    return [PlanCheckRow(id=item.id.value, passed=item.passed, explanation=item.explanation) for item in check.checks]


# ---- headings without template artefacts ------------------------------------------------------------------

ELLIPSES = ("…", "...")
HEADING_CHARS = 90  # a heading that fits one or two lines of a page
SENTENCE_CHARS = 130  # a whole first sentence or clause is kept up to this length rather than cut
_CLAUSE_END = re.compile(r"[.;:!?](?=\s|$)")
_COMMA = re.compile(r",(?=\s)|\s[–—-]\s")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def is_cut(text: str) -> bool:
    """True when a label or title was shortened with an ellipsis."""
    return _one_line(text).endswith(ELLIPSES)


def phrase(text: str, limit: int = HEADING_CHARS) -> str:
    """A heading from a person's words, never cut inside a word: the whole text when it is short, else its first
    sentence or clause, else the longest run of its comma-separated parts that fits; an ellipsis only when
    there is no break at all to cut at."""
    whole = _one_line(text)
    if len(whole) <= limit:
        return whole
    end = _CLAUSE_END.search(whole)
    first = whole[: end.start()].rstrip() if end else whole
    if len(first) <= SENTENCE_CHARS:
        return first
    cuts = [m.start() for m in _COMMA.finditer(first) if limit // 3 <= m.start() <= limit]
    if cuts:
        return first[: cuts[-1]].rstrip()
    words = first[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return words + "…"


def full_label(label: str, texts: list[str]) -> str:
    """A theme label shortened with an ellipsis, given back as a phrase of the input it was cut from."""
    if not is_cut(label):
        return _one_line(label)
    stem = _one_line(label).removesuffix("...").removesuffix("…").rstrip()
    source = next((t for t in texts if _one_line(t).startswith(stem)), None)
    return phrase(source) if source is not None else phrase(stem)


def clean_title(title: str, description: str) -> str:
    """An initiative's title without a cut: a title shortened from its own description ("Every month the…") is
    taken again from the description's first line, as a whole phrase."""
    if not is_cut(title):
        return _one_line(title)
    first = next((line for line in description.splitlines() if line.strip()), "")
    return full_label(title, [first]) if first else phrase(title.rstrip(".… "))


_QUOTED = re.compile(r'"([^"\n]{12,})"')
_KEY = 12


def quote_index(texts: list[str]) -> dict[str, list[str]]:
    """The stakeholders' inputs, one line each, by their first characters (for `repair_quotes`)."""
    index: dict[str, list[str]] = {}
    for text in texts:
        line = _one_line(text)
        if len(line) >= _KEY:
            index.setdefault(line[:_KEY], []).append(line)
    return index


def repair_quotes(text: str, index: dict[str, list[str]]) -> str:
    """A quotation of a stakeholder's input that was cut inside a word ("... leave bad re") given back whole."""
    if '"' not in text or not index:
        return text

    def whole(match: re.Match[str]) -> str:
        inner = match.group(1)
        if not inner[-1].isalnum():
            return match.group(0)
        for source in index.get(inner[:_KEY], ()):
            if len(source) > len(inner) and source.startswith(inner) and source[len(inner)].isalnum():
                return f'"{source}"'
        return match.group(0)

    return _QUOTED.sub(whole, text)
