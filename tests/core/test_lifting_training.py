"""core.models.lifting.training: a run interrupted after an epoch resumes to the same weights,
and a finished run is written as a lifter checkpoint that loads back."""

import pytest
import torch
from safetensors.torch import load_file

from nodescope.core.models.lifting import LifterConfig, load_lifter
from nodescope.core.models.lifting import training as tr
from nodescope.core.models.lifting.evaluate import builtin_set
from nodescope.core.skeleton.dataset import Clip
from nodescope.core.skeleton.synthetic import jump, walk

TINY = LifterConfig("hopfir", hidden=16, layers=1, heads=2)
RECIPE = {**tr.RECIPE, "batch": 64}


@pytest.fixture(scope="module")
def data():
    clips = [Clip("walk", "p", walk()[::3], 10.0, "walk"), Clip("jump", "p", jump()[::3], 10.0, "jump")]
    sets = builtin_set()
    return clips, {"val": sets, "test": sets, "test_noisy": sets}


def _run(data, state_dir, epochs=3):
    clips, sets = data
    return tr.train_run("hopfir", 0, clips, sets, state_dir, epochs, config=TINY, recipe=RECIPE)


def test_an_interrupted_run_resumes_to_the_same_result(data, tmp_path, monkeypatch):
    straight = _run(data, tmp_path / "a")
    real = tr.epoch_set
    calls = []

    def interrupted(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(tr, "epoch_set", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(data, tmp_path / "b")
    monkeypatch.setattr(tr, "epoch_set", real)
    resumed = _run(data, tmp_path / "b")
    assert [h["val_mpjpe"] for h in resumed["history"]] == [h["val_mpjpe"] for h in straight["history"]]
    assert resumed["test"]["mpjpe"] == straight["test"]["mpjpe"]
    again = _run(data, tmp_path / "b")  # finished: read back
    assert again["test"] == resumed["test"]
    a = load_file(str(tmp_path / "a" / "hopfir-seed0.safetensors"))
    b = load_file(str(tmp_path / "b" / "hopfir-seed0.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_finished_run_is_written_as_a_checkpoint_with_its_scores(data, tmp_path):
    run = _run(data, tmp_path / "state", epochs=1)
    model = tr.save_trained(run, tmp_path / "state", tmp_path / "out" / "hopfir", RECIPE, "tiny")
    loaded, record = load_lifter(tmp_path / "out" / "hopfir.safetensors")
    assert record["builtin"]["mpjpe"] == pytest.approx(run["builtin"]["mpjpe"])
    assert record["recipe"]["batch"] == 64 and record["data"] == "tiny" and record["epochs"] == 1
    assert all(torch.equal(v, loaded.state_dict()[k].cpu()) for k, v in model.state_dict().items())


def test_the_learning_rate_decays_from_lr_to_its_final_fraction():
    assert tr.learning_rate(0, 30) == pytest.approx(1e-3)
    assert tr.learning_rate(29, 30) == pytest.approx(5e-5)
