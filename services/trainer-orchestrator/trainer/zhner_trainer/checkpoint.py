"""Checkpoint files shared by training output and model directories.

A training run writes into its ``--out`` directory:
  config.cfg        the resolved config (what produced this model)
  checkpoint.json   labels, scheme, architecture, input names, metrics, data manifest, lineage
  weights.npz       the torch state dict (``export.weights_dtype``), for fine-tuning / export
  crf.json          CRF transitions/start/end (float32 lists)
  vocab.json + lexicon.tsv.gz   (or vocab.txt + config.json for hf_bert_crf.v1)
  train_log.jsonl   one JSON object per epoch (the PROGRESS payloads)
``export`` adds model.onnx, model.int8.onnx and manifest.json.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from .config import Config, load_config
from .errors import ModelDirError
from .features import Featurizer

# every file a model directory can hold (export replaces them all: one model per directory)
MODEL_FILES = ("config.cfg", "checkpoint.json", "weights.npz", "crf.json", "train_log.jsonl", "vocab.json",
               "lexicon.tsv.gz", "vocab.txt", "config.json", "manifest.json", "model.onnx", "model.int8.onnx",
               "training_data.ids.gz")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_weights(model: torch.nn.Module, path: Path, dtype: str) -> None:
    sd = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    sd = {k: (v.astype(np.float16) if dtype == "float16" and v.dtype == np.float32 else v) for k, v in sd.items()}
    with open(path, "wb") as f:
        np.savez(f, **sd)


def load_weights(path: Path) -> dict[str, torch.Tensor]:
    with np.load(path) as z:
        return {k: torch.from_numpy(z[k].astype(np.float32) if z[k].dtype == np.float16 else z[k].copy()) for k in z.files}


def read_checkpoint(model_dir: Path) -> tuple[Config, dict]:
    """(config, checkpoint.json) of a training output / model directory (NER_DATA_ROOT applies)."""
    model_dir = Path(model_dir)
    for f in ("config.cfg", "checkpoint.json", "weights.npz"):
        if not (model_dir / f).is_file():
            raise ModelDirError(str(model_dir), f"{f} missing (not a zhner model/checkpoint directory)")
    cfg = load_config(model_dir / "config.cfg", upgrade_old=True)
    meta = json.loads((model_dir / "checkpoint.json").read_text(encoding="utf-8"))
    return cfg, meta


def load_featurizer(model_dir: Path, model_cfg: dict):
    """The featuriser of a model directory; ``model_cfg`` = its config's [model]."""
    if model_cfg["architecture"] == "hf_bert_crf.v1":
        from .models.hf_bert_crf import BertCharFeaturizer
        return BertCharFeaturizer.load(model_dir)
    return Featurizer.load(model_dir, classes=bool(model_cfg.get("char_classes", False)))


def load_model(model_dir: Path, device="cpu"):
    """Rebuild the torch model of a checkpoint directory: (model, featurizer, cfg, meta)."""
    from .models import build_model
    cfg, meta = read_checkpoint(model_dir)
    feat = load_featurizer(Path(model_dir), cfg["model"])
    paths = dict(cfg["paths"], _bert_config_dir=str(model_dir))
    model = build_model(cfg["model"], feat, len(meta["labels"]), paths)
    model.load_state_dict(load_weights(Path(model_dir) / "weights.npz"))
    return model.to(device).eval(), feat, cfg, meta
