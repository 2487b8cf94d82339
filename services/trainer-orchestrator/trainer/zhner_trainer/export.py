"""Export a checkpoint directory into a model directory (the runtime contract).

Writes model.onnx (FP32), model.int8.onnx (onnxruntime dynamic quantisation of
``export.quantize_ops``), checks both with onnxruntime (dynamic batch/sequence axes on a batch
of three lengths; FP32 emissions vs torch; FP32 vs INT8 strict F1 and speed on the dev set), and
writes manifest.json with the sha256 of every other file. See README.md for the contract.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

from .checkpoint import MODEL_FILES, load_model, sha256_file
from .constraints import RULE, blocked_labels, classes_of, constrain_emissions, wellformed_spans
from .data import read_id_file, read_jsonl
from .features import LEX_LEVELS
from .metrics import score_spans
from .tagging import tags_to_spans
from .text import CHAR_CLASSES, split_for_model

MANIFEST_FORMAT = "zhner-model/1"


def log(msg: str) -> None:
    print(f"[export] {msg}", file=sys.stderr, flush=True)


class _OnnxWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, *inputs):
        return self.model(**dict(zip(self.model.input_names, inputs)))


def _dummy_inputs(model, lengths: list[int], lex_dim: int, seed: int = 0):
    g = np.random.default_rng(seed)
    B, S = len(lengths), max(lengths)
    mask = np.zeros((B, S), dtype=np.int64)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
    feeds = {"input_ids": (g.integers(2, 50, (B, S)) * mask).astype(np.int64), "attention_mask": mask}
    if "bigram_ids" in model.input_names:
        feeds["bigram_ids"] = (g.integers(1, 50, (B, S)) * mask).astype(np.int64)
    if "lexicon_feats" in model.input_names:
        feeds["lexicon_feats"] = (g.integers(0, LEX_LEVELS + 1, (B, S, lex_dim)) / LEX_LEVELS * mask[:, :, None]).astype(np.float32)
    if "class_ids" in model.input_names:
        feeds["class_ids"] = (g.integers(1, len(CHAR_CLASSES), (B, S)) * mask).astype(np.int64)
    if "convention_ids" in model.input_names:
        feeds["convention_ids"] = (np.arange(B) % max(1, len(model.conventions))).astype(np.int64)
    return feeds


def export_onnx(model, path: Path, opset: int, lex_dim: int) -> None:
    names = list(model.input_names)
    feeds = _dummy_inputs(model, [7, 5], lex_dim)
    args = tuple(torch.from_numpy(feeds[n]) for n in names)
    axes = {n: ({0: "batch"} if n == "convention_ids" else {0: "batch", 1: "sequence"}) for n in names}
    axes["emissions"] = {0: "batch", 1: "sequence"}
    axes["embedding"] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(_OnnxWrapper(model).eval(), args, str(path), input_names=names,
                          output_names=["emissions", "embedding"], dynamic_axes=axes,
                          opset_version=opset, do_constant_folding=True)


def quantize(src: Path, dst: Path, ops: list[str], per_channel: bool = False) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(str(src), str(dst), op_types_to_quantize=ops, weight_type=QuantType.QInt8,
                     per_channel=per_channel, reduce_range=False)


def _session(path: Path, threads: int = 1):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def check_against_torch(model, sess, lex_dim: int) -> float:
    """Max |emission difference| on valid positions for a batch of three lengths."""
    lengths = [9, 3, 6]
    feeds = _dummy_inputs(model, lengths, lex_dim, seed=1)
    with torch.no_grad():
        em_t, emb_t = model(**{k: torch.from_numpy(v) for k, v in feeds.items()})
    em_o, emb_o = sess.run(["emissions", "embedding"], feeds)
    assert em_o.shape == (3, 9, model.crf.num_labels), em_o.shape
    diff = 0.0
    for b, n in enumerate(lengths):
        diff = max(diff, float(np.abs(em_o[b, :n] - em_t[b, :n].numpy()).max()))
    diff = max(diff, float(np.abs(emb_o - emb_t.numpy()).max()))
    return diff


def viterbi_np(em: np.ndarray, crf: dict) -> list[int]:
    T, start, end = (np.asarray(crf[k], dtype=np.float64) for k in ("transitions", "start", "end"))
    n = em.shape[0]
    score = start + em[0]
    back = np.zeros((n, len(start)), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + T
        back[t] = cand.argmax(0)
        score = cand.max(0) + em[t]
    tag = int((score + end).argmax())
    path = [tag]
    for t in range(n - 1, 0, -1):
        tag = int(back[t, tag])
        path.append(tag)
    return path[::-1]


def ort_predict(sess, featurizer, input_names, texts, labels, scheme, crf, max_length, batch_size=32, convention=0):
    """Entities of ``texts`` by an ONNX session + numpy Viterbi, with the well-formedness rule."""
    blocked = blocked_labels(labels, scheme)
    segs = []
    for d, text in enumerate(texts):
        for s, e in split_for_model(text, max_length):
            if e > s:
                segs.append((d, s, featurizer.featurise(text[s:e]), classes_of(text[s:e])))
    pred = [[] for _ in texts]
    order = sorted(range(len(segs)), key=lambda i: len(segs[i][2]["input_ids"]))
    for k in range(0, len(order), batch_size):
        chunk = [segs[i] for i in order[k:k + batch_size]]
        B, S = len(chunk), max(len(c[2]["input_ids"]) for c in chunk)
        feeds = {"input_ids": np.zeros((B, S), np.int64), "attention_mask": np.zeros((B, S), np.int64)}
        if "bigram_ids" in input_names:
            feeds["bigram_ids"] = np.zeros((B, S), np.int64)
        if "lexicon_feats" in input_names:
            feeds["lexicon_feats"] = np.zeros((B, S, featurizer.lex_dim), np.float32)
        if "class_ids" in input_names:
            feeds["class_ids"] = np.zeros((B, S), np.int64)
        if "convention_ids" in input_names:
            feeds["convention_ids"] = np.full((B,), convention, np.int64)
        for b, (_, _, f, _) in enumerate(chunk):
            n = len(f["input_ids"])
            feeds["input_ids"][b, :n] = f["input_ids"]
            feeds["attention_mask"][b, :n] = 1
            if "bigram_ids" in feeds:
                feeds["bigram_ids"][b, :n] = f["bigram_ids"]
            if "lexicon_feats" in feeds:
                feeds["lexicon_feats"][b, :n] = f["lexicon_levels"].astype(np.float32) / LEX_LEVELS
            if "class_ids" in feeds:
                feeds["class_ids"][b, :n] = f["class_ids"]
        em = sess.run(["emissions"], feeds)[0]
        for b, (d, off, f, cl) in enumerate(chunk):
            n = len(f["input_ids"])
            e_b = constrain_emissions(em[b, :n].astype(np.float64), cl, blocked)
            path = viterbi_np(e_b, crf)
            spans = wellformed_spans(tags_to_spans([labels[j] for j in path], scheme), cl)
            pred[d].extend((s + off, e + off, t) for s, e, t in spans)
    return pred


def export_model_dir(ckpt_dir: Path, out_dir: Path, overrides: dict | None = None) -> dict:
    """Export ``ckpt_dir`` (a training output) into ``out_dir``; returns the manifest."""
    ckpt_dir, out_dir = Path(ckpt_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if ckpt_dir.resolve() != out_dir.resolve():
        for name in MODEL_FILES:  # a model dir holds exactly one model: drop a previous one
            if (out_dir / name).is_file():
                (out_dir / name).unlink()
        for f in ckpt_dir.iterdir():
            if f.is_file() and not f.name.startswith(".") and f.name not in ("manifest.json", "model.onnx", "model.int8.onnx"):
                shutil.copy2(f, out_dir / f.name)
    torch.set_num_threads(1)
    model, featurizer, cfg, meta = load_model(out_dir)
    ecfg = dict(cfg["export"], **(overrides or {}))
    lex_dim = getattr(featurizer, "lex_dim", 0)
    labels, scheme, max_length = meta["labels"], meta["scheme"], meta["max_length"]

    fp32 = out_dir / "model.onnx"
    t0 = time.time()
    export_onnx(model, fp32, ecfg["opset"], lex_dim)
    sess = _session(fp32)
    diff = check_against_torch(model, sess, lex_dim)
    log(f"model.onnx written in {time.time() - t0:.1f}s; max |torch - onnx| = {diff:.2e}")
    if diff > 1e-3:
        raise RuntimeError(f"ONNX output differs from torch by {diff}")
    int8 = out_dir / "model.int8.onnx"
    if int8.exists():
        int8.unlink()
    if ecfg["quantize"]:
        quantize(fp32, int8, ecfg["quantize_ops"], ecfg["quantize_per_channel"])
        check_against_torch(model, _session(int8), lex_dim)  # shapes/axes only
        log(f"model.int8.onnx written ({int8.stat().st_size / 1e6:.1f} MB, ops {ecfg['quantize_ops']}, "
            f"per channel {ecfg['quantize_per_channel']})")

    crf = json.loads((out_dir / "crf.json").read_text(encoding="utf-8"))
    conventions = list(getattr(model, "conventions", []) or [])
    default_convention = cfg["model"].get("default_convention") or None
    fold = conventions.index(cfg["corpora"]["convention"] or default_convention) if conventions else 0

    def check(path_, docs, convention):
        texts, gold = [d.text for d in docs], [list(d.spans) for d in docs]
        res = {"docs": len(docs)}
        variants = [("fp32", fp32)] + ([("int8", int8)] if int8.exists() else [])
        for tag, p in variants:
            s = _session(p)
            t = time.time()
            pred = ort_predict(s, featurizer, model.input_names, texts, labels, scheme, crf, max_length, convention=convention)
            el = time.time() - t
            res[f"f1_{tag}"] = round(score_spans(gold, pred)["f1"], 5)
            res[f"docs_per_s_{tag}"] = round(len(docs) / el, 1)
        if "f1_int8" in res:
            res["f1_drop_int8"] = round(res["f1_fp32"] - res["f1_int8"], 5)
            if res["f1_drop_int8"] > 0.005:
                log(f"WARNING: int8 loses {res['f1_drop_int8']:.4f} F1 against fp32 on {path_}")
        return res

    onnx_check = None
    dev_path = cfg.resolve_path(cfg["corpora"]["dev"])
    if ecfg["int8_check_docs"] and dev_path.is_file():
        onnx_check = {"data": cfg["corpora"]["dev"], **check(dev_path, read_jsonl(dev_path, ecfg["int8_check_docs"]), fold)}
        sets = {}
        for d in cfg["corpora"]["dev_sets"]:
            exs = read_jsonl(cfg.resolve_path(d["file"]))
            if d["ids"]:
                keep = read_id_file(cfg.resolve_path(d["ids"]))
                exs = [e for e in exs if e.id in keep]
            ci = conventions.index(d["convention"] or default_convention) if conventions else 0
            sets[d["name"]] = {"convention": conventions[ci] if conventions else None,
                               **check(d["file"], exs[:ecfg["int8_check_docs"]], ci)}
        if sets:
            onnx_check["dev_sets"] = sets
        log(f"onnx check: {onnx_check}")

    with torch.no_grad():
        feeds = _dummy_inputs(model, [3], lex_dim)
        emb_dim = int(model(**{k: torch.from_numpy(v) for k, v in feeds.items()})[1].shape[1])
    weights_hash = sha256_file(out_dir / "weights.npz")
    arch_slug = meta["architecture"].split(".")[0].replace("_", "-")
    created = dt.datetime.now(dt.timezone.utc)
    manifest = {
        "format": MANIFEST_FORMAT,
        "name": ecfg["name"],
        "version": f"{ecfg['name']}-{arch_slug}-{created:%Y%m%d}-{weights_hash[:8]}",
        "created_at": created.isoformat(timespec="seconds"),
        "parent_version": meta.get("parent_version"),
        "architecture": meta["architecture"],
        "labels": labels,
        "scheme": scheme,
        "entity_types": meta["entity_types"],
        "max_length": max_length,
        "featurizer": featurizer.describe(max_length),
        "onnx": {
            "fp32": "model.onnx",
            "int8": "model.int8.onnx" if int8.exists() else None,
            "opset": ecfg["opset"],
            "quantized_ops": ecfg["quantize_ops"] if int8.exists() else [],
            "inputs": [{"name": n, "dtype": "float32" if n == "lexicon_feats" else "int64",
                        "shape": ["batch", "sequence", lex_dim] if n == "lexicon_feats"
                        else ["batch"] if n == "convention_ids" else ["batch", "sequence"]}
                       for n in model.input_names],
            "outputs": [{"name": "emissions", "dtype": "float32", "shape": ["batch", "sequence", len(labels)]},
                        {"name": "embedding", "dtype": "float32", "shape": ["batch", emb_dim]}],
        },
        "embedding_dim": emb_dim,
        "conventions": _conventions_block(conventions, default_convention),
        "decoding": {"wellformed": RULE,
                     "rule": "on a blank token, labels that start or end an entity are blocked (emission - 10000); "
                             "then blanks are trimmed from entity edges and entities without a han/latin/other "
                             "character are dropped (zhner_trainer/constraints.py)"},
        "crf": {"file": "crf.json", "layout": "transitions[from][to], start[label], end[label]"},
        "weights": {"file": "weights.npz", "dtype": cfg["export"]["weights_dtype"],
                    "note": "torch state dict for --init-from (fine-tuning)"},
        "training": {"config_file": "config.cfg", "config": cfg, "best_epoch": meta.get("best_epoch"),
                     "soup": meta.get("soup"),
                     "seed": meta.get("seed"), "device": meta.get("device"), "parameters": meta.get("parameters"),
                     "torch": meta.get("torch")},
        "data": meta.get("data", []),
        "data_ids": meta.get("data_ids"),
        "metrics": {**meta.get("metrics", {}), "onnx_check": onnx_check,
                    "onnx_max_abs_diff_vs_torch": diff},
        "files": {},
    }
    write_manifest(out_dir, manifest)
    log(f"manifest.json: version {manifest['version']}")
    return manifest


# Conventions a corpus folder name maps to when it is not one itself (the eval CLI picks the
# convention of a data file by its folder): People's Daily follows the MSRA guidelines.
CONVENTION_ALIASES = {"peoples_daily": "msra"}


def _conventions_block(conventions: list[str], default: str | None):
    """manifest.json ``conventions`` (null for a model with one implicit convention)."""
    if not conventions:
        return None
    return {"names": conventions, "default": default, "input": "convention_ids",
            "aliases": {k: v for k, v in CONVENTION_ALIASES.items() if v in conventions},
            "note": "one annotation convention per training corpus (names = corpus folders); "
                    "the runtime feeds the index of the chosen one as convention_ids"}


def write_manifest(model_dir: Path, manifest: dict) -> None:
    """(Re)compute ``files`` (sha256 + bytes of every other file) and write manifest.json."""
    manifest["files"] = {f.name: {"sha256": sha256_file(f), "bytes": f.stat().st_size}
                         for f in sorted(Path(model_dir).iterdir())
                         if f.is_file() and f.name != "manifest.json" and not f.name.startswith(".")}
    (Path(model_dir) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def rehash(model_dir: Path) -> dict:
    m = json.loads((Path(model_dir) / "manifest.json").read_text(encoding="utf-8"))
    write_manifest(model_dir, m)
    return m
