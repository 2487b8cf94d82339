"""Architecture registry: versioned names -> builders (a changed behaviour gets a new version).

Every model maps ``(input_ids, attention_mask, bigram_ids?, lexicon_feats?)`` to
``(emissions [B, S, L], embedding [B, D])`` and owns a ``crf`` (crf.CRF). The ONNX graph is
exactly ``forward``; CRF decoding happens outside the graph (crf.json).
"""
from __future__ import annotations

from typing import Callable

from torch import nn

REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register(name: str):
    def deco(fn):
        REGISTRY[name] = fn
        return fn
    return deco


def build_model(model_cfg: dict, featurizer, num_labels: int, paths_cfg: dict | None = None) -> nn.Module:
    from . import bilstm_crf, transformer_crf, hf_bert_crf  # noqa: F401  (fill the registry)
    return REGISTRY[model_cfg["architecture"]](model_cfg, featurizer, num_labels, paths_cfg or {})
