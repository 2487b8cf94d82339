import sys
from pathlib import Path

import pytest

TRAINER = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINER))

from zhner_trainer.config import REPO_ROOT  # noqa: E402

DATA_ROOT = Path(__import__("os").environ.get("NER_DATA_ROOT") or (REPO_ROOT / "../shared/data")).resolve()


@pytest.fixture
def data_root():
    if not (DATA_ROOT / "weibo/train.jsonl").is_file():
        pytest.skip(f"corpora not found under {DATA_ROOT}")
    return DATA_ROOT


@pytest.fixture
def tiny_cfg_path():
    return TRAINER / "configs" / "tiny.cfg"
