"""Featuriser: normalised code points -> char ids, bigram ids and lexicon features.

Algorithm (featuriser ``zhner.char_bigram_lexicon.v1``; the TypeScript twin is
shared/model/src/features/featurizer.ts and must stay identical):

* ``t = normalise(text)`` (text.normalise_char per code point).
* char id of position i: ``chars[t[i]]`` or 1 (``<unk>``); 0 is padding.
* bigram id of position i: ``bigrams[t[i] + t[i+1]]`` (``t[i] + "</s>"`` at the last position)
  or 1 (``<unk>``); 0 is padding.
* lexicon levels: for every start i and length L in 2..max_word_len with ``w = t[i:i+L]`` in
  the lexicon, for every (category c, level v) of w: slot B (i), M (i+1..i+L-2) and E (i+L-1)
  of category c takes ``max(current, v)``. Feature column = ``slot * C + c`` (slots B, M, E);
  the model input is ``level / LEX_LEVELS`` as float32 (0 = no match).

Vocabularies: ids 0 ``<pad>``, 1 ``<unk>``, then entries sorted by descending training
frequency, ties by code-point order. File: ``vocab.json`` ``{"chars": [...], "bigrams": [...]}``
holding the full id -> string lists (ids are list indices).
"""
from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from pathlib import Path

import numpy as np

from .errors import ModelDirError
from .text import CHAR_CLASSES, char_classes, normalise

PAD, UNK = 0, 1
EOS = "</s>"
LEX_SLOTS = ("B", "M", "E")
LEX_LEVELS = 8
# jieba POS tag -> lexicon category. Order fixes the feature columns.
LEX_CATEGORIES = ("PER", "LOC", "ORG", "NZ", "ABBR", "NOUN", "OTHER")
_POS_TO_CAT = {"nr": 0, "nrt": 0, "nrfg": 0, "ns": 1, "nt": 2, "nz": 3, "j": 4,
               "n": 5, "ng": 5, "vn": 5, "an": 5}


def pos_category(pos: str) -> int:
    return _POS_TO_CAT.get(pos, len(LEX_CATEGORIES) - 1)


def freq_level(freq: int) -> int:
    """1..LEX_LEVELS from a dictionary frequency: 1 + floor(log2(freq)) // 2, capped."""
    return 1 + min(LEX_LEVELS - 1, (max(1, freq).bit_length() - 1) // 2)


class Vocab:
    def __init__(self, itos: list[str]):
        if itos[:2] != ["<pad>", "<unk>"]:
            raise ValueError("a vocabulary starts with <pad>, <unk>")
        self.itos = itos
        self.stoi = {s: i for i, s in enumerate(itos)}

    def __len__(self):
        return len(self.itos)

    def get(self, s: str) -> int:
        return self.stoi.get(s, UNK)

    @staticmethod
    def build(counts: Counter, min_freq: int, max_size: int = 0) -> "Vocab":
        # Lone surrogates (possible in JSON input) stay <unk>: they cannot be written as UTF-8.
        items = sorted(((s, c) for s, c in counts.items() if c >= min_freq and not _has_surrogate(s)),
                       key=lambda x: (-x[1], x[0]))
        if max_size:
            items = items[:max_size]
        return Vocab(["<pad>", "<unk>"] + [s for s, _ in items])


class Lexicon:
    """Dictionary words (normalised, length >= 2) -> [(category, level)]."""

    def __init__(self, words: dict[str, list[tuple[int, int]]], max_word_len: int):
        self.words = words
        self.max_word_len = max_word_len
        # Proper prefixes (length >= 2) of the words: lets the matcher stop early (speed only).
        self.prefixes = {w[:k] for w in words for k in range(2, len(w))}

    @staticmethod
    def from_jieba_dict(path: Path, min_freq: int, max_word_len: int) -> "Lexicon":
        """Read jieba's ``dict.txt`` (``word freq pos`` per line)."""
        words: dict[str, dict[int, int]] = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 2:
                    continue
                word, freq = parts[0], int(parts[1])
                pos = parts[2] if len(parts) > 2 else "x"
                if freq < min_freq or not (2 <= len(word) <= max_word_len):
                    continue
                w = normalise(word)
                cat, lvl = pos_category(pos), freq_level(freq)
                entry = words.setdefault(w, {})
                entry[cat] = max(entry.get(cat, 0), lvl)
        return Lexicon({w: sorted(e.items()) for w, e in words.items()}, max_word_len)

    def save(self, path: Path) -> None:
        """Deterministic gzip TSV: ``word<TAB>cat:level[,cat:level]`` sorted by word."""
        buf = io.StringIO()
        buf.write(f"#zhner-lexicon v1\tmax_word_len={self.max_word_len}\n")
        for w in sorted(self.words):
            buf.write(w + "\t" + ",".join(f"{c}:{v}" for c, v in self.words[w]) + "\n")
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            gz.write(buf.getvalue().encode("utf-8"))

    @staticmethod
    def load(path: Path) -> "Lexicon":
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
            header = f.readline().rstrip("\n").split("\t")
            if header[0] != "#zhner-lexicon v1":
                raise ModelDirError(str(path), "not a zhner lexicon v1 file")
            max_word_len = int(header[1].split("=")[1])
            words = {}
            for line in f:
                w, entries = line.rstrip("\n").split("\t")
                words[w] = [tuple(int(x) for x in e.split(":")) for e in entries.split(",")]
        return Lexicon(words, max_word_len)

    def levels(self, t: str) -> np.ndarray:
        """uint8 [len(t), 3 * C] levels for normalised text ``t``."""
        n, C = len(t), len(LEX_CATEGORIES)
        out = np.zeros((n, 3 * C), dtype=np.uint8)
        words = self.words
        for i in range(n - 1):
            for L in range(2, min(self.max_word_len, n - i) + 1):
                w = t[i:i + L]
                hits = words.get(w)
                if hits is None:
                    if w in self.prefixes:
                        continue
                    break
                for c, v in hits:
                    if out[i, c] < v:
                        out[i, c] = v
                    e = i + L - 1
                    if out[e, 2 * C + c] < v:
                        out[e, 2 * C + c] = v
                    for j in range(i + 1, e):
                        if out[j, C + c] < v:
                            out[j, C + c] = v
        return out


class Featurizer:
    """Turns raw text into model inputs; built from training data or loaded from a model dir."""

    def __init__(self, chars: Vocab, bigrams: Vocab | None, lexicon: Lexicon | None, classes: bool = False):
        self.chars, self.bigrams, self.lexicon = chars, bigrams, lexicon
        # zhner.char_bigram_lexicon.v2: also the character class of every token (text.char_class)
        self.classes = classes

    @property
    def kind(self) -> str:
        return "zhner.char_bigram_lexicon.v2" if self.classes else "zhner.char_bigram_lexicon.v1"

    @property
    def lex_dim(self) -> int:
        return 3 * len(LEX_CATEGORIES) if self.lexicon else 0

    @staticmethod
    def build(texts, min_char_freq: int, min_bigram_freq: int, max_bigrams: int,
              use_bigrams: bool, lexicon: Lexicon | None, classes: bool = False,
              extra_chars: list[str] | None = None) -> "Featurizer":
        """Vocabularies from the training texts. ``extra_chars`` (normalised, e.g. LAC's characters)
        are appended after the training characters (in the given order) when not already in."""
        cc, bc = Counter(), Counter()
        for text in texts:
            t = normalise(text)
            cc.update(t)
            if use_bigrams:
                bc.update(_bigrams(t))
        chars = Vocab.build(cc, min_char_freq)
        if extra_chars:
            seen = set(chars.itos)
            add = [c for c in dict.fromkeys(extra_chars) if c not in seen and not _has_surrogate(c)]
            chars = Vocab(chars.itos + add)
        return Featurizer(chars, Vocab.build(bc, min_bigram_freq, max_bigrams) if use_bigrams else None,
                          lexicon, classes)

    def featurise(self, text: str) -> dict[str, np.ndarray]:
        t = normalise(text)
        out = {"input_ids": np.fromiter((self.chars.get(c) for c in t), dtype=np.int64, count=len(t))}
        if self.bigrams is not None:
            out["bigram_ids"] = np.fromiter((self.bigrams.get(b) for b in _bigrams(t)), dtype=np.int64, count=len(t))
        if self.lexicon is not None:
            out["lexicon_levels"] = self.lexicon.levels(t)
        if self.classes:
            out["class_ids"] = np.array(char_classes(t), dtype=np.int64)
        return out

    # -- persistence (model directory) -----------------------------------------------------
    def save(self, model_dir: Path) -> list[str]:
        files = ["vocab.json"]
        vocab = {"chars": self.chars.itos}
        if self.bigrams is not None:
            vocab["bigrams"] = self.bigrams.itos
        (model_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        if self.lexicon is not None:
            self.lexicon.save(model_dir / "lexicon.tsv.gz")
            files.append("lexicon.tsv.gz")
        return files

    @staticmethod
    def load(model_dir: Path, classes: bool = False) -> "Featurizer":
        vf = model_dir / "vocab.json"
        if not vf.is_file():
            raise ModelDirError(str(model_dir), "vocab.json missing")
        vocab = json.loads(vf.read_text(encoding="utf-8"))
        lf = model_dir / "lexicon.tsv.gz"
        return Featurizer(Vocab(vocab["chars"]),
                          Vocab(vocab["bigrams"]) if "bigrams" in vocab else None,
                          Lexicon.load(lf) if lf.is_file() else None, classes)

    def describe(self, max_length: int) -> dict:
        """The ``featurizer`` block of manifest.json."""
        d = {
            "kind": self.kind,
            "token": "unicode_code_point",
            "normalisation": "zhner.fullwidth_ascii_lower.v1: U+FF01..U+FF5E -> minus 0xFEE0; U+3000 -> U+0020; then A-Z -> a-z (one code point to one)",
            "max_length": max_length,
            "pad_id": PAD, "unk_id": UNK,
            "vocab_file": "vocab.json",
            "char_vocab_size": len(self.chars),
            "bigrams": None,
            "lexicon": None,
        }
        if self.bigrams is not None:
            d["bigrams"] = {"vocab_size": len(self.bigrams), "eos": EOS,
                            "rule": "id(t[i] + t[i+1]); at the last position id(t[i] + '</s>')"}
        if self.lexicon is not None:
            d["lexicon"] = {"file": "lexicon.tsv.gz", "format": "zhner-lexicon v1 (gzip; word TAB cat:level[,cat:level])",
                            "max_word_len": self.lexicon.max_word_len, "words": len(self.lexicon.words),
                            "categories": list(LEX_CATEGORIES), "slots": list(LEX_SLOTS), "levels": LEX_LEVELS,
                            "dim": self.lex_dim, "input": "lexicon_feats",
                            "rule": "column slot*C+cat = max level of matched words (len 2..max_word_len) / levels"}
        if self.classes:
            d["char_classes"] = {"input": "class_ids", "table": "zhner.char_class.v1", "names": list(CHAR_CLASSES),
                                 "rule": "class of each normalised code point by the ranges of zhner_trainer/text.py (0 = padding)"}
        return d


def _has_surrogate(s: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def _bigrams(t: str) -> list[str]:
    n = len(t)
    return [t[i] + (t[i + 1] if i + 1 < n else EOS) for i in range(n)]
