"""Pieces shared by the architectures."""
from __future__ import annotations

import torch
from torch import nn

from ..crf import CRF
from ..features import LEX_LEVELS


class InputEmbedding(nn.Module):
    """concat(char embedding, bigram embedding, lexicon features) per token."""

    def __init__(self, n_chars: int, char_dim: int, n_bigrams: int, bigram_dim: int, lex_dim: int):
        super().__init__()
        self.char_emb = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.bigram_emb = nn.Embedding(n_bigrams, bigram_dim, padding_idx=0) if n_bigrams and bigram_dim else None
        self.lex_dim = lex_dim
        self.out_dim = char_dim + (bigram_dim if self.bigram_emb is not None else 0) + lex_dim

    def forward(self, input_ids, bigram_ids=None, lexicon_feats=None):
        parts = [self.char_emb(input_ids)]
        if self.bigram_emb is not None:
            parts.append(self.bigram_emb(bigram_ids))
        if self.lex_dim:
            parts.append(lexicon_feats)
        return torch.cat(parts, dim=-1) if len(parts) > 1 else parts[0]


def masked_mean(states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    m = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * m).sum(1) / m.sum(1).clamp(min=1.0)


class Tagger(nn.Module):
    """Base: subclasses implement ``encode`` -> states [B, S, H]; emissions = Linear(states)."""

    # Names of the ONNX inputs this model takes, in order (input_ids and attention_mask first).
    input_names: tuple[str, ...] = ("input_ids", "attention_mask")

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, num_labels)
        self.crf = CRF(num_labels)

    def encode(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        raise NotImplementedError

    def forward(self, input_ids, attention_mask, bigram_ids=None, lexicon_feats=None):
        states = self.encode(input_ids, attention_mask, bigram_ids, lexicon_feats)
        emissions = self.classifier(self.dropout(states))
        return emissions, masked_mean(states, attention_mask)


def lex_to_float(levels: torch.Tensor) -> torch.Tensor:
    """uint8 levels -> the float32 ``lexicon_feats`` input (level / LEX_LEVELS)."""
    return levels.float() / LEX_LEVELS
