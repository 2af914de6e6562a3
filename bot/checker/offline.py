"""The offline checker: the rubric's cues, light parsing and the packaged embeddings; no LLM, no network.

Deterministic and explainable: every status comes with the sentence that decided it. Injected instructions
are removed before anything is read, so they neither add nor remove evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.checker.models import CriterionResult, FollowUp, GuidanceCitation, Initiative, ScopedText, Scorecard
from bot.checker.parsing import Parser
from bot.checker.rubric import CriterionSpec, Rubric, compile_cue, load_rubric
from bot.checker.verdict import decide_verdict
from bot.domain import CriterionId, Status
from bot.errors import PlanbotError
from bot.learning.heads import PACKAGED, HeadSet, LazyHeads
from bot.messages import catalogue

HEADS_TASK = "checker"
# The classes of a criterion head, in the order training writes them.
HEAD_CLASSES = ("none", Status.met.value, Status.not_met.value)


@dataclass
class _Hits:
    """Sentences (by index) where each kind of signal fired for one criterion."""

    met: list[int] = field(default_factory=list)
    not_met: list[int] = field(default_factory=list)
    overrides: list[int] = field(default_factory=list)


@dataclass
class _Compiled:
    spec: CriterionSpec
    met: list
    not_met: list
    overrides: list
    met_vectors: np.ndarray
    not_met_vectors: np.ndarray


class OfflineChecker:
    """Checks an initiative (free text or structured) against the eight guidance criteria.

    With the trained heads (the default, when they fit the embedding model) each criterion is decided by a
    learned three-way head on every sentence's vector and cue signals; without them (`heads=None`, or another
    embedding model) by the rubric's cues and prototypes alone: the keyword baseline of the evals.
    """

    def __init__(self, embeddings: Embeddings, rubric: Rubric | None = None, heads: object = PACKAGED) -> None:
        self.embeddings = embeddings
        self.rubric = rubric or load_rubric()
        self.parser = Parser(self.rubric.lexicon)
        self._compiled: dict[CriterionId, _Compiled] | None = None
        self._heads = LazyHeads(HEADS_TASK, embeddings, heads)

    @property
    def heads(self) -> HeadSet | None:
        """The learned heads in use, or None (cue-only); resolved on first use, as it needs one embedding."""
        return self._heads.value

    def _criteria(self) -> dict[CriterionId, _Compiled]:
        """Cue patterns and prototype vectors, built once per checker (one embedding batch)."""
        if self._compiled is None:
            texts: list[str] = []
            for spec in self.rubric.criteria:
                texts += spec.examples.met + spec.examples.not_met
            vectors = np.asarray(self.embeddings.embed_documents(texts), dtype=float) if texts else None
            compiled: dict[CriterionId, _Compiled] = {}
            at = 0
            for spec in self.rubric.criteria:
                n_met, n_not = len(spec.examples.met), len(spec.examples.not_met)
                assert vectors is not None or n_met + n_not == 0
                compiled[spec.id] = _Compiled(
                    spec=spec,
                    met=[compile_cue(p) for p in spec.cues.met],
                    not_met=[compile_cue(p) for p in spec.cues.not_met],
                    overrides=[compile_cue(p) for p in spec.cues.overrides],
                    met_vectors=vectors[at : at + n_met] if n_met else np.zeros((0, 1)),
                    not_met_vectors=vectors[at + n_met : at + n_met + n_not] if n_not else np.zeros((0, 1)),
                )
                at += n_met + n_not
            self._compiled = compiled
        return self._compiled

    def check(self, initiative: Initiative | str) -> Scorecard:
        text = render_initiative(initiative) if isinstance(initiative, Initiative) else initiative
        if not isinstance(text, str) or not text.strip():
            raise PlanbotError(catalogue().text("checker.empty_text"))
        sentences, scopes = self._scoped_sentences(text)
        criteria = self._criteria()
        vectors = np.asarray(self.embeddings.embed_documents(sentences), dtype=float) if sentences else np.zeros((0, 1))
        structured = _structured_statuses(initiative, self.rubric) if isinstance(initiative, Initiative) else {}
        heads = self.heads
        signals = self.signals(sentences) if heads is not None else {}
        results: list[CriterionResult] = []
        for criterion_id, compiled in criteria.items():
            strength: float | None = None
            if criterion_id in structured:
                (status, evidence), strength = structured[criterion_id], 1.0
            elif heads is not None:
                status, evidence, strength = self._learned(
                    heads, criterion_id, sentences, vectors, signals[criterion_id], _allowed(scopes, criterion_id)
                )
            else:
                status, evidence = self._decide(compiled, sentences, vectors, _allowed(scopes, criterion_id))
            results.append(
                CriterionResult(
                    id=criterion_id,
                    status=status,
                    evidence=evidence if status is not Status.unclear else None,
                    citation=GuidanceCitation(document=self.rubric.document, quote=compiled.spec.quote_for(status)),
                    strength=strength,
                )
            )
        verdict = decide_verdict({r.id: r.status for r in results})
        questions = [
            FollowUp(criterion=r.id, question=criteria[r.id].spec.question)
            for r in results
            if r.status is Status.unclear
        ]
        return Scorecard(verdict=verdict, criteria=results, questions=questions)

    def _scoped_sentences(self, text: str) -> tuple[list[str], list[frozenset[CriterionId] | None]]:
        """The clean sentences and, for each, the criteria it may decide (None: any). Free text is one part
        with no scope, so it is read exactly as it always was."""
        if not isinstance(text, ScopedText):
            sentences = self.parser.clean_sentences(text)
            return sentences, [None] * len(sentences)
        sentences, scopes = [], []
        for part, scope in text.parts:
            for sentence in self.parser.clean_sentences(part):
                sentences.append(sentence)
                scopes.append(scope)
        return sentences, scopes

    def signals(self, sentences: list[str]) -> dict[CriterionId, np.ndarray]:
        """Per criterion, each sentence's cue signals (met cue, not_met cue, override): the heads' cue features."""
        out: dict[CriterionId, np.ndarray] = {}
        for criterion_id, compiled in self._criteria().items():
            hits = self._cue_hits(compiled, sentences)
            self._parsed_hits(criterion_id, sentences, hits)
            flags = np.zeros((len(sentences), 3))
            for column, indices in enumerate((hits.met, hits.not_met, hits.overrides)):
                flags[sorted(set(indices)), column] = 1.0
            out[criterion_id] = flags
        return out

    def _learned(
        self,
        heads: HeadSet,
        criterion: CriterionId,
        sentences: list[str],
        vectors: np.ndarray,
        flags: np.ndarray,
        allowed: np.ndarray | None = None,
    ) -> tuple[Status, str | None, float]:
        """The head's probabilities per sentence; the strongest sentence past a tuned threshold decides.

        Every sentence is read (the features are the same as for free text); only the sentences `allowed` to
        speak to this criterion may decide it. Also returns the decision's strength: how far the deciding
        probability cleared its threshold."""
        if not sentences or (allowed is not None and not allowed.any()):
            return Status.unclear, None, 0.0
        head = heads.heads[criterion.value]
        probabilities = head.probabilities(sentence_features(vectors, flags, np.zeros(len(sentences), dtype=int)))
        thresholds = heads.meta["thresholds"][criterion.value]
        met = probabilities[:, head.classes.index(Status.met.value)]
        not_met = probabilities[:, head.classes.index(Status.not_met.value)]
        if allowed is not None:  # a sentence out of scope never decides (probabilities are at least 0)
            met, not_met = np.where(allowed, met, -1.0), np.where(allowed, not_met, -1.0)
        best_met, best_not = int(np.argmax(met)), int(np.argmax(not_met))
        t_met, t_not = thresholds["met"], thresholds["not_met"]
        if not_met[best_not] >= t_not and not_met[best_not] >= met[best_met]:
            return Status.not_met, sentences[best_not], float(not_met[best_not] - t_not)
        if met[best_met] >= t_met:
            return Status.met, sentences[best_met], float(met[best_met] - t_met)
        if not_met[best_not] >= t_not:
            return Status.not_met, sentences[best_not], float(not_met[best_not] - t_not)
        return Status.unclear, None, float(min(t_met - met[best_met], t_not - not_met[best_not]))

    def _cue_hits(self, compiled: _Compiled, sentences: list[str]) -> _Hits:
        hits = _Hits()
        for index, sentence in enumerate(sentences):
            if any(p.search(sentence) for p in compiled.not_met):
                hits.not_met.append(index)
            if any(p.search(sentence) for p in compiled.overrides):
                hits.overrides.append(index)
            for pattern in compiled.met:
                match = next(
                    (m for m in pattern.finditer(sentence) if not self.parser.is_negated(sentence, m.start())),
                    None,
                )
                if match:
                    hits.met.append(index)
                    break
        return hits

    def _parsed_hits(self, criterion: CriterionId, sentences: list[str], hits: _Hits) -> None:
        """What light parsing adds: times to months, a single named enterprise."""
        lexicon = self.rubric.lexicon
        if criterion is CriterionId.near_term_benefits:
            for index, sentence in enumerate(sentences):
                if not self.parser.speaks_of_benefit(sentence):
                    continue
                months = [t.months for t in self.parser.time_mentions(sentence)]
                if months and min(months) <= lexicon.near_term_max_months:
                    hits.met.append(index)
                elif months and min(months) >= lexicon.long_term_min_months:
                    hits.not_met.append(index)
        elif criterion is CriterionId.industry_wide and not hits.met and not hits.overrides:
            named = [index for index, sentence in enumerate(sentences) if self.parser.enterprises(sentence)]
            names = {name for s in sentences for name in self.parser.enterprises(s)}
            if len(names) == 1:
                hits.not_met.extend(named)

    def _decide(
        self, compiled: _Compiled, sentences: list[str], vectors: np.ndarray, allowed: np.ndarray | None = None
    ) -> tuple[Status, str | None]:
        if allowed is not None:  # only the sentences that may speak to this criterion are read
            keep = np.flatnonzero(allowed)
            sentences = [sentences[i] for i in keep]
            vectors = vectors[keep] if len(keep) else np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 1))
        hits = self._cue_hits(compiled, sentences)
        self._parsed_hits(compiled.spec.id, sentences, hits)
        if hits.overrides:
            return Status.met, sentences[hits.overrides[0]]
        order = (
            [(Status.met, hits.met), (Status.not_met, hits.not_met)]
            if compiled.spec.precedence == "met"
            else [(Status.not_met, hits.not_met), (Status.met, hits.met)]
        )
        for status, indices in order:
            if indices:
                return status, sentences[min(indices)]
        return self._by_similarity(compiled, sentences, vectors)

    def _by_similarity(
        self, compiled: _Compiled, sentences: list[str], vectors: np.ndarray
    ) -> tuple[Status, str | None]:
        """When no cue decides: a sentence very close to the rubric's examples of one status decides it."""
        if not sentences:
            return Status.unclear, None
        rule = self.rubric.embedding
        met = _best(vectors, compiled.met_vectors)
        not_met = _best(vectors, compiled.not_met_vectors)
        best_met, best_not = int(np.argmax(met)), int(np.argmax(not_met))
        if not_met[best_not] >= rule.not_met_threshold and not_met[best_not] - met[best_not] >= rule.margin:
            return Status.not_met, sentences[best_not]
        if met[best_met] >= rule.met_threshold and met[best_met] - not_met[best_met] >= rule.margin:
            return Status.met, sentences[best_met]
        return Status.unclear, None


def sentence_features(vectors: np.ndarray, flags: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """A head's input rows: each sentence's vector and cue flags, and the mean vector of its initiative (`owner`
    gives each sentence's initiative), since "it buys from them" is read in the light of the rest."""
    groups = int(owner.max()) + 1 if len(owner) else 0
    means = np.zeros((groups, vectors.shape[1]))
    np.add.at(means, owner, vectors)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.hstack([vectors, flags, (means / norms)[owner]])


def _best(sentence_vectors: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """Each sentence's highest cosine similarity to a set of prototypes (vectors are normalised)."""
    if prototypes.shape[0] == 0 or sentence_vectors.shape[0] == 0:
        return np.zeros(sentence_vectors.shape[0])
    return (sentence_vectors @ prototypes.T).max(axis=1)


def _allowed(scopes: list[frozenset[CriterionId] | None], criterion: CriterionId) -> np.ndarray | None:
    """Which sentences may decide `criterion`; None when every one may (free text)."""
    if all(scope is None for scope in scopes):
        return None
    return np.array([scope is None or criterion in scope for scope in scopes], dtype=bool)


_ANY = None
_PLAYERS = (CriterionId.influential_actors, CriterionId.aggregation_points)
_REACH = (CriterionId.reaches_mses, CriterionId.industry_wide)


def render_initiative(initiative: Initiative) -> ScopedText:
    """A structured initiative as sentences, so the same cues read it as they read chat text; each field's
    sentence may decide only the criteria that field speaks to (the title and description: any)."""
    parts: list[tuple[str, tuple[CriterionId, ...] | None]] = [
        (initiative.title.rstrip(".") + ".", _ANY),
        (initiative.description, _ANY),
    ]
    if initiative.actors:
        parts.append(("Actors: " + ", ".join(initiative.actors) + ".", _PLAYERS))
    if initiative.lead_actor:
        parts.append((f"Led by {initiative.lead_actor}.", (CriterionId.influential_actors,)))
    if initiative.investment and (initiative.investment.who or initiative.investment.amount):
        who = initiative.investment.who or "someone"
        invests = f"Investment: {who} invests {initiative.investment.amount or ''}".rstrip() + "."
        parts.append((invests, (CriterionId.investment,)))
    if initiative.first_benefits:
        parts.append((f"First benefits: {initiative.first_benefits}.", (CriterionId.near_term_benefits,)))
    parts += [(step.rstrip(".") + ".", (CriterionId.small_steps,)) for step in initiative.steps]
    if initiative.risk:
        parts.append((f"Risk: {initiative.risk}.", (CriterionId.small_steps,)))
    if initiative.beneficiaries and initiative.beneficiaries.description:
        parts.append((f"Beneficiaries: {initiative.beneficiaries.description}.", _REACH))
    return ScopedText(parts, sep="\n")


def _structured_statuses(initiative: Initiative, rubric: Rubric) -> dict[CriterionId, tuple[Status, str]]:
    """Fields that settle a criterion outright: the MSE count or share, the months to first benefits."""
    decided: dict[CriterionId, tuple[Status, str]] = {}
    people = initiative.beneficiaries
    if people is not None:
        if (people.mse_count or 0) > 0 or (people.mse_share or 0) > 0:
            shown = f"{people.mse_count} MSEs" if people.mse_count else f"{people.mse_share:.0%} MSEs"
            decided[CriterionId.reaches_mses] = (Status.met, shown)
        elif people.mse_count == 0 or people.mse_share == 0:
            decided[CriterionId.reaches_mses] = (Status.not_met, "0 MSEs")
    months = initiative.first_benefits_months
    if months is not None:
        words = initiative.first_benefits or f"{months:g} months"
        if months <= rubric.lexicon.near_term_max_months:
            decided[CriterionId.near_term_benefits] = (Status.met, words)
        elif months >= rubric.lexicon.long_term_min_months:
            decided[CriterionId.near_term_benefits] = (Status.not_met, words)
    return decided
