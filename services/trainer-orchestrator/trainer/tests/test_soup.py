"""Weight soups (zhner_trainer/soup.py): the average is exact, the rule is applied as stated, the
lineage and scores are recorded, the result exports, and ingredients of another base are refused."""
import json
import shutil

import numpy as np
import pytest

from test_train import run_cli
from test_v2 import TINY_V2
from zhner_trainer.data import read_data_ids

COMMON = ["--set", "corpora.train_limit=80", "--set", "corpora.dev_limit=20", "--set", "training.epochs=1",
          "--set", "training.max_steps=6", "--set", "export.onnx=false", "--set", 'export.weights_dtype="float16"']


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from conftest import DATA_ROOT
    if not (DATA_ROOT / "weibo/train.jsonl").is_file():
        pytest.skip(f"corpora not found under {DATA_ROOT}")
    root = tmp_path_factory.mktemp("soup")
    base = root / "base"
    p = run_cli("train", "--config", str(TINY_V2), "--out", str(base), *COMMON, data_root=DATA_ROOT)
    assert p.returncode == 0, p.stderr
    kids = []
    for seed in (1, 2):
        kid = root / f"kid{seed}"
        p = run_cli("train", "--config", str(TINY_V2), "--out", str(kid), "--init-from", str(base), *COMMON,
                    "--set", f"system.seed={seed}", data_root=DATA_ROOT)
        assert p.returncode == 0, p.stderr
        kids.append(kid)
    return root, base, kids, DATA_ROOT


def _with_score(src, dst, f1):
    shutil.copytree(src, dst)
    meta = json.loads((dst / "checkpoint.json").read_text())
    meta["metrics"]["dev"]["f1"] = f1
    (dst / "checkpoint.json").write_text(json.dumps(meta))
    return dst


def _sha(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _f32(path):
    with np.load(path) as z:
        return {k: z[k].astype(np.float32) for k in z.files}


def test_soup_of_all_is_the_mean_and_exports(runs, tmp_path):
    _, base, kids, data_root = runs
    out = tmp_path / "soup"
    p = run_cli("soup", "--base", str(base), "--from", *map(str, kids), "--out", str(out), "--rule", "all", data_root=data_root)
    assert p.returncode == 0, p.stderr
    result = json.loads(next(l for l in p.stdout.splitlines() if l.startswith("RESULT "))[7:])
    assert result["used"] == 3 and set(result["dev_sets"]) == {"social", "cluener"}
    w = [_f32(d / "weights.npz") for d in (base, *kids)]
    s = np.load(out / "weights.npz")
    for k in s.files:
        # the float32 mean of the float16 weights on disk, rounded to float16 once
        np.testing.assert_array_equal(s[k], ((w[0][k] + w[1][k] + w[2][k]) / 3).astype(s[k].dtype))
    assert s["classifier.weight"].dtype == np.float16
    # the soup is neither the base nor an ingredient
    for x in w:
        assert any(np.abs(s[k].astype(np.float32) - x[k]).max() > 1e-3 for k in s.files)
    meta = json.loads((out / "checkpoint.json").read_text())
    assert [r["role"] for r in meta["soup"]["ingredients"]] == ["base", "ingredient", "ingredient"]
    assert all(r["used"] for r in meta["soup"]["ingredients"]) and meta["soup"]["rule"] == "all"
    rows = meta["soup"]["ingredients"]
    assert [r["seed"] for r in rows] == [7, 1, 2] and all(r["parent_verified"] for r in rows)
    assert [r["weights_sha256"][:8] for r in rows] == [_sha(d / "weights.npz")[:8] for d in (base, *kids)]
    assert set(meta["metrics"]["dev_sets"]) == {"social", "cluener"}
    assert meta["metrics"]["dev"]["f1"] == pytest.approx(
        sum(v["f1"] for v in meta["metrics"]["dev_sets"].values()) / 2)
    assert read_data_ids(out / "training_data.ids.gz") == read_data_ids(kids[0] / "training_data.ids.gz")
    p = run_cli("export", "--from", str(out), "--out", str(tmp_path / "model"), "--set", "export.int8_check_docs=0",
                data_root=data_root)
    assert p.returncode == 0, p.stderr
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text())
    assert manifest["training"]["soup"]["used"] == 3


def test_rule_better_keeps_only_ingredients_that_beat_the_base(runs, tmp_path):
    _, base, kids, data_root = runs
    base_f1 = json.loads((base / "checkpoint.json").read_text())["metrics"]["dev"]["f1"]
    up = _with_score(kids[0], tmp_path / "up", base_f1 + 0.01)
    down = _with_score(kids[1], tmp_path / "down", base_f1 - 0.01)
    out = tmp_path / "soup"
    p = run_cli("soup", "--base", str(base), "--from", str(up), str(down), "--out", str(out), data_root=data_root)
    assert p.returncode == 0, p.stderr
    rows = json.loads((out / "checkpoint.json").read_text())["soup"]["ingredients"]
    assert [r["used"] for r in rows] == [True, True, False]
    w0, w1, s = _f32(base / "weights.npz"), _f32(up / "weights.npz"), np.load(out / "weights.npz")
    for k in s.files:
        np.testing.assert_array_equal(s[k], ((w0[k] + w1[k]) / 2).astype(s[k].dtype))


def test_an_ingredient_of_another_base_is_refused(runs, tmp_path):
    _, base, kids, data_root = runs
    other = tmp_path / "other"
    shutil.copytree(kids[0], other)
    vocab = json.loads((other / "vocab.json").read_text())
    (other / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1))  # same words, other bytes
    p = run_cli("soup", "--base", str(base), "--from", str(other), "--out", str(tmp_path / "soup"), "--rule", "all",
                data_root=data_root)
    assert p.returncode == 2
    err = json.loads(next(l for l in p.stderr.splitlines() if l.startswith("ERROR "))[6:])
    assert err["code"] == "E_SOUP" and "vocab.json" in err["message"]
    p = run_cli("soup", "--base", str(base), "--from", str(kids[0]), "--out", str(base), data_root=data_root)
    assert p.returncode == 2 and "E_SOUP" in p.stderr
    p = run_cli("soup", "--base", str(base), "--from", str(kids[0]), str(kids[0]), "--out", str(tmp_path / "twice"),
                data_root=data_root)
    assert p.returncode == 2 and "given twice" in p.stderr


def test_an_ingredient_fine_tuned_from_another_model_is_refused(runs, tmp_path):
    root, base, kids, data_root = runs
    # kid2 is a fine-tune of base; as the base of a soup, kid1 (also base's child) is not its child
    p = run_cli("soup", "--base", str(kids[1]), "--from", str(kids[0]), "--out", str(tmp_path / "soup"), "--rule", "all",
                data_root=data_root)
    assert p.returncode == 2
    err = json.loads(next(l for l in p.stderr.splitlines() if l.startswith("ERROR "))[6:])
    assert err["code"] == "E_SOUP" and "not fine-tuned from the base" in err["message"]
