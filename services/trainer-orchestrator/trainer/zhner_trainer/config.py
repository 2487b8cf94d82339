"""The run config: one INI-style ``.cfg`` file (as spaCy's), strictly validated before any work.

Syntax: ``[section]`` headers; ``key = value`` where value is JSON (strings in double quotes,
numbers, ``true``/``false``, lists); full-line comments start with ``#``. A string may
reference another value as ``${section.key}`` (the whole value keeps the referenced type).

Precedence (low -> high): the file, the environment (``NER_DATA_ROOT`` -> ``paths.data_root``),
``--set section.key=value`` overrides (value parsed as JSON, else taken as a plain string).

``load_config`` raises ConfigError naming the first bad dotted key; ``validate`` returns every
problem so the CLI can list them all.
"""
from __future__ import annotations

import configparser
import json
import os
import re
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[4]
_REF = re.compile(r"\$\{([a-z_]+)\.([a-z_0-9]+)\}")


# --- value checkers -----------------------------------------------------------------------
# A checker takes the value and returns an error message or None.
Checker = Callable[[Any], "str | None"]


def _int(lo: int | None = None, hi: int | None = None) -> Checker:
    def check(v):
        if isinstance(v, bool) or not isinstance(v, int):
            return f"expected an integer, got {json.dumps(v)}"
        if lo is not None and v < lo:
            return f"must be >= {lo}, got {v}"
        if hi is not None and v > hi:
            return f"must be <= {hi}, got {v}"
        return None
    return check


def _float(lo: float | None = None, hi: float | None = None) -> Checker:
    def check(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return f"expected a number, got {json.dumps(v)}"
        if lo is not None and v < lo:
            return f"must be >= {lo}, got {v}"
        if hi is not None and v > hi:
            return f"must be <= {hi}, got {v}"
        return None
    return check


def _bool() -> Checker:
    return lambda v: None if isinstance(v, bool) else f"expected true or false, got {json.dumps(v)}"


def _str(allow_empty: bool = False) -> Checker:
    def check(v):
        if not isinstance(v, str):
            return f"expected a string in double quotes, got {json.dumps(v)}"
        if not allow_empty and not v:
            return "must not be empty"
        return None
    return check


def _choice(*options: str) -> Checker:
    return lambda v: None if v in options else f"expected one of {list(options)}, got {json.dumps(v)}"


def _list(item: Checker, min_len: int = 0) -> Checker:
    def check(v):
        if not isinstance(v, list):
            return f"expected a list, got {json.dumps(v)}"
        if len(v) < min_len:
            return f"expected at least {min_len} item(s)"
        for i, x in enumerate(v):
            err = item(x)
            if err:
                return f"item {i}: {err}"
        return None
    return check


# --- schema -------------------------------------------------------------------------------
ARCHITECTURES = ("bilstm_crf.v1", "bilstm_crf.v2", "transformer_crf.v1", "hf_bert_crf.v1")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _names() -> Checker:
    def check(v):
        if not isinstance(v, list) or not all(isinstance(x, str) and _NAME.match(x) for x in v):
            return f"expected a list of lower-case names ([a-z][a-z0-9_]*), got {json.dumps(v)}"
        if len(set(v)) != len(v):
            return "names must be unique"
        return None
    return check


def _dev_sets() -> Checker:
    keys = {"name", "file", "ids", "convention"}

    def check(v):
        if not isinstance(v, list):
            return f"expected a list of {{name, file, ids, convention}} objects, got {json.dumps(v)}"
        for i, d in enumerate(v):
            if not isinstance(d, dict) or set(d) != keys or not all(isinstance(d[k], str) for k in keys):
                return f"item {i}: expected an object with exactly the string keys {sorted(keys)}"
            if not d["name"] or not d["file"]:
                return f"item {i}: name and file must not be empty"
        if len({d["name"] for d in v}) != len(v):
            return "dev set names must be unique"
        return None
    return check

_FEATURE_KEYS: dict[str, Checker] = {
    "char_min_freq": _int(1),
    "bigram_min_freq": _int(1),
    "bigram_max_size": _int(0),
    "lexicon": _bool(),
    "lexicon_min_freq": _int(0),
    "lexicon_max_word_len": _int(2, 16),
}

MODEL_SCHEMAS: dict[str, dict[str, Checker]] = {
    "bilstm_crf.v1": {
        **_FEATURE_KEYS,
        "char_dim": _int(8),
        "bigram_dim": _int(0),
        "hidden_size": _int(8),
        "num_layers": _int(1, 4),
        "dropout": _float(0.0, 0.9),
    },
    "bilstm_crf.v2": {
        **_FEATURE_KEYS,
        "lexicon_relabel": _choice("none", "lac"),
        "lac_chars": _choice("none", "vocab", "init"),
        "char_classes": _bool(),
        "class_dim": _int(1),
        "conventions": _names(),
        "default_convention": _str(allow_empty=True),
        "convention_dim": _int(0),
        "convention_heads": _bool(),
        "char_dim": _int(8),
        "bigram_dim": _int(0),
        "hidden_size": _int(8),
        "num_layers": _int(1, 4),
        "dropout": _float(0.0, 0.9),
    },
    "transformer_crf.v1": {
        **_FEATURE_KEYS,
        "char_dim": _int(8),
        "bigram_dim": _int(0),
        "d_model": _int(16),
        "num_heads": _int(1),
        "num_layers": _int(1, 12),
        "ff_dim": _int(16),
        "dropout": _float(0.0, 0.9),
    },
    "hf_bert_crf.v1": {
        "dropout": _float(0.0, 0.9),
    },
}

COMMON_MODEL_KEYS: dict[str, Checker] = {
    "architecture": _choice(*ARCHITECTURES),
    "scheme": _choice("BIO", "BIOES"),
    "max_length": _int(8, 4096),
}

SCHEMA: dict[str, dict[str, Checker]] = {
    "paths": {
        "data_root": _str(),
        "lexicon_dict": _str(),
        "hf_checkpoint": _str(allow_empty=True),
        "init_from": _str(allow_empty=True),
    },
    "system": {
        "seed": _int(0),
        "device": _choice("cpu", "cuda", "auto"),
        "threads": _int(0),
    },
    "corpora": {
        "train": _list(_str(), 1),
        "train_repeat": _list(_int(1)),
        "train_conventions": _list(_str()),
        "convention": _str(allow_empty=True),
        "exclude_ids": _list(_str()),
        "dev": _str(),
        "dev_sets": _dev_sets(),
        "extra_dev": _list(_str()),
        "train_limit": _int(0),
        "dev_limit": _int(0),
    },
    "model": {},  # architecture-dependent: COMMON_MODEL_KEYS + MODEL_SCHEMAS[architecture]
    "training": {
        "epochs": _int(1),
        "patience": _int(0),
        "batch_size": _int(1),
        "eval_batch_size": _int(1),
        "optimizer": _choice("adam", "adamw", "sgd"),
        "learning_rate": _float(0.0),
        "encoder_lr_multiplier": _float(0.0),
        "crf_lr_multiplier": _float(0.0),
        "weight_decay": _float(0.0),
        "lr_decay": _float(0.0),
        "warmup_steps": _int(0),
        "grad_clip": _float(0.0),
        "max_steps": _int(0),
        "max_time_s": _float(0.0),
        "bucket_batches": _int(1),
        "selection": _choice("dev", "mean_dev_sets"),
        "new_type_selection": _choice("last", "dev"),
        "unk_dropout": _float(0.0, 0.5),
        "mention_replace": _float(0.0, 1.0),
        "mention_replace_conventions": _names(),
        "mention_replace_sampling": _choice("uniform", "frequency"),
        "weight_average": _float(0.0, 0.99999),
    },
    "export": {
        "name": _str(),
        "onnx": _bool(),
        "opset": _int(13, 20),
        "quantize": _bool(),
        "quantize_ops": _list(_choice("MatMul", "Gemm", "Gather", "LSTM", "Attention"), 0),
        "quantize_per_channel": _bool(),
        "weights_dtype": _choice("float16", "float32"),
        "int8_check_docs": _int(0),
    },
}


class Config(dict):
    """A resolved, validated config: ``cfg["training"]["epochs"]``.

    ``source`` keeps the values before interpolation and before the environment (file + --set):
    that is what ``to_cfg_text`` saves next to a model, so ``${paths.data_root}`` stays a
    reference and NER_DATA_ROOT keeps working when the saved config is read again.
    """

    source: dict

    def set(self, section: str, key: str, value: Any) -> None:
        """Change a value after loading (kept in the saved copy too)."""
        self[section][key] = value
        self.source[section][key] = value

    def set_section(self, section: str, resolved: dict, source: dict) -> None:
        self[section] = dict(resolved)
        self.source[section] = dict(source)

    def get_dotted(self, key: str) -> Any:
        sec, k = key.split(".", 1)
        return self[sec][k]

    def resolve_path(self, p: str) -> Path:
        """A path from the config: absolute as is, relative to the repository root otherwise."""
        path = Path(p)
        return path if path.is_absolute() else (REPO_ROOT / path)

    def to_cfg_text(self, header: str = "") -> str:
        lines = [f"# {line}" for line in header.splitlines()] if header else []
        for sec in self:
            values = self.source[sec]
            if lines:
                lines.append("")
            lines.append(f"[{sec}]")
            for k, v in values.items():
                lines.append(f"{k} = {json.dumps(v, ensure_ascii=False)}")
        return "\n".join(lines) + "\n"


def parse_value(raw: str, key: str) -> Any:
    raw = raw.strip()
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigError(key, f"value {raw!r} is not JSON (quote strings: \"...\")") from None


def read_cfg_text(text: str, source: str = "<string>") -> dict[str, dict[str, Any]]:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",),
                                       inline_comment_prefixes=None, strict=True,
                                       empty_lines_in_values=False)
    parser.optionxform = str  # keep key case
    try:
        parser.read_string(text, source=source)
    except configparser.Error as e:
        raise ConfigError("<file>", f"{source}: {e}") from None
    return {sec: {k: parse_value(v, f"{sec}.{k}") for k, v in parser[sec].items()}
            for sec in parser.sections()}


def apply_override(raw: dict, assignment: str) -> None:
    """Apply one ``section.key=value`` override (value JSON, else plain string)."""
    if "=" not in assignment or "." not in assignment.split("=", 1)[0]:
        raise ConfigError(assignment, "an override must look like section.key=value")
    key, value = assignment.split("=", 1)
    sec, k = key.strip().split(".", 1)
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    if sec not in raw:
        raise ConfigError(key, f"unknown section [{sec}]; valid: {sorted(SCHEMA)}")
    raw[sec][k] = parsed


def _interpolate(raw: dict) -> None:
    def lookup(sec: str, k: str, where: str):
        if sec not in raw or k not in raw[sec]:
            raise ConfigError(where, f"reference ${{{sec}.{k}}} names no value")
        return raw[sec][k]

    def subst(v, where, depth=0):
        if depth > 10:
            raise ConfigError(where, "reference cycle")
        if isinstance(v, str):
            m = _REF.fullmatch(v)
            if m:
                return subst(lookup(m.group(1), m.group(2), where), where, depth + 1)
            return _REF.sub(lambda mm: str(subst(lookup(mm.group(1), mm.group(2), where), where, depth + 1)), v)
        if isinstance(v, list):
            return [subst(x, where, depth) for x in v]
        if isinstance(v, dict):
            return {k: subst(x, where, depth) for k, x in v.items()}
        return v

    for sec, values in raw.items():
        for k in list(values):
            values[k] = subst(values[k], f"{sec}.{k}")


def validate(raw: dict) -> list[ConfigError]:
    """Every problem with the config, in file order; empty when valid."""
    errors: list[ConfigError] = []
    for sec in raw:
        if sec not in SCHEMA:
            errors.append(ConfigError(sec, f"unknown section [{sec}]; valid: {list(SCHEMA)}"))
    for sec, keys in SCHEMA.items():
        values = raw.get(sec)
        if values is None:
            errors.append(ConfigError(sec, f"missing section [{sec}]"))
            continue
        if sec == "model":
            arch = values.get("architecture")
            err = COMMON_MODEL_KEYS["architecture"](arch)
            if err:
                errors.append(ConfigError("model.architecture", err))
                continue
            keys = {**COMMON_MODEL_KEYS, **MODEL_SCHEMAS[arch]}
        for k, check in keys.items():
            if k not in values:
                errors.append(ConfigError(f"{sec}.{k}", "missing (every value must be present)"))
                continue
            err = check(values[k])
            if err:
                errors.append(ConfigError(f"{sec}.{k}", err))
        for k in values:
            if k not in keys:
                extra = f" for architecture {values.get('architecture')}" if sec == "model" else ""
                errors.append(ConfigError(f"{sec}.{k}", f"unknown key{extra}; valid: {sorted(keys)}"))
    if not errors:
        c = raw["corpora"]
        if c["train_repeat"] and len(c["train_repeat"]) != len(c["train"]):
            errors.append(ConfigError("corpora.train_repeat",
                                      f"needs one entry per corpora.train file ({len(c['train'])}) or []"))
        if c["train_conventions"] and len(c["train_conventions"]) != len(c["train"]):
            errors.append(ConfigError("corpora.train_conventions",
                                      f"needs one entry per corpora.train file ({len(c['train'])}) or []"))
        if raw["training"]["selection"] == "mean_dev_sets" and not c["dev_sets"]:
            errors.append(ConfigError("training.selection", "mean_dev_sets needs corpora.dev_sets"))
        m = raw["model"]
        if m["architecture"] == "bilstm_crf.v2":
            convs = m["conventions"]
            if convs and m["default_convention"] not in convs:
                errors.append(ConfigError("model.default_convention", f"must be one of model.conventions {convs}"))
            if not convs and m["default_convention"]:
                errors.append(ConfigError("model.default_convention", "must be \"\" without model.conventions"))
            unknown = sorted(set(raw["training"]["mention_replace_conventions"]) - set(convs))
            if unknown:
                errors.append(ConfigError("training.mention_replace_conventions",
                                          f"unknown conventions {unknown}; the model's: {convs}"))
            if m["lac_chars"] == "init" and m["char_dim"] != 128:
                errors.append(ConfigError("model.char_dim", "lac_chars = \"init\" needs char_dim 128 (LAC's embedding size)"))
        if m["architecture"] == "transformer_crf.v1" and m["d_model"] % m["num_heads"]:
            errors.append(ConfigError("model.num_heads", "must divide model.d_model"))
        if m["architecture"] == "hf_bert_crf.v1" and not raw["paths"]["hf_checkpoint"] and not raw["paths"]["init_from"]:
            errors.append(ConfigError("paths.hf_checkpoint", "hf_bert_crf.v1 needs a local checkpoint directory"))
    return errors


# Keys added after zhner-model/1 models were first written, with the values that reproduce the
# behaviour of a config without them: a saved config.cfg of an older model gets them on reading
# (so --init-from keeps working with every model directory).
UPGRADE_DEFAULTS = {
    "corpora": {"train_conventions": [], "convention": "", "exclude_ids": [], "dev_sets": []},
    # new_type_selection only acts when a fine-tune adds a type no dev set marks, which no older run did
    "training": {"selection": "dev", "unk_dropout": 0.0, "mention_replace": 0.0, "mention_replace_conventions": [],
                 "mention_replace_sampling": "uniform", "new_type_selection": "last",
                 "weight_average": 0.0},
    "export": {"quantize_per_channel": False},
}


def upgrade(raw: dict) -> dict:
    for sec, values in UPGRADE_DEFAULTS.items():
        if sec in raw:
            for k, v in values.items():
                raw[sec].setdefault(k, json.loads(json.dumps(v)))
    return raw


def load_config(path: str | os.PathLike | None = None, overrides: list[str] | None = None,
                text: str | None = None, env: dict | None = None, upgrade_old: bool = False) -> Config:
    """Read, override, interpolate and validate; raises ConfigError (the first problem).
    ``upgrade_old`` adds UPGRADE_DEFAULTS to a config saved by an older trainer (model dirs only)."""
    if text is None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError("<file>", f"config file {p} not found")
        text = p.read_text(encoding="utf-8")
    raw = read_cfg_text(text, str(path or "<string>"))
    if upgrade_old:
        upgrade(raw)
    env = os.environ if env is None else env
    source = json.loads(json.dumps(raw))
    for o in overrides or []:
        apply_override(source, o)
    set_root = any(o.split("=", 1)[0].strip() == "paths.data_root" for o in overrides or [])
    if env.get("NER_DATA_ROOT") and "paths" in raw and not set_root:
        raw["paths"]["data_root"] = env["NER_DATA_ROOT"]
    for o in overrides or []:
        apply_override(raw, o)
    _interpolate(raw)
    errors = validate(raw)
    if errors:
        first = errors[0]
        if len(errors) > 1:
            rest = "; ".join(str(e) for e in errors[1:])
            raise ConfigError(first.key, f"{str(first).split(': ', 1)[1]} (and {len(errors) - 1} more: {rest})")
        raise first
    ordered = Config()
    ordered.source = {}
    for sec in SCHEMA:
        ordered[sec] = dict(raw[sec])
        ordered.source[sec] = dict(source[sec])
    return ordered
