"""Baseline for the tagger benchmark: the same model served the way the seed system served it.

PyTorch (eager, CPU), one request at a time: for each text, cut it like the runtime cuts it
(split_for_model), featurise, run the torch model on a batch of one segment, Viterbi-decode with
the model's CRF and collect the spans. Nothing is batched across texts.

Usage (in the trainer's Python environment):
    .venv/bin/python bench/tagger/pytorch_serve.py --model MODEL_DIR --texts TEXTS.jsonl \
        [--threads 1] [--warmup 20]
TEXTS.jsonl holds one JSON string per line. Prints one JSON line:
    {"docs": N, "seconds": S, "docs_per_s": R, "p50_ms": .., "p99_ms": .., "threads": T, "torch": "x.y"}
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from zhner_trainer.batching import Encoded, collate
from zhner_trainer.checkpoint import load_model
from zhner_trainer.tagging import tags_to_spans
from zhner_trainer.text import split_for_model


@torch.no_grad()
def serve_one(model, featurizer, labels, scheme, max_length, text):
    spans = []
    for s, e in split_for_model(text, max_length):
        if e <= s:
            continue
        batch = collate([Encoded(featurizer.featurise(text[s:e]), None)], model.input_names, "cpu", with_tags=False)
        emissions, _ = model(**{n: batch[n] for n in model.input_names})
        path = model.crf.decode(emissions, batch["attention_mask"].bool())[0]
        spans.extend((a + s, b + s, t) for a, b, t in tags_to_spans([labels[j] for j in path], scheme))
    return spans


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--texts", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, featurizer, _cfg, meta = load_model(Path(args.model))
    labels, scheme, max_length = meta["labels"], meta["scheme"], meta["max_length"]
    texts = [json.loads(line) for line in Path(args.texts).read_text(encoding="utf-8").splitlines() if line.strip()]
    for t in texts[: args.warmup]:
        serve_one(model, featurizer, labels, scheme, max_length, t)
    lat = []
    started = time.perf_counter()
    for t in texts:
        t0 = time.perf_counter()
        serve_one(model, featurizer, labels, scheme, max_length, t)
        lat.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - started
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, max(0, int(q * len(lat) + 0.999999) - 1))]
    print(json.dumps({"docs": len(texts), "seconds": round(seconds, 3), "docs_per_s": round(len(texts) / seconds, 1),
                      "p50_ms": round(pick(0.5), 3), "p99_ms": round(pick(0.99), 3), "threads": args.threads,
                      "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
