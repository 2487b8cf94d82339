"""Evaluation of a torch model on documents (strict span F1), as the runtime would score them."""
from __future__ import annotations

import torch

from .batching import collate, segment_docs
from .constraints import blocked_labels, classes_of, constrain_emissions, wellformed_spans
from .data import Example
from .metrics import score_spans
from .tagging import tags_to_spans


@torch.no_grad()
def predict_docs(model, featurizer, examples: list[Example], labels: list[str], scheme: str,
                 max_length: int, batch_size: int, device, convention: int = 0) -> list[list[tuple[int, int, str]]]:
    """Entities of each document as the runtime finds them: cut by split_for_model, decoded with the
    well-formedness constraints (constraints.py), ``convention`` = index into model.conventions."""
    was_training = model.training
    model.eval()
    blocked = blocked_labels(labels, scheme)
    segs, owners = segment_docs(examples, featurizer, max_length, convention)
    order = sorted(range(len(segs)), key=lambda i: len(segs[i]))
    pred: list[list] = [[] for _ in examples]
    for k in range(0, len(order), batch_size):
        chunk = order[k:k + batch_size]
        batch = collate([segs[i] for i in chunk], model.input_names, device, with_tags=False)
        emissions, _ = model(**{n: batch[n] for n in model.input_names})
        emissions = emissions.float()
        classes = [classes_of(owners[i][2]) for i in chunk]
        for b, cl in enumerate(classes):
            constrain_emissions(emissions[b], cl, blocked)
        paths = model.crf.decode(emissions, batch["attention_mask"].bool())
        for i, path, cl in zip(chunk, paths, classes):
            d, off, _ = owners[i]
            spans = wellformed_spans(tags_to_spans([labels[j] for j in path], scheme), cl)
            pred[d].extend((s + off, e + off, t) for s, e, t in spans)
    model.train(was_training)
    return pred


def evaluate(model, featurizer, examples, labels, scheme, max_length, batch_size, device, convention: int = 0) -> dict:
    pred = predict_docs(model, featurizer, examples, labels, scheme, max_length, batch_size, device, convention)
    return score_spans([list(ex.spans) for ex in examples], annotated_only(examples, pred))


def annotated_only(examples: list[Example], pred: list) -> list:
    """A set is scored on the types it annotates: a type with no gold mention in the whole set (a
    news dev set and a type added later, e.g. TIME), or one an example is marked unannotated for,
    says nothing about the predictions of that type there (the gate's rule, @zhner/core scoreSpans)."""
    annotated = {t for ex in examples for *_, t in ex.spans}
    return [[s for s in p if s[2] in annotated and s[2] not in ex.unannotated] for ex, p in zip(examples, pred, strict=True)]
