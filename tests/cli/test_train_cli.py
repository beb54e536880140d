"""``nodescope train``: checkpoints per seed, a results JSON, a summary line; bad input exits 2."""

import json

import pytest

from nodescope.cli.main import main
from nodescope.core.checkpoint import load_checkpoint


def test_train_two_seeds_on_karate(tmp_path, capsys):
    out = tmp_path / "runs"
    assert (
        main(
            [
                "train",
                "--dataset",
                "karate",
                "--model",
                "gcn",
                "--seeds",
                "2",
                "--epochs",
                "5",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert lines[-1].startswith("gcn karate: test acc ") and lines[-1].endswith("% over 2 seeds")
    assert sorted(p.name for p in out.iterdir()) == [
        "karate-gcn-results.json",
        "karate-gcn-seed0.json",
        "karate-gcn-seed0.safetensors",
        "karate-gcn-seed1.json",
        "karate-gcn-seed1.safetensors",
    ]
    results = json.loads((out / "karate-gcn-results.json").read_text())
    assert [r["seed"] for r in results["seeds"]] == [0, 1]
    assert all(r["epochs"] == 5 for r in results["seeds"])
    mean = sum(r["test_acc"] for r in results["seeds"]) / 2
    assert results["test_acc_mean"] == pytest.approx(mean)
    model, info = load_checkpoint(out / "karate-gcn-seed1")
    assert info["seed"] == 1 and info["split"] == "random seed 0" and info["dataset"] == "karate"
    assert info["test_acc"] == results["seeds"][1]["test_acc"]
    assert model.config.in_dim == 34 and model.config.out_dim == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "no-such-graph", "--model", "gcn"], "No such file or built-in"),
        (["--dataset", "karate", "--model", "no-such-model"], "Unknown model"),
        (["--dataset", "airplane", "--model", "gcn"], "no node labels"),
        (["--dataset", "karate", "--model", "gcn", "--seeds", "0"], "at least 1"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    assert main(["train", *args, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodescope: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
