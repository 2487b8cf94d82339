"""Mention-replacement augmentation (``training.mention_replace``).

A seeded share of the training sentences is added once more with every entity replaced by a
random dictionary word of the lexicon category named like the entity's type (PER, LOC, ORG of
features.LEX_CATEGORIES: jieba's nr / ns / nt words; with ``model.lexicon_relabel = "lac"`` only
the words LAC itself tags as one entity word of that type); entities of a type without such a
category are kept as they are. Teaches the model names it has never seen in their contexts. Training-time only; the copies
keep the convention of their sentence.
"""
from __future__ import annotations

import random

from .data import Example
from .features import LEX_CATEGORIES


def replace_mentions(examples: list[Example], conventions: list[int], lexicon, share: float, seed: int,
                     max_length: int, min_level: int = 2,
                     only: frozenset[int] | None = None,
                     sampling: str = "uniform") -> tuple[list[Example], list[int]]:
    """(augmented copies, their convention indices). Words of frequency level < ``min_level`` are not used;
    with ``only``, sentences of other conventions are never augmented (nor draw from the seeded stream).
    ``sampling = "frequency"`` draws a word with weight 2 ** level (jieba's frequency level), so the
    names people actually write (华为 at level 5) come up far more often than rare ones."""
    pools: dict[str, list[tuple[str, int]]] = {}
    types = {t for ex in examples for *_, t in ex.spans}  # the categories named like an entity type
    confirmed = getattr(lexicon, "lac_confirmed", None)  # set by lac.relabel_lexicon
    for w, entries in lexicon.words.items():
        for c, lvl in entries:
            if lvl < min_level or LEX_CATEGORIES[c] not in types or not 2 <= len(w) <= 6:
                continue
            if confirmed is not None and confirmed.get(w) != c:
                continue  # jieba's POS alone is too noisy (its nr words hold many common words)
            pools.setdefault(LEX_CATEGORIES[c], []).append((w, lvl))
    for v in pools.values():
        v.sort()
    words = {t: [w for w, _ in v] for t, v in pools.items()}
    weights = {t: [2.0 ** lvl for _, lvl in v] for t, v in pools.items()} if sampling == "frequency" else None
    rng = random.Random(seed * 7919 + 17)
    out, convs = [], []
    for ex, conv in zip(examples, conventions):
        if only is not None and conv not in only:
            continue
        if not ex.spans or rng.random() >= share:
            continue
        text, spans, pos, shift = [], [], 0, 0
        for s, e, t in ex.spans:
            text.append(ex.text[pos:s])
            if t not in words:
                word = ex.text[s:e]
            else:  # uniform: rng.choice, the draw stream of the runs measured before weighting existed
                word = rng.choice(words[t]) if weights is None else rng.choices(words[t], weights[t])[0]
            ns = s + shift
            spans.append((ns, ns + len(word), t))
            text.append(word)
            shift += len(word) - (e - s)
            pos = e
        text.append(ex.text[pos:])
        new = "".join(text)
        if len(new) <= max_length:
            out.append(Example(f"{ex.id}#mr", new, tuple(spans), ex.unannotated))
            convs.append(conv)
    return out, convs
