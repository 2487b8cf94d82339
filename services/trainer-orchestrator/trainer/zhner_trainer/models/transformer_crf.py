"""``transformer_crf.v1``: the same inputs as bilstm_crf.v1 -> a small pre-LN Transformer
encoder trained from scratch (learned absolute positions up to model.max_length) -> CRF.

Attention is written out with MatMul/Softmax (no fused kernels) so that the ONNX export is plain
and dynamic int8 quantisation covers every projection.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from . import register
from .common import InputEmbedding, Tagger


class Block(nn.Module):
    def __init__(self, d: int, heads: int, ff: int, dropout: float):
        super().__init__()
        self.heads, self.dh = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        B, S, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, S, 3, self.heads, self.dh).permute(2, 0, 3, 1, 4)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dh) + bias
        y = torch.matmul(torch.softmax(att, dim=-1), v).transpose(1, 2).reshape(B, S, D)
        x = x + self.drop(self.out(y))
        return x + self.drop(self.ff(self.ln2(x)))


class TransformerCRF(Tagger):
    def __init__(self, cfg: dict, featurizer, num_labels: int):
        d = cfg["d_model"]
        super().__init__(d, num_labels, cfg["dropout"])
        n_big = len(featurizer.bigrams) if featurizer.bigrams is not None else 0
        self.embed = InputEmbedding(len(featurizer.chars), cfg["char_dim"], n_big, cfg["bigram_dim"], featurizer.lex_dim)
        self.proj = nn.Linear(self.embed.out_dim, d)
        self.pos = nn.Embedding(cfg["max_length"], d)
        self.drop = nn.Dropout(cfg["dropout"])
        self.blocks = nn.ModuleList(Block(d, cfg["num_heads"], cfg["ff_dim"], cfg["dropout"]) for _ in range(cfg["num_layers"]))
        self.ln = nn.LayerNorm(d)
        names = ["input_ids", "attention_mask"]
        if self.embed.bigram_emb is not None:
            names.append("bigram_ids")
        if self.embed.lex_dim:
            names.append("lexicon_feats")
        self.input_names = tuple(names)

    def encode(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        S = input_ids.size(1)
        pos = torch.arange(S, device=input_ids.device).unsqueeze(0)
        x = self.proj(self.embed(input_ids, bigram_ids, lexicon_feats)) + self.pos(pos)
        x = self.drop(x)
        bias = ((1.0 - attention_mask.to(x.dtype)) * -10000.0)[:, None, None, :]
        for blk in self.blocks:
            x = blk(x, bias)
        return self.ln(x)


@register("transformer_crf.v1")
def build(cfg: dict, featurizer, num_labels: int, paths: dict):
    return TransformerCRF(cfg, featurizer, num_labels)
