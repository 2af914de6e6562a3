"""Small behavioural fakes of the Extractor and Answerer protocols, so the engine is tested on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.embeddings import Embeddings

from bot.domain import Answer, CapturedInput, Citation, InputKind
from bot.themes import Theme, ThemeItem

# A few keywords per kind; the first that matches a sentence decides its kind.
_RULES: list[tuple[InputKind, tuple[str, ...]]] = [
    (InputKind.influential_actor, ("chief", "lead farmer", "leader", "everybody follow", "listen to")),
    (InputKind.aggregation_point, ("market", "bank", "cooperative", "co-op", "collection centre")),
    (InputKind.idea, ("together", "joint", "we should", "we could", "idea")),
    (InputKind.opportunity, ("demand", "opportunity", "tourists want", "export")),
    (InputKind.constraint, ("bad", "no ", "lack", "expensive", "low", "hard", "problem", "broken")),
]
_SENTENCE = re.compile(r"[^.;!\n]+")


class KeywordExtractor:
    """Splits on sentence marks and classifies by keyword; records the questions it was asked with."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def extract(self, text: str, question: str | None = None) -> list[CapturedInput]:
        self.calls.append((text, question))
        found = []
        for part in _SENTENCE.findall(text):
            sentence = part.strip()
            lowered = f" {sentence.casefold()} "
            for kind, words in _RULES:
                if any(word in lowered for word in words):
                    found.append(CapturedInput(kind=kind, text=sentence, summary=sentence[:60], confidence=0.8))
                    break
        return found

    def is_question(self, text: str) -> bool:
        return text.strip().endswith("?")


class FakeAnswerer:
    """Answers with a citation naming the plan it was scoped to, so leaks across plans would show."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int | None]] = []

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        self.asked.append((question, plan_id))
        citation = Citation(
            document="Upgrading plan guidance",
            section="3.3.2. Upgrading Plan",
            chunk_id="guidance-1",
            quote="Offer benefits in the near term to maintain stakeholder commitment.",
            score=0.9,
        )
        return Answer(answer="The guidance says to offer near-term benefits.", covered=True, citations=[citation])


def group_by_first_word(items: Sequence[ThemeItem], embeddings: Embeddings) -> list[Theme]:
    """A local stand-in for bot.themes.cluster: same kind and same first two words make one theme."""
    groups: dict[tuple[str, str], list[ThemeItem]] = {}
    for item in sorted(items, key=lambda i: i.id):
        key = (item.kind, " ".join(item.text.casefold().split()[:2]))
        groups.setdefault(key, []).append(item)
    themes = [
        Theme(
            kind=kind,
            label=members[0].text[:60],
            item_ids=[m.id for m in members],
            person_ids=sorted({m.person_id for m in members}),
        )
        for (kind, _), members in groups.items()
    ]
    return sorted(themes, key=lambda t: (-len(t.person_ids), -len(t.item_ids), t.label))
