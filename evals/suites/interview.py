"""The interview suite: simulated stakeholders (personas) talk to the real engine via the terminal adapter.

Each persona joins its plan with a fresh invite, gives its profile, then sends its answers one per turn.
Measured: topic coverage (every topic asked and answered or skipped), turns needed, repeated questions,
exactly one follow-up per vague answer (the dataset marks which answers are vague), and a canary check:
a unique token is planted in each persona's first real answer; no reply to anyone else (other stakeholders
of the same plan, people of other plans, other plans' facilitators) may contain it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.engine.topics import interview_data
from bot.messages import catalogue
from bot.storage.models import Plan
from bot.storage.plan_models import StoredInput
from evals.suites.common import SuiteResult, read_rows, rounded

DEFAULT_PLAN = "main"
# After the interview every person tries these; what they receive is scanned for other people's canaries.
PROBES = ("/mine", "/summary", "/plans", "/help")


def _check(row: dict[str, Any]) -> str | None:
    data = interview_data()
    if row["role"] not in data.actor_types:
        return f"unknown role {row['role']!r} (roles are {', '.join(data.actor_types)})"
    if row["size"] not in data.sizes:
        return f"unknown size {row['size']!r} (sizes are {', '.join(data.sizes)})"
    answers = row["answers"]
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
        return "answers must be a non-empty list of non-empty strings"
    vague = row.get("vague", [])
    if not isinstance(vague, list) or any(not isinstance(i, int) or not 0 <= i < len(answers) for i in vague):
        return "vague must list indices of answers"
    if not isinstance(row.get("traits", []), list):
        return "traits must be a list"
    return None


def load(path: Path) -> list[dict[str, Any]]:
    return read_rows(path, required=("id", "role", "size", "answers"), check=_check)


def canary_for(persona_id: str) -> str:
    """A token no text would contain by chance, stable per persona."""
    return "qz" + hashlib.sha1(persona_id.encode()).hexdigest()[:10]


@dataclass
class _Talk:
    """One persona's conversation, as the suite observed it."""

    persona: dict[str, Any]
    adapter: TranscriptAdapter
    canary: str | None = None
    asked: set[int] = field(default_factory=set)
    passed: set[int] = field(default_factory=set)
    turns_needed: int | None = None
    repeats: list[dict[str, Any]] = field(default_factory=list)
    episodes: int = 0
    good_followups: int = 0
    unneeded_followups: int = 0
    plain_answers: int = 0
    joined: bool = False
    problems: list[str] = field(default_factory=list)


class _Signals:
    """Recognises the engine's question, follow-up and end-of-interview replies from the message catalogue."""

    def __init__(self) -> None:
        msg = catalogue()
        head = re.escape(msg.raw("interview.progress")).replace(r"\{n\}", r"(\d+)").replace(r"\{total\}", r"\d+")
        self.progress = re.compile(head)
        self.followup = msg.text("interview.followup").strip()
        self.done = " ".join(msg.text("interview.done").split())
        self.data = interview_data()
        self.total = len(self.data.topics)

    def asked(self, text: str) -> int | None:
        found = self.progress.findall(text)
        return int(found[-1]) if found else None

    def is_followup(self, text: str) -> bool:
        return text.strip().endswith(self.followup) and self.progress.search(text) is None

    def is_done(self, text: str) -> bool:
        return self.done in " ".join(text.split())

    def exempt(self, line: str) -> bool:
        """Lines after which asking the same question again is right: a control, a command, a question."""
        stripped = line.strip()
        return stripped.startswith("/") or stripped.endswith("?") or self.data.control(stripped) is not None


def _first_real_answer(persona: dict[str, Any], signals: _Signals) -> int | None:
    vague = set(persona.get("vague", []))
    for index, answer in enumerate(persona["answers"]):
        if index not in vague and not signals.exempt(answer):
            return index
    return None


def _join(talk: _Talk, code: str, signals: _Signals) -> int | None:
    msg = catalogue()
    persona, adapter = talk.persona, talk.adapter
    try:
        adapter.send(f"/start {code}")
        adapter.tap(msg.text("engine.consent_agree"))
        adapter.tap(msg.text(f"engine.actor_types.{persona['role']}"))
        adapter.tap(msg.text(f"engine.sizes.{persona['size']}"))
        replies = adapter.tap(msg.text("engine.org_skip"))
    except AssertionError as exc:  # an option the engine did not offer
        talk.problems.append(f"could not join: {exc}")
        return None
    first = signals.asked(adapter.text_of(replies))
    if first is None:
        talk.problems.append("no first question after the profile")
        return None
    talk.joined = True
    talk.asked.add(first)
    return first


def _interview(talk: _Talk, current: int, signals: _Signals) -> None:
    persona, adapter = talk.persona, talk.adapter
    vague = set(persona.get("vague", []))
    plant_at = _first_real_answer(persona, signals)
    in_followup = False
    open_episode = False
    done = False
    for index, answer in enumerate(persona["answers"]):
        line = f"{talk.canary} {answer}" if talk.canary and index == plant_at else answer
        text = adapter.text_of(adapter.send(line))
        followup = signals.is_followup(text)
        asked = signals.asked(text)
        if open_episode:  # the answer after a follow-up must not get a second one
            talk.good_followups += not followup
            open_episode = False
        if done:
            continue
        if index in vague and not in_followup:
            talk.episodes += 1
            if followup:
                open_episode = True
        elif followup and index not in vague:
            talk.unneeded_followups += 1
        if index not in vague and not signals.exempt(answer):
            talk.plain_answers += 1
        if signals.is_done(text):
            talk.passed.update(range(current, signals.total + 1))
            talk.turns_needed = index + 1
            done = True
            continue
        if followup:
            in_followup = True
            continue
        if asked is None:
            continue
        in_followup = False
        if asked <= current and not signals.exempt(answer):
            talk.repeats.append({"turn": index, "said": answer, "asked_again": asked})
        if asked > current:
            talk.passed.update(range(current, asked))
        talk.asked.add(asked)
        current = asked
    if open_episode:
        talk.good_followups += 1
    if not done:
        talk.problems.append(f"the interview did not finish in {len(persona['answers'])} answers")


def run_interview(services: Any, path: Path) -> SuiteResult:
    """Runs every persona of `path` on `services.engine` (a fresh data dir: real SQLite, the real model)."""
    personas = load(path)
    signals = _Signals()
    engine = services.engine
    received: dict[str, list[str]] = {}
    talks: list[_Talk] = []
    facilitators: dict[str, TranscriptAdapter] = {}

    def adapter_for(key: str, name: str) -> TranscriptAdapter:
        adapter = TranscriptAdapter(engine, Person(key=key, display_name=name))
        received.setdefault(key, [])
        return adapter

    plan_ids: dict[str, int] = {}
    for persona in personas:
        plan = persona.get("plan", DEFAULT_PLAN)
        if plan not in plan_ids:
            facilitator = adapter_for(f"eval:facilitator:{plan}", f"Facilitator {plan}")
            facilitator.send(f"/newplan {plan}")
            facilitator.send(persona.get("chain", "value chain"))
            facilitator.send("eval region")
            with services.db.session() as session:
                plan_ids[plan] = session.scalar(select(Plan.id).where(Plan.name == plan).order_by(Plan.id.desc()))
            facilitators[plan] = facilitator
        talk = _Talk(persona=persona, adapter=adapter_for(f"eval:persona:{persona['id']}", persona["id"]))
        talk.canary = canary_for(persona["id"])
        first = _join(talk, engine.enrol(plan_ids[plan], "stakeholder"), signals)
        if first is not None:
            _interview(talk, first, signals)
        talks.append(talk)

    for talk in talks:
        for probe in PROBES:
            talk.adapter.send(probe)
    for facilitator in facilitators.values():
        facilitator.send("/summary")

    adapters = [t.adapter for t in talks] + list(facilitators.values())
    for adapter in adapters:
        received[adapter.person.key] = [text for speaker, text in adapter.transcript if speaker == "planbot"]

    owners = {t.canary: t for t in talks if t.canary}
    leaks: list[dict[str, str]] = []
    for key, texts in received.items():
        blob = "\n".join(texts)
        for token, owner in owners.items():
            allowed = {
                owner.adapter.person.key,
                f"eval:facilitator:{owner.persona.get('plan', DEFAULT_PLAN)}",
            }
            if key not in allowed and token in blob:
                leaks.append({"token_of": owner.persona["id"], "seen_by": key})

    with services.db.session() as session:
        stored = {
            token
            for token in owners
            if session.scalar(select(StoredInput.id).where(StoredInput.text.contains(token)).limit(1)) is not None
        }
    facilitator_sees = {
        token
        for token, owner in owners.items()
        if token in "\n".join(received[f"eval:facilitator:{owner.persona.get('plan', DEFAULT_PLAN)}"])
    }

    total = signals.total
    finished = [t for t in talks if t.turns_needed is not None]
    covered = sum(len(t.asked & t.passed & set(range(1, total + 1))) for t in talks)
    episodes = sum(t.episodes for t in talks)
    plain = sum(t.plain_answers for t in talks)
    metrics = {
        "topic_coverage": covered / (total * len(talks)),
        "completion_rate": len(finished) / len(talks),
        "mean_turns_needed": sum(t.turns_needed or 0 for t in finished) / len(finished) if finished else 0.0,
        "repeated_questions": float(sum(len(t.repeats) for t in talks)),
        "vague_followup_rate": sum(t.good_followups for t in talks) / episodes if episodes else 1.0,
        "unneeded_followup_rate": sum(t.unneeded_followups for t in talks) / plain if plain else 0.0,
        "canary_leaks": float(len(leaks)),
        "canaries_stored": len(stored) / len(owners) if owners else 0.0,
    }
    fixed_form = {  # a paper form: one line per topic, never a follow-up
        "topic_coverage": 1.0,
        "completion_rate": 1.0,
        "mean_turns_needed": float(total),
        "repeated_questions": 0.0,
        "vague_followup_rate": 0.0,
        "unneeded_followup_rate": 0.0,
    }
    per_persona = {
        t.persona["id"]: {
            "plan": t.persona.get("plan", DEFAULT_PLAN),
            "traits": t.persona.get("traits", []),
            "turns_needed": t.turns_needed,
            "topics_covered": len(t.asked & t.passed),
            "vague_answers": t.episodes,
            "good_followups": t.good_followups,
            "unneeded_followups": t.unneeded_followups,
            "repeats": t.repeats,
            "problems": t.problems,
        }
        for t in talks
    }
    transcripts = {
        t.persona["id"]: [f"{'>' if s != 'planbot' else '<'} {x[:200]}" for s, x in t.adapter.transcript]
        for t in talks
        if t.problems or t.repeats or t.unneeded_followups or t.good_followups < t.episodes
    }
    return SuiteResult(
        suite="interview",
        dataset=str(path),
        cases=len(talks),
        metrics=rounded(metrics),
        baselines={"fixed_form": fixed_form},
        details={
            "plans": len(plan_ids),
            "vague_answers": episodes,
            "canaries": len(owners),
            "canaries_facilitator_sees": len(facilitator_sees),
            "leaks": leaks,
            "personas": per_persona,
            "transcripts": transcripts,
        },
    )
