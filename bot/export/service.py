"""The draft of a plan as it stands in SQL, exported to a file, and imported back from its JSON rendering."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from langchain_core.embeddings import Embeddings
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.charts import draw
from bot.checker import Checker
from bot.checker.models import Beneficiaries, Initiative, Investment, Scorecard
from bot.checker.plan_check import CheckedInitiative, PlanCheck
from bot.checker.rubric import load_rubric
from bot.domain import CriterionId, InputKind
from bot.errors import NotFoundError, PlanbotError
from bot.export import chart_filename, export_format, filename, render
from bot.export.builder import build_draft
from bot.export.convert import clean_title, draft_initiative, quote_index, repair_quotes
from bot.export.draft import SCHEMA, AnsweredQuestion, Draft, DraftCredit, DraftInitiative, OpenQuestion
from bot.export.jsonio import read_json
from bot.export.picture import gather_picture
from bot.messages import catalogue
from bot.storage import Database
from bot.storage.models import Plan
from bot.storage.plan_models import StoredInput
from bot.storage.workshop_models import InitiativeRow
from bot.themes.plan_themes import PlanThemes

PlanCheckFn = Callable[[Session, int, Sequence[CheckedInitiative]], PlanCheck]
# The follow-up questions an initiative's answers were given to, kept in its stored body beside the checked text:
# [{"criterion": id, "question": str, "answer": str}]. Written by an import; read from any initiative.
FOLLOW_UPS = "follow_ups"

# Fields an editor may change in the draft; each maps back onto the structured initiative.
_EDITABLE = (
    "title",
    "description",
    "actors",
    "lead_actor",
    "investment",
    "first_benefits",
    "steps",
    "risk",
    "mse_reach",
    "answered",
)


@dataclass(frozen=True)
class ExportedFile:
    """A rendered draft; `companions` are the files it links and that go beside it (the Markdown draft's charts)."""

    name: str
    content: bytes
    fmt: str
    companions: tuple[ExportedFile, ...] = ()

    def write(self, target: Path) -> list[Path]:
        """Write the file to `target` and its companions beside it, each whole or not at all; the paths written."""
        written = []
        for name, content in [*((c.name, c.content) for c in self.companions), (target.name, self.content)]:
            path = target.with_name(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(content)
            partial.replace(path)  # nothing half-written under the final name
            written.append(path)
        return written


@dataclass(frozen=True)
class ImportResult:
    plan_id: int
    updated: int
    added: int
    unchanged: int


def checked_initiatives(
    session: Session, plan_id: int, checker: Checker
) -> list[tuple[InitiativeRow, CheckedInitiative]]:
    """The plan's initiatives that are not rejected, accepted ones first, each with its (cached) scorecard."""
    rows = session.scalars(
        select(InitiativeRow)
        .where(InitiativeRow.plan_id == plan_id, InitiativeRow.status != "rejected")
        .order_by(InitiativeRow.status != "accepted", InitiativeRow.id)
    ).all()
    out = []
    for row in rows:
        initiative = Initiative.model_validate(row.body or {"title": row.title, "description": row.text})
        if row.scorecard:
            scorecard = Scorecard.model_validate(row.scorecard)
        else:
            scorecard = checker.check(initiative)
            row.scorecard, row.verdict = scorecard.to_contract_json(), scorecard.verdict.value
        out.append(
            (row, CheckedInitiative(initiative=initiative, scorecard=scorecard, accepted=row.status == "accepted"))
        )
    return out


class DraftService:
    """Builds the draft from SQL and renders it; imports an edited JSON draft back into the plan."""

    def __init__(
        self, db: Database, checker: Checker, embeddings: Embeddings, plan_check: PlanCheckFn | None = None
    ) -> None:
        self.db = db
        self.checker = checker
        self.embeddings = embeddings
        self.plan_check = plan_check
        self._replays: dict[str, tuple[str, list[AnsweredQuestion]]] = {}

    @property
    def _themes(self) -> PlanThemes:
        """The plan-themes service: the inputs' stored vectors, a missing one embedded once and kept."""
        return PlanThemes(self.embeddings)

    def draft(
        self, plan_id: int, session: Session | None = None, today: date | None = None, named: bool = False
    ) -> Draft:
        """`named`: the facilitator opts in to name the participants who agreed to be named."""
        if session is None:
            with self.db.session() as own:
                return self.draft(plan_id, own, today, named)
        pairs = checked_initiatives(session, plan_id, self.checker)
        checked = [pair[1] for pair in pairs]
        plan_check = self.plan_check(session, plan_id, checked) if self.plan_check else None
        draft = build_draft(
            session, plan_id, self._themes, checked, plan_check=plan_check, today=today, name_participants=named
        )
        index = _inputs(session, plan_id)
        initiatives = [
            self._presented(row, item, index).model_copy(
                update={"id": row.id, "answers": _answers_by_rule(draft, item, plan_check, row.id)}
            )
            for (row, _), item in zip(pairs, draft.initiatives, strict=True)
        ]
        renamed = {old.title: new.title for old, new in zip(draft.initiatives, initiatives, strict=True)}
        plan_check = [
            row.model_copy(update={"explanation": _renamed(row.explanation, renamed)}) for row in draft.plan_check
        ]
        return draft.model_copy(update={"initiatives": initiatives, "plan_check": plan_check})

    def _presented(self, row: InitiativeRow, item: DraftInitiative, index: dict[str, list[str]]) -> DraftInitiative:
        """The initiative as the draft shows it: follow-up answers as answered questions, not lines of its text;
        a whole title (not one cut with an ellipsis); quotations of inputs whole, not cut inside a word.
        Export and import use this one rule, so a draft imported unchanged changes nothing."""
        description, answered = self._answered(row, item.description)
        title = clean_title(item.title, description)
        scorecard = [
            score.model_copy(update={"evidence": repair_quotes(score.evidence, index)}) if score.evidence else score
            for score in item.scorecard
        ]
        return item.model_copy(
            update={
                "title": repair_quotes(title, index),
                "description": repair_quotes(description, index),
                "answered": answered,
                "scorecard": scorecard,
                "to_settle": _to_settle(row),
                "credit": _credit(row),
                "questions": _not_asked_twice(row, item.questions),
            }
        )

    def _answered(self, row: InitiativeRow, description: str) -> tuple[str, list[AnsweredQuestion]]:
        """Split a checked initiative's stored text into what was typed and the answers to the follow-ups.

        The check stores each follow-up answer as a line appended to the text; which question each answered is
        found again by replaying the check the way /check asked them (the first open question not asked yet).
        A structured `follow_ups` list in the stored body ([{criterion, question, answer}]), when there is one,
        is read as it is.
        """
        stored = (row.body or {}).get(FOLLOW_UPS)
        if isinstance(stored, list) and stored:
            answered = [found for entry in stored if (found := _answered_from(entry)) is not None]
            lines = description.split("\n")
            tail = [" ".join(a.answer.split()) for a in answered]
            if tail and [line.strip() for line in lines[-len(tail) :]] == tail:
                description = "\n".join(lines[: -len(tail)])  # the answers are in the checked text: show them once
            return description, answered
        lines = [line.strip() for line in description.split("\n")]
        if row.origin != "check" or len(lines) < 2 or not all(lines):
            return description, []
        key = description
        if key not in self._replays:
            self._replays[key] = self._replay(lines)
        typed, answered = self._replays[key]
        return typed, answered

    def _replay(self, lines: list[str]) -> tuple[str, list[AnsweredQuestion]]:
        rubric = load_rubric()
        text = lines[0]
        card = self.checker.check(text)
        asked: list[CriterionId] = []
        answered: list[AnsweredQuestion] = []
        for n, answer in enumerate(lines[1:], start=1):
            open_questions = [q for q in card.questions if q.criterion not in asked]
            if not open_questions:  # no question was open: the rest is the facilitator's own text
                return "\n".join([text, *lines[n:]]), answered
            question = open_questions[0]
            asked.append(question.criterion)
            answered.append(
                AnsweredQuestion(
                    criterion=question.criterion,
                    label=rubric.criterion(question.criterion).label,
                    question=question.question,
                    answer=answer,
                )
            )
            card = self.checker.check("\n".join([lines[0], *lines[1 : n + 1]]))
        return text, answered

    def export(self, plan_id: int, fmt: str, session: Session | None = None, named: bool = False) -> ExportedFile:
        """The draft as a file; DOCX embeds the charts of the plan, Markdown links them as PNG companions."""
        kind = export_format(fmt)
        if session is None:
            with self.db.session() as own:
                return self.export(plan_id, kind, own, named)
        draft = self.draft(plan_id, session, named=named)
        name = filename(draft, kind)
        if kind == "json":
            return ExportedFile(name=name, content=render(draft, kind), fmt=kind)
        charts = draw(gather_picture(session, plan_id, draft))
        files = {chart.name: chart_filename(name, chart.name) for chart in charts}
        companions = tuple(ExportedFile(files[c.name], c.png, "png") for c in charts) if kind == "md" else ()
        return ExportedFile(name=name, content=render(draft, kind, charts, files), fmt=kind, companions=companions)

    def import_json(self, data: bytes | str, source: str, plan_id: int | None = None) -> ImportResult:
        """Restore the draft's initiatives and their edits into the plan, in one transaction."""
        draft, schema = read_json(data, source)
        target = plan_id if plan_id is not None else draft.title.plan_id
        messages = catalogue()
        if target is None:
            raise PlanbotError(messages.text("export.errors.import_no_plan", source=source))
        updated = added = unchanged = 0
        with self.db.session() as session:
            if session.get(Plan, target) is None:
                raise NotFoundError(messages.text("errors.plan_not_found", plan_id=target))
            current = {row.id: (row, checked) for row, checked in checked_initiatives(session, target, self.checker)}
            index = _inputs(session, target) if schema == SCHEMA else {}
            for item in draft.initiatives:
                known = current.get(item.id) if item.id is not None else None
                if item.id is not None and known is None:
                    raise PlanbotError(
                        messages.text("export.errors.import_unknown_initiative", source=source, id=item.id)
                    )
                if known is None:
                    self._add(session, target, item)
                    added += 1
                elif self._apply(known[0], known[1], item, index if schema == SCHEMA else None):
                    updated += 1
                else:
                    unchanged += 1
        return ImportResult(target, updated, added, unchanged)

    def _add(self, session: Session, plan_id: int, item: DraftInitiative) -> None:
        initiative = _initiative_from(item, Initiative(title=item.title))
        row = InitiativeRow(plan_id=plan_id, title=item.title, text=item.description, origin="import", answers=[])
        self._store(row, initiative, item.accepted, answered=item.answered)
        session.add(row)

    def _apply(
        self, row: InitiativeRow, checked: CheckedInitiative, item: DraftInitiative, index: dict[str, list[str]] | None
    ) -> bool:
        """What the editor changed, against the initiative as this draft's version showed it: as `_presented` (the
        plan's inputs in `index`) for this version, as stored for version 1 (`index` None)."""
        before = draft_initiative(checked)
        if index is not None:
            before = self._presented(row, before, index)
        edited = [name for name in _EDITABLE if getattr(before, name) != getattr(item, name)]
        status_changed = before.accepted != item.accepted
        if not edited and not status_changed:
            return False
        initiative = _initiative_from(item, checked.initiative, edited) if edited else checked.initiative
        rewritten = "answered" in edited or ("description" in edited and item.answered)
        answered = item.answered if rewritten else None  # the questions, as the editor saw them
        self._store(row, initiative, item.accepted, recheck=bool(edited), answered=answered)
        return True

    def _store(
        self,
        row: InitiativeRow,
        initiative: Initiative,
        accepted: bool,
        recheck: bool = True,
        answered: Sequence[AnsweredQuestion] | None = None,
    ) -> None:
        """`answered`: the follow-ups as the editor left them (kept beside the text, which holds their answers);
        None keeps those already stored."""
        kept = (row.body or {}).get(FOLLOW_UPS)
        row.title, row.text = initiative.title, initiative.description
        row.body = initiative.model_dump(mode="json")
        if answered is not None:
            kept = [a.model_dump(mode="json", include={"criterion", "question", "answer"}) for a in answered]
        if kept:
            row.body[FOLLOW_UPS] = kept
        row.status = "accepted" if accepted else ("proposed" if row.status in (None, "accepted") else row.status)
        if recheck or not row.scorecard:
            scorecard = self.checker.check(initiative)
            row.scorecard, row.verdict = scorecard.to_contract_json(), scorecard.verdict.value


def _initiative_from(item: DraftInitiative, base: Initiative, fields: Sequence[str] = _EDITABLE) -> Initiative:
    """The structured initiative with the editor's changes; free-text fields stay free text."""
    update: dict[str, object] = {}
    if "answered" in fields or ("description" in fields and item.answered):
        # the check keeps each follow-up answer as a line of the text it checks, so the answers stay checked
        update["description"] = "\n".join([item.description, *(" ".join(a.answer.split()) for a in item.answered)])
    for name in fields:
        value = getattr(item, name)
        if name == "answered" or (name == "description" and "description" in update):
            continue
        if name == "investment":
            update[name] = Investment(amount=value) if value else None
        elif name == "mse_reach":
            update["beneficiaries"] = Beneficiaries(description=value) if value else None
        else:
            update[name] = value
    if "first_benefits" in update:
        update["first_benefits_months"] = None  # the words changed: let the checker read them again
    return base.model_copy(update=update)


def _answered_from(entry: object) -> AnsweredQuestion | None:
    if not isinstance(entry, dict) or not str(entry.get("answer") or "").strip():
        return None
    criterion = entry.get("criterion")
    try:
        known = CriterionId(criterion) if criterion else None
    except ValueError:
        known = None
    label = load_rubric().criterion(known).label if known else None
    return AnsweredQuestion(criterion=known, label=label, question=entry.get("question"), answer=str(entry["answer"]))


def _answers_by_rule(draft: Draft, item: DraftInitiative, check: PlanCheck | None, row_id: int) -> list[str]:
    """The constraint themes an initiative answers as the plan check decided it (bot.themes.answering, the rule of
    /summary too), not by the input ids stored with it; the other themes it lists stay as they are."""
    found = check.answers.get(str(row_id)) if check is not None else None
    if found is None:
        return item.answers
    label_of = {q.input_id: t.label for t in draft.themes for q in t.quotes if q.input_id is not None}
    constraints = {t.label for t in draft.themes if t.kind == InputKind.constraint.value}
    answered = [label_of[int(i)] for i in found if i.isdigit() and int(i) in label_of]
    return list(dict.fromkeys([*answered, *(a for a in item.answers if a not in constraints)]))


def _to_settle(row: InitiativeRow) -> list[str]:
    """What a stored proposal leaves to settle at the meeting (bot.proposals.store.body_of), each question once."""
    stored = (row.body or {}).get("to_settle")
    if not isinstance(stored, list):
        return []
    return list(dict.fromkeys(" ".join(str(q).split()) for q in stored if str(q).strip()))


# A proposal's open field and the criterion whose question asks the same (bot.proposals.models.ProposalFields).
_FIELD_CRITERIA = {
    "lead": CriterionId.influential_actors,
    "where": CriterionId.aggregation_points,
    "first_step": CriterionId.small_steps,
    "benefit": CriterionId.near_term_benefits,
    "when": CriterionId.near_term_benefits,
    "investment": CriterionId.investment,
    "beneficiaries": CriterionId.reaches_mses,
}


def _not_asked_twice(row: InitiativeRow, questions: list[OpenQuestion]) -> list[OpenQuestion]:
    """The criteria's open questions, less those a proposal's own open field already asks ("Who pays for it ...?"
    and "Promotes investment: who invests?" once, in the proposal's words)."""
    fields = (row.body or {}).get("fields")
    if not isinstance(fields, dict):
        return questions
    asked = {
        criterion
        for name, criterion in _FIELD_CRITERIA.items()
        if isinstance(fields.get(name), dict) and fields[name].get("question")
    }
    return [q for q in questions if q.criterion not in asked]


def _credit(row: InitiativeRow) -> DraftCredit | None:
    """The credit a stored proposal gives to the stakeholders' own idea ("raised by 3 people"), when it has one."""
    stored = (row.body or {}).get("credit")
    if not isinstance(stored, dict):
        return None
    try:
        return DraftCredit.model_validate(
            {"note": stored.get("note"), "people": stored.get("people"), "input_ids": stored.get("input_ids") or []}
        )
    except ValidationError:
        return None


def _renamed(text: str, titles: dict[str, str]) -> str:
    """A plan-check sentence that names initiatives by their stored titles, with the titles the draft shows (a
    title that quotes someone keeps its inner quotation in single quotes inside the sentence's own)."""
    for old, new in titles.items():
        if not old:
            continue
        nested = new.replace('"', "'")
        if f'"{old}"' in text:
            text = text.replace(f'"{old}"', f'"{nested}"')
        elif old != new:
            text = text.replace(old, new)
    return text


def _inputs(session: Session, plan_id: int) -> dict[str, list[str]]:
    return quote_index(list(session.scalars(select(StoredInput.text).where(StoredInput.plan_id == plan_id))))
