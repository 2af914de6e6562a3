"""A plan played through the engine's transcript adapter: a facilitator opens it, stakeholders join it."""

from __future__ import annotations

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.services import Services


def open_plan(services: Services) -> tuple[TranscriptAdapter, str]:
    """A facilitator's new coastal tourism plan, and its stakeholder invite code."""
    facilitator = TranscriptAdapter(services.engine, Person(key="cli:fatma"))
    facilitator.send("/newplan Coastal tourism")
    facilitator.send("tourism")
    replies = facilitator.send("North coast")
    code = next(line.split()[-1] for r in replies for line in r.text.splitlines() if line.startswith("stakeholders:"))
    return facilitator, code


def join_stakeholder(services: Services, name: str, code: str) -> TranscriptAdapter:
    """A small producer who consents and skips the organisation question: the interview's first topic is next."""
    person = TranscriptAdapter(services.engine, Person(key=f"cli:{name}"))
    person.send(f"/start {code}")
    for label in ("I agree", "Producer", "Small (5-19)", "Skip"):
        person.tap(label)
    return person
