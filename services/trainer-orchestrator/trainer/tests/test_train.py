"""End-to-end runs of the CLI on tiny data (a few seconds each)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import TRAINER

TINY = ["--set", "corpora.train_limit=60", "--set", "corpora.dev_limit=20", "--set", "training.epochs=2",
        "--set", "training.max_steps=6"]


def run_cli(*args, data_root):
    pp = os.pathsep.join([str(TRAINER)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
    env = dict(os.environ, NER_DATA_ROOT=str(data_root), PYTHONPATH=pp)
    p = subprocess.run([sys.executable, "-m", "zhner_trainer", *args], capture_output=True, text=True, env=env)
    return p


def test_progress_lines_and_determinism(tmp_path, tiny_cfg_path, data_root):
    outs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        p = run_cli("train", "--config", str(tiny_cfg_path), "--out", str(out), *TINY,
                    "--set", "export.onnx=false", data_root=data_root)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.strip().splitlines()
        assert all(l.startswith(("PROGRESS ", "RESULT ")) for l in lines)
        prog = json.loads(lines[0][len("PROGRESS "):])
        assert list(prog) == ["epoch", "step", "loss", "dev", "elapsed_s", "best_f1"]
        assert list(prog["dev"]) == ["precision", "recall", "f1"]
        assert lines[-1].startswith("RESULT ")
        outs.append(out)
    a, b = (np.load(o / "weights.npz") for o in outs)
    assert a.files == b.files
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])
    assert (outs[0] / "config.cfg").read_text() == (outs[1] / "config.cfg").read_text()


def test_bad_config_fails_before_work(tmp_path, tiny_cfg_path, data_root):
    p = run_cli("train", "--config", str(tiny_cfg_path), "--out", str(tmp_path / "x"),
                "--set", "training.patience=-1", data_root=data_root)
    assert p.returncode == 2
    err = json.loads(p.stderr.strip().splitlines()[-1][len("ERROR "):])
    assert err["code"] == "E_CONFIG" and err["key"] == "training.patience"
    assert not (tmp_path / "x").exists()


def test_export_and_finetune_with_a_new_type(tmp_path, tiny_cfg_path, data_root):
    parent = tmp_path / "parent"
    p = run_cli("train", "--config", str(tiny_cfg_path), "--out", str(parent), *TINY, data_root=data_root)
    assert p.returncode == 0, p.stderr
    m = json.loads((parent / "manifest.json").read_text())
    for f in ("model.onnx", "model.int8.onnx", "crf.json", "vocab.json", "lexicon.tsv.gz", "weights.npz", "config.cfg"):
        assert f in m["files"], f
    assert m["labels"][0] == "O" and m["scheme"] == "BIOES"
    new = tmp_path / "feedback.jsonl"
    new.write_text("\n".join(json.dumps({"id": f"f{i}", "text": "我在ＮＢＡ看到了姚明和小米手机",
                                         "entities": [{"start": 2, "end": 5, "type": "ORG", "text": "ＮＢＡ"},
                                                      {"start": 11, "end": 15, "type": "PRODUCT", "text": "小米手机"}]},
                                        ensure_ascii=False) for i in range(20)) + "\n", encoding="utf-8")
    child = tmp_path / "child"
    p = run_cli("finetune", "--config", str(tiny_cfg_path), "--out", str(child), "--init-from", str(parent),
                "--set", f"corpora.train=[{json.dumps(str(new))}]", "--set", "corpora.dev_limit=10",
                "--set", "training.epochs=1", data_root=data_root)
    assert p.returncode == 0, p.stderr
    cm = json.loads((child / "manifest.json").read_text())
    assert cm["parent_version"] == m["version"]
    assert cm["entity_types"] == ["LOC", "ORG", "PER", "PRODUCT"]
    assert json.loads((child / "vocab.json").read_text()) == json.loads((parent / "vocab.json").read_text())


def test_missing_data_file_is_a_data_error(tmp_path, tiny_cfg_path, data_root):
    p = run_cli("train", "--config", str(tiny_cfg_path), "--out", str(tmp_path / "x"),
                "--set", "corpora.dev=/nonexistent/dev.jsonl", data_root=data_root)
    assert p.returncode == 2
    assert '"E_DATA"' in p.stderr
