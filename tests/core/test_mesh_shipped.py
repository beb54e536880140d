"""Shipped mesh models (assets/models/mesh) reproduce the one-step RMSE their JSON records."""

import pytest

from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.models.mesh import MESH_MODELS, load_mesh_model, shipped_mesh_model
from nodescope.core.models.mesh.checkpoint import check_rmse

SHIPPED = [(m, "heat") for m in MESH_MODELS if shipped_mesh_model(m, "heat") is not None]


def test_both_heat_models_ship_and_stay_small():
    assert len(SHIPPED) == 2, "examples/train_mesh.py --ship writes both heat models"
    total = sum(p.stat().st_size for p in (SHIPPED_DIR / "mesh").iterdir())
    assert total < 2_000_000


@pytest.mark.parametrize(("model", "equation"), SHIPPED)
def test_shipped_mesh_model_reproduces_its_recorded_one_step_rmse(model, equation):
    net, record = load_mesh_model(shipped_mesh_model(model, equation))
    assert record["equation"] == equation and record["params"] == net.num_parameters()
    got = check_rmse(net.cpu())
    assert got == pytest.approx(record["check"]["one_step_rmse"], rel=1e-4, abs=1e-7)
