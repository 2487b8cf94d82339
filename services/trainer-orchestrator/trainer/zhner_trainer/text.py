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


# --- character classes (zhner.char_class.v1; twin: shared/model/src/text/charclass.ts) ------------
# Of a NORMALISED code point (normalise_char first). Ids: 0 is padding; the order is the contract.
CHAR_CLASSES = ("<pad>", "han", "latin", "digit", "punct", "symbol", "blank", "other")
HAN, LATIN, DIGIT, PUNCT, SYMBOL, BLANK, OTHER = range(1, 8)
# Classes that cannot make an entity on their own (entity well-formedness, constraints.py).
NON_CONTENT = frozenset((DIGIT, PUNCT, SYMBOL, BLANK))

# (first, last, class) inclusive ranges, checked in order; anything else is OTHER (kana, hangul,
# Cyrillic, Greek, ...: letters of names). Explicit ranges, not unicodedata, so that Python and
# TypeScript agree whatever Unicode version either ships.
CHAR_CLASS_RANGES = (
    (0x09, 0x0D, BLANK), (0x20, 0x20, BLANK), (0x85, 0x85, BLANK), (0xA0, 0xA0, BLANK),
    (0x1680, 0x1680, BLANK), (0x2000, 0x200B, BLANK), (0x2028, 0x2029, BLANK), (0x202F, 0x202F, BLANK),
    (0x205F, 0x205F, BLANK), (0x3000, 0x3000, BLANK), (0xFEFF, 0xFEFF, BLANK),
    (0x30, 0x39, DIGIT),
    (0x61, 0x7A, LATIN), (0x41, 0x5A, LATIN), (0xC0, 0xD6, LATIN), (0xD8, 0xF6, LATIN), (0xF8, 0x24F, LATIN),
    (0x1E00, 0x1EFF, LATIN),
    (0x3400, 0x4DBF, HAN), (0x4E00, 0x9FFF, HAN), (0xF900, 0xFAFF, HAN), (0x20000, 0x3134F, HAN), (0x3007, 0x3007, HAN),
    (0x21, 0x2F, PUNCT), (0x3A, 0x40, PUNCT), (0x5B, 0x60, PUNCT), (0x7B, 0x7E, PUNCT),
    (0xA1, 0xA1, PUNCT), (0xAB, 0xAB, PUNCT), (0xB7, 0xB7, PUNCT), (0xBB, 0xBB, PUNCT), (0xBF, 0xBF, PUNCT),
    (0x2010, 0x2027, PUNCT), (0x2030, 0x205E, PUNCT), (0x3001, 0x3006, PUNCT), (0x3008, 0x3020, PUNCT),
    (0x3030, 0x3030, PUNCT), (0x30FB, 0x30FB, PUNCT), (0xFE10, 0xFE1F, PUNCT), (0xFE30, 0xFE6F, PUNCT),
    (0xFF01, 0xFF0F, PUNCT), (0xFF1A, 0xFF20, PUNCT), (0xFF3B, 0xFF40, PUNCT), (0xFF5B, 0xFF65, PUNCT),
    (0xA2, 0xAA, SYMBOL), (0xAC, 0xB6, SYMBOL), (0xB8, 0xBA, SYMBOL), (0xBC, 0xBE, SYMBOL), (0xD7, 0xD7, SYMBOL),
    (0xF7, 0xF7, SYMBOL), (0x200C, 0x200F, SYMBOL), (0x20A0, 0x20CF, SYMBOL), (0x2100, 0x2BFF, SYMBOL),
    (0x3200, 0x33FF, SYMBOL), (0xD800, 0xDFFF, SYMBOL), (0xE000, 0xF8FF, SYMBOL), (0xFE00, 0xFE0F, SYMBOL),
    (0xFFF9, 0xFFFD, SYMBOL), (0x1F000, 0x1FAFF, SYMBOL), (0xE0000, 0xE007F, SYMBOL), (0xE0100, 0xE01EF, SYMBOL),
)


def _build_class_table():
    table = {}
    for lo, hi, cls in reversed(CHAR_CLASS_RANGES):  # earlier ranges win
        if hi - lo < 0x30000:
            for cp in range(lo, hi + 1):
                table[cp] = cls
    return table


_CLASS = _build_class_table()


def char_class(c: str) -> int:
    """Class id (1..7) of one normalised code point; OTHER when no range holds it."""
    return _CLASS.get(ord(c), OTHER)


def char_classes(t: str) -> list[int]:
    return [_CLASS.get(ord(c), OTHER) for c in t]
