"""HopFIR's inference path (HopFIRLifter.lift in eval mode) computes its reference forward's function."""

import numpy as np
import pytest
import torch

from nodescope.core.models.lifting import HopFIRLifter, LifterConfig, load_lifter, shipped_lifter
from nodescope.core.models.lifting.evaluate import builtin_set
from nodescope.core.models.lifting.hopfir import INFER_CHUNK, SAFE_SCORE


def lift_both(model, x):
    """(fast, reference) lifts of ``x`` by ``model`` in eval mode."""
    model.eval()
    with torch.no_grad():
        fast = model.lift(x)
        model.fast_inference = False
        try:
            reference = model.lift(x)
        finally:
            model.fast_inference = True
    return fast, reference


def test_shipped_hopfir_lifts_the_same_on_the_fast_path():
    path = shipped_lifter("hopfir")
    if path is None:
        pytest.skip("no shipped HopFIR weights")
    torch.set_num_threads(1)
    model = load_lifter(path)[0].eval()
    data = builtin_set()
    pixels = torch.as_tensor(data.keypoints_2d)
    focal = torch.as_tensor(data.focal)
    size = torch.as_tensor(data.image_size, dtype=torch.float32)
    assert len(pixels) > INFER_CHUNK  # crosses a chunk boundary
    with torch.no_grad():
        fast = model.predict(pixels, focal, size)
        model.fast_inference = False
        reference = model.predict(pixels, focal, size)
        model.fast_inference = True
    np.testing.assert_allclose(fast.numpy(), reference.numpy(), atol=1e-5)  # metres


def test_fast_path_matches_with_trained_fusion_weights():
    torch.manual_seed(1)
    model = HopFIRLifter(LifterConfig("hopfir", hidden=16, layers=2, heads=2))
    with torch.no_grad():
        for layer in model.layers:
            layer.hop.fusion_logits.normal_(0.0, 2.0)  # hops weighted unequally, as after training
    fast, reference = lift_both(model, torch.randn(INFER_CHUNK + 7, 17, 2))
    torch.testing.assert_close(fast, reference, atol=1e-5, rtol=1e-5)


def test_hop_attention_takes_the_reference_where_scores_could_overflow():
    torch.manual_seed(2)
    model = HopFIRLifter(LifterConfig("hopfir", hidden=16, layers=1, heads=2)).eval()
    hop = model.layers[0].hop
    h = torch.randn(64, 17, 16)
    with torch.no_grad():
        hop.qkv.weight.mul_(30.0)
        scores, _ = hop.scaled_scores(h)
        assert scores.abs().max() > SAFE_SCORE  # exp without the row maximum could overflow here
        fast, reference = hop.infer(h), hop(h)[0]
    assert torch.isfinite(fast).all()
    torch.testing.assert_close(fast, reference, atol=1e-6, rtol=1e-6)


def test_fast_path_takes_no_poses_and_training_keeps_the_reference():
    model = HopFIRLifter(LifterConfig("hopfir", hidden=16, layers=1, heads=2)).eval()
    with torch.no_grad():
        assert model.lift(torch.zeros(0, 17, 2)).shape == (0, 17, 3)
    model.train()
    torch.manual_seed(0)
    a = model.lift(torch.ones(3, 17, 2))
    torch.manual_seed(0)
    b = model._run(torch.ones(3, 17, 2))[0]
    torch.testing.assert_close(a, b, atol=0, rtol=0)
