"""The proposals suite: scripted plans are interviewed through the real engine, then proposed for.

Each plan of the dataset gets a facilitator and its stakeholders, who join with fresh invites and answer the
eight interview questions through the terminal adapter (real SQLite, the real extractor and model). Then the
offline proposer drafts initiatives from the plan's SQL material. Measured: the share of proposals passing as
recommended or revise, coverage of the four support qualities (a quality counts when it is met in a
proposal's scorecard), traceability (each proposal cites at least one stakeholder input and one guidance
passage), and use of the influential actors and aggregation points the stakeholders named (a proposal's
"who leads" or "where" taken from their inputs).

And whether a proposal reads as a facilitator wrote it (issue 13): `title_ok_share` (titles of at most 70
characters with no "…", no quotation mark, no cut word and no whole input of seven words or more quoted),
`no_long_copies_share` (no field, title or text repeats more than 12 words of an input in a row),
`fields_traced_share` (filled fields that list their source inputs, all of the plan) and `clean_slot_share`
(values of "who leads" and "where" that are clean noun phrases), beside `open_field_share` (fields left as a
question for the meeting) and `credited_share` (proposals that restate stakeholders' own idea and credit it).

Whether the scorecard's evidence supports each criterion (issue 13, items 1 and 6), ungated:
`evidence_in_scope_share` (met criteria whose evidence is a sentence of a field that speaks to them, by
`EVIDENCE_SCOPES`: never "investment: met" on "First benefit: ..."), `settle_consistent_share` (proposals with no
criterion met while the field that settles it is left as a question for the meeting) and `place_actor_share`
(proposals listing a place, a "where" or a named aggregation point, among their actors).
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
from bot.paths import knowledge_path
from bot.proposals import OfflineProposer, PlanMaterial, Proposal, load_patterns, material_for, phrases
from bot.proposals.models import NOUN_PHRASE_FIELDS, ProposalFields
from bot.proposals.render import field_parts
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


DEMO_SCRIPT = knowledge_path("demo-workshop.yaml")


def demo_row(path: Path = DEMO_SCRIPT) -> dict[str, Any]:
    """The scripted workshop of `planbot demo` as a row of this suite (its roles and sizes are the button
    labels; here they become the interview's keys)."""
    import yaml

    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    msg = catalogue()
    data = interview_data()

    def key(group: str, label: str) -> str:
        return next(k for k in getattr(data, group) if msg.text(f"engine.{group}.{k}") == label)

    row = {
        "id": "demo",
        "name": script["plan"]["name"],
        "value_chain": script["plan"]["value_chain"],
        "region": script["plan"]["region"],
        "stakeholders": [
            {
                "name": person["name"],
                "role": key("actor_types", person["role"]),
                "size": key("sizes", person["size"]),
                "answers": person["answers"],
            }
            for person in script["stakeholders"]
        ],
    }
    problem = _check(row)
    assert problem is None, f"{path}: {problem}"
    return row


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
        """A proposal works through a player the stakeholders named: its "who leads" (actors) or "where"
        (aggregation points) is taken from an input of that kind, and its clean name is in the proposal's text."""
        ids = {item.id for item in self.material.inputs if item.kind is kind}
        slot = "lead" if kind is InputKind.influential_actor else "where"
        for proposal in self.proposals:
            field_ = getattr(proposal.fields, slot)
            if field_.value and ids & set(field_.sources) and field_.value.casefold() in proposal.text.casefold():
                return True
        return False


# ---- how a proposal reads (issue 13) ---------------------------------------------------------------------

TITLE_LIMIT = 70
MAX_COPY = 12
WHOLE_INPUT_WORDS = 7


def _words(text: str) -> list[str]:
    return [w.lower() for w in phrases.tokens(text) if w not in phrases.PUNCT]


def cut_words(title: str, inputs: list[str], known: set[str]) -> list[str]:
    """Words of the title that are a stakeholder's word cut short ("re" of "reviews", "warehous")."""
    said = {w for text in inputs for w in _words(text)}
    cut = []
    for word in _words(title):
        if word in said or word in known or len(word) < 2:
            continue
        if any(other.startswith(word) and other != word for other in said):
            cut.append(word)
    return cut


def title_problems(title: str, inputs: list[str], known: set[str]) -> list[str]:
    """Why a title does not read as a facilitator's (empty when it does)."""
    problems = []
    if len(title) > TITLE_LIMIT:
        problems.append(f"{len(title)} characters")
    if "\u2026" in title or "..." in title:
        problems.append("an ellipsis")
    if any(mark in title for mark in ('"', "\u201c", "\u201d")):
        problems.append("a quotation mark")
    for text in inputs:
        words = _words(text)
        if len(words) >= WHOLE_INPUT_WORDS and phrases.copied_run(title, text) >= len(words):
            problems.append(f"quotes a whole input ({text!r})")
    problems += [f"cut word {w!r}" for w in cut_words(title, inputs, known)]
    return problems


def long_copies(proposal: Proposal, inputs: list[str]) -> list[str]:
    """Fields (and the title) that repeat more than MAX_COPY words of one input in a row."""
    values = [("title", proposal.title)]
    for name, slot in proposal.fields.slots():
        values += [(name, v) for v in (slot.value, slot.detail) if v]
    return [name for name, value in values for text in inputs if phrases.copied_run(value, text) > MAX_COPY]


def traced(proposal: Proposal, input_ids: set[int]) -> tuple[int, int]:
    """(filled fields that list source inputs, all of the plan; filled fields)."""
    filled = [slot for _, slot in proposal.fields.slots() if slot.value]
    good = [slot for slot in filled if slot.sources and set(slot.sources) <= input_ids]
    return len(good), len(filled)


def clean_slots(proposal: Proposal) -> tuple[int, int]:
    """(values of "who leads" and "where" that are clean noun phrases; such values)."""
    values = [getattr(proposal.fields, name).value for name in NOUN_PHRASE_FIELDS]
    values = [v for v in values if v]
    return sum(phrases.is_clean_noun_phrase(v) for v in values), len(values)


def known_words() -> set[str]:
    """Words planbot itself writes into titles (the pattern library), so they are never taken for cut words."""
    library = load_patterns()
    texts = [t for p in library.patterns for t in p.titles]
    texts += [v.producers + " " + v.product + " " + v.buyers for v in library.vocabulary]
    return {w for t in texts for w in _words(t)}


# What a field's sentence may be evidence of (the standard the evidence metrics hold the checker to, written here
# apart from the library's own `scopes`): "First benefit: ..." is never evidence of investment, "Led by ..." never
# of reaching MSEs; the pattern's own wording of what happens speaks to learning and to whom it is open.
EVIDENCE_SCOPES = {
    "what": {"learning", "industry_wide"},
    "lead": {"influential_actors"},
    "where": {"aggregation_points"},
    "first_step": {"small_steps"},
    "benefit": {"near_term_benefits"},
    "investment": {"investment"},
    "beneficiaries": {"reaches_mses", "industry_wide"},
}
# The criterion an open field's question for the meeting asks about.
SETTLES = {
    "lead": "influential_actors",
    "where": "aggregation_points",
    "first_step": "small_steps",
    "benefit": "near_term_benefits",
    "investment": "investment",
    "beneficiaries": "reaches_mses",
}


def field_sentences(fields: ProposalFields) -> list[tuple[str, str]]:
    """Each filled field's sentence as the checked text holds it, "what" last (a field's own words inside the
    description must be credited to that field)."""
    parts = field_parts(fields, load_patterns().render)
    return sorted(parts, key=lambda part: part[0] == "what")


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


def evidence_field(fields: ProposalFields, evidence: str) -> str:
    """Which field's sentence an evidence sentence was read from ("what" when no other field's holds it)."""
    said = _plain(evidence)
    return next((name for name, text in field_sentences(fields) if said and said in _plain(text)), "what")


def evidence_in_scope(fields: ProposalFields, criteria: list[dict[str, Any]]) -> tuple[int, int]:
    """(met criteria whose evidence is a sentence of a field that speaks to them; met criteria with evidence),
    from a contract `check` JSON's criteria."""
    met = [c for c in criteria if c["status"] == Status.met.value and c.get("evidence")]
    good = sum(c["id"] in EVIDENCE_SCOPES[evidence_field(fields, c["evidence"])] for c in met)
    return good, len(met)


def met_yet_to_settle(fields: ProposalFields, criteria: list[dict[str, Any]]) -> list[str]:
    """Criteria the scorecard calls met while the field that settles them is still a question for the meeting
    ("investment: met", yet "who pays for it?" is left to settle)."""
    statuses = {c["id"]: c["status"] for c in criteria}
    return [
        criterion
        for name, criterion in SETTLES.items()
        if getattr(fields, name).open and getattr(fields, name).question and statuses.get(criterion) == "met"
    ]


def place_actors(actors: list[str], places: set[str]) -> list[str]:
    """Actors that are places: a "where" of the plan's proposals or an aggregation point the stakeholders named."""
    return [a for a in actors if " ".join(a.split()).casefold() in places]


def traceable(proposal: Proposal) -> bool:
    """Cites a stakeholder input and a guidance passage (its pattern's and each met criterion's)."""
    met = [r for r in proposal.scorecard.criteria if r.status is Status.met and r.citation.quote]
    return bool(proposal.answers) and bool(proposal.guidance.quote or met)


def open_plan(engine: Any, db: Database, row: dict[str, Any], key_prefix: str) -> int:
    """The id of the plan a scripted facilitator has just opened with /newplan."""
    facilitator = TranscriptAdapter(
        engine, Person(key=f"{key_prefix}:{row['id']}:facilitator", display_name="Facilitator")
    )
    facilitator.send(f"/newplan {row['name']}")
    facilitator.send(row["value_chain"])
    facilitator.send(row["region"])
    with db.session() as session:
        plan = session.query(Plan).filter(Plan.name == row["name"]).order_by(Plan.id.desc()).first()
        assert plan is not None, f"{row['id']}: /newplan created no plan"
        return plan.id


def run_plan(
    engine: Any, db: Database, embeddings: Embeddings, row: dict[str, Any], drafter: Any = None
) -> PlanOutcome:
    """Interviews one scripted plan through `engine`, then proposes from what SQL holds for it (with
    `drafter`, the LLM drafter, the offline proposer being its fallback)."""
    msg = catalogue()
    plan_id = open_plan(engine, db, row, key_prefix="eval")
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
    quality = reading(outcomes)
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
        **quality["metrics"],
    }
    details = {
        "plans": [
            {
                "id": row["id"],
                "proposals": [
                    {
                        "title": shown.title,
                        "pattern": shown.pattern,
                        "verdict": shown.verdict.value,
                        "qualities": shown.covered,
                        "fields": p.fields.to_json(),
                        "credit": p.credit.note if p.credit else None,
                        "title_problems": quality["titles"].get(id(p), []),
                    }
                    for p, shown in ((p, _Shown.of(p)) for p in o.proposals)
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


def reading(outcomes: list[PlanOutcome]) -> dict[str, Any]:
    """The reading metrics over every plan's proposals, and each title's problems (by proposal id)."""
    known = known_words()
    titles_ok = copies_ok = 0
    traced_good = traced_all = clean_good = clean_all = open_fields = all_fields = credited = count = 0
    scoped_good = scoped_all = consistent = with_place = 0
    problems: dict[int, list[str]] = {}
    for outcome in outcomes:
        inputs = [item.text for item in outcome.material.inputs]
        ids = {item.id for item in outcome.material.inputs}
        places = {" ".join(p.fields.where.value.split()).casefold() for p in outcome.proposals if p.fields.where.value}
        places |= {" ".join(name.split()).casefold() for name in outcome.named(InputKind.aggregation_point)}
        for proposal in outcome.proposals:
            count += 1
            criteria = proposal.scorecard.to_contract_json()["criteria"]
            good, met = evidence_in_scope(proposal.fields, criteria)
            scoped_good, scoped_all = scoped_good + good, scoped_all + met
            consistent += not met_yet_to_settle(proposal.fields, criteria)
            with_place += bool(place_actors(proposal.actors, places))
            problems[id(proposal)] = title_problems(proposal.title, inputs, known)
            titles_ok += not problems[id(proposal)]
            copies_ok += not long_copies(proposal, inputs)
            good, filled = traced(proposal, ids)
            traced_good, traced_all = traced_good + good, traced_all + filled
            good, values = clean_slots(proposal)
            clean_good, clean_all = clean_good + good, clean_all + values
            slots = [slot for name, slot in proposal.fields.slots() if name != "when"]
            open_fields += sum(slot.open for slot in slots)
            all_fields += len(slots)
            credited += proposal.credit is not None

    def share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    return {
        "metrics": {
            "title_ok_share": share(titles_ok, count),
            "no_long_copies_share": share(copies_ok, count),
            # vacuously whole when no field is filled / no one leads and no place is named (actor_use and
            # aggregation_use measure that)
            "fields_traced_share": share(traced_good, traced_all) if traced_all else 1.0,
            "clean_slot_share": share(clean_good, clean_all) if clean_all else 1.0,
            "open_field_share": share(open_fields, all_fields),
            "credited_share": share(credited, count),
            # issue 13, items 1 and 6: evidence that supports its criterion, nothing met that is left to settle,
            # no place listed as an actor
            "evidence_in_scope_share": share(scoped_good, scoped_all) if scoped_all else 1.0,
            "settle_consistent_share": share(consistent, count),
            "place_actor_share": share(with_place, count),
        },
        "titles": problems,
    }


@dataclass
class _Shown:
    title: str
    pattern: str
    verdict: Verdict
    covered: list[str]

    @classmethod
    def of(cls, proposal: Proposal) -> _Shown:
        return cls(proposal.title, proposal.pattern, proposal.verdict, [q.value for q in proposal.qualities])
