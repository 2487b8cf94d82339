"""The multi-domain dev sets of a config (corpora.dev_sets): loaded and scored as training and soups do."""
from __future__ import annotations

from .config import Config
from .data import read_id_file, read_jsonl
from .errors import ConfigError
from .evaluate import evaluate
from .metrics import short_scores


def convention_index(cfg: Config, conventions: list[str], default_convention: str, name: str, key: str) -> int:
    """Index of convention ``name`` ("" = corpora.convention, else the model's default) in ``conventions``."""
    name = name or cfg["corpora"]["convention"] or default_convention
    if not conventions:  # one implicit convention serves every named one (ablations without conventions)
        return 0
    if name not in conventions:
        raise ConfigError(key, f"unknown convention {name!r}; the model's: {conventions}")
    return conventions.index(name)


def load_dev_sets(cfg: Config, conventions: list[str], default_convention: str) -> dict:
    """corpora.dev_sets as {name: (examples, convention index, the config entry)}."""
    c = cfg["corpora"]
    dev_sets = {}
    for k, d in enumerate(c["dev_sets"]):
        exs = read_jsonl(cfg.resolve_path(d["file"]))
        if d["ids"]:
            keep = read_id_file(cfg.resolve_path(d["ids"]))
            exs = [e for e in exs if e.id in keep]
        if c["dev_limit"]:
            exs = exs[:c["dev_limit"]]
        ci = convention_index(cfg, conventions, default_convention, d["convention"], f"corpora.dev_sets[{k}].convention")
        dev_sets[d["name"]] = (exs, ci, d)
    return dev_sets


def score_dev_sets(model, featurizer, dev_sets: dict, labels: list[str], scheme: str, max_length: int,
                   conventions: list[str], batch_size: int, device, log) -> dict:
    """{name: strict scores + "convention"} of every dev set, each scored in its own convention."""
    sets = {}
    for name, (exs, ci, _) in dev_sets.items():
        sc = evaluate(model, featurizer, exs, labels, scheme, max_length, batch_size, device, ci)
        sets[name] = {**sc, "convention": conventions[ci] if conventions else None}
        log(f"dev set {name}: F1 {sc['f1']:.4f}")
    return sets


def mean_over_sets(sets: dict) -> dict:
    """The "mean_dev_sets" selection score: mean P/R/F1 over the sets, their short scores under "sets"."""
    return {k: sum(v[k] for v in sets.values()) / len(sets) for k in ("precision", "recall", "f1")} | \
        {"per_type": {}, "sets": {k: short_scores(v) for k, v in sets.items()}}
