"""Dumps used by the TypeScript parity tests (test/model): featuriser ids and torch label paths.

  python -m zhner_trainer features --model DIR --input FILE.jsonl [--limit N]
      one JSON line per text: {"id", "input_ids", "bigram_ids", "lexicon_levels" (flat, row-major)}
  python -m zhner_trainer predict --model DIR --input FILE.jsonl [--limit N] [--convention NAME]
      one JSON line per text (each at most max_length code points): {"id", "labels": [label ids]}
      from the torch model (one padded batch, Viterbi with the well-formedness constraints of
      constraints.py), i.e. what the ONNX runtime must reproduce; ``--convention`` picks one of the
      model's conventions (default: its default).
Input lines need a "text" (corpus files work as they are).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from .batching import Encoded, collate
from .checkpoint import load_featurizer, load_model, read_checkpoint
from .constraints import blocked_labels, classes_of, constrain_emissions
from .errors import ConfigError


def _texts(path: Path, limit: int):
    out = []
    with open(path, encoding="utf-8") as f:
        for k, line in enumerate(f):
            if line.strip():
                d = json.loads(line)
                out.append((d.get("id", str(k)), d["text"]))
            if limit and len(out) >= limit:
                break
    return out


def dump_features(model_dir: Path, inp: Path, limit: int) -> None:
    cfg, _ = read_checkpoint(model_dir)
    feat = load_featurizer(model_dir, cfg["model"])
    for id_, text in _texts(inp, limit):
        f = feat.featurise(text)
        row = {"id": id_, "input_ids": f["input_ids"].tolist()}
        if "bigram_ids" in f:
            row["bigram_ids"] = f["bigram_ids"].tolist()
        if "lexicon_levels" in f:
            row["lexicon_levels"] = f["lexicon_levels"].reshape(-1).tolist()
        if "class_ids" in f:
            row["class_ids"] = f["class_ids"].tolist()
        row["classes"] = classes_of(text)
        sys.stdout.write(json.dumps(row) + "\n")


@torch.no_grad()
def dump_predictions(model_dir: Path, inp: Path, limit: int, convention: str | None = None) -> None:
    torch.set_num_threads(1)
    model, feat, cfg, meta = load_model(model_dir)
    convs = list(meta.get("conventions") or [])
    name = convention or meta.get("default_convention")
    if convention and convention not in convs:
        raise ConfigError("--convention", f"unknown convention {convention!r}; the model's: {convs}")
    ci = convs.index(name) if convs else 0
    texts = _texts(inp, limit)
    for id_, text in texts:
        if len(text) > meta["max_length"]:
            raise ValueError(f"{id_}: longer than max_length {meta['max_length']}")
    items = [Encoded(feat.featurise(t), None, ci) for _, t in texts]
    batch = collate(items, model.input_names, "cpu", with_tags=False)
    em, _ = model(**{n: batch[n] for n in model.input_names})
    em = em.float()
    blocked = blocked_labels(meta["labels"], meta["scheme"])
    for b, (_, t) in enumerate(texts):
        constrain_emissions(em[b], classes_of(t), blocked)
    paths = model.crf.decode(em, batch["attention_mask"].bool())
    for (id_, _), p in zip(texts, paths):
        sys.stdout.write(json.dumps({"id": id_, "labels": p}) + "\n")
