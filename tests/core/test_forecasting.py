"""Forecasting core: the split and windows, RSE/CORR, the linear baselines, MTGNN and its training."""

import numpy as np
import pytest
import torch

from nodescope.core.errors import LoadError
from nodescope.core.forecasting.baselines import baseline_scores, fit_linear, persistence, tuned_linear
from nodescope.core.forecasting.metrics import corr, rse
from nodescope.core.forecasting.synthetic import graph_var
from nodescope.core.forecasting.training import ForecastTrainConfig, train_forecaster
from nodescope.core.forecasting.windows import ForecastData, max_abs_scale, split_targets
from nodescope.core.models.mtgnn import MTGNN, MTGNNConfig

TINY = {"layers": 2, "conv_channels": 8, "residual_channels": 8, "skip_channels": 8, "end_channels": 16}


# ---------------------------------------------------------------- split, windows, scaling
def test_split_matches_mtgnn_on_exchange_rate_dimensions():
    # shared/data/timeseries/README: T = 7588, P = 168 -> boundaries 4552 and 6070, 1518 + 1518 targets.
    targets = split_targets(7588, window=168, horizon=3)
    assert targets["train"][0] == 168 + 3 - 1 and targets["train"][-1] == 4551
    assert targets["val"][0] == 4552 and len(targets["val"]) == 1518
    assert targets["test"][0] == 6070 and targets["test"][-1] == 7587 and len(targets["test"]) == 1518


def test_a_window_reads_the_rows_before_the_horizon():
    raw = np.arange(60.0).reshape(30, 2) + 1  # row t holds 2t + 1, 2t + 2
    data = ForecastData.from_raw(raw, window=4, horizon=3)
    x, y = data.inputs(np.array([10])) * data.scale, data.truth(np.array([10])) * data.scale
    # target row 10 reads rows 10 - 3 - 4 + 1 = 4 .. 7
    np.testing.assert_allclose(x[0, :, 0], [9, 11, 13, 15])
    np.testing.assert_allclose(y[0], [21, 22])


def test_max_abs_scale_keeps_an_all_zero_series_at_one():
    np.testing.assert_allclose(max_abs_scale(np.array([[-4.0, 0.0], [2.0, 0.0]])), [4.0, 1.0])


def test_a_series_too_short_for_the_window_is_refused():
    with pytest.raises(LoadError, match=r"a window of 168 and a horizon of 24 need at least"):
        split_targets(300, window=168, horizon=24)


# ---------------------------------------------------------------- metrics
def test_rse_and_corr_by_hand():
    truth = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]])
    prediction = np.array([[2.0, 2.0], [3.0, 1.0], [4.0, 2.0]])
    # errors 1, 0, 0, 1, 1, 0 -> RMSE sqrt(3 / 6); spread: sample std of the 6 values * sqrt(2 / 3)
    spread = np.std(truth, ddof=1) * np.sqrt(2 / 3)
    assert rse(prediction, truth) == pytest.approx(np.sqrt(0.5) / spread)
    # series 2 never changes and is left out; series 1: corr([2, 3, 4], [1, 3, 5]) = 1
    assert corr(prediction, truth) == pytest.approx(1.0)
    assert corr(np.full_like(truth, 7.0), truth) == 0.0  # a constant forecast correlates with nothing


def test_rse_matches_mtgnn_reference_formula():
    rng = np.random.default_rng(0)
    truth, prediction = rng.random((50, 4)), rng.random((50, 4))
    t = torch.from_numpy(truth)
    spread = t.std() * np.sqrt((len(t) - 1.0) / len(t))  # MTGNN util.normal_std on a 2-D tensor
    expected = np.sqrt(((prediction - truth) ** 2).sum() / truth.size) / spread.item()
    assert rse(prediction, truth) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- baselines
def test_persistence_is_the_last_input_step():
    inputs = np.arange(24.0).reshape(2, 4, 3)
    np.testing.assert_array_equal(persistence(inputs), inputs[:, -1])


def test_ar_recovers_an_autoregression_and_var_a_cross_effect():
    rng = np.random.default_rng(1)
    x = np.zeros((3000, 2))
    for t in range(1, 3000):
        x[t, 0] = 0.8 * x[t - 1, 0] + rng.normal(0, 0.1)
        x[t, 1] = 0.5 * x[t - 1, 0] + rng.normal(0, 0.1)  # driven by series 0
    data = ForecastData.from_raw(x, window=4, horizon=1)
    inputs, targets = data.split("train")
    ar = fit_linear(inputs, targets, "ar", lags=1, ridge=0.0)
    assert ar.coef[0, 0] == pytest.approx(0.8, abs=0.03)
    var = fit_linear(inputs, targets, "var", lags=1, ridge=0.0)
    unscaled = var.coef * data.scale[None, :] / data.scale[:, None]  # [j, i]: series j's effect on i
    np.testing.assert_allclose(unscaled, [[0.8, 0.5], [0.0, 0.0]], atol=0.03)


def test_tuned_baselines_pick_by_validation_and_beat_persistence_on_a_graph_var():
    data = ForecastData.from_raw(graph_var(0, steps=1500).values, window=24, horizon=1)
    scores = baseline_scores(data)
    assert set(scores) == {"persistence", "ar", "var"}
    assert scores["var"]["rse"] < scores["ar"]["rse"] < scores["persistence"]["rse"]
    assert tuned_linear(data, "var").lags == scores["var"]["lags"]


# ---------------------------------------------------------------- MTGNN
def test_learned_graph_keeps_k_per_row_and_is_uni_directional():
    torch.manual_seed(0)
    model = MTGNN(MTGNNConfig(num_nodes=10, window=12, subgraph_size=3, **TINY))
    adj = model.learned_graph().detach()
    assert ((adj > 0).sum(1) <= 3).all()
    assert ((adj > 0) & (adj.T > 0)).sum() == 0  # A[v, w] > 0 excludes A[w, v] > 0
    torch.testing.assert_close(model.adjacency(), adj)


def test_mix_hop_propagates_along_incoming_rows():
    """Row i of the adjacency holds i's incoming edges: an edge 0 -> 1 carries x[0] into node 1 only.

    (The first version propagated along the transpose, normalizing by the source's out-degree.)
    """
    from nodescope.core.models.mtgnn import MixHop

    hop = MixHop(1, 1, depth=1, alpha=0.0)
    with torch.no_grad():
        hop.mix.weight.copy_(torch.tensor([[[[0.0]], [[1.0]]]]))  # keep only the propagated hop
        hop.mix.bias.zero_()
    adj = torch.zeros(3, 3)
    adj[1, 0] = 1.0  # the edge 0 -> 1
    x = torch.tensor([1.0, 0.0, 0.0]).view(1, 1, 3, 1)
    out = hop(x, adj).flatten()
    torch.testing.assert_close(out, torch.tensor([1.0, 0.5, 0.0]))  # node 1: mean of itself and node 0


def test_forward_shapes_and_padding_to_the_receptive_field():
    config = MTGNNConfig(num_nodes=5, window=12, subgraph_size=2, **TINY)
    assert config.receptive_field == 1 + 6 * (2**2 - 1)  # 19 > 12: the input is padded
    model = MTGNN(config).eval()
    assert model(torch.randn(3, 12, 5)).shape == (3, 5)
    with pytest.raises(ValueError, match=r"expected inputs \(B, 12, 5\)"):
        model(torch.randn(3, 11, 5))


def test_a_custom_graph_changes_the_forecast():
    torch.manual_seed(0)
    model = MTGNN(MTGNNConfig(num_nodes=4, window=8, subgraph_size=2, dropout=0.0, **TINY)).eval()
    x = torch.randn(2, 8, 4)
    assert not torch.allclose(model(x), model(x, adj=torch.ones(4, 4)))


def test_one_way_propagation_has_no_transposed_path():
    config = MTGNNConfig(num_nodes=4, window=8, subgraph_size=2, both_directions=False, **TINY)
    model = MTGNN(config)
    assert not any(name.startswith("backward_props") for name in model.state_dict())
    assert model(torch.randn(2, 8, 4)).shape == (2, 4)


def test_the_graph_penalty_thins_the_learned_graph():
    data = ForecastData.from_raw(graph_var(0, steps=300).values, window=12, horizon=1)
    config = MTGNNConfig(num_nodes=20, window=12, subgraph_size=20, tanh_alpha=1.0, **TINY)
    density = {}
    for l1 in (0.0, 1.0):
        settings = ForecastTrainConfig(epochs=2, lr=1e-3, graph_l1=l1, graph_lr_scale=3.0)
        density[l1] = float(train_forecaster(config, data, settings).model.graph.dense().detach().mean())
    assert density[1.0] < 0.75 * density[0.0]


def test_training_improves_on_the_untrained_model_and_resumes_exactly(tmp_path):
    data = ForecastData.from_raw(graph_var(0, steps=300).values, window=12, horizon=1)
    config = MTGNNConfig(num_nodes=20, window=12, subgraph_size=4, both_directions=False, **TINY)
    settings = {"lr": 1e-3, "graph_l1": 0.05, "graph_lr_scale": 3.0}
    straight = train_forecaster(config, data, ForecastTrainConfig(epochs=3, **settings))
    assert straight.history[-1]["val_rse"] < straight.history[0]["val_rse"]
    assert straight.best_epoch == int(np.argmin([h["val_rse"] for h in straight.history])) + 1
    state = tmp_path / "run"
    train_forecaster(config, data, ForecastTrainConfig(epochs=1, **settings), state_path=state)
    resumed = train_forecaster(config, data, ForecastTrainConfig(epochs=3, **settings), state_path=state)
    assert resumed.epochs == 3
    for name, value in straight.model.state_dict().items():
        torch.testing.assert_close(resumed.model.state_dict()[name], value)
    with pytest.raises(ValueError, match="another config or settings"):
        train_forecaster(config, data, ForecastTrainConfig(epochs=3, lr=1e-2), state_path=state)
