"""The proposals suite: scripted plans are interviewed through the real engine, then proposed for.

Each plan of the dataset gets a facilitator and its stakeholders, who join with fresh invites and answer the
eight interview questions through the terminal adapter (real SQLite, the real extractor and model). Then the
offline proposer drafts initiatives from the plan's SQL material. Measured: the share of proposals passing as
recommended or revise, coverage of the four support qualities (a quality counts when it is met in a
proposal's scorecard), traceability (each proposal cites at least one stakeholder input and one guidance
passage), and use of the influential actors and aggregation points the stakeholders named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.checker import OfflineChecker
from bot.cli.terminal import TranscriptAdapter
from bot.domain import SUPPORT_QUALITIES, InputKind, Status, Verdict
from bot.engine import Person
from bot.engine.topics import interview_data
from bot.messages import catalogue
from bot.proposals import OfflineProposer, PlanMaterial, Proposal, material_for
from bot.storage import Database
from bot.storage.models import Plan
from evals.suites.common import SuiteResult, read_rows, rounded

ANSWERS = 8


def _check(row: dict[str, Any]) -> str | None:
    data = interview_data()
    for key in ("name", "value_chain", "region"):
        if not isinstance(row[key], str) or not row[key].strip():
            return f"{key} must be a non-empty string"
    people = row["stakeholders"]
    if not isinstance(people, list) or not people:
        return "stakeholders must be a non-empty list"
    for person in people:
        if not isinstance(person, dict) or not {"name", "role", "size", "answers"} <= set(person):
            return "each stakeholder needs name, role, size and answers"
        if person["role"] not in data.actor_types:
            return f"unknown role {person['role']!r} (roles are {', '.join(data.actor_types)})"
        if person["size"] not in data.sizes:
            return f"unknown size {person['size']!r} (sizes are {', '.join(data.sizes)})"
        answers = person["answers"]
        if (
            not isinstance(answers, list)
            or len(answers) != ANSWERS
            or not all(isinstance(a, str) and a.strip() for a in answers)
        ):
            return f'{person["name"]}: answers must be {ANSWERS} non-empty strings ("skip" allowed)'
    return None


def load(path: Path) -> list[dict[str, Any]]:
    return read_rows(path, required=("id", "name", "value_chain", "region", "stakeholders"), check=_check)


@dataclass
class PlanOutcome:
    """One scripted plan after its interviews: the material SQL gave and what was proposed from it."""

    plan_id: int
    material: PlanMaterial
    proposals: list[Proposal]
    problems: list[str] = field(default_factory=list)

    def named(self, kind: InputKind) -> list[str]:
        return [theme.label for theme in self.material.ranked(kind)]

    def covered(self) -> set[str]:
        return {q.value for p in self.proposals for q in p.qualities}

    def uses(self, kind: InputKind) -> bool:
        """A proposal works through a player the stakeholders named (its words are in the proposal)."""
        names = [" ".join(n.split()).rstrip(".,;:!?").casefold() for n in self.named(kind)]
        return any(name and name in p.text.casefold() for p in self.proposals for name in names)


def traceable(proposal: Proposal) -> bool:
    """Cites a stakeholder input and a guidance passage (its pattern's and each met criterion's)."""
    met = [r for r in proposal.scorecard.criteria if r.status is Status.met and r.citation.quote]
    return bool(proposal.answers) and bool(proposal.guidance.quote or met)


def run_plan(
    engine: Any, db: Database, embeddings: Embeddings, row: dict[str, Any], drafter: Any = None
) -> PlanOutcome:
    """Interviews one scripted plan through `engine`, then proposes from what SQL holds for it (with
    `drafter`, the LLM drafter, the offline proposer being its fallback)."""
    msg = catalogue()
    facilitator = TranscriptAdapter(engine, Person(key=f"eval:{row['id']}:facilitator", display_name="Facilitator"))
    facilitator.send(f"/newplan {row['name']}")
    facilitator.send(row["value_chain"])
    facilitator.send(row["region"])
    with db.session() as session:
        plan = session.query(Plan).filter(Plan.name == row["name"]).order_by(Plan.id.desc()).first()
        assert plan is not None, f"{row['id']}: /newplan created no plan"
        plan_id = plan.id
    problems: list[str] = []
    for n, person in enumerate(row["stakeholders"]):
        code = engine.enrol(plan_id, "stakeholder")
        talk = TranscriptAdapter(engine, Person(key=f"eval:{row['id']}:{n}", display_name=person["name"]))
        try:
            talk.send(f"/start {code}")
            talk.tap(msg.text("engine.consent_agree"))
            talk.tap(msg.text(f"engine.actor_types.{person['role']}"))
            talk.tap(msg.text(f"engine.sizes.{person['size']}"))
            talk.tap(msg.text("engine.org_skip"))
        except AssertionError as exc:
            problems.append(f"{person['name']} could not join: {exc}")
            continue
        for answer in person["answers"]:
            talk.send(answer)
    from bot.themes import cluster

    with db.session() as session:
        material = material_for(session, plan_id, lambda items: cluster(items, embeddings))
    offline = OfflineProposer(OfflineChecker(embeddings), embeddings)
    proposals = drafter.propose(material, offline) if drafter is not None else offline.propose(material)
    return PlanOutcome(plan_id=plan_id, material=material, proposals=proposals, problems=problems)


def run_proposals(services_or_engine: Any, path: Path) -> SuiteResult:
    """`services_or_engine`: a `Services` (its engine, db and embeddings are used) or an `Engine`."""
    plans = load(path)
    engine = getattr(services_or_engine, "engine", services_or_engine)
    db = engine.db
    embeddings = engine.providers.embeddings
    drafter = engine.providers.drafter
    outcomes = [run_plan(engine, db, embeddings, row, drafter) for row in plans]
    proposals = [p for o in outcomes for p in o.proposals]
    passing = [p for p in proposals if p.verdict in (Verdict.recommended, Verdict.revise)]
    with_actor = [o for o in outcomes if o.named(InputKind.influential_actor)]
    with_point = [o for o in outcomes if o.named(InputKind.aggregation_point)]
    all_four = {q.value for q in SUPPORT_QUALITIES}

    def share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    metrics = {
        "pass_rate": share(len(passing), len(proposals)),
        "recommended_share": share(sum(p.verdict is Verdict.recommended for p in proposals), len(proposals)),
        "quality_coverage": share(sum(len(o.covered() & all_four) for o in outcomes), 4 * len(outcomes)),
        "plans_all_qualities": share(sum(o.covered() >= all_four for o in outcomes), len(outcomes)),
        "traceability": share(sum(traceable(p) for p in proposals), len(proposals)),
        "actor_use": share(sum(o.uses(InputKind.influential_actor) for o in with_actor), len(with_actor)),
        "aggregation_use": share(sum(o.uses(InputKind.aggregation_point) for o in with_point), len(with_point)),
        "proposals_per_plan": share(len(proposals), len(outcomes)),
    }
    details = {
        "plans": [
            {
                "id": row["id"],
                "proposals": [
                    {"title": p.title, "pattern": p.pattern, "verdict": p.verdict.value, "qualities": p.covered}
                    for p in [_Shown.of(p) for p in o.proposals]
                ],
                "covered": sorted(o.covered()),
                "actors": o.named(InputKind.influential_actor),
                "aggregation_points": o.named(InputKind.aggregation_point),
                "problems": o.problems,
            }
            for row, o in zip(plans, outcomes, strict=True)
        ]
    }
    return SuiteResult(
        suite="proposals", dataset=str(path), cases=len(plans), metrics=rounded(metrics), details=details
    )


@dataclass
class _Shown:
    title: str
    pattern: str
    verdict: Verdict
    covered: list[str]

    @classmethod
    def of(cls, proposal: Proposal) -> _Shown:
        return cls(proposal.title, proposal.pattern, proposal.verdict, [q.value for q in proposal.qualities])
