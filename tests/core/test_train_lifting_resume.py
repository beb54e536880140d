"""``examples/train_lifting.py``: a run interrupted after an epoch resumes to the same weights."""

import importlib.util
from pathlib import Path

import pytest
import torch

from nodescope.core.models.lifting import LifterConfig
from nodescope.core.models.lifting.evaluate import builtin_set
from nodescope.core.skeleton.dataset import Clip
from nodescope.core.skeleton.synthetic import jump, walk

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_lifting.py"


@pytest.fixture
def script(monkeypatch):
    spec = importlib.util.spec_from_file_location("train_lifting", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(
        module.DEFAULT_CONFIGS, "hopfir", LifterConfig("hopfir", hidden=16, layers=1, heads=2)
    )
    monkeypatch.setitem(module.RECIPE, "batch", 64)
    return module


def test_an_interrupted_run_resumes_to_the_same_result(script, tmp_path, monkeypatch):
    clips = [Clip("walk", "p", walk()[::3], 10.0, "walk"), Clip("jump", "p", jump()[::3], 10.0, "jump")]
    data = builtin_set()
    sets = {"val": data, "test": data, "test_noisy": data}
    straight = script.train_run("hopfir", 0, clips, sets, tmp_path / "a", epochs=3)

    real = script.epoch_set
    calls = []

    def interrupted(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(script, "epoch_set", interrupted)
    with pytest.raises(KeyboardInterrupt):
        script.train_run("hopfir", 0, clips, sets, tmp_path / "b", epochs=3)
    monkeypatch.setattr(script, "epoch_set", real)
    resumed = script.train_run("hopfir", 0, clips, sets, tmp_path / "b", epochs=3)
    assert [h["val_mpjpe"] for h in resumed["history"]] == [h["val_mpjpe"] for h in straight["history"]]
    assert resumed["test"]["mpjpe"] == straight["test"]["mpjpe"]
    again = script.train_run("hopfir", 0, clips, sets, tmp_path / "b", epochs=3)  # finished: read back
    assert again["test"] == resumed["test"]
    a = script.load_file(str(tmp_path / "a" / "hopfir-seed0.safetensors"))
    b = script.load_file(str(tmp_path / "b" / "hopfir-seed0.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)
