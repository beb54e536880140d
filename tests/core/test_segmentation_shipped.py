"""Shipped segmenters (assets/models/mesh/segment-*) reproduce the scores their JSON records."""

import json

import pytest
import torch

from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.models.segmentation import SEGMENTERS, load_segmenter, shipped_segmenter
from nodescope.core.models.segmentation.recipe import check_scores


def test_both_segmenters_ship_with_their_results():
    assert all(shipped_segmenter(m) is not None for m in SEGMENTERS), "train_mesh_segmentation.py --ship"
    results = json.loads((SHIPPED_DIR / "mesh" / "segment-results.json").read_text())
    assert set(results["mean_std"]) == set(SEGMENTERS) and len(results["seeds"]) >= 3


@pytest.mark.parametrize("model", list(SEGMENTERS))
def test_shipped_segmenter_reproduces_its_recorded_scores(model):
    torch.set_num_threads(1)
    net, record = load_segmenter(shipped_segmenter(model))
    assert record["model"] == model and record["params"] == net.num_parameters()
    got = check_scores(net.cpu())
    assert got["accuracy"] == pytest.approx(record["check"]["accuracy"], abs=2e-3)
    assert got["miou"] == pytest.approx(record["check"]["miou"], abs=5e-3)
