"""Terminal adapters: a line typed in the terminal becomes an `Incoming`; numbered options pick choices.

`TranscriptAdapter` feeds lines and collects replies, for tests and scripted demos; `planbot chat`
renders the same replies with rich.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from bot.engine import Engine, Incoming, Person, Reply
from bot.engine.models import Choice


def parse_line(line: str, choices: list[Choice], source_id: str | None = None, edited: bool = False) -> Incoming:
    """ "/cmd args" is a command; a number picks the numbered option last shown; anything else is text."""
    stripped = line.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not edited:
        name, _, args = stripped[1:].partition(" ")
        return Incoming(command=name, args=args.strip(), source_id=source_id)
    if stripped.isdigit() and choices and 1 <= int(stripped) <= len(choices) and not edited:
        return Incoming(choice=choices[int(stripped) - 1].data, source_id=source_id)
    return Incoming(text=line, source_id=source_id, edited=edited)


@dataclass
class TranscriptAdapter:
    """A collecting adapter: send lines as one person, keep every reply, remember the options offered."""

    engine: Engine
    person: Person
    transcript: list[tuple[str, str]] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    outbox: list[Reply] = field(default_factory=list)  # replies the engine addressed to other people
    _prefix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _count: int = 0

    def next_source_id(self) -> str:
        self._count += 1
        return f"{self._prefix}-{self._count}"

    def send(self, line: str, source_id: str | None = None, edited: bool = False) -> list[Reply]:
        incoming = parse_line(line, self.choices, source_id or self.next_source_id(), edited)
        return self.deliver(incoming, line)

    def tap(self, label: str) -> list[Reply]:
        """Picks the offered option whose label contains `label` (case-insensitive)."""
        for choice in self.choices:
            if label.casefold() in choice.label.casefold():
                return self.deliver(Incoming(choice=choice.data, source_id=self.next_source_id()), choice.label)
        raise AssertionError(f"no option {label!r} among {[c.label for c in self.choices]}")

    def deliver(self, incoming: Incoming, shown: str = "") -> list[Reply]:
        replies = self.engine.handle(self.person, incoming)
        self.transcript.append((self.person.key, shown))
        own = [reply for reply in replies if reply.to is None]
        for reply in replies:
            self.transcript.append(("planbot" if reply.to is None else f"planbot to {reply.to}", reply.text))
        self.outbox.extend(reply for reply in replies if reply.to is not None)
        if own:
            self.choices = [choice for reply in own for choice in reply.choices]
        return replies

    @property
    def last_text(self) -> str:
        for speaker, text in reversed(self.transcript):
            if speaker == "planbot":
                return text
        return ""

    def text_of(self, replies: list[Reply]) -> str:
        return "\n".join(reply.text for reply in replies)
