import pytest

from zhner_trainer.config import load_config
from zhner_trainer.errors import ConfigError


def test_tiny_config_is_valid(tiny_cfg_path):
    cfg = load_config(tiny_cfg_path, env={})
    assert cfg["model"]["architecture"] == "bilstm_crf.v1"
    assert cfg["corpora"]["train"][0] == "../shared/data/msra/train.jsonl"  # interpolated


def test_every_shipped_config_is_valid(tiny_cfg_path):
    for p in sorted(tiny_cfg_path.parent.glob("*.cfg")):
        ov = ["paths.hf_checkpoint=/nonexistent"] if "bert" in p.name else []
        load_config(p, ov, env={})


@pytest.mark.parametrize("override,key", [
    ("training.epochs=0", "training.epochs"),
    ("training.batch_size=\"32\"", "training.batch_size"),
    ("model.scheme=\"IOB2\"", "model.scheme"),
    ("model.architecture=\"lstm\"", "model.architecture"),
    ("training.learning_rat=0.1", "training.learning_rat"),
    ("system.device=\"tpu\"", "system.device"),
    ("corpora.train=[]", "corpora.train"),
    ("corpora.train_repeat=[1]", "corpora.train_repeat"),
])
def test_bad_values_name_the_key(tiny_cfg_path, override, key):
    with pytest.raises(ConfigError) as e:
        load_config(tiny_cfg_path, [override], env={})
    assert e.value.key == key
    assert key in str(e.value)


def test_missing_key_and_arch_specific_keys(tiny_cfg_path):
    text = tiny_cfg_path.read_text().replace("hidden_size = 16\n", "")
    with pytest.raises(ConfigError) as e:
        load_config(text=text, env={})
    assert e.value.key == "model.hidden_size"
    # keys of another architecture are rejected by name
    with pytest.raises(ConfigError) as e:
        load_config(tiny_cfg_path, ["model.architecture=\"transformer_crf.v1\""], env={})
    assert e.value.key.startswith("model.")


def test_non_json_value(tiny_cfg_path):
    text = tiny_cfg_path.read_text().replace('optimizer = "adam"', "optimizer = adam")
    with pytest.raises(ConfigError) as e:
        load_config(text=text, env={})
    assert e.value.key == "training.optimizer"


def test_env_and_override_precedence(tiny_cfg_path):
    cfg = load_config(tiny_cfg_path, env={"NER_DATA_ROOT": "/data"})
    assert cfg["corpora"]["dev"] == "/data/weibo/dev.jsonl"
    cfg = load_config(tiny_cfg_path, ["paths.data_root=/x", "training.epochs=5"], env={"NER_DATA_ROOT": "/data"})
    assert cfg["corpora"]["dev"] == "/x/weibo/dev.jsonl"
    assert cfg["training"]["epochs"] == 5


def test_resolved_config_round_trips(tiny_cfg_path):
    cfg = load_config(tiny_cfg_path, env={})
    again = load_config(text=cfg.to_cfg_text("header"), env={})
    assert again == cfg
