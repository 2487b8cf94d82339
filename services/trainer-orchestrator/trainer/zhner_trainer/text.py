"""Text primitives shared with the TypeScript runtime (shared/model/src/text/*).

A token is one Unicode code point (a Python ``str`` index). Every function here has a twin in
TypeScript that must give identical results; the parity test (test/model) checks that.
"""
from __future__ import annotations

# Sentence punctuation where long texts are cut first, then clause commas, then hard cuts.
SENTENCE_BREAKS = frozenset("。！？；\n!?;")
CLAUSE_BREAKS = frozenset("，,")


def normalise_char(c: str) -> str:
    """One code point -> one code point (offset-preserving).

    U+FF01..U+FF5E (full-width ASCII) -> U+0021..U+007E; U+3000 (ideographic space) -> U+0020;
    then A-Z -> a-z. Everything else is unchanged.
    """
    cp = ord(c)
    if 0xFF01 <= cp <= 0xFF5E:
        cp -= 0xFEE0
    elif cp == 0x3000:
        cp = 0x20
    if 0x41 <= cp <= 0x5A:
        cp += 0x20
    return chr(cp)


def normalise(text: str) -> str:
    return "".join(normalise_char(c) for c in text)


def split_for_model(text: str, max_length: int) -> list[tuple[int, int]]:
    """Cut ``text`` into segments of at most ``max_length`` code points.

    Returns (start, end) code-point offsets covering the text in order. A segment ends after the
    last sentence break (。！？；\\n!?;) inside the window; failing that after the last clause
    comma (，,); failing that at the window's end. An empty text gives one empty segment.
    """
    n = len(text)
    if max_length < 1:
        raise ValueError("max_length must be >= 1")
    segments: list[tuple[int, int]] = []
    start = 0
    while n - start > max_length:
        limit = start + max_length
        end = -1
        for p in range(limit - 1, start - 1, -1):
            if text[p] in SENTENCE_BREAKS:
                end = p + 1
                break
        if end < 0:
            for p in range(limit - 1, start - 1, -1):
                if text[p] in CLAUSE_BREAKS:
                    end = p + 1
                    break
        if end < 0:
            end = limit
        segments.append((start, end))
        start = end
    segments.append((start, n))
    return segments
