"""Over-smoothing per MTGNN layer on its learned graph, read with forward hooks."""

import numpy as np
import pytest
import torch

from nodescope.core.forecasting import forecaster_config
from nodescope.core.models.mtgnn import MTGNN
from nodescope.explain.forecast_layers import layer_states, mixhop_layer_metrics
from nodescope.explain.oversmoothing import METRICS


def _model(n: int = 6, window: int = 12, layers: int = 2) -> MTGNN:
    torch.manual_seed(0)
    return MTGNN(forecaster_config(n, window, layers)).eval()


def test_one_state_per_layer_and_the_hooks_are_removed():
    model = _model()
    states = layer_states(model, torch.rand(3, 12, 6))
    c = model.config.residual_channels
    assert len(states) == 3 and all(s.shape[0] == 6 for s in states)
    assert states[0].shape[1] == 3 * c * max(12, model.config.receptive_field)
    assert not model.start._forward_hooks and not any(n._forward_hooks for n in model.norms)


def test_identical_series_are_identical_before_the_first_layer():
    model = _model()
    same = torch.rand(2, 12, 1).expand(2, 12, 6).contiguous()
    metrics = mixhop_layer_metrics(model, same)
    assert set(metrics) == set(METRICS) and metrics["dirichlet"].shape == (3,)
    assert metrics["dirichlet"][0] == pytest.approx(0.0, abs=1e-6)  # the start convolution is shared
    different = mixhop_layer_metrics(model, torch.rand(2, 12, 6))
    assert (different["dirichlet"] > 1e-3).all()
    assert np.isnan(different["group_distance_ratio"]).all()  # no labels


def test_the_energy_is_measured_on_the_learned_graph():
    # Equal node embeddings make M1 M2^T - M2 M1^T = 0: the learned graph has no edge, so there
    # is no pair of neighbors to differ, whatever the states.
    model = _model()
    with torch.no_grad():
        model.graph.source.weight.zero_()
        model.graph.target.weight.zero_()
    assert not model.adjacency().any()
    metrics = mixhop_layer_metrics(model, torch.rand(2, 12, 6))
    np.testing.assert_allclose(metrics["dirichlet"], 0.0)
    assert (metrics["effective_rank"] > 1).all()  # the states themselves still differ
