"""The offline proposer: the guidance's own initiative patterns filled in with a plan's words, then checked.

Pure: the same material gives the same proposals. Stakeholders' words go into the templates as data (the
template is never formatted from them), and every draft is checked by the guidance checker; a draft the
checker does not recommend at all is never proposed.
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.checker.judge import Checker
from bot.checker.models import GuidanceCitation, Scorecard
from bot.domain import SUPPORT_QUALITIES, InputKind, Status, Verdict
from bot.proposals.models import MaterialTheme, PlanMaterial, Proposal, ProposalAnswer
from bot.proposals.patterns import Pattern, PatternLibrary, Vocabulary, load_patterns

VERDICT_RANK = {Verdict.recommended: 0, Verdict.revise: 1, Verdict.not_recommended: 2}
PROBLEM_KINDS = (InputKind.constraint, InputKind.opportunity)
NAMED_SLOTS = ("actor", "point", "lender", "buyer")
LABEL_LIMIT = 80


def _clean(label: str) -> str:
    """A stakeholder's words, tidied to sit inside a sentence (never interpreted)."""
    words = " ".join(label.split()).strip().rstrip(".,;:!?")
    return words[:LABEL_LIMIT].strip()


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def _slot_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


@dataclass
class _Draft:
    pattern: Pattern
    title: str
    text: str
    themes: dict[str, MaterialTheme]
    fit: float
    scorecard: Scorecard | None = None
    used_problem: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def met(self) -> int:
        assert self.scorecard is not None
        return sum(1 for result in self.scorecard.criteria if result.status is Status.met)


class OfflineProposer:
    """Drafts initiatives from a plan's top themes, ideas and named players, using the pattern library."""

    def __init__(self, checker: Checker, embeddings: Embeddings, patterns: PatternLibrary | None = None) -> None:
        self.checker = checker
        self.embeddings = embeddings
        self.library = patterns or load_patterns()

    def propose(self, material: PlanMaterial) -> list[Proposal]:
        problems = material.ranked(*PROBLEM_KINDS)
        ideas = material.ranked(InputKind.idea)
        if not problems and not ideas:
            return []
        words = self.library.words_for(material.value_chain, material.name)
        named = self._named(material)
        fits = self._fits(problems, ideas)
        used: Counter[str] = Counter()
        proposals: list[Proposal] = []
        for pattern in self.library.patterns:
            if pattern.requires_any and not any(slot in named for slot in pattern.requires_any):
                continue
            drafts = self._drafts(pattern, problems, ideas, named, fits, material, words)
            chosen = self._choose(drafts, used)
            for draft in chosen:
                if "problem" in draft.themes:
                    used[draft.themes["problem"].label] += 1
                proposals.append(self._proposal(draft, material))
        return sorted(
            proposals,
            key=lambda p: (
                VERDICT_RANK[p.verdict],
                -sum(1 for r in p.scorecard.criteria if r.status is Status.met),
                -p.people,
            ),
        )

    # ---- slots ------------------------------------------------------------------------------------------

    def _named(self, material: PlanMaterial) -> dict[str, MaterialTheme]:
        """The named players for the slots: the most-named actor and point, the first lender and buyer."""
        actors = material.ranked(InputKind.influential_actor)
        points = material.ranked(InputKind.aggregation_point)
        named: dict[str, MaterialTheme] = {}
        if actors:
            named["actor"] = actors[0]
        if points:
            named["point"] = points[0]
        for slot in ("lender", "buyer"):
            match = next((p for p in points if self.library.slots.matches(slot, p.label)), None)
            if match is not None:
                named[slot] = match
        return named

    def _fits(self, problems: list[MaterialTheme], ideas: list[MaterialTheme]) -> dict[tuple[str, str], float]:
        """Cosine similarity of each problem theme to each pattern's fit sentences and to each idea theme."""
        patterns = [p for p in self.library.patterns if p.fits]
        texts = [t.label for t in problems] + [t.label for t in ideas] + [f for p in patterns for f in p.fits]
        if not texts or not problems:
            return {}
        vectors = _unit(np.asarray(self.embeddings.embed_documents(texts), dtype=float))
        n_problems, n_ideas = len(problems), len(ideas)
        problem_vectors = vectors[:n_problems]
        idea_vectors = vectors[n_problems : n_problems + n_ideas]
        scores: dict[tuple[str, str], float] = {}
        at = n_problems + n_ideas
        for pattern in patterns:
            fit_vectors = vectors[at : at + len(pattern.fits)]
            at += len(pattern.fits)
            best = (problem_vectors @ fit_vectors.T).max(axis=1)
            for theme, score in zip(problems, best, strict=True):
                scores[(pattern.id, theme.label)] = float(score)
        for idea, idea_vector in zip(ideas, idea_vectors, strict=True):
            similarity = problem_vectors @ idea_vector
            for theme, score in zip(problems, similarity, strict=True):
                scores[(f"idea:{idea.label}", theme.label)] = float(score)
        return scores

    # ---- drafts -----------------------------------------------------------------------------------------

    def _drafts(
        self,
        pattern: Pattern,
        problems: list[MaterialTheme],
        ideas: list[MaterialTheme],
        named: dict[str, MaterialTheme],
        fits: dict[tuple[str, str], float],
        material: PlanMaterial,
        words: Vocabulary,
    ) -> list[_Draft]:
        most = max((t.people for t in problems), default=1) or 1
        drafts: list[_Draft] = []
        if pattern.per_idea:
            for idea in ideas[: pattern.per_idea]:
                ranked = sorted(problems, key=lambda t: -fits.get((f"idea:{idea.label}", t.label), 0.0))
                options: list[MaterialTheme | None] = list(ranked[: self.library.candidates_per_pattern]) or [None]
                for problem in options:
                    themes = dict(named, idea=idea)
                    if problem is not None:
                        themes["problem"] = problem
                    fit = fits.get((f"idea:{idea.label}", problem.label), 0.0) if problem else 0.0
                    drafts.append(self._fill(pattern, themes, material, words, fit + idea.people / most))
            return drafts
        if not problems:
            return []
        ranked = sorted(problems, key=lambda t: -(fits.get((pattern.id, t.label), 0.0) + 0.2 * t.people / most))
        for problem in ranked[: self.library.candidates_per_pattern]:
            fit = fits.get((pattern.id, problem.label), 0.0) + 0.2 * problem.people / most
            drafts.append(self._fill(pattern, dict(named, problem=problem), material, words, fit))
        return drafts

    def _fill(
        self,
        pattern: Pattern,
        themes: dict[str, MaterialTheme],
        material: PlanMaterial,
        words: Vocabulary,
        fit: float,
    ) -> _Draft:
        values = {
            "producers": words.producers,
            "product": words.product,
            "buyers": words.buyers,
            "chain": _clean(material.value_chain) or "value",
            "region": _clean(material.region) or "the area",
        }
        values.update({slot: _clean(theme.label) for slot, theme in themes.items()})
        used: set[str] = set()
        sentences: list[str] = []
        for sentence in pattern.sentences:
            template = sentence.text
            if any(need not in themes for need in sentence.needs) or not _slot_names(template) <= set(values):
                template = sentence.otherwise or ""
                if not _slot_names(template) <= set(values):
                    continue
            if template:
                used |= _slot_names(template)
                sentences.append(_capital(template.format(**values)))
        title_template = next(
            (t for t in (pattern.title, pattern.title_otherwise) if t and _slot_names(t) <= set(values)),
            pattern.id.replace("_", " "),
        )
        used |= _slot_names(title_template)
        title = _capital(title_template.format(**values))
        kept = {slot: theme for slot, theme in themes.items() if slot in used}
        return _Draft(pattern=pattern, title=title, text=" ".join(sentences), themes=kept, fit=fit)

    def _choose(self, drafts: list[_Draft], used: Counter[str]) -> list[_Draft]:
        """The best checked draft per pattern (per idea for the idea pattern); never a not_recommended one."""
        for draft in drafts:
            draft.scorecard = self.checker.check(draft.text)
            draft.used_problem = used[draft.themes["problem"].label] if "problem" in draft.themes else 0
        groups: dict[str, list[_Draft]] = {}
        for draft in drafts:
            key = draft.themes["idea"].label if "idea" in draft.themes else draft.pattern.id
            groups.setdefault(key, []).append(draft)
        chosen = []
        for group in groups.values():
            fine = [d for d in group if d.scorecard is not None and d.scorecard.verdict is not Verdict.not_recommended]
            if fine:
                fine.sort(key=lambda d: (VERDICT_RANK[d.scorecard.verdict], d.used_problem, -d.met(), -d.fit))
                chosen.append(fine[0])
        return chosen

    def _proposal(self, draft: _Draft, material: PlanMaterial) -> Proposal:
        assert draft.scorecard is not None
        answers: list[ProposalAnswer] = []
        seen: set[int] = set()
        for theme in draft.themes.values():
            for input_id in theme.input_ids:
                item = material.input(input_id)
                if item is None or input_id in seen:
                    continue
                seen.add(input_id)
                answers.append(ProposalAnswer(input_id=input_id, kind=item.kind, text=item.text))
        people = {material.input(a.input_id).person_id for a in answers}  # type: ignore[union-attr]
        people.discard(None)
        actors: list[str] = []
        for slot in NAMED_SLOTS:
            if slot in draft.themes and _clean(draft.themes[slot].label) not in actors:
                actors.append(_clean(draft.themes[slot].label))
        qualities = [q for q in SUPPORT_QUALITIES if draft.scorecard.status(q) is Status.met]
        return Proposal(
            title=draft.title,
            text=draft.text,
            pattern=draft.pattern.id,
            qualities=qualities,
            answers=answers,
            actors=actors,
            scorecard=draft.scorecard,
            guidance=GuidanceCitation(document=self.library.document, quote=" ".join(draft.pattern.quote.split())),
            people=len(people) or sum(t.people for t in draft.themes.values()),
        )
