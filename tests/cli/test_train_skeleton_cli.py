"""``nodescope train skeleton``: the lifting recipe on the CMU clips, on a tiny budget, and bad input."""

import json

import pytest

from nodescope.cli.main import main
from nodescope.core.models.lifting import load_lifter


def test_one_epoch_of_the_mlp_writes_a_loadable_checkpoint_and_the_results(tmp_path, shared_data, capsys):
    out = tmp_path / "runs"
    argv = ["train", "skeleton", "--model", "mlp", "--epochs", "1", "--mocap", str(shared_data / "mocap")]
    assert main([*argv, "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("mlp seed 0: test MPJPE ") and "(the shipped weights" not in line
    model, record = load_lifter(out / "mlp.safetensors")
    assert model.config.model == "mlp" and record["epochs"] == 1 and record["recipe"]["epochs"] == 1
    results = json.loads((out / "skeleton-results.json").read_text())
    (run,) = results["runs"]
    assert run["model"] == "mlp" and run["same_as_shipped"] is False
    assert run["test"]["mpjpe"] == pytest.approx(record["test"]["mpjpe"]) and run["test"]["poses"] > 1000
    # resumable: a second call reads the finished run back instead of training again
    assert main([*argv, "--out", str(out)]) == 0
    assert json.loads((out / "skeleton-results.json").read_text())["runs"][0]["seconds"] == run["seconds"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "gat", "--out", "x"], "Unknown lifting model"),
        (["--epochs", "0", "--out", "x"], "at least 1"),
        ([], "--out DIR or --ship"),
        (["--out", "x", "--mocap", "nowhere"], "No BVH clips"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "skeleton", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_graph_training_still_needs_its_options(capsys):
    assert main(["train", "--dataset", "karate"]) == 2
    assert "needs --dataset, --model and --out" in capsys.readouterr().err
