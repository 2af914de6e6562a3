"""The draft of a plan as it stands in SQL, exported to a file, and imported back from its JSON rendering."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from langchain_core.embeddings import Embeddings
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.checker import Checker
from bot.checker.models import Beneficiaries, Initiative, Investment, Scorecard
from bot.checker.plan_check import CheckedInitiative, PlanCheck
from bot.errors import NotFoundError, PlanbotError
from bot.export import export_format, filename, load_json, render
from bot.export.builder import build_draft
from bot.export.convert import draft_initiative
from bot.export.draft import Draft, DraftInitiative
from bot.messages import catalogue
from bot.storage import Database
from bot.storage.models import Plan
from bot.storage.workshop_models import InitiativeRow
from bot.themes import Theme, ThemeItem, cluster

PlanCheckFn = Callable[[Session, int, Sequence[CheckedInitiative]], PlanCheck]

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
)


@dataclass(frozen=True)
class ExportedFile:
    name: str
    content: bytes
    fmt: str


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

    def _cluster(self, items: list[ThemeItem]) -> Sequence[Theme]:
        return cluster(items, self.embeddings)

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
            session, plan_id, self._cluster, checked, plan_check=plan_check, today=today, name_participants=named
        )
        ids = [row.id for row, _ in pairs]
        initiatives = [item.model_copy(update={"id": ids[n]}) for n, item in enumerate(draft.initiatives)]
        return draft.model_copy(update={"initiatives": initiatives})

    def export(self, plan_id: int, fmt: str, session: Session | None = None, named: bool = False) -> ExportedFile:
        kind = export_format(fmt)
        draft = self.draft(plan_id, session, named=named)
        return ExportedFile(name=filename(draft, kind), content=render(draft, kind), fmt=kind)

    def import_json(self, data: bytes | str, source: str, plan_id: int | None = None) -> ImportResult:
        """Restore the draft's initiatives and their edits into the plan, in one transaction."""
        draft = load_json(data, source)
        target = plan_id if plan_id is not None else draft.title.plan_id
        messages = catalogue()
        if target is None:
            raise PlanbotError(messages.text("export.errors.import_no_plan", source=source))
        updated = added = unchanged = 0
        with self.db.session() as session:
            if session.get(Plan, target) is None:
                raise NotFoundError(messages.text("errors.plan_not_found", plan_id=target))
            current = {row.id: (row, checked) for row, checked in checked_initiatives(session, target, self.checker)}
            for item in draft.initiatives:
                known = current.get(item.id) if item.id is not None else None
                if item.id is not None and known is None:
                    raise PlanbotError(
                        messages.text("export.errors.import_unknown_initiative", source=source, id=item.id)
                    )
                if known is None:
                    self._add(session, target, item)
                    added += 1
                elif self._apply(known[0], known[1], item):
                    updated += 1
                else:
                    unchanged += 1
        return ImportResult(target, updated, added, unchanged)

    def _add(self, session: Session, plan_id: int, item: DraftInitiative) -> None:
        initiative = _initiative_from(item, Initiative(title=item.title))
        row = InitiativeRow(plan_id=plan_id, title=item.title, text=item.description, origin="import", answers=[])
        self._store(row, initiative, item.accepted)
        session.add(row)

    def _apply(self, row: InitiativeRow, checked: CheckedInitiative, item: DraftInitiative) -> bool:
        before = draft_initiative(checked)
        edited = [name for name in _EDITABLE if getattr(before, name) != getattr(item, name)]
        status_changed = before.accepted != item.accepted
        if not edited and not status_changed:
            return False
        initiative = _initiative_from(item, checked.initiative, edited) if edited else checked.initiative
        self._store(row, initiative, item.accepted, recheck=bool(edited))
        return True

    def _store(self, row: InitiativeRow, initiative: Initiative, accepted: bool, recheck: bool = True) -> None:
        row.title, row.text = initiative.title, initiative.description
        row.body = initiative.model_dump(mode="json")
        row.status = "accepted" if accepted else ("proposed" if row.status in (None, "accepted") else row.status)
        if recheck or not row.scorecard:
            scorecard = self.checker.check(initiative)
            row.scorecard, row.verdict = scorecard.to_contract_json(), scorecard.verdict.value


def _initiative_from(item: DraftInitiative, base: Initiative, fields: Sequence[str] = _EDITABLE) -> Initiative:
    """The structured initiative with the editor's changes; free-text fields stay free text."""
    update: dict[str, object] = {}
    for name in fields:
        value = getattr(item, name)
        if name == "investment":
            update[name] = Investment(amount=value) if value else None
        elif name == "mse_reach":
            update["beneficiaries"] = Beneficiaries(description=value) if value else None
        else:
            update[name] = value
    if "first_benefits" in update:
        update["first_benefits_months"] = None  # the words changed: let the checker read them again
    return base.model_copy(update=update)
