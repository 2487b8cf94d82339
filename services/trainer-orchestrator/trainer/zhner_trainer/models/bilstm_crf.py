"""``bilstm_crf.v1``: char + bigram embeddings + SoftLexicon-style features -> BiLSTM -> CRF.

The backward direction runs a forward LSTM over each sequence reversed *within its length*
(a gather with an index that is its own inverse), so padding never leaks into real tokens,
training needs no packing, and the ONNX graph is two plain LSTM ops plus gathers.
"""
from __future__ import annotations

import torch
from torch import nn

from . import register
from .common import InputEmbedding, Tagger, masked_mean
from ..crf import CRF
from ..text import CHAR_CLASSES


def reverse_index(attention_mask: torch.Tensor) -> torch.Tensor:
    """[B, S] index reversing positions < length, leaving padding in place (an involution)."""
    lengths = attention_mask.sum(1, keepdim=True)
    ar = torch.arange(attention_mask.size(1), device=attention_mask.device).unsqueeze(0)
    rev = lengths - 1 - ar
    return torch.where(rev >= 0, rev, ar.expand_as(rev))


def lstm_stack(d: int, hidden: int, layers: int) -> tuple[nn.ModuleList, nn.ModuleList]:
    """Forward and backward LSTMs of every layer (the first reads `d` features, the others 2·hidden)."""
    fwd, bwd = nn.ModuleList(), nn.ModuleList()
    for _ in range(layers):
        fwd.append(nn.LSTM(d, hidden, batch_first=True))
        bwd.append(nn.LSTM(d, hidden, batch_first=True))
        d = 2 * hidden
    return fwd, bwd


def run_bilstm(x, attention_mask, fwd: nn.ModuleList, bwd: nn.ModuleList, dropout: nn.Module):
    """The stacked BiLSTM over `x` [B, S, d], backward direction reversed within each length."""
    rev = reverse_index(attention_mask).unsqueeze(-1)
    for i, (f, b) in enumerate(zip(fwd, bwd)):
        if i:
            x = dropout(x)
        hf, _ = f(x)
        xr = x.gather(1, rev.expand(-1, -1, x.size(2)))
        hb, _ = b(xr)
        hb = hb.gather(1, rev.expand(-1, -1, hb.size(2)))
        x = torch.cat([hf, hb], dim=-1)
    return x


class BiLSTMCRF(Tagger):
    def __init__(self, cfg: dict, featurizer, num_labels: int):
        hidden = cfg["hidden_size"]
        super().__init__(2 * hidden, num_labels, cfg["dropout"])
        n_big = len(featurizer.bigrams) if featurizer.bigrams is not None else 0
        self.embed = InputEmbedding(len(featurizer.chars), cfg["char_dim"], n_big, cfg["bigram_dim"], featurizer.lex_dim)
        self.emb_dropout = nn.Dropout(cfg["dropout"])
        self.fwd, self.bwd = lstm_stack(self.embed.out_dim, hidden, cfg["num_layers"])
        names = ["input_ids", "attention_mask"]
        if self.embed.bigram_emb is not None:
            names.append("bigram_ids")
        if self.embed.lex_dim:
            names.append("lexicon_feats")
        self.input_names = tuple(names)

    def encode(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        x = self.emb_dropout(self.embed(input_ids, bigram_ids, lexicon_feats))
        return run_bilstm(x, attention_mask, self.fwd, self.bwd, self.emb_dropout)


@register("bilstm_crf.v1")
def build(cfg: dict, featurizer, num_labels: int, paths: dict):
    return BiLSTMCRF(cfg, featurizer, num_labels)


class BiLSTMCRFv2(Tagger):
    """``bilstm_crf.v2``: v1 + character-class embedding + corpus conventions.

    * ``class_ids`` [B, S] (text.char_class of each normalised code point) -> an embedding of
      ``class_dim`` concatenated to the token input (when ``char_classes``): blanks, emoji, digits
      and Latin letters are told apart even when their character is ``<unk>``.
    * ``convention_ids`` [B] (index into ``conventions``) -> an embedding of ``convention_dim``
      concatenated to every token's input, and (``convention_heads``) one emission head per
      convention: the encoder is shared, each corpus keeps its own annotation convention.
    With ``conventions = []`` there is no convention input (one implicit convention).
    """

    def __init__(self, cfg: dict, featurizer, num_labels: int):
        hidden = cfg["hidden_size"]
        self.conventions = list(cfg["conventions"])
        K = max(1, len(self.conventions))
        self.heads = K if (cfg["convention_heads"] and self.conventions) else 1
        super().__init__(2 * hidden, num_labels * self.heads, cfg["dropout"])
        self.crf = CRF(num_labels)
        self.num_labels = num_labels
        n_big = len(featurizer.bigrams) if featurizer.bigrams is not None else 0
        self.embed = InputEmbedding(len(featurizer.chars), cfg["char_dim"], n_big, cfg["bigram_dim"], featurizer.lex_dim)
        d = self.embed.out_dim
        self.class_emb = nn.Embedding(len(CHAR_CLASSES), cfg["class_dim"], padding_idx=0) if cfg["char_classes"] else None
        if self.class_emb is not None:
            d += cfg["class_dim"]
        self.conv_emb = nn.Embedding(K, cfg["convention_dim"]) if self.conventions and cfg["convention_dim"] else None
        if self.conv_emb is not None:
            d += cfg["convention_dim"]
        self.emb_dropout = nn.Dropout(cfg["dropout"])
        self.fwd, self.bwd = lstm_stack(d, hidden, cfg["num_layers"])
        names = ["input_ids", "attention_mask"]
        if self.embed.bigram_emb is not None:
            names.append("bigram_ids")
        if self.embed.lex_dim:
            names.append("lexicon_feats")
        if self.class_emb is not None:
            names.append("class_ids")
        if self.conventions:
            names.append("convention_ids")
        self.input_names = tuple(names)

    def encode(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None, class_ids=None, convention_ids=None):
        parts = [self.embed(input_ids, bigram_ids, lexicon_feats)]
        if self.class_emb is not None:
            parts.append(self.class_emb(class_ids))
        if self.conv_emb is not None:
            c = self.conv_emb(convention_ids).unsqueeze(1)
            parts.append(c.expand(-1, input_ids.size(1), -1))
        x = self.emb_dropout(torch.cat(parts, dim=-1))
        return run_bilstm(x, attention_mask, self.fwd, self.bwd, self.emb_dropout)

    def forward(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None, class_ids=None, convention_ids=None):
        states = self.encode(input_ids, attention_mask, bigram_ids, lexicon_feats, class_ids, convention_ids)
        em = self.classifier(self.dropout(states))
        if self.heads > 1:
            B, S = em.shape[0], em.shape[1]
            em = em.view(B, S, self.heads, self.num_labels)
            idx = convention_ids.view(-1, 1, 1, 1).expand(B, S, 1, self.num_labels)
            em = em.gather(2, idx).squeeze(2)
        return em, masked_mean(states, attention_mask)


@register("bilstm_crf.v2")
def build_v2(cfg: dict, featurizer, num_labels: int, paths: dict):
    return BiLSTMCRFv2(cfg, featurizer, num_labels)
