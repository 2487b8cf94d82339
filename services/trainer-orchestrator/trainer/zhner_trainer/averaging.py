"""Exponential moving average of a model's weights (``training.weight_average``).

The average of the last few thousand steps is a flatter point than the last step's weights; the
dev sets are scored, and the best epoch saved, with it, while training goes on from the raw weights.
"""
from contextlib import contextmanager

import torch


class WeightAverage:
    """avg <- decay * avg + (1 - decay) * weights after every optimizer step (floating tensors only)."""

    def __init__(self, model: torch.nn.Module, decay: float, state: dict | None = None):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"weight average decay must be in (0, 1), got {decay}")
        self.decay = decay
        live = {k: v for k, v in model.state_dict().items() if v.is_floating_point()}
        self.avg = state if state is not None else {k: v.detach().clone().float() for k, v in live.items()}
        # (average, live tensor) pairs taken once: optimizer steps and load_state_dict write the live
        # tensors in place, so the per-step update need not rebuild the state dict
        self._pairs = [(self.avg[k], v) for k, v in live.items()]

    @torch.no_grad()
    def update(self) -> None:
        for a, v in self._pairs:
            a.mul_(self.decay).add_(v.float(), alpha=1.0 - self.decay)

    @contextmanager
    def applied(self, model: torch.nn.Module):
        """The averaged weights in ``model`` inside the block, the raw ones back after it."""
        raw = {k: v.detach().clone() for k, v in model.state_dict().items()}
        model.load_state_dict({**raw, **{k: v.to(raw[k].dtype) for k, v in self.avg.items()}})
        try:
            yield model
        finally:
            model.load_state_dict(raw)
