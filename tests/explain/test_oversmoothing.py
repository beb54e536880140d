"""Over-smoothing metrics and Jacobian influence."""

import math

import numpy as np
import pytest
import torch
from torch_geometric.nn import DiffGroupNorm
from torch_geometric.utils import barabasi_albert_graph, to_undirected
from torch_geometric.utils.influence import jacobian_l1_agg_per_hop

from nodescope.core.loaders import load
from nodescope.core.models import MODELS, build
from nodescope.explain.influence import influence_per_hop, total_influence
from nodescope.explain.oversmoothing import (
    METRICS,
    centroid_contrast,
    centroid_distances,
    dirichlet_energy,
    distance_matrix,
    effective_rank,
    group_distance_ratio,
    layer_metrics,
    layer_pca,
    mad,
    mad_gap,
    mean_cosine_similarity,
    measure_for,
    metric_context,
    normalized_dirichlet_energy,
    numerical_rank,
    own_centroid_distance,
    representation_metrics,
    smv,
)

# Path 0 - 1 - 2, both directions stored.
PATH = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])


def path_graph(n: int) -> torch.Tensor:
    return to_undirected(torch.stack([torch.arange(n - 1), torch.arange(1, n)]))


def test_dirichlet_energy_of_a_constant_signal_is_zero():
    x = torch.full((3, 4), 2.5)
    assert dirichlet_energy(x, PATH) == 0.0


def test_normalized_energy_vanishes_on_its_stationary_signal():
    # Δ̃ D̃^{1/2} 1 = 0: the signal GCN layers converge to has zero normalized energy.
    deg = torch.tensor([2.0, 3.0, 2.0])  # degrees with the self-loop
    x = deg.sqrt()[:, None] * torch.tensor([[1.0, -2.0]])
    assert normalized_dirichlet_energy(x, PATH) == pytest.approx(0.0, abs=1e-12)


def test_energies_match_hand_computed_values_on_a_path():
    x = torch.tensor([[0.0], [1.0], [3.0]])
    # Both directions of (0,1) and (1,2): 2 * (1^2 + 2^2) = 10 over 3 nodes.
    assert dirichlet_energy(x, PATH) == pytest.approx(math.sqrt(10 / 3))
    d = [2.0, 3.0, 2.0]
    by_hand = (0 / math.sqrt(d[0]) - 1 / math.sqrt(d[1])) ** 2 + (
        1 / math.sqrt(d[1]) - 3 / math.sqrt(d[2])
    ) ** 2
    assert normalized_dirichlet_energy(x, PATH) == pytest.approx(by_hand, rel=1e-6)


def test_normalized_energy_equals_the_laplacian_trace():
    torch.manual_seed(0)
    ei = barabasi_albert_graph(40, 3)
    x = torch.randn(40, 5)
    a = torch.zeros(40, 40)
    a[ei[1], ei[0]] = 1.0
    a_tilde = a + torch.eye(40)
    d = a_tilde.sum(1).rsqrt()
    lap = torch.eye(40) - d[:, None] * a_tilde * d[None, :]
    assert normalized_dirichlet_energy(x, ei) == pytest.approx(float(torch.trace(x.T @ lap @ x)), rel=1e-4)


def test_tiny_representations_keep_their_relative_energy():
    x = torch.tensor([[0.0], [1.0], [3.0]])
    assert dirichlet_energy(x * 1e-20, PATH) == pytest.approx(1e-20 * dirichlet_energy(x, PATH), rel=1e-5)


def test_mad_of_identical_rows_is_zero_and_of_orthogonal_rows_one():
    assert mad(torch.ones(6, 3) * torch.tensor([1.0, -2.0, 0.5])) == pytest.approx(0.0, abs=1e-6)
    assert mad(torch.eye(5)) == pytest.approx(1.0)


def test_smv_and_cosine_of_identical_and_opposite_rows():
    same = torch.ones(4, 3)
    assert smv(same) == pytest.approx(0.0, abs=1e-6)
    assert mean_cosine_similarity(same) == pytest.approx(1.0)
    opposite = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    assert smv(opposite) == pytest.approx(1.0)
    assert mean_cosine_similarity(opposite) == pytest.approx(-1.0)


def test_cosine_metrics_ignore_scale_even_for_vanishing_rows():
    torch.manual_seed(0)
    x = torch.randn(20, 4)
    assert mean_cosine_similarity(x * 1e-15) == pytest.approx(mean_cosine_similarity(x), abs=1e-5)
    assert mad(x * 1e-15) == pytest.approx(mad(x), abs=1e-5)


def test_madgap_is_positive_when_far_nodes_differ_and_nan_without_remote_pairs():
    n = 30
    angle = torch.linspace(0, math.pi, n)
    x = torch.stack([angle.cos(), angle.sin()], 1)  # neighbors point the same way, far nodes do not
    assert mad_gap(x, path_graph(n)) > 0.3
    assert math.isnan(mad_gap(x[:5], path_graph(5)))  # diameter 4 < 8


def test_ranks_of_identity_and_rank_one_matrices():
    assert numerical_rank(torch.eye(6)) == pytest.approx(6.0)
    assert effective_rank(torch.eye(6)) == pytest.approx(6.0)
    rank_one = torch.arange(1.0, 7.0)[:, None] * torch.tensor([[1.0, 2.0, -1.0]])
    assert numerical_rank(rank_one) == pytest.approx(1.0, abs=1e-6)
    assert effective_rank(rank_one) == pytest.approx(1.0, abs=1e-4)  # float32 singular values
    assert math.isnan(numerical_rank(torch.zeros(3, 2)))


def test_group_distance_ratio_matches_pyg_and_needs_two_classes():
    torch.manual_seed(0)
    x, y = torch.randn(50, 4), torch.arange(50) % 3
    expected = DiffGroupNorm.group_distance_ratio(x / x.pow(2).sum(1).mean().sqrt(), y)
    assert group_distance_ratio(x, y) == pytest.approx(expected, rel=1e-5)
    assert math.isnan(group_distance_ratio(x, torch.zeros(50, dtype=torch.long)))


def test_sampled_estimates_are_unbiased_and_close_to_exact_values():
    torch.manual_seed(0)
    n = 600
    ei = to_undirected(barabasi_albert_graph(n, 4))
    x = torch.randn(n, 8) + 1.0
    exact = representation_metrics(x, metric_context(ei, n, max_anchors=n))
    caps = dict(max_anchors=100, max_targets=200, max_edges=800)
    runs = [representation_metrics(x, metric_context(ei, n, seed=seed, **caps)) for seed in range(8)]
    for key in ("dirichlet", "dirichlet_normalized", "mad", "smv", "mad_neighbor"):
        estimates = [run[key] for run in runs]
        # One sample has a standard error of ~2 % here (200 shared targets); the mean over seeds
        # must sit on the exact value, which a biased estimator would miss.
        assert sum(estimates) / len(estimates) == pytest.approx(exact[key], rel=0.02), key
        assert all(e == pytest.approx(exact[key], rel=0.10) for e in estimates), key
    assert exact["cosine"] == pytest.approx(runs[0]["cosine"])


def test_layer_metrics_gives_every_metric_at_every_layer():
    data = load("karate").data
    hidden = [data.x, torch.randn(34, 8), torch.randn(34, 4)]
    out = layer_metrics(hidden, data.edge_index, data.y)
    assert set(out) == set(METRICS)
    assert all(v.shape == (3,) for v in out.values())
    assert np.all(np.isfinite(out["group_distance_ratio"]))


def test_measure_for_reuses_the_input_metrics():
    data = load("karate").data
    measure = measure_for(data)
    hidden = [data.x, torch.randn(34, 8)]
    assert measure(hidden)["effective_rank"][0] == pytest.approx(effective_rank(data.x))


@pytest.mark.parametrize("key", ["gcn", "gcn-plain"])
def test_energy_of_an_untrained_deep_gcn_decreases_with_depth(key):
    data = load("karate").data  # connected
    measure = measure_for(data)
    for seed in range(3):
        torch.manual_seed(seed)
        model = build(MODELS[key].config(34, 4, layers=64)).eval()
        with torch.no_grad():
            hidden = model(data).hidden
        metrics = measure(hidden)
        for name in ("dirichlet", "dirichlet_normalized"):
            energy = metrics[name][1:]
            assert np.all(energy[8:] < energy[:-8]), (name, seed)  # every 8 layers, lower
            assert energy[-1] < 1e-6 * energy[0], (name, seed)


def test_distance_matrix_kinds():
    x = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    cos = distance_matrix(x, torch.tensor([2, 0, 1]))
    np.testing.assert_allclose(cos, [[0, 1, 1], [1, 0, 0], [1, 0, 0]], atol=1e-6)
    np.testing.assert_allclose(distance_matrix(x, kind="euclidean")[0], [0, 1, math.sqrt(10)], rtol=1e-6)


def test_centroid_distances_measure_from_each_class_mean():
    x = torch.tensor([[0.0], [2.0], [10.0], [5.0]])
    y = torch.tensor([0, 0, 1, -1])  # the last node is unlabeled: in no centroid
    np.testing.assert_allclose(centroid_distances(x, y), [[1, 10], [1, 8], [9, 0], [4, 5]])


# --- influence ---------------------------------------------------------------------------------


def test_centroid_contrast_is_negative_near_the_own_class_and_nan_when_unlabeled():
    x = torch.tensor([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0], [5.0, 0.0]])
    y = torch.tensor([0, 0, 1, 1, -1])
    c = centroid_contrast(x, y)
    # node 0: 0.5 from its centroid (0.5), 10.5 from the other (10.5)
    assert c[0] == pytest.approx(np.log2(0.5 / 10.5))
    assert (c[:4] < 0).all() and math.isnan(c[4])
    swapped = centroid_contrast(x, torch.tensor([1, 0, 1, 0, -1]))
    # mixed classes: centroids 5 (own) and 6, close together, so node 0 is barely nearer its own
    assert swapped[0] == pytest.approx(np.log2(5 / 6))
    assert np.isnan(centroid_contrast(x, torch.zeros(5, dtype=torch.long))).all()  # one class


def test_own_centroid_distance_is_relative_to_the_layer_norm():
    x = torch.tensor([[3.0, 4.0], [3.0, 4.0], [0.0, 0.0], [6.0, 8.0]])
    y = torch.tensor([0, 0, 1, 1])  # class 1 centroid (3, 4): both its nodes 5 away
    rms = math.sqrt((25 + 25 + 0 + 100) / 4)
    np.testing.assert_allclose(own_centroid_distance(x, y), [0, 0, 5 / rms, 5 / rms], rtol=1e-6)
    np.testing.assert_allclose(own_centroid_distance(1e-30 * x, y), own_centroid_distance(x, y), rtol=1e-5)
    assert np.isnan(own_centroid_distance(x, torch.tensor([0, 0, 1, -1]))[3])


def test_layer_pca_keeps_scale_so_a_collapsed_layer_sits_at_the_origin():
    gen = torch.Generator().manual_seed(0)
    spread = torch.randn(50, 8, generator=gen)
    collapsed = torch.ones(50, 8) + 1e-6 * torch.randn(50, 8, generator=gen)
    coords = layer_pca([spread, collapsed, torch.zeros(50, 8), 3.0 * spread])
    assert coords.shape == (4, 50, 2)
    assert np.abs(coords[0]).max() > 0.3
    assert np.abs(coords[1]).max() < 1e-4  # tiny differences are not standardized up
    assert not coords[2].any()
    np.testing.assert_allclose(coords[3], coords[0], atol=1e-5)  # scale-free, and signs follow


def _sage(layers: int):
    torch.manual_seed(0)
    return build(MODELS["sage"].config(34, 4, layers=layers, dropout=0.0)).eval()


def test_influence_per_hop_stays_within_the_receptive_field():
    data = load("karate").data
    shares = influence_per_hop(_sage(2), data, node=0, max_hops=4)
    assert shares.shape == (5,)
    assert shares.sum() == pytest.approx(1.0)
    assert np.all(shares[3:] == 0) and shares[0] > 0


def test_influence_per_hop_matches_pyg_where_its_subgraph_is_exact():
    # Mean aggregation: a 2-layer model's output at v only needs v's 2-hop ball, so PyG's
    # induced-subgraph Jacobian is exact there.
    data = load("karate").data
    model = _sage(2)

    class XEdge(torch.nn.Module):
        def forward(self, x, edge_index):
            return model(type(data)(x=x, edge_index=edge_index)).logits

    for node in (0, 11, 33):
        ours = influence_per_hop(model, data, node, max_hops=2)
        theirs = jacobian_l1_agg_per_hop(XEdge(), data, 2, node, "cpu").numpy()
        np.testing.assert_allclose(ours, theirs / theirs.sum(), rtol=1e-4)


def test_total_influence_is_normalized_by_hop_zero():
    data = load("karate").data
    avg, breadth = total_influence(_sage(3), data, max_hops=3, num_samples=8)
    assert avg.shape == (4,) and avg[0] == pytest.approx(1.0)
    assert 0.0 < breadth < 3.0
