"""The shipped depth super-resolution networks load and reproduce the check RMSE recorded beside them."""

from __future__ import annotations

import pytest
import torch

from nodescope.core.checkpoint import shipped_checkpoint
from nodescope.core.models.panorama.checkpoint import SHIPPED_DATASET, load_superres
from nodescope.core.models.panorama.superres import check_superres

#: Room casting and float32 sums differ slightly across machines and library versions.
TOLERANCE = 0.01


@pytest.mark.parametrize("scale", [4, 8])
def test_shipped_superres_reproduces_its_check(scale):
    path = shipped_checkpoint(SHIPPED_DATASET, f"depth-superres-x{scale}")
    if path is None:
        pytest.skip(f"no shipped x{scale} network")
    torch.set_num_threads(1)
    model, record = load_superres(path)
    assert model.config.scale == scale
    got = check_superres(model.cpu(), record["recipe"]["antialias"])
    for key, value in record["check"].items():
        assert got[key] == pytest.approx(value, abs=TOLERANCE * max(1.0, abs(value))), key
