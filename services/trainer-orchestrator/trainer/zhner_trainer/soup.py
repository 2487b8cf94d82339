"""Weight soups: the uniform average of runs that share a base (Wortsman et al. 2022, "model soups").

``soup --base DIR --from DIR [DIR ...] --out DIR [--rule better|all]``

Every ingredient must be a fine-tune of the base: the same architecture, labels, conventions,
featuriser files, parameter shapes and selection (the same dev sets, scored the same way), and,
where the ingredient records it (runs of this trainer since the soup exists), the sha256 of the
weights it started from equal to the base's. Only then do the weights lie in one basin, so that
their average is a model and not noise. ``rule = "better"`` keeps an ingredient only if its recorded
selection score (checkpoint.json ``metrics.dev`` F1, the mean over the dev sets for
``mean_dev_sets``) beats the base's. The rule is fixed before the soup is scored, but that score is
a best-epoch dev score and the soup is reported on the same dev sets: there is no held-out figure.
Ingredients are recorded by directory name and weights hash (no host paths in a model that gets
committed). The output is a checkpoint directory (export it like a training run), scored on the base
config's dev sets (or corpora.dev under ``selection = "dev"``) after the float16 round trip.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import torch

from .checkpoint import MODEL_FILES, load_model, load_weights, read_checkpoint, save_weights, sha256_file
from .data import DATA_IDS_FILE, read_data_ids, read_jsonl, write_data_ids
from .devsets import convention_index, load_dev_sets, mean_over_sets, score_dev_sets
from .errors import SoupError
from .evaluate import evaluate
from .metrics import short_scores

RULES = ("better", "all")
# facts of checkpoint.json that every ingredient must share with the base
_SAME = ("architecture", "scheme", "labels", "max_length", "input_names", "conventions", "default_convention",
         "selection")
# files a soup could inherit by accident from an earlier run in --out (export would copy them on)
_STALE = (*MODEL_FILES, "resume.pt")


def log(msg: str) -> None:
    print(f"[soup] {msg}", file=sys.stderr, flush=True)


def _score(meta: dict) -> float | None:
    dev = (meta.get("metrics") or {}).get("dev")
    return float(dev["f1"]) if isinstance(dev, dict) and "f1" in dev else None


def _selection_facts(cfg) -> dict:
    c = cfg["corpora"]
    return {"dev_sets": c["dev_sets"], "dev": c["dev"], "dev_limit": c["dev_limit"],
            "selection": cfg["training"]["selection"]}


def check_compatible(base: dict, ing: dict) -> None:
    """``base``/``ing``: what ``_read`` returns; raises SoupError on the first difference."""
    where = str(ing["dir"])
    for k in _SAME:
        if ing["meta"].get(k) != base["meta"].get(k):
            raise SoupError(where, f"{k} differs from the base's ({ing['meta'].get(k)!r} vs {base['meta'].get(k)!r})")
    if _selection_facts(ing["cfg"]) != _selection_facts(base["cfg"]):
        raise SoupError(where, "its dev sets or selection differ from the base's: their scores are not comparable")
    if list(ing["featurizer_sha256"]) != list(base["featurizer_sha256"]):
        raise SoupError(where, "featuriser files differ from the base's")
    for f, sha in ing["featurizer_sha256"].items():
        if sha != base["featurizer_sha256"][f]:
            raise SoupError(where, f"{f} differs from the base's (another vocabulary or lexicon)")
    a, b = ing["state"], base["state"]
    if a.keys() != b.keys():
        raise SoupError(where, f"parameters differ from the base's: {sorted(a.keys() ^ b.keys())[:5]}")
    for k, v in a.items():
        if v.shape != b[k].shape:
            raise SoupError(where, f"parameter {k} has shape {tuple(v.shape)}, the base {tuple(b[k].shape)}")
    parent = ing["meta"].get("parent_weights_sha256")
    if parent is not None and parent != base["weights_sha256"]:
        raise SoupError(where, "it was not fine-tuned from the base (the weights it started from have another sha256)")


def average(states: list[dict]) -> dict:
    """Uniform mean of float tensors (in float32); other tensors (counters) are the first state's."""
    return {k: (sum(s[k].float() for s in states) / len(states)) if states[0][k].is_floating_point() else states[0][k]
            for k in states[0]}


def _read(d: Path) -> dict:
    cfg, meta = read_checkpoint(d)
    files = meta.get("featurizer_files") or []
    for f in files:
        if not (d / f).is_file():
            raise SoupError(str(d), f"{f} missing")
    return {"dir": d, "cfg": cfg, "meta": meta, "state": load_weights(d / "weights.npz"),
            "weights_sha256": sha256_file(d / "weights.npz"),
            "featurizer_sha256": {f: sha256_file(d / f) for f in files}}


def _row(x: dict, role: str, used: bool) -> dict:
    t = x["cfg"]["training"]
    return {"name": x["dir"].name, "role": role, "dev_f1": _score(x["meta"]), "used": used,
            "weights_sha256": x["weights_sha256"], "best_epoch": x["meta"].get("best_epoch"),
            "parent_verified": role == "base" or x["meta"].get("parent_weights_sha256") is not None,
            "training": {k: t[k] for k in ("epochs", "learning_rate", "lr_decay", "mention_replace",
                                          "mention_replace_conventions", "mention_replace_sampling",
                                          "weight_average") if k in t},
            "seed": x["cfg"]["system"]["seed"], "train_repeat": x["cfg"]["corpora"]["train_repeat"]}


def make_soup(base_dir: Path, ingredients: list[Path], out_dir: Path, rule: str = "better", threads: int = 0) -> dict:
    out_dir = Path(out_dir).resolve()
    if rule not in RULES:
        raise SoupError(str(out_dir), f"unknown rule {rule!r}; one of {list(RULES)}")
    if not ingredients:
        raise SoupError(str(out_dir), "no ingredient given (--from)")
    base_dir = Path(base_dir).resolve()
    dirs = [Path(d).resolve() for d in ingredients]
    if len(set(dirs)) != len(dirs) or base_dir in dirs:
        raise SoupError(str(base_dir), "an ingredient is given twice, or the base is given as an ingredient (it would weigh double)")
    if out_dir == base_dir or out_dir in dirs:
        raise SoupError(str(out_dir), "the output directory must not be the base or an ingredient")
    torch.set_num_threads(threads or os.cpu_count() or 1)
    base = _read(base_dir)
    base_score = _score(base["meta"])
    if rule == "better" and base_score is None:
        raise SoupError(str(base_dir), "rule 'better' needs metrics.dev.f1 in the base's checkpoint.json")
    rows = [_row(base, "base", True)]
    used = [base]
    for d in dirs:
        ing = _read(d)
        check_compatible(base, ing)
        score = _score(ing["meta"])
        if rule == "better" and score is None:
            raise SoupError(str(d), "rule 'better' needs metrics.dev.f1 in every ingredient's checkpoint.json")
        use = rule == "all" or score > base_score
        rows.append(_row(ing, "ingredient", use))
        note = "" if rows[-1]["parent_verified"] else " (trained before parents were hashed: its parent is not verified)"
        log(f"{d.name}: dev F1 {score} vs base {base_score} -> {'used' if use else 'left out'}{note}")
        if use:
            used.append(ing)
    if len(used) == 1:
        log("no ingredient passed the rule: the soup is the base")

    out_dir.mkdir(parents=True, exist_ok=True)
    for f in _STALE:
        (out_dir / f).unlink(missing_ok=True)
    cfg, meta0 = base["cfg"], base["meta"]
    for f in ["config.cfg", *(meta0.get("featurizer_files") or [])]:
        shutil.copyfile(base_dir / f, out_dir / f)
    # write the average first, then score what was written (float16 round trip included)
    model, featurizer, _, _ = load_model(base_dir)
    model.load_state_dict(average([x["state"] for x in used]))
    save_weights(model, out_dir / "weights.npz", cfg["export"]["weights_dtype"])
    model.load_state_dict(load_weights(out_dir / "weights.npz"))
    model.eval()
    (out_dir / "crf.json").write_text(json.dumps(model.crf.to_json()), encoding="utf-8")

    # the sentences the soup has seen: every used ingredient's (each includes its parent's)
    ids: dict[str, list[str]] = {}
    for x in used:
        if (x["dir"] / DATA_IDS_FILE).is_file():
            for name, lst in read_data_ids(x["dir"] / DATA_IDS_FILE).items():
                seen = set(ids.setdefault(name, []))
                ids[name].extend(i for i in lst if i not in seen)
    write_data_ids(out_dir / DATA_IDS_FILE, ids)

    conventions = list(meta0.get("conventions") or [])
    default = meta0.get("default_convention") or ""
    labels, scheme, max_length = meta0["labels"], meta0["scheme"], meta0["max_length"]
    batch = cfg["training"]["eval_batch_size"]
    sets: dict = {}
    if cfg["training"]["selection"] == "dev":
        exs = read_jsonl(cfg.resolve_path(cfg["corpora"]["dev"]), cfg["corpora"]["dev_limit"])
        ci = convention_index(cfg, conventions, default, "", "corpora.convention")
        dev = {**evaluate(model, featurizer, exs, labels, scheme, max_length, batch, "cpu", ci), "per_type": {}}
        log(f"dev: F1 {dev['f1']:.4f}")
    else:
        sets = score_dev_sets(model, featurizer, load_dev_sets(cfg, conventions, default), labels, scheme, max_length,
                              conventions, batch, "cpu", log)
        dev = mean_over_sets(sets) if sets else None
    meta = dict(meta0,
                created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                best_epoch=None,
                soup={"rule": rule, "ingredients": rows, "used": len(used)},
                data_ids={"file": DATA_IDS_FILE, "sentences": sum(len(v) for v in ids.values()),
                          "includes_parent": True},
                metrics={"dev": dev, "extra_dev": {}, "dev_sets": sets})
    (out_dir / "checkpoint.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"out_dir": str(out_dir), "version": None, "used": len(used), "dev": short_scores(dev),
            "dev_sets": {k: short_scores(v) for k, v in sets.items()}}
