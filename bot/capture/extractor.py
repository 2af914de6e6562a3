"""The offline extractor: cue lexicon + nearest few-shot prototypes + a prior from the question, no LLM."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.capture.lexicon import NONE_LABEL, CaptureLexicon, load_lexicon, load_overrides, phrase_pattern
from bot.capture.splitter import Segment, split_message, summarise
from bot.domain import CapturedInput, InputKind
from bot.errors import PlanbotError
from bot.learning.heads import PACKAGED, HeadSet, LazyHeads, LinearHead
from bot.messages import catalogue
from bot.ports import INTERVIEW_TOPICS

HEADS_TASK = "capture"
HEAD_NAME = "kind"
CONTINUATION_HEAD = "continuation"  # does a piece of a message go on about the piece before it?
SAME_INPUT, NEW_INPUT = "same", "new"
QUESTION_FEATURE_SCALE = 0.25

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_EDGE_PUNCT = " \t.,;:!?¡¿…'\"()[]{}-–—*_~"


@dataclass
class SegmentAnalysis:
    """Why a segment became an input or not; kept for debugging and for is_question."""

    segment: Segment
    reason: str  # "input", "social", "vague", "question", "off_topic", "none", "no_words"
    scores: dict[str, float] = field(default_factory=dict)
    captured: CapturedInput | None = None


def _has_letters(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


class OfflineExtractor:
    """Implements `bot.ports.Extractor` with the packaged embeddings; one batched embedding call a message.

    With the trained head (the default, when it fits the embedding model) a segment's kind is a learned decision on
    its vector, the question it answers and the lexicon's cue counts; without it (`heads=None`, or another model)
    the cues, few-shot prototypes and question priors decide alone: the keyword baseline of the evals.
    """

    def __init__(self, embeddings: Embeddings, lexicon: CaptureLexicon | None = None, heads: object = PACKAGED) -> None:
        self._embeddings = embeddings
        self._heads = LazyHeads(HEADS_TASK, embeddings, heads)
        self.lexicon = lexicon or load_lexicon()
        self._overrides = load_overrides()
        none = self.lexicon.none
        self._cues = {kind: phrase_pattern(self.lexicon.cues.get(kind, [])) for kind in InputKind}
        self._social = phrase_pattern(none.social + none.filler)
        self._vague = phrase_pattern(none.vague)
        self._continuations = phrase_pattern(none.continuations)
        self._proposal = phrase_pattern(none.proposal_questions)
        lead_ins = phrase_pattern(none.question_lead_ins)
        starts = phrase_pattern(none.question_starts)
        lead = rf"(?:(?:{lead_ins.pattern})[\s,]+)*" if lead_ins else ""
        self._question_start = re.compile(rf"^\W*{lead}(?:{starts.pattern})", re.IGNORECASE) if starts else None
        self._prototype_labels: list[str] = []
        self._prototype_matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    @property
    def embeddings(self) -> Embeddings:
        return self._embeddings

    @property
    def heads(self) -> HeadSet | None:
        """The learned head in use, or None (cue-only); resolved on first use, as it needs one embedding."""
        return self._heads.value

    def features(self, vectors: np.ndarray, texts: list[str], question: str | None) -> np.ndarray:
        """A head's input rows: the segment's vector, the question it answers (one-hot) and its cue counts."""
        topics = np.zeros((len(texts), len(INTERVIEW_TOPICS) + 1))
        column = INTERVIEW_TOPICS.index(question) if question in INTERVIEW_TOPICS else len(INTERVIEW_TOPICS)
        # small on purpose: under the head's L2 penalty the question stays a prior the words can outweigh
        # ("we could share one truck" is an idea, even in an answer to the constraints question)
        topics[:, column] = QUESTION_FEATURE_SCALE
        cap = max(self.lexicon.weights.cue_cap, 1)
        cues = np.array(
            [
                [min(len(p.findall(text)), cap) / cap if p is not None else 0.0 for p in self._cues.values()]
                for text in texts
            ]
        ).reshape(len(texts), len(self._cues))
        return np.hstack([np.asarray(vectors, dtype=float), topics, cues])

    # --- the Extractor protocol -------------------------------------------------------------------------

    def extract(self, text: str, question: str | None = None) -> list[CapturedInput]:
        """The atomic inputs in `text`, classified with the help of the question it answers."""
        return self.extract_embedded(text, question)[0]

    def extract_embedded(
        self, text: str, question: str | None = None
    ) -> tuple[list[CapturedInput], dict[str, list[float]]]:
        """As `extract`, with the vectors embedded on the way (text → vector as the model gave it), so the engine
        stores each input's vector without embedding its words a second time."""
        vectors: dict[str, list[float]] = {}
        analyses = self._analyse(text, question, vectors)
        return [a.captured for a in analyses if a.captured is not None], vectors

    def is_question(self, text: str) -> bool:
        """A question to the assistant: at least one segment asks something and none holds an input."""
        # the split pieces first, with no embedding: a segment joined from pieces asks something only if one of
        # its pieces does, so an answer with no question in it costs no model call here
        pieces = split_message(text, self._continuations) if text and text.strip() else []
        if not any(self._is_question_segment(piece.text) for piece in pieces):
            return False
        vectors: dict[str, list[float]] = {}
        segments = self._segments(text, vectors)
        if not any(self._is_question_segment(s.text) for s in segments):
            return False
        analyses = self._analyse(text, None, vectors)
        return any(a.reason == "question" for a in analyses) and not any(a.captured for a in analyses)

    # --- analysis ---------------------------------------------------------------------------------------

    def analyse(self, text: str, question: str | None = None) -> list[SegmentAnalysis]:
        """Each segment of the message with the decision taken on it."""
        return self._analyse(text, question, {})

    def _embed(self, texts: list[str], vectors: dict[str, list[float]]) -> np.ndarray:
        """Unit rows for `texts`; `vectors` (text → vector) keeps what this message embedded, so a text is
        embedded once however many steps look at it (continuations, then classification)."""
        missing = list(dict.fromkeys(text for text in texts if text not in vectors))
        if missing:
            vectors.update(zip(missing, self._embeddings.embed_documents(missing), strict=True))
        return _normalised([vectors[text] for text in texts])

    def _analyse(self, text: str, question: str | None, vectors: dict[str, list[float]]) -> list[SegmentAnalysis]:
        if question is not None and question not in INTERVIEW_TOPICS:
            raise PlanbotError(
                catalogue().text("capture.unknown_topic", given=question, keys=", ".join(INTERVIEW_TOPICS))
            )
        analyses: list[SegmentAnalysis] = []
        pending: list[SegmentAnalysis] = []
        for segment in self._segments(text, vectors):
            reason = self._rule_reason(segment.text)
            analysis = SegmentAnalysis(segment=segment, reason=reason or "pending")
            analyses.append(analysis)
            if reason is None:
                pending.append(analysis)
        if pending:
            self._classify(pending, question, vectors)
        return analyses

    def _segments(self, text: str | None, vectors: dict[str, list[float]]) -> list[Segment]:
        if not text or not text.strip():
            return []
        pieces = split_message(text, self._continuations)
        heads = self.heads
        if heads is None or CONTINUATION_HEAD not in heads.heads or len(pieces) < 2:
            return pieces
        return self._join_continuations(text, pieces, heads.heads[CONTINUATION_HEAD], vectors)

    def _join_continuations(
        self, text: str, pieces: list[Segment], head: LinearHead, known: dict[str, list[float]]
    ) -> list[Segment]:
        """A piece that goes on about the one before ("... there. boats from many islands land there") joins it."""
        vectors = self._embed([piece.text for piece in pieces], known)
        same = head.probabilities(pair_features(vectors[:-1], vectors[1:]))[:, head.classes.index(SAME_INPUT)]
        joined = [pieces[0]]
        for piece, p in zip(pieces[1:], same, strict=True):
            if p >= 0.5 and self._rule_reason(piece.text) is None:
                start = joined[-1].start
                joined[-1] = Segment(text=text[start : piece.end], start=start, end=piece.end)
            else:
                joined.append(piece)
        return joined

    def _rule_reason(self, text: str) -> str | None:
        """A decision that needs no embedding: no words, social talk, a vague answer or a question."""
        if not _has_letters(text):
            return "no_words"
        bare = text.strip(_EDGE_PUNCT)
        if self._social is not None and not _WORD.search(self._social.sub(" ", bare)):
            return "social"
        if self._vague is not None and not _WORD.search(self._vague.sub(" ", bare)):
            return "vague"
        if self._is_question_segment(text):
            return "question"
        return None

    def _is_question_segment(self, text: str) -> bool:
        stripped = text.strip()
        if self._proposal is not None and self._proposal.search(stripped):
            return False
        if stripped.rstrip(" .!)\"'").endswith("?") or stripped.startswith("¿"):
            return True
        if self._question_start is None or not self._question_start.match(stripped):
            return False
        return not any(p is not None and p.search(stripped) for p in self._cues.values())

    def _prototypes(self) -> tuple[list[str], np.ndarray]:
        """The few-shot prototypes embedded once per instance."""
        with self._lock:
            if self._prototype_matrix is None:
                labels, texts = [], []
                for label, examples in self.lexicon.prototypes.items():
                    for example in examples:
                        labels.append(label)
                        texts.append(example)
                self._prototype_labels = labels
                self._prototype_matrix = _normalised(self._embeddings.embed_documents(texts))
            return self._prototype_labels, self._prototype_matrix

    def _classify(self, pending: list[SegmentAnalysis], question: str | None, known: dict[str, list[float]]) -> None:
        heads = self.heads
        if heads is not None:
            self._classify_learned(heads, pending, question, known)
            return
        labels, matrix = self._prototypes()
        vectors = self._embed([a.segment.text for a in pending], known)
        similarities = vectors @ matrix.T
        weights = self.lexicon.weights
        prior = self.lexicon.prior(question)
        floor = self.lexicon.off_topic_similarity_answer if question else self.lexicon.off_topic_similarity
        none_prior = self.lexicon.none_prior_answer if question else self.lexicon.none_prior
        label_rows = {label: [i for i, name in enumerate(labels) if name == label] for label in set(labels)}
        for analysis, row in zip(pending, similarities, strict=True):
            best = {label: float(np.mean(np.sort(row[idx])[-weights.top_k :])) for label, idx in label_rows.items()}
            hits = {
                kind: min(len(pattern.findall(analysis.segment.text)), weights.cue_cap) if pattern else 0
                for kind, pattern in self._cues.items()
            }
            logits: dict[str, float] = {}
            for kind in InputKind:
                logits[kind.value] = (
                    best.get(kind.value, 0.0) / weights.temperature
                    + weights.cue_weight * hits[kind]
                    + weights.prior_weight * math.log(prior[kind])
                )
            if NONE_LABEL in best:
                logits[NONE_LABEL] = best[NONE_LABEL] / weights.temperature + weights.prior_weight * math.log(
                    none_prior
                )
            probabilities = _softmax(logits)
            analysis.scores = probabilities
            winner = max(probabilities, key=probabilities.__getitem__)
            top_kind_similarity = max(best.get(kind.value, 0.0) for kind in InputKind)
            if not any(hits.values()) and top_kind_similarity < floor:
                analysis.reason = "off_topic"
            elif winner == NONE_LABEL:
                analysis.reason = "none"
            elif probabilities[winner] < self.lexicon.min_confidence:
                analysis.reason = "unclear"
            else:
                _capture(analysis, InputKind(winner), probabilities[winner])

    def _override(self, text: str) -> InputKind | None:
        """A kind a high-precision pattern of `prompts/capture/<lang>.overrides.yaml` settles, if any."""
        if text.rstrip().endswith("?"):
            return None
        return next((kind for kind, patterns in self._overrides.items() if any(p.search(text) for p in patterns)), None)

    def _classify_learned(
        self, heads: HeadSet, pending: list[SegmentAnalysis], question: str | None, known: dict[str, list[float]]
    ) -> None:
        texts = [a.segment.text for a in pending]
        vectors = self._embed(texts, known)
        head = heads.heads[HEAD_NAME]
        rows = head.probabilities(self.features(vectors, texts, question))
        for analysis, row in zip(pending, rows, strict=True):
            probabilities = {label: float(p) for label, p in zip(head.classes, row, strict=True)}
            analysis.scores = probabilities
            winner = max(probabilities, key=probabilities.__getitem__)
            overridden = self._override(analysis.segment.text)
            if overridden is not None:
                winner = overridden.value
            if winner == NONE_LABEL:
                analysis.reason = "none"
                continue
            _capture(analysis, InputKind(winner), probabilities[winner])


def _capture(analysis: SegmentAnalysis, kind: InputKind, probability: float) -> None:
    analysis.reason = "input"
    analysis.captured = CapturedInput(
        kind=kind,
        text=analysis.segment.text,
        summary=summarise(analysis.segment.text),
        confidence=round(min(max(probability, 0.0), 1.0), 3),
    )


def pair_features(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Rows describing consecutive pieces: both vectors, their product and their cosine (vectors are unit)."""
    before, after = np.atleast_2d(before), np.atleast_2d(after)
    product = before * after
    return np.hstack([before, after, product, product.sum(axis=1, keepdims=True)])


def _normalised(vectors: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        matrix = matrix.reshape(len(vectors), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def _softmax(logits: dict[str, float]) -> dict[str, float]:
    peak = max(logits.values())
    exps = {label: math.exp(value - peak) for label, value in logits.items()}
    total = sum(exps.values())
    return {label: value / total for label, value in exps.items()}
