"""``nodescope simulate --model``: each model's rollout as ``pred_<model>`` of the documented shape."""

import numpy as np
import pytest

from nodescope.cli.main import main
from nodescope.core.models import mesh as mesh_models


def run(tmp_path, model: str, equation: str = "heat") -> dict:
    out = tmp_path / "run.npz"
    args = ["simulate", "ant", "--equation", equation, "--steps", "4", "--model", model, "--out", str(out)]
    assert main(args) == 0
    with np.load(out, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.skipif(
    mesh_models.shipped_mesh_model("mpnn", "heat") is None
    or mesh_models.shipped_mesh_model("mesh-transformer", "heat") is None,
    reason="no shipped heat models",
)
def test_all_writes_one_rollout_per_model_from_the_same_initial_state(tmp_path):
    d = run(tmp_path, "all")
    assert {"pred_mesh-transformer", "pred_mpnn", "truth", "initial"} <= set(d)
    for key in ("pred_mesh-transformer", "pred_mpnn"):
        assert d[key].shape == d["truth"].shape == (5, 486) and d[key].dtype == np.float32
        np.testing.assert_allclose(d[key][0], d["initial"], rtol=1e-6)
        assert np.isfinite(d[key]).all() and not np.array_equal(d[key][-1], d["initial"])
    # Accuracy is the benchmark's (benchmarks/bench_mesh_models.py); here, the file's contract.


def test_a_model_without_weights_for_the_equation_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(mesh_models, "shipped_mesh_model", lambda model, equation: None)
    args = ["simulate", "ant", "--equation", "wave", "--steps", "2", "--model", "mpnn"]
    assert main([*args, "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nodescope train mesh" in err
