"""Pure metric functions for the evals: multiset precision/recall/F1 per label, macro-F1, confusion matrix.

A message's labels are a multiset (it can hold two constraints), so predicted and gold labels are matched
by count per message: min(pred, gold) are true positives, the rest false positives / false negatives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

NO_LABEL = "none"


def multiset_prf(
    pred: Sequence[Iterable[str]], gold: Sequence[Iterable[str]], labels: Iterable[str]
) -> dict[str, dict[str, float]]:
    """Per label: tp, fp, fn, precision, recall, f1 over all messages (pred[i] vs gold[i])."""
    if len(pred) != len(gold):
        raise ValueError(f"pred has {len(pred)} messages but gold has {len(gold)}")
    counts = {label: Counter() for label in labels}
    for predicted, expected in zip(pred, gold, strict=True):
        p, g = Counter(predicted), Counter(expected)
        for label, tally in counts.items():
            tp = min(p[label], g[label])
            tally["tp"] += tp
            tally["fp"] += p[label] - tp
            tally["fn"] += g[label] - tp
    result: dict[str, dict[str, float]] = {}
    for label, tally in counts.items():
        tp, fp, fn = tally["tp"], tally["fp"], tally["fn"]
        precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
        recall = tp / (tp + fn) if tp + fn else (1.0 if not fp else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return result


def macro_f1(prf: dict[str, dict[str, float]]) -> float:
    """The unweighted mean of the labels' F1 (each kind counts the same, however rare)."""
    if not prf:
        return 0.0
    return sum(row["f1"] for row in prf.values()) / len(prf)


def confusion_matrix(
    pred: Sequence[Iterable[str]], gold: Sequence[Iterable[str]], labels: Iterable[str]
) -> dict[str, dict[str, int]]:
    """matrix[gold][pred] counts; per message, equal labels match first, then leftovers pair in order.

    A gold label with no prediction left counts under pred "none"; an extra prediction under gold "none".
    """
    names = [*labels, NO_LABEL]
    matrix = {g: dict.fromkeys(names, 0) for g in names}
    for predicted, expected in zip(pred, gold, strict=True):
        p, g = Counter(predicted), Counter(expected)
        for label in list(p):
            both = min(p[label], g[label])
            if both:
                matrix[label][label] += both
                p[label] -= both
                g[label] -= both
        left_pred = sorted(p.elements())
        left_gold = sorted(g.elements())
        for index in range(max(len(left_pred), len(left_gold))):
            gold_label = left_gold[index] if index < len(left_gold) else NO_LABEL
            pred_label = left_pred[index] if index < len(left_pred) else NO_LABEL
            matrix.setdefault(gold_label, dict.fromkeys(names, 0))
            matrix[gold_label].setdefault(pred_label, 0)
            matrix[gold_label][pred_label] += 1
    return matrix


def empty_false_input_rate(pred: Sequence[Iterable[str]], gold: Sequence[Iterable[str]]) -> float:
    """Share of messages labelled with no input for which something was predicted."""
    empty = [list(p) for p, g in zip(pred, gold, strict=True) if not list(g)]
    if not empty:
        return 0.0
    return sum(1 for p in empty if p) / len(empty)
