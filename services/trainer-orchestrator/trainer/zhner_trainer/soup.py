"""Weight soups: the uniform average of runs that share a base (Wortsman et al. 2022, "model soups").

``soup --base DIR --from DIR [DIR ...] --out DIR [--rule better|all]``

Every ingredient must be a checkpoint directory with the base's architecture, labels, conventions,
featuriser files and parameter shapes: in practice fine-tunes of the base (``--init-from`` it), so
that their weights lie in one basin and their average is a model, not noise. ``rule = "better"``
keeps an ingredient only if its recorded selection score (checkpoint.json ``metrics.dev`` F1, the
mean over the dev sets for ``mean_dev_sets``) beats the base's: the rule is fixed before the soup is
scored, so the soup is not itself chosen among many on dev. Ingredients are recorded by directory
name (no host paths in a model that gets committed). The output is a checkpoint directory
(export it like a training run); the soup is scored on the base config's ``corpora.dev_sets`` and
its checkpoint.json records the ingredients, their scores and which were used.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import torch

from .checkpoint import load_model, load_weights, read_checkpoint, save_weights
from .data import DATA_IDS_FILE, read_data_ids, write_data_ids
from .errors import SoupError
from .evaluate import evaluate

RULES = ("better", "all")
# facts of checkpoint.json that every ingredient must share with the base
_SAME = ("architecture", "scheme", "labels", "max_length", "input_names", "conventions", "default_convention")


def log(msg: str) -> None:
    print(f"[soup] {msg}", file=sys.stderr, flush=True)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _score(meta: dict) -> float | None:
    dev = (meta.get("metrics") or {}).get("dev")
    return float(dev["f1"]) if isinstance(dev, dict) and "f1" in dev else None


def check_compatible(base_dir: Path, base_meta: dict, base_state: dict, dir_: Path, meta: dict, state: dict) -> None:
    for k in _SAME:
        if meta.get(k) != base_meta.get(k):
            raise SoupError(str(dir_), f"{k} differs from the base's ({meta.get(k)!r} vs {base_meta.get(k)!r})")
    files = base_meta.get("featurizer_files") or []
    if (meta.get("featurizer_files") or []) != files:
        raise SoupError(str(dir_), "featuriser files differ from the base's")
    for f in files:
        if _sha(dir_ / f) != _sha(base_dir / f):
            raise SoupError(str(dir_), f"{f} differs from the base's (another vocabulary or lexicon)")
    if state.keys() != base_state.keys():
        raise SoupError(str(dir_), f"parameters differ from the base's: {sorted(state.keys() ^ base_state.keys())[:5]}")
    for k, v in state.items():
        if v.shape != base_state[k].shape:
            raise SoupError(str(dir_), f"parameter {k} has shape {tuple(v.shape)}, the base {tuple(base_state[k].shape)}")


def average(states: list[dict]) -> dict:
    """Uniform mean of float tensors (in float32); other tensors (counters) are the first state's."""
    return {k: (sum(s[k].float() for s in states) / len(states)) if states[0][k].is_floating_point() else states[0][k]
            for k in states[0]}


def make_soup(base: Path, ingredients: list[Path], out_dir: Path, rule: str = "better", threads: int = 0) -> dict:
    if rule not in RULES:
        raise SoupError(str(out_dir), f"unknown rule {rule!r}; one of {list(RULES)}")
    if not ingredients:
        raise SoupError(str(out_dir), "no ingredient given (--from)")
    torch.set_num_threads(threads or os.cpu_count() or 1)
    base = Path(base).resolve()
    out_dir = Path(out_dir).resolve()
    if out_dir == base or out_dir in [Path(d).resolve() for d in ingredients]:
        raise SoupError(str(out_dir), "the output directory must not be the base or an ingredient")
    cfg, base_meta = read_checkpoint(base)
    base_state = load_weights(base / "weights.npz")
    base_score = _score(base_meta)
    rows = [{"name": base.name, "role": "base", "dev_f1": base_score, "used": True}]
    used_states = [base_state]
    used_dirs = [base]
    for d in ingredients:
        d = Path(d).resolve()
        _, meta = read_checkpoint(d)
        state = load_weights(d / "weights.npz")
        check_compatible(base, base_meta, base_state, d, meta, state)
        score = _score(meta)
        if rule == "better" and (score is None or base_score is None):
            raise SoupError(str(d), "rule 'better' needs metrics.dev.f1 in the checkpoint.json of the base and of every ingredient")
        use = rule == "all" or score > base_score
        rows.append({"name": d.name, "role": "ingredient", "dev_f1": score, "used": use})
        log(f"{d.name}: dev F1 {score} vs base {base_score} -> {'used' if use else 'left out'}")
        if use:
            used_states.append(state)
            used_dirs.append(d)

    out_dir.mkdir(parents=True, exist_ok=True)
    for f in ["config.cfg", *(base_meta.get("featurizer_files") or [])]:
        shutil.copyfile(base / f, out_dir / f)
    dtype = cfg["export"]["weights_dtype"]
    # write the average first, then score what was written (float16 round trip included)
    model, featurizer, _, _ = load_model(base)
    model.load_state_dict(average(used_states))
    save_weights(model, out_dir / "weights.npz", dtype)
    model.load_state_dict(load_weights(out_dir / "weights.npz"))
    model.eval()
    (out_dir / "crf.json").write_text(json.dumps(model.crf.to_json()), encoding="utf-8")

    # the sentences the soup has seen: every used ingredient's (each includes its parent's)
    ids: dict[str, list[str]] = {}
    for d in used_dirs:
        if (d / DATA_IDS_FILE).is_file():
            for name, lst in read_data_ids(d / DATA_IDS_FILE).items():
                seen = set(ids.setdefault(name, []))
                ids[name].extend(i for i in lst if i not in seen)
    write_data_ids(out_dir / DATA_IDS_FILE, ids)

    from .train import load_dev_sets, _short
    conventions = list(base_meta.get("conventions") or [])
    sets = {}
    batch = cfg["training"]["eval_batch_size"]
    for name, (exs, ci, _) in load_dev_sets(cfg, conventions, base_meta.get("default_convention") or "").items():
        sc = evaluate(model, featurizer, exs, base_meta["labels"], base_meta["scheme"], base_meta["max_length"], batch, "cpu", ci)
        sets[name] = {**sc, "convention": conventions[ci] if conventions else None}
        log(f"dev set {name}: F1 {sc['f1']:.4f}")
    dev = ({k: sum(v[k] for v in sets.values()) / len(sets) for k in ("precision", "recall", "f1")}
           | {"per_type": {}, "sets": {k: _short(v) for k, v in sets.items()}}) if sets else None
    meta = dict(base_meta,
                created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                best_epoch=None,
                soup={"rule": rule, "ingredients": rows, "used": len(used_dirs)},
                data_ids={"file": DATA_IDS_FILE, "sentences": sum(len(v) for v in ids.values()),
                          "includes_parent": True},
                metrics={"dev": dev, "extra_dev": {}, "dev_sets": sets})
    (out_dir / "checkpoint.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    result = {"out_dir": str(out_dir), "version": None, "used": len(used_dirs), "dev": _short(dev),
              "dev_sets": {k: _short(v) for k, v in sets.items()}}
    return result
