"""``nodescope train mesh``: the same recipe and seed give byte-identical weights; bad input exits 2."""

import hashlib
import json
from dataclasses import replace

from nodescope.cli.main import main
from nodescope.core.models.mesh import recipe


def test_train_mesh_is_reproducible_and_writes_a_checkpoint(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(recipe, "SETTINGS", replace(recipe.SETTINGS, steps=3))
    monkeypatch.setattr(recipe, "COUNTS", {**recipe.COUNTS, "train": 2})
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert main(["train", "mesh", "--model", "mpnn", "--out", str(out)]) == 0
        record = json.loads((out / "mpnn-heat.json").read_text())
        assert record["format"] == "nodescope-mesh-model" and record["steps"] == 3
        assert len(record["check"]["one_step_rmse"]) == recipe.CHECK_SAMPLES
        digests.append(hashlib.sha256((out / "mpnn-heat.safetensors").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert "mpnn heat seed 0: one-step RMSE" in capsys.readouterr().out


def test_train_mesh_needs_an_output(capsys):
    assert main(["train", "mesh"]) == 2
    assert "--out" in capsys.readouterr().err
