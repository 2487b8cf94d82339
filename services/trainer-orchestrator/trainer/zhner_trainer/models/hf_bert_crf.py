"""``hf_bert_crf.v1``: a BERT-style encoder from a LOCAL Hugging Face checkpoint -> CRF.

``transformers`` is imported only when this architecture is used (it is not a requirement of
the trainer); a missing package or directory raises DependencyError / ConfigError.

Tokenisation is one code point -> one id of the checkpoint's ``vocab.txt`` (after the same
normalisation as the other models; unknown characters -> ``[UNK]``), which is what Chinese BERT
WordPiece does for CJK characters. ``[CLS]`` and ``[SEP]`` are added *inside* the graph, so the
ONNX contract is the same as for the other architectures: ``input_ids``/``attention_mask`` per
code point in, ``emissions`` per code point out.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from . import register
from .common import Tagger, masked_mean
from ..errors import ConfigError, DependencyError
from ..text import normalise


def _transformers():
    try:
        import transformers  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise DependencyError(
            "model.architecture hf_bert_crf.v1 needs the 'transformers' package: "
            "pip install transformers (into .venv) or pick bilstm_crf.v1") from e
    return transformers


class BertCharFeaturizer:
    """Per-code-point lookup in a BERT ``vocab.txt``."""

    def __init__(self, vocab: list[str]):
        self.itos = vocab
        self.stoi = {s: i for i, s in enumerate(vocab)}
        for tok in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
            if tok not in self.stoi:
                raise ConfigError("paths.hf_checkpoint", f"vocab.txt lacks {tok}")
        self.pad_id, self.unk_id = self.stoi["[PAD]"], self.stoi["[UNK]"]
        self.cls_id, self.sep_id = self.stoi["[CLS]"], self.stoi["[SEP]"]
        self.bigrams = self.lexicon = None
        self.lex_dim = 0

    @staticmethod
    def load(model_dir: Path) -> "BertCharFeaturizer":
        return BertCharFeaturizer((model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1])

    def featurise(self, text: str) -> dict:
        t = normalise(text)
        return {"input_ids": np.fromiter((self.stoi.get(c, self.unk_id) for c in t), dtype=np.int64, count=len(t))}

    def save(self, model_dir: Path) -> list[str]:
        (model_dir / "vocab.txt").write_text("".join(s + "\n" for s in self.itos), encoding="utf-8")
        return ["vocab.txt"]

    def describe(self, max_length: int) -> dict:
        return {"kind": "zhner.bert_char.v1", "token": "unicode_code_point",
                "normalisation": "zhner.fullwidth_ascii_lower.v1: U+FF01..U+FF5E -> minus 0xFEE0; U+3000 -> U+0020; then A-Z -> a-z (one code point to one)",
                "max_length": max_length, "vocab_file": "vocab.txt", "vocab_size": len(self.itos),
                "pad_id": self.pad_id, "unk_id": self.unk_id, "cls_id": self.cls_id, "sep_id": self.sep_id,
                "rule": "id = vocab.txt line index of the normalised code point, else unk_id; [CLS]/[SEP] are added inside the graph",
                "bigrams": None, "lexicon": None}


class HFBertCRF(Tagger):
    input_names = ("input_ids", "attention_mask")

    def __init__(self, bert, featurizer: BertCharFeaturizer, num_labels: int, dropout: float):
        super().__init__(bert.config.hidden_size, num_labels, dropout)
        self.bert = bert
        self.cls_id, self.sep_id = featurizer.cls_id, featurizer.sep_id

    def encode(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        B, S = input_ids.shape
        lengths = attention_mask.sum(1, keepdim=True)
        ones = torch.ones_like(input_ids[:, :1])
        ids = torch.cat([ones * self.cls_id, input_ids * attention_mask, ones * 0], dim=1)
        ar = torch.arange(S + 2, device=input_ids.device).unsqueeze(0)
        is_sep = ar == (lengths + 1)
        ids = torch.where(is_sep, torch.full_like(ids, self.sep_id), ids)
        mask = torch.cat([ones, attention_mask, ones * 0], dim=1)
        mask = torch.where(is_sep, torch.ones_like(mask), mask)
        out = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        return out[:, 1:S + 1]

    def forward(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        states = self.encode(input_ids, attention_mask)
        return self.classifier(self.dropout(states)), masked_mean(states, attention_mask)


def load_checkpoint_featurizer(ckpt: Path) -> BertCharFeaturizer:
    if not (ckpt / "vocab.txt").is_file():
        raise ConfigError("paths.hf_checkpoint", f"{ckpt} has no vocab.txt (a local BERT-style checkpoint directory is required)")
    return BertCharFeaturizer.load(ckpt)


@register("hf_bert_crf.v1")
def build(cfg: dict, featurizer, num_labels: int, paths: dict):
    tf = _transformers()
    init_dir = paths.get("_bert_config_dir")
    if init_dir:  # fine-tuning from an exported model dir: architecture from bert_config.json
        conf = tf.AutoConfig.from_pretrained(init_dir)
        bert = tf.AutoModel.from_config(conf)
    else:
        ckpt = Path(paths["hf_checkpoint"])
        if not ckpt.is_dir():
            raise ConfigError("paths.hf_checkpoint", f"{ckpt} is not a directory")
        bert = tf.AutoModel.from_pretrained(str(ckpt))
    return HFBertCRF(bert, featurizer, num_labels, cfg["dropout"])


def save_bert_config(model: HFBertCRF, model_dir: Path) -> list[str]:
    (model_dir / "config.json").write_text(json.dumps(model.bert.config.to_dict(), indent=1), encoding="utf-8")
    return ["config.json"]
