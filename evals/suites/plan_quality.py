"""The plan_quality suite (issue 13): is the exported draft one a facilitator can take to the meeting as it is?

Held-out scripted plans (evals/datasets/plan_quality.test.jsonl: value chains none of plans.dev/test or the demo
uses, answers typed as stakeholders type them; nothing is tuned on it) are played through the real engine with the
terminal adapter, as the proposals suite plays its plans: a facilitator opens the plan, each stakeholder joins
with a fresh invite and answers the eight questions. When the engine stays on a question (a vague answer got its
one follow-up, "sijui" got its friendly way on, a message was answered as a question) the stakeholder says "skip"
once, so the script's answers stay on their questions; every such step is listed in the details. Then the
facilitator sends /propose, opens /initiatives and accepts the first proposal not "not recommended" (the first one
when all are), and the draft is exported as JSON and Markdown through the export service.

Measured (the figures are over all plans):
- `inputs_in_draft`: share of the plan's stored inputs whose words (spaces normalised) are a quote of the JSON
  draft and, escaped as the Markdown renderer escapes them, are in the Markdown (case-insensitive: the Markdown
  shows a mention once when two people wrote the same words in other cases). `inputs_in_json` and
  `inputs_in_markdown` apart; baseline `labels_only`: a draft that shows theme labels and names only.
- `kind_given_question`: share of the inputs captured from interview answers whose kind is the one the question
  asks for (the topics' fallback kind: constraints -> constraint, opportunities -> opportunity, ideas, small_step,
  quick_win and investment -> idea, influential_actors -> influential_actor, aggregation_points ->
  aggregation_point); "skip" stores nothing, so those answers are not counted. Baselines: `fallback_table`
  (every answer kept whole as its question's kind: 1.0 by construction, the ceiling) and `cue_only` (the same
  answers re-run through `OfflineExtractor(embeddings, heads=None)` with the engine's rules: a control word or
  "I don't know" gives nothing, an answer with nothing found is kept as the fallback kind unless vague).
  `answers_with_input`: share of the non-skip answers that gave at least one input.
- `counts_match`: share of plans whose draft counts (participants, inputs, inputs and people per kind) equal SQL's.
- `plan_check_contradictions`: top constraint themes the draft's plan check calls unanswered although an accepted
  initiative answers them by /summary's rule (`bot.themes.answering` over the ranked constraint themes, clustered
  from the stored vectors as /summary clusters them). Baseline `ids_rule`: the same count when an initiative is
  taken to answer the themes its stored input ids fall in (the rule before issue 13).
  `listed_contradictions`: top themes the plan check calls unanswered while an accepted initiative of the same
  draft lists them under what it answers.
- `clean_slot_share`: share of the stored proposals' "who leads" and "where" values that are clean noun phrases
  (`evals.suites.proposals.clean_slots`). Baseline `raw_input`: the slot's first source input pasted whole.
  Beside it, ungated, `title_ok_share` (`evals.suites.proposals.title_problems` on the stored titles).
- Ungated, how honest the proposals are: `non_recommended_share`, the share of stored proposals whose verdict is
  not "recommended" (revise or not recommended: the checker's own verdict on what the material supports), and
  `plans_with_non_recommended`, the share of plans with at least one.
- Ungated, whether the stored proposals' evidence supports each criterion (`evals.suites.proposals`' rules):
  `evidence_in_scope_share`, `settle_consistent_share` and `place_actor_share`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from langchain_core.embeddings import Embeddings
from sqlalchemy import select

from bot.cli.terminal import TranscriptAdapter
from bot.domain import InputKind, Verdict
from bot.engine import Person
from bot.engine.inputs import unpack_vector
from bot.engine.models import Incoming
from bot.engine.topics import interview_data
from bot.export import escape_markdown, load_json
from bot.export.draft import Draft
from bot.messages import catalogue
from bot.proposals import material_for, phrases
from bot.proposals.models import NOUN_PHRASE_FIELDS, ProposalFields
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.storage.workshop_models import InitiativeRow
from bot.themes import ThemeItem, answering
from evals.suites import proposals
from evals.suites.common import SuiteResult, rounded

SUITE = "plan_quality"
SKIP = "skip"
TOP_THEMES = 3  # the plan check's top constraint themes (bot.proposals.store.TOP_THEMES)
_MISSING = re.compile(r"No initiative answers these top constraint themes: (.*?)(?:\. Answered: |\.$)", re.DOTALL)


def load(path: Path) -> list[dict[str, Any]]:
    """The plans format of the proposals suite (one plan a line); a malformed plan is a one-line error naming the
    file and line."""
    return proposals.load(path)


def expected_kinds() -> dict[str, InputKind]:
    """What each interview question asks for: the topics' fallback kinds."""
    return {topic.key: topic.fallback_kind for topic in interview_data().topics}


def _norm(text: str) -> str:
    return " ".join(text.split())


def md_forms(text: str) -> set[str]:
    """How the Markdown renderer writes these words: escaped alone on a line, or inside a line (a quote line or a
    table cell, where the start-of-line escapes do not apply)."""
    return {escape_markdown(text), escape_markdown("x " + text)[2:]}


# ---- playing a plan through the engine -------------------------------------------------------------------


@dataclass
class Delivered:
    """One scripted answer as the engine received it: the question it was on and what it stored."""

    person: str
    topic: str
    text: str
    inputs: int = 0


@dataclass
class PlayedPlan:
    plan_id: int
    answers: list[Delivered] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # skips the harness added, people who could not join
    accepted: list[str] = field(default_factory=list)
    proposed: list[dict[str, Any]] = field(default_factory=list)
    draft: Draft | None = None
    markdown: str = ""
    json_text: str = ""


def _progress(db: Any, key: str, plan_id: int) -> tuple[int, bool, int]:
    """(topic index, interview done, inputs stored) of one person in one plan."""
    with db.session() as session:
        person = session.scalar(select(PersonRow).where(PersonRow.key == key))
        if person is None:
            return 0, False, 0
        member = session.scalar(
            select(Membership).where(Membership.person_id == person.id, Membership.plan_id == plan_id)
        )
        count = len(
            session.scalars(
                select(StoredInput.id).where(StoredInput.person_id == person.id, StoredInput.plan_id == plan_id)
            ).all()
        )
        if member is None:
            return 0, False, count
        return member.topic_index, member.interview_done_at is not None, count


def interview(engine: Any, row: dict[str, Any]) -> PlayedPlan:
    """The plan opened by its facilitator and every stakeholder interviewed, as in the proposals suite."""
    msg = catalogue()
    topics = [topic.key for topic in interview_data().topics]
    db = engine.db
    plan_id = proposals.open_plan(engine, db, row, key_prefix="pq")
    played = PlayedPlan(plan_id=plan_id)
    for n, person in enumerate(row["stakeholders"]):
        key = f"pq:{row['id']}:{n}"
        code = engine.enrol(played.plan_id, "stakeholder")
        talk = TranscriptAdapter(engine, Person(key=key, display_name=person["name"]))
        try:
            talk.send(f"/start {code}")
            talk.tap(msg.text("engine.consent_agree"))
            talk.tap(msg.text(f"engine.actor_types.{person['role']}"))
            talk.tap(msg.text(f"engine.sizes.{person['size']}"))
            talk.tap(msg.text("engine.org_skip"))
        except AssertionError as exc:
            played.steps.append(f"{person['name']} could not join: {exc}")
            continue
        for answer in person["answers"]:
            index, done, before = _progress(db, key, played.plan_id)
            if done:
                played.steps.append(f"{person['name']}: the interview ended before {answer!r}")
                break
            talk.send(answer)
            after_index, after_done, after = _progress(db, key, played.plan_id)
            played.answers.append(Delivered(person["name"], topics[index], answer, after - before))
            if not after_done and after_index == index:
                played.steps.append(f"{person['name']}: {answer!r} kept {topics[index]} open; sent {SKIP!r}")
                talk.send(SKIP)
    return played


def accept_one(engine: Any, row: dict[str, Any], played: PlayedPlan) -> None:
    """/propose, then /initiatives: the facilitator opens the first proposal that is not "not recommended" (the
    first when all are) and taps Accept, as a facilitator does on Telegram."""
    msg = catalogue()
    facilitator = TranscriptAdapter(engine, Person(key=f"pq:{row['id']}:facilitator", display_name="Facilitator"))
    facilitator.send("/propose")
    with engine.db.session() as session:
        rows = list(
            session.scalars(
                select(InitiativeRow)
                .where(InitiativeRow.plan_id == played.plan_id, InitiativeRow.origin == "proposal")
                .order_by(InitiativeRow.id)
            )
        )
        played.proposed = [
            {
                "id": r.id,
                "title": r.title,
                "verdict": r.verdict,
                "fields": (r.body or {}).get("fields"),
                "actors": list((r.body or {}).get("actors") or []),
                "criteria": list((r.scorecard or {}).get("criteria") or []),
            }
            for r in rows
        ]
    if not rows:
        played.steps.append("/propose stored no proposal: nothing to accept")
        return
    chosen = next((r for r in rows if r.verdict != Verdict.not_recommended.value), rows[0])
    facilitator.send("/initiatives")
    pick = next((c for c in facilitator.choices if c.data == f"in:{chosen.id}"), None)
    if pick is None:
        played.steps.append(f"/initiatives offered no button for initiative {chosen.id}")
        return
    facilitator.deliver(Incoming(choice=pick.data, source_id=facilitator.next_source_id()), pick.label)
    try:
        facilitator.tap(msg.text("initiatives.accept_button"))
    except AssertionError as exc:
        played.steps.append(f"could not accept initiative {chosen.id}: {exc}")
        return
    with engine.db.session() as session:
        accepted = session.scalars(
            select(InitiativeRow.title).where(
                InitiativeRow.plan_id == played.plan_id, InitiativeRow.status == "accepted"
            )
        ).all()
    played.accepted = list(accepted)
    if not played.accepted:
        played.steps.append(f"tapping Accept left initiative {chosen.id} unaccepted")


def export(drafts: Any, played: PlayedPlan) -> None:
    """The draft as JSON and as Markdown, through the export service."""
    as_json = drafts.export(played.plan_id, "json")
    as_md = drafts.export(played.plan_id, "md")
    played.json_text = as_json.content.decode("utf-8")
    played.markdown = as_md.content.decode("utf-8")
    played.draft = load_json(played.json_text, as_json.name)


# ---- the measures ------------------------------------------------------------------------------------------


def _rows(db: Any, plan_id: int) -> list[StoredInput]:
    with db.session() as session:
        rows = list(session.scalars(select(StoredInput).where(StoredInput.plan_id == plan_id).order_by(StoredInput.id)))
        session.expunge_all()
    return rows


def _draft_quotes(draft: Draft) -> list[Any]:
    quotes = [q for theme in draft.themes for q in theme.quotes]
    for named in (*draft.influential_actors, *draft.aggregation_points):
        quotes += named.said
    return quotes


def in_draft(rows: list[StoredInput], played: PlayedPlan) -> dict[str, Any]:
    """Which inputs the JSON and the Markdown keep, and which a labels-only draft would."""
    assert played.draft is not None
    quotes = _draft_quotes(played.draft)
    texts = {_norm(q.text) for q in quotes}
    ids = {q.input_id for q in quotes}
    markdown = played.markdown.casefold()
    labels = {_norm(t.label).casefold() for t in played.draft.themes}
    labels |= {_norm(n.name).casefold() for n in (*played.draft.influential_actors, *played.draft.aggregation_points)}
    out: dict[str, Any] = {"json": 0, "markdown": 0, "both": 0, "ids": 0, "labels_only": 0, "missing": []}
    for row in rows:
        text = _norm(row.text)
        in_json = text in texts
        in_md = any(form.casefold() in markdown for form in md_forms(text))
        out["json"] += in_json
        out["markdown"] += in_md
        out["both"] += in_json and in_md
        out["ids"] += row.id in ids
        out["labels_only"] += text.casefold() in labels
        if not (in_json and in_md):
            out["missing"].append({"id": row.id, "text": row.text, "json": in_json, "markdown": in_md})
    return out


def redo_capture(extractor: Any, answers: list[Delivered]) -> list[tuple[str, InputKind]]:
    """The same answers through another extractor, with the engine's rules (bot.engine.interview.on_answer)."""
    data = interview_data()
    kinds = expected_kinds()
    out: list[tuple[str, InputKind]] = []
    for answer in answers:
        text = answer.text
        if data.control(text) is not None or data.is_dont_know(text) or extractor.is_question(text):
            continue
        found = [item.kind for item in extractor.extract(text, question=answer.topic)]
        if not found and not data.is_vague(text):
            found = [kinds[answer.topic]]
        out += [(answer.topic, kind) for kind in found]
    return out


def counts(db: Any, plan_id: int, draft: Draft) -> dict[str, Any]:
    """The draft's counts beside SQL's."""
    with db.session() as session:
        members = {m.person_id: m for m in session.scalars(select(Membership).where(Membership.plan_id == plan_id))}
        rows = list(session.scalars(select(StoredInput).where(StoredInput.plan_id == plan_id)))
        people = {pid for pid, m in members.items() if m.role == "stakeholder" and m.consented_at is not None}
        people |= {r.person_id for r in rows if getattr(members.get(r.person_id), "role", None) != "notes"}
        per_kind: dict[str, tuple[int, int]] = {}
        for kind in sorted({r.kind for r in rows}):
            mine = [r for r in rows if r.kind == kind]
            per_kind[kind] = (len(mine), len({r.person_id for r in mine}))
    sql = {"participants": len(people), "inputs": len(rows), "by_kind": per_kind}
    shown = {
        "participants": draft.gathering.people,
        "inputs": draft.gathering.inputs,
        "by_kind": {k.kind: (k.inputs, k.people) for k in draft.gathering.by_kind},
    }
    return {"match": sql == shown, "sql": sql, "draft": shown}


def _unanswered(draft: Draft) -> str | None:
    """The part of the draft's plan check that names the top constraint themes no initiative answers ("" when
    it names none; None when the draft has no such check)."""
    row = next((r for r in draft.plan_check if r.id == "themes_answered"), None)
    if row is None:
        return None
    found = _MISSING.search(row.explanation.strip())
    return found.group(1) if found else ""


def contradictions(services: Any, played: PlayedPlan) -> dict[str, Any]:
    """Top constraint themes the plan check calls unanswered, against /summary's rule, the stored-ids rule and
    the draft's own "answers" lists."""
    assert played.draft is not None
    db, embeddings = services.db, services.embeddings
    cluster = services.engine.providers.cluster
    if cluster is None:
        from bot.themes import cluster
    with db.session() as session:
        material = material_for(session, played.plan_id, lambda items: cluster(items, embeddings))
        stored = list(
            session.scalars(select(StoredInput).where(StoredInput.plan_id == played.plan_id).order_by(StoredInput.id))
        )
        items = [
            ThemeItem(id=r.id, person_id=r.person_id, kind=r.kind, text=r.text, vector=unpack_vector(r.vector))
            for r in stored
        ]
        accepted = list(
            session.scalars(
                select(InitiativeRow)
                .where(InitiativeRow.plan_id == played.plan_id, InitiativeRow.status == "accepted")
                .order_by(InitiativeRow.id)
            )
        )
        initiatives = [(r.title or "", r.text or "") for r in accepted]
        stored_ids = {int(i) for r in accepted for i in (r.answers or []) if str(i).isdigit()}
    # /summary: the stored vectors clustered, the constraint themes ranked, `answering` over all of them
    themes = [t for t in cluster(items, embeddings) if t.kind == InputKind.constraint.value]
    ranked = sorted(themes, key=lambda th: (-len(set(th.person_ids)), -len(th.item_ids)))
    links = answering([t.item_ids for t in ranked], items, initiatives, embeddings) if initiatives else []
    answered_ids = [set(t.item_ids) for t, found in zip(ranked, links, strict=True) if found]
    missing = _unanswered(played.draft)
    listed = {a for i in played.draft.initiatives if i.accepted for a in i.answers}
    label_of = {q.input_id: t.label for t in played.draft.themes for q in t.quotes}
    out: dict[str, Any] = {"summary_rule": 0, "ids_rule": 0, "listed": 0, "disagreements": 0, "themes": []}
    for theme in material.ranked(InputKind.constraint)[:TOP_THEMES]:
        ids = set(theme.input_ids)
        said_unanswered = missing is not None and theme.label in missing
        by_summary = any(ids == group for group in answered_ids) or (
            not any(ids == set(t.item_ids) for t in ranked) and any(ids & group for group in answered_ids)
        )
        by_ids = bool(ids & stored_ids)
        in_list = any(label_of.get(i) in listed for i in ids)
        out["summary_rule"] += said_unanswered and by_summary
        out["ids_rule"] += said_unanswered and by_ids
        out["listed"] += said_unanswered and in_list
        out["disagreements"] += said_unanswered == by_summary
        out["themes"].append(
            {
                "label": theme.label,
                "plan_check_unanswered": said_unanswered,
                "summary_answered": by_summary,
                "ids_answered": by_ids,
                "listed_in_draft": in_list,
            }
        )
    return out


def slots(played: PlayedPlan, texts: dict[int, str]) -> dict[str, Any]:
    """Clean "who leads" and "where" values of the stored proposals, and of their first source input pasted."""
    good = values = raw_good = 0
    bad: list[str] = []
    for proposed in played.proposed:
        raw = proposed.get("fields")
        if not isinstance(raw, dict):
            continue
        fields = ProposalFields.model_validate(raw)
        ok, n = proposals.clean_slots(SimpleNamespace(fields=fields))  # type: ignore[arg-type]
        good, values = good + ok, values + n
        for name in NOUN_PHRASE_FIELDS:
            slot = getattr(fields, name)
            if not slot.value:
                continue
            if not phrases.is_clean_noun_phrase(slot.value):
                bad.append(f"{name}: {slot.value}")
            source = texts.get(slot.sources[0], "") if slot.sources else ""
            raw_good += phrases.is_clean_noun_phrase(source)
    return {"good": good, "values": values, "raw_good": raw_good, "not_clean": bad}


def evidence_checks(played: PlayedPlan, stored: list[StoredInput]) -> dict[str, int]:
    """Over the stored proposals: met criteria whose evidence is a sentence of a field that speaks to them, those
    with no criterion met while its field is left to settle, and those listing a place as an actor
    (`evals.suites.proposals`' rules)."""
    out = {"evidence_good": 0, "evidence_met": 0, "settle_consistent": 0, "place_actors": 0}
    built = [
        (p, ProposalFields.model_validate(p["fields"])) for p in played.proposed if isinstance(p.get("fields"), dict)
    ]
    places = {" ".join(f.where.value.split()).casefold() for _, f in built if f.where.value}
    places |= {" ".join(r.text.split()).casefold() for r in stored if r.kind == InputKind.aggregation_point.value}
    for proposed, fields in built:
        good, met = proposals.evidence_in_scope(fields, proposed["criteria"])
        out["evidence_good"] += good
        out["evidence_met"] += met
        out["settle_consistent"] += not proposals.met_yet_to_settle(fields, proposed["criteria"])
        out["place_actors"] += bool(proposals.place_actors(proposed["actors"], places))
    return out


def run_plan_quality(services: Any, path: Path, cue_extractor: Any = None) -> SuiteResult:
    """`services`: a `Services` (its engine, db, drafts and embeddings are used)."""
    plans = load(path)
    engine, db, embeddings = services.engine, services.db, services.embeddings
    if cue_extractor is None:
        cue_extractor = _cue_only(embeddings)
    kinds = expected_kinds()
    known = proposals.known_words()
    totals = {
        "inputs": 0,
        "both": 0,
        "json": 0,
        "markdown": 0,
        "labels_only": 0,
        "captured": 0,
        "right_kind": 0,
        "cue_captured": 0,
        "cue_right": 0,
        "answers": 0,
        "answers_with_input": 0,
        "counts_ok": 0,
        "contradictions": 0,
        "ids_rule": 0,
        "listed": 0,
        "disagreements": 0,
        "slot_good": 0,
        "slot_values": 0,
        "slot_raw_good": 0,
        "accepted": 0,
        "titles": 0,
        "titles_ok": 0,
        "not_recommended_proposals": 0,
        "plans_with_not_recommended": 0,
        "evidence_good": 0,
        "evidence_met": 0,
        "settle_consistent": 0,
        "place_actors": 0,
    }
    details: list[dict[str, Any]] = []
    for row in plans:
        played = interview(engine, row)
        accept_one(engine, row, played)
        export(services.drafts, played)
        assert played.draft is not None
        stored = _rows(db, played.plan_id)
        kept = in_draft(stored, played)
        totals["inputs"] += len(stored)
        for key in ("both", "json", "markdown", "labels_only"):
            totals[key] += kept[key]
        captured = [r for r in stored if r.question in kinds]
        wrong = [r for r in captured if r.kind != kinds[r.question].value]
        totals["captured"] += len(captured)
        totals["right_kind"] += len(captured) - len(wrong)
        spoken = [a for a in played.answers if interview_data().control(a.text) != SKIP]
        totals["answers"] += len(spoken)
        totals["answers_with_input"] += sum(a.inputs > 0 for a in spoken)
        redone = redo_capture(cue_extractor, spoken)
        totals["cue_captured"] += len(redone)
        totals["cue_right"] += sum(kind is kinds[topic] for topic, kind in redone)
        counted = counts(db, played.plan_id, played.draft)
        totals["counts_ok"] += counted["match"]
        checked = contradictions(services, played)
        totals["contradictions"] += checked["summary_rule"]
        totals["ids_rule"] += checked["ids_rule"]
        totals["listed"] += checked["listed"]
        totals["disagreements"] += checked["disagreements"]
        slotted = slots(played, {r.id: r.text for r in stored})
        totals["slot_good"] += slotted["good"]
        totals["slot_values"] += slotted["values"]
        totals["slot_raw_good"] += slotted["raw_good"]
        totals["accepted"] += bool(played.accepted)
        said = [r.text for r in stored]
        titled = {p["title"]: proposals.title_problems(p["title"], said, known) for p in played.proposed}
        totals["titles"] += len(played.proposed)
        held_back = sum(p["verdict"] != Verdict.recommended.value for p in played.proposed)
        totals["not_recommended_proposals"] += held_back
        totals["plans_with_not_recommended"] += held_back > 0
        totals["titles_ok"] += sum(not titled[p["title"]] for p in played.proposed)
        evidence = evidence_checks(played, stored)
        for key in ("evidence_good", "evidence_met", "settle_consistent", "place_actors"):
            totals[key] += evidence[key]
        details.append(
            {
                "id": row["id"],
                "inputs": len(stored),
                "stored": [{"id": r.id, "question": r.question, "kind": r.kind, "text": r.text} for r in stored],
                "missing_from_draft": kept["missing"],
                "wrong_kind": [{"question": r.question, "kind": r.kind, "text": r.text} for r in wrong],
                "no_input": [{"question": a.topic, "text": a.text} for a in spoken if a.inputs == 0],
                "counts": counted,
                "themes_answered": checked["themes"],
                "plan_check": [r.model_dump(mode="json") for r in played.draft.plan_check],
                "proposals": [
                    {"title": p["title"], "verdict": p["verdict"], "title_problems": titled[p["title"]]}
                    for p in played.proposed
                ],
                "accepted": played.accepted,
                "slots_not_clean": slotted["not_clean"],
                "steps": played.steps,
            }
        )

    def share(part: float, whole: float) -> float:
        return part / whole if whole else 0.0

    t = totals
    metrics = {
        "inputs_in_draft": share(t["both"], t["inputs"]),
        "inputs_in_json": share(t["json"], t["inputs"]),
        "inputs_in_markdown": share(t["markdown"], t["inputs"]),
        "kind_given_question": share(t["right_kind"], t["captured"]),
        "answers_with_input": share(t["answers_with_input"], t["answers"]),
        "counts_match": share(t["counts_ok"], len(plans)),
        "plan_check_contradictions": float(t["contradictions"]),
        "listed_contradictions": float(t["listed"]),
        "plan_check_disagreements": float(t["disagreements"]),
        "clean_slot_share": share(t["slot_good"], t["slot_values"]),
        "title_ok_share": share(t["titles_ok"], t["titles"]),
        "non_recommended_share": share(t["not_recommended_proposals"], t["titles"]),
        "plans_with_non_recommended": share(t["plans_with_not_recommended"], len(plans)),
        "plans_with_accepted": share(t["accepted"], len(plans)),
        "evidence_in_scope_share": share(t["evidence_good"], t["evidence_met"]) if t["evidence_met"] else 1.0,
        "settle_consistent_share": share(t["settle_consistent"], t["titles"]),
        "place_actor_share": share(t["place_actors"], t["titles"]),
        "inputs_per_plan": share(t["inputs"], len(plans)),
    }
    baselines = {
        "labels_only": {"inputs_in_draft": share(t["labels_only"], t["inputs"])},
        "fallback_table": {"kind_given_question": 1.0},
        "cue_only": {"kind_given_question": share(t["cue_right"], t["cue_captured"])},
        "ids_rule": {"plan_check_contradictions": float(t["ids_rule"])},
        "raw_input": {"clean_slot_share": share(t["slot_raw_good"], t["slot_values"])},
    }
    return SuiteResult(
        suite=SUITE,
        dataset=str(path),
        cases=len(plans),
        metrics=rounded(metrics),
        baselines={name: rounded(values) for name, values in baselines.items()},
        details={"plans": details, "counted": dict(totals)},
    )


def _cue_only(embeddings: Embeddings) -> Any:
    from bot.capture import OfflineExtractor

    return OfflineExtractor(embeddings, heads=None)


def run(context: Any, path: Path) -> SuiteResult:
    """The runner's entry: a fresh composition root for this suite (with `--llm`, its engine uses the model and
    the LLM calls are counted per use, as in the other engine suites)."""
    built = context.services(SUITE)
    if not context.uses_llm:
        return run_plan_quality(built, path)
    from evals.runner import _services_stats, _with_llm_stats

    before = _services_stats(built)
    result = run_plan_quality(built, path)
    return _with_llm_stats(result, _services_stats(built) - before)


__all__ = ["SUITE", "load", "run", "run_plan_quality"]
