"""Encoded examples, deterministic length-bucketed batches, and padding to tensors."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .data import Example
from .tagging import spans_to_tags
from .text import split_for_model


@dataclass
class Encoded:
    feats: dict  # input_ids [n] int64, bigram_ids [n] int64?, lexicon_levels [n, D] uint8?, class_ids [n]?
    tags: np.ndarray | None  # [n] int64 label ids
    convention: int = 0  # index into model.conventions (the convention_ids input)
    # [n, L] bool: the labels each token may take (partial annotation: Example.unannotated); None = exactly its tag
    allowed: np.ndarray | None = None

    def __len__(self):
        return len(self.feats["input_ids"])


def encode(examples: list[Example], featurizer, labels: list[str], scheme: str, conventions: list[int] | None = None) -> list[Encoded]:
    """``conventions``: the convention index of each example (default 0)."""
    index = {l: i for i, l in enumerate(labels)}
    out = []
    for k, ex in enumerate(examples):
        if not ex.text:
            continue
        tags = spans_to_tags(len(ex.text), ex.spans, scheme)
        ids = np.array([index[t] for t in tags], dtype=np.int64)
        allowed = None
        # the labels of the types this sentence was not annotated for (only those the model has)
        free = [i for i, l in enumerate(labels) if l != "O" and l.split("-", 1)[-1] in ex.unannotated]
        if free:
            allowed = np.zeros((len(ids), len(labels)), dtype=bool)
            allowed[np.arange(len(ids)), ids] = True
            outside = ids == index["O"]
            for i in free:
                allowed[outside, i] = True
        out.append(Encoded(featurizer.featurise(ex.text), ids, conventions[k] if conventions else 0, allowed))
    return out


def batch_order(lengths: list[int], batch_size: int, bucket_batches: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffle, sort within buckets of ``batch_size * bucket_batches`` by length, cut into batches,
    shuffle the batches. Same rng state -> same order."""
    idx = rng.permutation(len(lengths))
    chunk = batch_size * bucket_batches
    batches = []
    for s in range(0, len(idx), chunk):
        part = sorted(idx[s:s + chunk].tolist(), key=lambda i: lengths[i])
        batches.extend(part[k:k + batch_size] for k in range(0, len(part), batch_size))
    order = rng.permutation(len(batches))
    return [batches[i] for i in order]


def collate(items: list[Encoded], input_names: tuple, device, with_tags: bool = True) -> dict:
    from .features import LEX_LEVELS
    B, S = len(items), max(len(x) for x in items)
    ids = np.zeros((B, S), dtype=np.int64)
    mask = np.zeros((B, S), dtype=np.int64)
    big = np.zeros((B, S), dtype=np.int64) if "bigram_ids" in input_names else None
    lex = None
    cls = np.zeros((B, S), dtype=np.int64) if "class_ids" in input_names else None
    tags = np.zeros((B, S), dtype=np.int64) if with_tags else None
    for b, x in enumerate(items):
        n = len(x)
        ids[b, :n] = x.feats["input_ids"]
        mask[b, :n] = 1
        if big is not None:
            big[b, :n] = x.feats["bigram_ids"]
        if "lexicon_feats" in input_names:
            lv = x.feats["lexicon_levels"]
            if lex is None:
                lex = np.zeros((B, S, lv.shape[1]), dtype=np.float32)
            lex[b, :n] = lv.astype(np.float32) / LEX_LEVELS
        if cls is not None:
            cls[b, :n] = x.feats["class_ids"]
        if with_tags:
            tags[b, :n] = x.tags
    out = {"input_ids": torch.from_numpy(ids).to(device), "attention_mask": torch.from_numpy(mask).to(device)}
    if big is not None:
        out["bigram_ids"] = torch.from_numpy(big).to(device)
    if lex is not None:
        out["lexicon_feats"] = torch.from_numpy(lex).to(device)
    if cls is not None:
        out["class_ids"] = torch.from_numpy(cls).to(device)
    if "convention_ids" in input_names:
        out["convention_ids"] = torch.tensor([x.convention for x in items], dtype=torch.int64, device=device)
    if with_tags:
        out["tags"] = torch.from_numpy(tags).to(device)
        if any(x.allowed is not None for x in items):
            L = next(x.allowed.shape[1] for x in items if x.allowed is not None)
            allowed = np.zeros((B, S, L), dtype=bool)
            for b, x in enumerate(items):
                n = len(x)
                if x.allowed is not None:
                    allowed[b, :n] = x.allowed
                else:
                    allowed[b, np.arange(n), x.tags] = True
                allowed[b, n:, 0] = True  # padding: any label (masked out of the CRF anyway)
            out["allowed"] = torch.from_numpy(allowed).to(device)
    return out


def segment_docs(examples: list[Example], featurizer, max_length: int, convention: int = 0):
    """For evaluation: every document cut like the runtime cuts it.
    Returns (segments [Encoded], owners [(doc index, code-point offset, segment text)])."""
    segs, owners = [], []
    for d, ex in enumerate(examples):
        for s, e in split_for_model(ex.text, max_length):
            if e > s:
                segs.append(Encoded(featurizer.featurise(ex.text[s:e]), None, convention))
                owners.append((d, s, ex.text[s:e]))
    return segs, owners


def unk_dropout(batch: dict, p: float, gen: torch.Generator) -> None:
    """Training augmentation: each real character id becomes <unk> (1) with probability ``p``, and so
    do the two bigrams that contain it; teaches the model what to do with unknown characters."""
    ids = batch["input_ids"]
    drop = (torch.rand(ids.shape, generator=gen) < p).to(ids.device) & (ids > 1)
    if not bool(drop.any()):
        return
    batch["input_ids"] = ids.masked_fill(drop, 1)
    if "bigram_ids" in batch:
        prev = torch.zeros_like(drop)
        prev[:, :-1] = drop[:, 1:]
        big = batch["bigram_ids"]
        batch["bigram_ids"] = big.masked_fill((drop | prev) & (big > 0), 1)
