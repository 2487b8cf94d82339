"""Evaluation of a torch model on documents (strict span F1), as the runtime would score them."""
from __future__ import annotations

import torch

from .batching import collate, segment_docs
from .data import Example
from .metrics import score_spans
from .tagging import tags_to_spans


@torch.no_grad()
def predict_docs(model, featurizer, examples: list[Example], labels: list[str], scheme: str,
                 max_length: int, batch_size: int, device) -> list[list[tuple[int, int, str]]]:
    was_training = model.training
    model.eval()
    segs, owners = segment_docs(examples, featurizer, max_length)
    order = sorted(range(len(segs)), key=lambda i: len(segs[i]))
    pred: list[list] = [[] for _ in examples]
    for k in range(0, len(order), batch_size):
        chunk = order[k:k + batch_size]
        batch = collate([segs[i] for i in chunk], model.input_names, device, with_tags=False)
        emissions, _ = model(**{n: batch[n] for n in model.input_names})
        paths = model.crf.decode(emissions, batch["attention_mask"].bool())
        for i, path in zip(chunk, paths):
            d, off = owners[i]
            pred[d].extend((s + off, e + off, t) for s, e, t in tags_to_spans([labels[j] for j in path], scheme))
    model.train(was_training)
    return pred


def evaluate(model, featurizer, examples, labels, scheme, max_length, batch_size, device) -> dict:
    pred = predict_docs(model, featurizer, examples, labels, scheme, max_length, batch_size, device)
    return score_spans([list(ex.spans) for ex in examples], pred)
