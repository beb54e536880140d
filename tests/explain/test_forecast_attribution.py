"""Why this forecast: IG and the input gradient on a forecaster whose answer is known, and edge usage."""

import numpy as np
import pytest
import torch
from torch import nn

from nodescope.core.forecasting import forecaster_config
from nodescope.core.models.mtgnn import MTGNN
from nodescope.explain.forecast_attribution import edge_usage, forecast_attribution


class Linear(nn.Module):
    """f(x)[b, i] = sum_{j, p} W[i, j, p] x[b, p, j] (+ a bias): attributions known in closed form."""

    def __init__(self, weight: np.ndarray, bias: float = 0.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.as_tensor(weight, dtype=torch.float32))
        self.bias = bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("ijp,bpj->bi", self.weight, x) + self.bias


def _copy_model(n: int = 4, p: int = 5) -> tuple[Linear, np.ndarray]:
    """Series 1 = 2 x series 0 at the latest step - series 2 two steps earlier."""
    w = np.zeros((n, n, p))
    w[1, 0, p - 1], w[1, 2, p - 3] = 2.0, -1.0
    w[3, 3, p - 1] = 1.0
    return Linear(w, bias=0.5), w


def test_integrated_gradients_of_a_linear_forecaster_is_weight_times_input():
    model, w = _copy_model()
    x = np.random.default_rng(0).normal(size=(5, 4))
    result = forecast_attribution(model, x, focus=1, baseline="zero")
    np.testing.assert_allclose(result.attribution, w[1] * x.T, atol=1e-5)
    np.testing.assert_allclose(result.per_series, [2 * abs(x[4, 0]), 0, abs(x[2, 2]), 0], atol=1e-5)
    assert result.completeness_gap == pytest.approx(0.0, abs=1e-5)  # sums to f(x) - f(0)


def test_the_mean_baseline_attributes_the_change_within_the_window():
    model, w = _copy_model()
    x = np.random.default_rng(1).normal(size=(5, 4))
    result = forecast_attribution(model, x, focus=1, baseline="mean")
    np.testing.assert_allclose(result.attribution, w[1] * (x - x.mean(0)).T, atol=1e-5)


def test_the_gradient_is_the_weight():
    model, w = _copy_model()
    result = forecast_attribution(model, np.ones((5, 4)), focus=1, method="gradient")
    np.testing.assert_allclose(result.attribution, w[1], atol=1e-6)
    assert np.isnan(result.baseline_forecast)


def test_integrated_gradients_is_complete_on_mtgnn():
    torch.manual_seed(0)
    model = MTGNN(forecaster_config(5, 12, 2))
    x = torch.rand(12, 5)
    result = forecast_attribution(model, x, focus=2, steps=64)
    assert result.attribution.shape == (5, 12)
    spread = abs(result.forecast - result.baseline_forecast)
    assert abs(result.completeness_gap) < 0.05 * spread + 1e-4
    assert not model.graph.source.weight.requires_grad or model.graph.source.weight.grad is None


def test_edge_usage_when_the_mass_sits_on_the_learned_in_neighbors():
    adjacency = np.zeros((4, 4))
    adjacency[1, 0], adjacency[1, 2] = 0.9, 0.3  # series 1's incoming edges: 0 (strong), 2 (weak)
    usage = edge_usage(np.array([2.0, 0.5, 1.0, 0.0]), adjacency, focus=1)
    assert usage["in_neighbor_share"] == pytest.approx(1.0)
    assert usage["rank_correlation"] == pytest.approx(1.0)
    assert usage["self_share"] == pytest.approx(0.5 / 3.5)
    assert usage["in_neighbors"] == 2 and usage["chance_share"] == pytest.approx(2 / 3)


def test_edge_usage_when_the_model_ignores_its_edges():
    adjacency = np.zeros((4, 4))
    adjacency[1, 0] = 1.0
    adjacency[3, 1] = 1.0  # 1 -> 3: an out-neighbor of series 1, reached through A transposed
    usage = edge_usage(np.array([0.0, 1.0, 0.0, 2.0]), adjacency, focus=1)
    assert usage["in_neighbor_share"] == 0.0 and usage["neighbor_share"] == 1.0
    assert usage["rank_correlation"] < 0
    flat = edge_usage(np.ones(4), adjacency, focus=1)
    assert flat["rank_correlation"] is None  # a constant mass ranks nothing


def test_bad_arguments_are_refused():
    model, _ = _copy_model()
    with pytest.raises(ValueError, match="method"):
        forecast_attribution(model, np.ones((5, 4)), 0, method="shap")
    with pytest.raises(ValueError, match="series below N"):
        forecast_attribution(model, np.ones((5, 4)), 7)
