"""``bilstm_crf.v1``: char + bigram embeddings + SoftLexicon-style features -> BiLSTM -> CRF.

The backward direction runs a forward LSTM over each sequence reversed *within its length*
(a gather with an index that is its own inverse), so padding never leaks into real tokens,
training needs no packing, and the ONNX graph is two plain LSTM ops plus gathers.
"""
from __future__ import annotations

import torch
from torch import nn

from . import register
from .common import InputEmbedding, Tagger


def reverse_index(attention_mask: torch.Tensor) -> torch.Tensor:
    """[B, S] index reversing positions < length, leaving padding in place (an involution)."""
    lengths = attention_mask.sum(1, keepdim=True)
    ar = torch.arange(attention_mask.size(1), device=attention_mask.device).unsqueeze(0)
    rev = lengths - 1 - ar
    return torch.where(rev >= 0, rev, ar.expand_as(rev))


class BiLSTMCRF(Tagger):
    def __init__(self, cfg: dict, featurizer, num_labels: int):
        hidden = cfg["hidden_size"]
        super().__init__(2 * hidden, num_labels, cfg["dropout"])
        n_big = len(featurizer.bigrams) if featurizer.bigrams is not None else 0
        self.embed = InputEmbedding(len(featurizer.chars), cfg["char_dim"], n_big, cfg["bigram_dim"], featurizer.lex_dim)
        self.emb_dropout = nn.Dropout(cfg["dropout"])
        self.fwd = nn.ModuleList()
        self.bwd = nn.ModuleList()
        d = self.embed.out_dim
        for _ in range(cfg["num_layers"]):
            self.fwd.append(nn.LSTM(d, hidden, batch_first=True))
            self.bwd.append(nn.LSTM(d, hidden, batch_first=True))
            d = 2 * hidden
        names = ["input_ids", "attention_mask"]
        if self.embed.bigram_emb is not None:
            names.append("bigram_ids")
        if self.embed.lex_dim:
            names.append("lexicon_feats")
        self.input_names = tuple(names)

    def encode(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        x = self.emb_dropout(self.embed(input_ids, bigram_ids, lexicon_feats))
        rev = reverse_index(attention_mask).unsqueeze(-1)
        for i, (f, b) in enumerate(zip(self.fwd, self.bwd)):
            if i:
                x = self.emb_dropout(x)
            hf, _ = f(x)
            xr = x.gather(1, rev.expand(-1, -1, x.size(2)))
            hb, _ = b(xr)
            hb = hb.gather(1, rev.expand(-1, -1, hb.size(2)))
            x = torch.cat([hf, hb], dim=-1)
        return x


@register("bilstm_crf.v1")
def build(cfg: dict, featurizer, num_labels: int, paths: dict):
    return BiLSTMCRF(cfg, featurizer, num_labels)
