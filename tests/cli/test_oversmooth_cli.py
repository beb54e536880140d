"""``nodescope oversmooth``: the sweep JSON, the disk cache, one-line errors (exit 2) for bad input."""

import json

import pytest

from nodescope.cli.main import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("NODESCOPE_HOME", str(tmp_path / "home"))
    return tmp_path


def test_cli_writes_json(home, capsys):
    out = home / "sweep.json"
    assert (
        main(
            [
                "oversmooth",
                "--dataset",
                "karate",
                "--models",
                "gcn,appnp",
                "--depths",
                "2,4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    raw = json.loads(out.read_text())
    assert len(raw["runs"]) == 4 and raw["config"]["depths"] == [2, 4]
    assert len(raw["runs"][0]["metrics"]["dirichlet"]) == 3
    assert "wrote" in capsys.readouterr().out
    assert list((home / "home" / "cache" / "sweeps").glob("*.json"))


@pytest.mark.parametrize(
    "args",
    [
        ["--models", "gcn,nope"],
        ["--models", "gcn", "--depths", "2,x"],
        ["--models", "gcn", "--depths", "0,2"],
        ["--models", "gcn", "--seeds", "0"],
        ["--models", "gcn", "--dataset", "no-such-graph"],
        ["--models", "gcn", "--out", "/no/such/folder/out.json"],
    ],
)
def test_cli_exits_2_with_one_line_on_bad_input(home, capsys, args):
    options = {"--dataset": "karate", "--out": str(home / "out.json")}
    options.update(zip(args[::2], args[1::2], strict=True))
    assert main(["oversmooth", *(item for pair in options.items() for item in pair)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodescope: ") and err.count("\n") == 1
    assert not (home / "out.json").exists()
