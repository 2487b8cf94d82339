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
