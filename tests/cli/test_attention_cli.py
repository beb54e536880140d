"""``nodescope attention``: the .npz it writes, and one-line errors (exit 2) for bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nodescope.cli.main import main
from nodescope.core import checkpoint
from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.training import settings_for, train, with_split


def _trained(tmp: Path, key: str) -> Path:
    sample = load("karate")
    config = MODELS[key].config(sample.data.num_features, sample.num_classes)
    result = train(config, with_split(sample.data, seed=0), settings_for(key, max_epochs=5))
    path = tmp / f"karate-{key}"
    checkpoint.save_checkpoint(result.model, path, info={"test_acc": result.test_acc})
    return path.with_suffix(".safetensors")


@pytest.fixture(scope="module")
def gat_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _trained(tmp_path_factory.mktemp("gat"), "gat")


def test_writes_edges_alpha_statistics_and_importance(
    gat_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "attn.npz"
    assert (
        main(
            [
                "attention",
                "--dataset",
                "karate",
                "--model",
                "gat",
                "--weights",
                str(gat_weights),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    z = np.load(out)  # allow_pickle stays False: everything is a plain array
    ei, alpha = z["edge_index"], z["alpha"]
    assert ei.shape[0] == 2 and alpha.shape == (2, 8, ei.shape[1])
    assert z["heads"].tolist() == [8, 1] and z["layer_names"].tolist() == ["conv 1", "conv 2"]
    for layer, heads in enumerate(z["heads"]):
        for h in range(heads):
            assert np.allclose(np.bincount(ei[1], weights=alpha[layer, h], minlength=34), 1.0, atol=1e-5)
    assert np.isnan(alpha[1, 1:]).all()
    assert z["stats_layer"].tolist() == [0] * 8 + [1] and z["entropy"].shape == (9,)
    assert np.isfinite(z["salience"]).all() and np.isfinite(z["sparsity"]).all()
    assert z["deviation"].shape == (2, 8) and z["top_heads"].shape == (3, 2)
    assert str(z["metric"]) == "error" and 0 <= float(z["baseline"]) <= 1
    assert "global_alpha" not in z.files
    # The arrays count layers and heads from 0; the summary names them from 1, as the app does.
    named = ", ".join(f"L{layer + 1} H{head + 1}" for layer, head in z["top_heads"].tolist())
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.endswith(f"top heads {named}") and "(" not in summary.split("top heads")[1]


def test_gps_writes_global_attention_rows(tmp_path: Path) -> None:
    weights = _trained(tmp_path, "gps")
    out = tmp_path / "gps"  # no suffix: written exactly there
    args = ["attention", "--dataset", "karate", "--model", "gps", "--weights", str(weights)]
    assert main([*args, "--global-nodes", "3,5", "--metric", "loss", "--out", str(out)]) == 0
    z = np.load(out)
    assert z["alpha"].shape[0] == 0  # GIN has no coefficients over edges
    heads = MODELS["gps"].defaults["heads"]
    assert z["global_nodes"].tolist() == [3, 5]
    assert z["global_alpha"].shape == (2, heads, 2, 34)
    assert np.allclose(z["global_alpha"].sum(-1), 1.0, atol=1e-5)
    assert z["deviation"].shape == (2, heads) and str(z["metric"]) == "loss"


def _fails(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and message in err[-1]


def test_bad_input_is_one_line_and_exit_2(
    gat_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = str(tmp_path / "x.npz")
    base = ["attention", "--out", out]
    _fails(capsys, [*base, "--dataset", "karate", "--model", "nope"], "Unknown model 'nope'")
    _fails(capsys, [*base, "--dataset", "karate", "--model", "gcn"], "gcn has no attention")
    _fails(capsys, [*base, "--dataset", "no-such-graph", "--model", "gat"], "no-such-graph")
    monkeypatch.setattr(checkpoint, "shipped_checkpoint", lambda dataset, model: None)
    _fails(capsys, [*base, "--dataset", "karate", "--model", "gat"], "No shipped gat weights for karate")
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(b"not a safetensors file")
    corrupt.with_suffix(".json").write_text(gat_weights.with_suffix(".json").read_text())
    _fails(capsys, [*base, "--dataset", "karate", "--model", "gat", "--weights", str(corrupt)], "corrupt")
    _fails(
        capsys,
        [*base, "--dataset", "karate", "--model", "gatv2", "--weights", str(gat_weights)],
        "holds a gat model, not gatv2",
    )
    assert not Path(out).exists()
