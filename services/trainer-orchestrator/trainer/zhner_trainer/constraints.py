"""Entity well-formedness (``zhner.wellformed.v1``; twin: shared/model/src/decode/constraints.ts).

An entity never starts or ends on a blank, and never consists only of blanks, punctuation,
symbols/emoji and digits (the non-content classes of text.CHAR_CLASSES). Enforced in two steps at
the one place every caller decodes (trainer evaluation, ONNX check, parity dumps; in TypeScript
decodeSegment, so the tagger, the eval CLI, the studio and the sampler's scores all get it):

1. Constrained decoding: on a blank token the labels that start or end an entity (``B-*``,
   ``E-*``, ``S-*``; ``B-*`` only under BIO) get ``BLOCKED`` added to their emission score, for
   Viterbi and forward-backward alike, so the best path (and the marginals) respect it.
2. A post-rule on the decoded spans, for what a transition constraint cannot express (BIO
   endings, conlleval-style repairs of an ill-formed path, all-non-content spans): blanks are
   trimmed from both ends, and a span left with no content token is dropped.
"""
from __future__ import annotations

import numpy as np

from .text import BLANK, NON_CONTENT, char_classes, normalise

RULE = "zhner.wellformed.v1"
BLOCKED = -10000.0


def classes_of(text: str) -> list[int]:
    return char_classes(normalise(text))


def blocked_labels(labels: list[str], scheme: str) -> np.ndarray:
    """bool [L]: labels a blank token may not take."""
    starts = ("B", "E", "S") if scheme == "BIOES" else ("B",)
    return np.array([l != "O" and l.split("-", 1)[0] in starts for l in labels])


def constrain_emissions(em, classes: list[int], blocked: np.ndarray):
    """Add BLOCKED to the blocked labels at blank positions; ``em`` [n, L] (numpy or torch), in place."""
    rows = [i for i, c in enumerate(classes[:len(em)]) if c == BLANK]
    if rows:
        cols = [int(j) for j in np.nonzero(blocked)[0]]
        for i in rows:
            for j in cols:
                em[i, j] += BLOCKED
    return em


def wellformed_spans(spans, classes: list[int]):
    """The post-rule: trim blanks at both ends, drop spans without a content token."""
    out = []
    for s, e, t in spans:
        while s < e and classes[s] == BLANK:
            s += 1
        while e > s and classes[e - 1] == BLANK:
            e -= 1
        if s < e and any(c not in NON_CONTENT for c in classes[s:e]):
            out.append((s, e, t))
    return out
