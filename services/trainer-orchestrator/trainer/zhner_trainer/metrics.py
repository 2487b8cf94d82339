"""Strict entity scoring: a prediction counts only with exact (start, end, type)."""
from __future__ import annotations


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def score_spans(gold: list, pred: list) -> dict:
    """gold/pred: one collection of (start, end, type) per document. Fractions in 0..1."""
    types = sorted({t for doc in gold for *_, t in doc} | {t for doc in pred for *_, t in doc})
    per = {t: [0, 0, 0] for t in types}  # tp, pred, gold
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        for *_, t in gs:
            per[t][2] += 1
        for *_, t in ps:
            per[t][1] += 1
        for *_, t in gs & ps:
            per[t][0] += 1
    tp = sum(v[0] for v in per.values())
    npred = sum(v[1] for v in per.values())
    ngold = sum(v[2] for v in per.values())
    out = prf(tp, npred, ngold)
    out["per_type"] = {t: {**prf(*v), "support": v[2]} for t, v in per.items()}
    return out


def short_scores(d: dict | None) -> dict | None:
    """P/R/F1 of a score dict rounded to 5 digits (machine lines, checkpoint summaries)."""
    return None if d is None else {k: round(d[k], 5) for k in ("precision", "recall", "f1")}
