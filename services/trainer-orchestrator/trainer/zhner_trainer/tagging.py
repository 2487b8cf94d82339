"""Tagging schemes (BIO, BIOES): label sets, spans -> tags, tags -> spans with repair.

Labels are ``["O"] + [f"{p}-{T}" for T in sorted(types) for p in prefixes]`` with prefixes
``B I`` (BIO) or ``B I E S`` (BIOES). Nothing here knows PER/LOC/ORG.

Repair (tags -> spans), as conlleval: an ``I-T``/``E-T`` that does not continue an open entity
of type T starts a new entity; an entity still open at ``O``, at a new ``B``/``S`` or at the end
is closed there (so ``B-T I-T O`` under BIOES is accepted as a two-token entity).
"""
from __future__ import annotations

PREFIXES = {"BIO": ("B", "I"), "BIOES": ("B", "I", "E", "S")}


def labels_for(types, scheme: str) -> list[str]:
    return ["O"] + [f"{p}-{t}" for t in sorted(set(types)) for p in PREFIXES[scheme]]


def spans_to_tags(n: int, spans, scheme: str) -> list[str]:
    """``spans`` = iterable of (start, end, type), code points, end exclusive, not overlapping."""
    tags = ["O"] * n
    for s, e, t in spans:
        if not (0 <= s < e <= n):
            raise ValueError(f"span ({s}, {e}) outside a text of {n} tokens")
        if scheme == "BIOES" and e - s == 1:
            tags[s] = f"S-{t}"
            continue
        tags[s] = f"B-{t}"
        for i in range(s + 1, e):
            tags[i] = f"I-{t}"
        if scheme == "BIOES":
            tags[e - 1] = f"E-{t}"
    return tags


def tags_to_spans(tags, scheme: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    start, typ = -1, None

    def close(end):
        nonlocal start, typ
        if typ is not None:
            spans.append((start, end, typ))
        start, typ = -1, None

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i)
            continue
        p, t = tag.split("-", 1)
        if p == "B":
            close(i)
            start, typ = i, t
        elif p == "I":
            if typ != t:
                close(i)
                start, typ = i, t
        elif p == "E":
            if typ != t:
                close(i)
                start, typ = i, t
            close(i + 1)
        elif p == "S":
            close(i)
            start, typ = i, t
            close(i + 1)
        else:
            raise ValueError(f"unknown tag {tag!r}")
    close(len(tags))
    return spans
