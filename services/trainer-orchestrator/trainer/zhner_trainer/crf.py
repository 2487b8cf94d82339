"""Linear-chain CRF over label emissions (batch-first, masks are prefix masks).

Parameters: ``transitions[i, j]`` = score of label i followed by label j; ``start[j]`` /
``end[j]`` = score of a path starting / ending with j. Exported verbatim to ``crf.json``.
"""
from __future__ import annotations

import numpy as np  # noqa: F401  (numpy arrays come back from .numpy())
import torch
from torch import nn


class CRF(nn.Module):
    def __init__(self, num_labels: int):
        super().__init__()
        self.num_labels = num_labels
        self.transitions = nn.Parameter(torch.empty(num_labels, num_labels).uniform_(-0.1, 0.1))
        self.start = nn.Parameter(torch.empty(num_labels).uniform_(-0.1, 0.1))
        self.end = nn.Parameter(torch.empty(num_labels).uniform_(-0.1, 0.1))

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor, allowed: torch.Tensor | None = None) -> torch.Tensor:
        """Mean negative log-likelihood of ``tags`` [B, S] (mask [B, S] bool, first column true).

        ``allowed`` [B, S, L] bool (partial annotation): the likelihood of the SET of paths that
        take an allowed label at every token, log Z(allowed) − log Z (Tsuboi et al. 2008); a row
        that allows exactly its tags gives the usual path score."""
        if allowed is None:
            return (self._log_partition(emissions, mask) - self._score(emissions, tags, mask)).mean()
        constrained = emissions.masked_fill(~allowed, -1e4)
        return (self._log_partition(emissions, mask) - self._log_partition(constrained, mask)).mean()

    def _score(self, em, tags, mask):
        B, S, _ = em.shape
        maskf = mask.to(em.dtype)
        score = self.start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
        if S > 1:
            e = em[:, 1:].gather(2, tags[:, 1:].unsqueeze(2)).squeeze(2)
            tr = self.transitions[tags[:, :-1], tags[:, 1:]]
            score = score + ((e + tr) * maskf[:, 1:]).sum(1)
        last = mask.long().sum(1) - 1
        score = score + self.end[tags.gather(1, last.unsqueeze(1)).squeeze(1)]
        return score

    def _log_partition(self, em, mask):
        alpha = self.start.unsqueeze(0) + em[:, 0]  # [B, L]
        trans = self.transitions.unsqueeze(0)
        for t in range(1, em.size(1)):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans, dim=1) + em[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        return torch.logsumexp(alpha + self.end.unsqueeze(0), dim=1)

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Viterbi best label path per sequence (length = mask sum)."""
        em = emissions.float()
        B, S, L = em.shape
        score = self.start.unsqueeze(0) + em[:, 0]
        history = []
        trans = self.transitions.unsqueeze(0)
        for t in range(1, S):
            cand = score.unsqueeze(2) + trans  # [B, from, to]
            best, idx = cand.max(dim=1)
            nxt = best + em[:, t]
            m = mask[:, t].unsqueeze(1)
            score = torch.where(m, nxt, score)
            history.append(torch.where(m, idx, torch.arange(L, device=em.device).expand(B, L)))
        score = score + self.end.unsqueeze(0)
        lengths = mask.long().sum(1).tolist()
        last = score.argmax(1).tolist()
        hist = torch.stack(history).cpu().numpy() if history else None  # [S-1, B, L]
        paths = []
        for b in range(B):
            n = lengths[b]
            tag = last[b]
            path = [tag]
            for t in range(n - 1, 0, -1):
                tag = int(hist[t - 1][b, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths

    def to_json(self) -> dict:
        return {"transitions": self.transitions.detach().cpu().float().tolist(),
                "start": self.start.detach().cpu().float().tolist(),
                "end": self.end.detach().cpu().float().tolist()}
