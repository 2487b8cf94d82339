import itertools

import torch

from zhner_trainer.crf import CRF


def _brute(crf, em):
    n, L = em.shape
    scores = {}
    for path in itertools.product(range(L), repeat=n):
        s = crf.start[path[0]] + em[0, path[0]] + crf.end[path[-1]]
        for t in range(1, n):
            s = s + crf.transitions[path[t - 1], path[t]] + em[t, path[t]]
        scores[path] = float(s)
    return scores


def test_nll_and_viterbi_match_enumeration():
    torch.manual_seed(0)
    crf = CRF(3)
    em = torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]]).bool()
    paths = crf.decode(em, mask)
    for b, n in enumerate([4, 2]):
        scores = _brute(crf, em[b, :n])
        best = max(scores, key=scores.get)
        assert tuple(paths[b]) == best
        logz = torch.logsumexp(torch.tensor(list(scores.values())), 0)
        tags = torch.tensor([list(best) + [0] * (4 - n)])
        nll = crf.nll(em[b:b + 1], tags, mask[b:b + 1])
        assert abs(float(nll) - float(logz - scores[best])) < 1e-4


def test_partial_label_nll_is_the_likelihood_of_the_allowed_paths():
    # labels O, B-PER, B-TIME; token 1 is unannotated for TIME: O or B-TIME
    torch.manual_seed(1)
    crf = CRF(3)
    em = torch.randn(1, 3, 3)
    mask = torch.ones(1, 3).bool()
    tags = torch.tensor([[1, 0, 0]])
    one_hot = torch.nn.functional.one_hot(tags, 3).bool()
    # allowing exactly the tags is the ordinary likelihood
    assert abs(float(crf.nll(em, tags, mask, one_hot)) - float(crf.nll(em, tags, mask))) < 1e-4
    allowed = one_hot.clone()
    allowed[0, 1, 2] = True
    scores = _brute(crf, em[0])
    logz = torch.logsumexp(torch.tensor(list(scores.values())), 0)
    ok = torch.logsumexp(torch.tensor([scores[(1, 0, 0)], scores[(1, 2, 0)]]), 0)
    assert abs(float(crf.nll(em, tags, mask, allowed)) - float(logz - ok)) < 1e-4
    assert float(crf.nll(em, tags, mask, allowed)) < float(crf.nll(em, tags, mask))


def test_unannotated_types_free_only_the_outside_characters():
    import numpy as np
    from zhner_trainer.batching import collate, encode
    from zhner_trainer.data import Example

    class Feats:
        def featurise(self, text):
            return {"input_ids": np.arange(len(text), dtype=np.int64)}

    labels = ["O", "B-PER", "I-PER", "B-TIME", "I-TIME"]
    replay = Example("r", "李鹏三日到", ((0, 2, "PER"),), ("TIME",))
    fresh = Example("c", "三日", ((0, 2, "TIME"),))
    enc = encode([replay, fresh], Feats(), labels, "bio")
    assert enc[1].allowed is None
    a = enc[0].allowed
    assert a[0].tolist() == [False, True, False, False, False]  # annotated PER stays fixed
    assert a[2].tolist() == [True, False, False, True, True]  # O, or TIME that nobody marked
    batch = collate(enc, ("input_ids",), "cpu")
    assert batch["allowed"].shape == (2, 5, 5)
    assert batch["allowed"][1, :2].int().sum(1).tolist() == [1, 1]  # the fully annotated row: its tags only
