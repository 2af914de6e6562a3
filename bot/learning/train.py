"""`planbot train`: fit the checker's and the extractor's heads from the corpora, reproducibly.

Hyper-parameters and decision thresholds are chosen on out-of-fold predictions where whole value chains are
held out (grouped folds), so what is tuned is how well a head carries to a value chain it has never seen.
scikit-learn is used here only; the product applies the heads with numpy.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.capture.extractor import CONTINUATION_HEAD, HEAD_NAME, NEW_INPUT, SAME_INPUT, OfflineExtractor, pair_features
from bot.capture.lexicon import DEFAULT_LEXICON_PATH, NONE_LABEL
from bot.capture.splitter import split_message
from bot.checker.offline import HEAD_CLASSES, OfflineChecker, sentence_features
from bot.checker.rubric import CRITERIA_PATH
from bot.domain import SUPPORT_QUALITIES, CriterionId, InputKind, Status, Verdict
from bot.learning.corpus import CaptureExample, CheckerExample, corpus_files, fingerprint
from bot.learning.heads import PROBE_SENTENCE, HeadSet, LinearHead

C_GRID = (0.5, 2.0, 8.0, 32.0)
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.96, 0.05))
FOLDS = 6
SEED = 13
CAPTURE_CLASSES = (NONE_LABEL, *(kind.value for kind in InputKind))


def checker_sources() -> list[Path]:
    return [*corpus_files("checker"), CRITERIA_PATH]


def capture_sources() -> list[Path]:
    return [*corpus_files("capture"), DEFAULT_LEXICON_PATH]


FOLD_BY = ("value_chain", "corpus")


def fold_group(example: CheckerExample | CaptureExample, fold_by: str) -> str:
    """What a fold holds out whole: the example's value chain, or its corpus (one file, one writer: the part
    of the id before its number), which tunes for text written by other hands."""
    if fold_by == "corpus":
        return example.id.rsplit("-", 1)[0]
    if fold_by == "value_chain":
        return example.value_chain
    raise ValueError(f"fold_by: {fold_by!r} is not one of {', '.join(FOLD_BY)}")


def _folds(groups: list[str], folds: int = FOLDS) -> list[set[str]]:
    """Value chains dealt into `folds` groups, largest first, so each fold holds out whole chains."""
    sizes = Counter(groups)
    bins: list[set[str]] = [set() for _ in range(min(folds, len(sizes)))]
    load = [0] * len(bins)
    for chain, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        target = load.index(min(load))
        bins[target].add(chain)
        load[target] += size
    return bins


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
    model.fit(x, y)
    return model


def _head(model: Any, classes: tuple[str, ...]) -> LinearHead:
    """The fitted model as a head over `classes` in this order (a class unseen in training gets -inf odds)."""
    fitted = [str(c) for c in model.classes_]
    coef = model.coef_ if len(fitted) > 2 else np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
    bias = model.intercept_ if len(fitted) > 2 else np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    weights = np.zeros((len(classes), coef.shape[1]))
    biases = np.full(len(classes), -30.0)
    for row, name in enumerate(fitted):
        weights[classes.index(name)] = coef[row]
        biases[classes.index(name)] = bias[row]
    return LinearHead(classes=classes, weights=weights, bias=biases)


def _fit_head(x: np.ndarray, y: np.ndarray, c: float, classes: tuple[str, ...]) -> LinearHead:
    """A fitted head; a corpus with one class only gives a head that always says that class."""
    if len(set(y.tolist())) < 2:
        bias = np.full(len(classes), -30.0)
        bias[classes.index(str(y[0]))] = 0.0
        return LinearHead(classes=classes, weights=np.zeros((len(classes), x.shape[1])), bias=bias)
    return _head(_fit(x, y, c), classes)


def _oof(x: np.ndarray, y: np.ndarray, groups: list[str], c: float, classes: tuple[str, ...]) -> np.ndarray:
    """Out-of-fold class probabilities, each fold's value chains unseen by its model."""
    out = np.zeros((len(y), len(classes)))
    for held in _folds(groups):
        test = np.array([g in held for g in groups])
        out[test] = _fit_head(x[~test], y[~test], c, classes).probabilities(x[test])
    return out


# --- the checker -----------------------------------------------------------------------------------------------


@dataclass
class CheckerData:
    examples: list[CheckerExample]
    owner: np.ndarray  # per sentence, the index of its example
    vectors: np.ndarray
    signals: dict[CriterionId, np.ndarray]
    sentences: list[str]

    def features(self, criterion: CriterionId) -> np.ndarray:
        return sentence_features(self.vectors, self.signals[criterion], self.owner)

    def labels(self, criterion: CriterionId) -> np.ndarray:
        out = []
        for example, index in self._sentence_refs():
            status = example.sentences[index].labels.get(criterion)
            out.append(status.value if status else "none")
        return np.array(out)

    def _sentence_refs(self) -> list[tuple[CheckerExample, int]]:
        return [(example, i) for example in self.examples for i in range(len(example.sentences))]


def checker_data(examples: list[CheckerExample], checker: OfflineChecker) -> CheckerData:
    """Every sentence as the checker reads it (injected instructions cut), its vector and its cue signals."""
    sentences, owner = [], []
    signals: dict[CriterionId, list[np.ndarray]] = {c: [] for c in CriterionId}
    for number, example in enumerate(examples):
        cleaned = [checker.parser.neutralise(s.text) or s.text for s in example.sentences]
        for criterion, flags in checker.signals(cleaned).items():
            signals[criterion].append(flags)
        sentences += cleaned
        owner += [number] * len(cleaned)
    vectors = np.asarray(checker.embeddings.embed_documents(sentences), dtype=float)
    return CheckerData(
        examples=examples,
        owner=np.array(owner),
        vectors=vectors,
        signals={c: np.vstack(parts) for c, parts in signals.items()},
        sentences=sentences,
    )


STATUS_CODES = (Status.unclear, Status.met, Status.not_met)  # a status as a small integer, for array searches
VERDICT_CODES = (Verdict.recommended, Verdict.revise, Verdict.not_recommended)
CRITERIA = tuple(CriterionId)


def decide_codes(best: np.ndarray, t_met: np.ndarray, t_not: np.ndarray) -> np.ndarray:
    """OfflineChecker._learned's rule on arrays: `best` holds each example's highest met and not_met probability
    (n, 2); `t_met` and `t_not` are thresholds of shape (g, 1). Returns status codes (g, n)."""
    met, not_met = best[:, 0], best[:, 1]
    says_not, says_met = not_met >= t_not, met >= t_met
    return np.where(says_not & (not_met >= met), 2, np.where(says_met, 1, np.where(says_not, 2, 0)))


def verdict_codes(statuses: np.ndarray) -> np.ndarray:
    """The contracts' verdict rule (bot.checker.verdict) on status codes (..., 8) in CriterionId order."""
    industry = statuses[..., CRITERIA.index(CriterionId.industry_wide)]
    mses = statuses[..., CRITERIA.index(CriterionId.reaches_mses)]
    support = np.stack([statuses[..., CRITERIA.index(q)] for q in SUPPORT_QUALITIES], axis=-1)
    refused = (industry == 2) | (mses == 2)
    recommended = (industry == 1) & (mses == 1) & (support == 1).any(axis=-1) & ~(statuses == 2).any(axis=-1)
    return np.where(refused, 2, np.where(recommended, 0, 1))


def _best_per_example(probabilities: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per example, the highest met and not_met probability over its sentences."""
    best = np.zeros((n, 2))
    met, not_met = HEAD_CLASSES.index(Status.met.value), HEAD_CLASSES.index(Status.not_met.value)
    np.maximum.at(best[:, 0], owner, probabilities[:, met])
    np.maximum.at(best[:, 1], owner, probabilities[:, not_met])
    return best


SETTLED_WEIGHT = 0.7  # per criterion: a settled criterion read rightly counts more than an unsaid one left unclear
# The joint search: verdicts, settled criteria and unsaid ones, as a facilitator weighs a wrong answer.
JOINT_WEIGHTS = {"verdict": 0.4, "settled": 0.4, "unsaid": 0.2}
JOINT_ROUNDS = 3


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """Every (met, not_met) threshold pair, met-major, as two (g, 1) columns."""
    pairs = np.array(list(itertools.product(THRESHOLD_GRID, THRESHOLD_GRID)), dtype=float)
    return pairs[:, :1], pairs[:, 1:]


def _weighted_accuracy(gold: np.ndarray, got: np.ndarray, settled_weight: float = SETTLED_WEIGHT) -> np.ndarray:
    """Per row of `got` (g, n): accuracy on settled criteria and on unsaid ones, weighted."""
    right = got == gold
    settled = gold != 0
    if settled.all() or not settled.any():
        return right.mean(axis=1)
    return settled_weight * right[:, settled].mean(axis=1) + (1 - settled_weight) * right[:, ~settled].mean(axis=1)


def _joint_figures(gold: np.ndarray, gold_verdicts: np.ndarray, statuses: np.ndarray) -> dict[str, np.ndarray]:
    """Verdict accuracy, settled and unsaid criterion accuracy of status codes (..., n, 8)."""
    right = statuses == gold
    settled = gold != 0
    return {
        "verdict": (verdict_codes(statuses) == gold_verdicts).mean(axis=-1),
        "settled": right[..., settled].mean(axis=-1) if settled.any() else np.ones(statuses.shape[:-2]),
        "unsaid": right[..., ~settled].mean(axis=-1) if (~settled).any() else np.ones(statuses.shape[:-2]),
    }


def _joint_score(figures: dict[str, np.ndarray]) -> np.ndarray:
    return sum(JOINT_WEIGHTS[name] * value for name, value in figures.items())


def _rounded(figures: dict[str, np.ndarray]) -> dict[str, float]:
    return {name: round(float(value), 4) for name, value in figures.items()}


def train_checker(
    examples: list[CheckerExample], checker: OfflineChecker, fold_by: str = "value_chain"
) -> tuple[HeadSet, dict[str, Any]]:
    """Per criterion a head on each sentence (its vector, its cues, the initiative's mean vector); the C and the
    thresholds chosen on held-out predictions (folds of whole value chains, or of whole corpora, i.e. writers),
    first per criterion, then jointly for the verdicts."""
    data = checker_data(examples, checker)
    groups = [fold_group(examples[i], fold_by) for i in data.owner]
    gold = np.array([[STATUS_CODES.index(e.statuses[c]) for c in CRITERIA] for e in examples])
    gold_verdicts = np.array([VERDICT_CODES.index(e.verdict) for e in examples])
    t_met, t_not = _grid()
    chosen_c: dict[CriterionId, float] = {}
    codes: dict[CriterionId, np.ndarray] = {}  # per criterion, the statuses under every threshold pair (g, n)
    picked: dict[CriterionId, int] = {}
    for column, criterion in enumerate(CRITERIA):
        x, y = data.features(criterion), data.labels(criterion)
        best: tuple[float, float, int, np.ndarray] | None = None
        for c in C_GRID:
            scores = _best_per_example(_oof(x, y, groups, c, HEAD_CLASSES), data.owner, len(examples))
            grid = decide_codes(scores, t_met, t_not)
            accuracy = _weighted_accuracy(gold[:, column], grid)
            at = int(np.argmax(accuracy))
            if best is None or accuracy[at] > best[0] + 1e-9:
                best = (float(accuracy[at]), c, at, grid)
        assert best is not None
        _, chosen_c[criterion], picked[criterion], codes[criterion] = best

    def statuses_with(picks: dict[CriterionId, int]) -> np.ndarray:
        return np.stack([codes[c][picks[c]] for c in CRITERIA], axis=-1)

    per_criterion = _joint_figures(gold, gold_verdicts, statuses_with(picked))
    current = float(_joint_score(per_criterion))
    for _ in range(JOINT_ROUNDS):  # coordinate ascent: one criterion's thresholds at a time, every pair at once
        improved = False
        for column, criterion in enumerate(CRITERIA):
            trial = np.repeat(statuses_with(picked)[None], len(t_met), axis=0)
            trial[..., column] = codes[criterion]
            scores = _joint_score(_joint_figures(gold, gold_verdicts, trial))
            at = int(np.argmax(scores))
            if scores[at] > current + 1e-9:
                picked, current, improved = picked | {criterion: at}, float(scores[at]), True
        if not improved:
            break
    joint = _joint_figures(gold, gold_verdicts, statuses_with(picked))
    thresholds = {c: {"met": float(t_met[picked[c], 0]), "not_met": float(t_not[picked[c], 0])} for c in CRITERIA}
    heads = {c.value: _fit_head(data.features(c), data.labels(c), chosen_c[c], HEAD_CLASSES) for c in CRITERIA}
    report: dict[str, Any] = {c.value: {"C": chosen_c[c], **thresholds[c]} for c in CRITERIA}
    report["cross_validation"] = {
        "folds": FOLDS,
        "fold_by": fold_by,
        "per_criterion_thresholds": _rounded(per_criterion),
        "joint_thresholds": _rounded(joint),
    }
    meta = {
        "thresholds": {c.value: thresholds[c] for c in CRITERIA},
        "corpus_sha256": fingerprint(checker_sources()),
        "examples": len(examples),
        "sentences": len(data.sentences),
        "value_chains": sorted({e.value_chain for e in examples}),
        "report": report,
    }
    probe = np.asarray(checker.embeddings.embed_documents([PROBE_SENTENCE])[0], dtype=float)
    return HeadSet(task="checker", heads=heads, probe=probe, meta=meta), report


# --- capture -----------------------------------------------------------------------------------------------------


def capture_data(
    examples: list[CaptureExample], extractor: OfflineExtractor
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rows, labels, groups = [], [], []
    for example in examples:
        texts = [segment.text for segment in example.segments]
        vectors = np.asarray(extractor.embeddings.embed_documents(texts), dtype=float)
        rows.append(extractor.features(vectors, texts, example.question))
        labels += [segment.kind.value if segment.kind else NONE_LABEL for segment in example.segments]
        groups += [example.value_chain] * len(texts)
    return np.vstack(rows), np.array(labels), groups


def continuation_data(
    examples: list[CaptureExample], extractor: OfflineExtractor
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Consecutive pieces as the splitter cuts each labelled segment: same input inside a segment, new across."""
    rows, labels, groups = [], [], []
    for example in examples:
        pieces: list[tuple[int, str]] = []
        for number, segment in enumerate(example.segments):
            pieces += [(number, piece.text) for piece in split_message(segment.text, extractor._continuations)]
        if len(pieces) < 2:
            continue
        vectors = np.asarray(extractor.embeddings.embed_documents([text for _, text in pieces]), dtype=float)
        rows.append(pair_features(vectors[:-1], vectors[1:]))
        labels += [SAME_INPUT if a == b else NEW_INPUT for (a, _), (b, _) in itertools.pairwise(pieces)]
        groups += [example.value_chain] * (len(pieces) - 1)
    if not rows:  # no message of the corpus has two pieces
        return np.zeros((0, 0)), np.array([], dtype=str), []
    return np.vstack(rows), np.array(labels), groups


def _macro_f1(gold: np.ndarray, got: np.ndarray, classes: tuple[str, ...]) -> float:
    scores = []
    for name in classes:
        tp = float(np.sum((gold == name) & (got == name)))
        fp = float(np.sum((gold != name) & (got == name)))
        fn = float(np.sum((gold == name) & (got != name)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def train_capture(examples: list[CaptureExample], extractor: OfflineExtractor) -> tuple[HeadSet, dict[str, Any]]:
    x, y, groups = capture_data(examples, extractor)
    best: tuple[float, float] | None = None
    kinds = tuple(kind.value for kind in InputKind)
    for c in C_GRID:
        oof = _oof(x, y, groups, c, CAPTURE_CLASSES)
        got = np.array([CAPTURE_CLASSES[i] for i in oof.argmax(axis=1)])
        score = _macro_f1(y, got, kinds)
        if best is None or score > best[0] + 1e-9:
            best = (score, c)
    assert best is not None
    score, c = best
    head = _fit_head(x, y, c, CAPTURE_CLASSES)
    probe = np.asarray(extractor.embeddings.embed_documents([PROBE_SENTENCE])[0], dtype=float)
    pairs, same, pair_groups = continuation_data(examples, extractor)
    join_classes = (NEW_INPUT, SAME_INPUT)
    if len(same):
        scored = []
        for c_ in C_GRID:
            oof = _oof(pairs, same, pair_groups, c_, join_classes)
            scored.append((_macro_f1(same, np.array([join_classes[i] for i in oof.argmax(axis=1)]), join_classes), c_))
        join_f1, join_c = max(scored)
        joiner = _fit_head(pairs, same, join_c, join_classes)
    else:  # nothing to learn from: every piece is an input of its own
        join_f1, join_c = 0.0, C_GRID[0]
        dimension = pair_features(probe, probe).shape[1]
        joiner = _fit_head(np.zeros((1, dimension)), np.array([NEW_INPUT]), join_c, join_classes)
    report = {
        "C": c,
        "continuation_C": join_c,
        "cross_validation": {"folds": FOLDS, "segment_macro_f1": round(score, 4), "continuation_f1": round(join_f1, 4)},
    }
    meta = {
        "corpus_sha256": fingerprint(capture_sources()),
        "examples": len(examples),
        "segments": len(y),
        "value_chains": sorted(set(groups)),
        "report": report,
    }
    heads = {HEAD_NAME: head, CONTINUATION_HEAD: joiner}
    return HeadSet(task="capture", heads=heads, probe=probe, meta=meta), report
