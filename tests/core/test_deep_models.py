"""Deep GNNs and over-smoothing remedies (core/models/deep.py)."""

import pytest
import torch

from nodescope.core.loaders import load
from nodescope.core.models import MODELS, build
from nodescope.core.models.deep import DAGNN

DEEP = [
    "sage",
    "gcn-plain",
    "gcn-res",
    "gcn-jk",
    "gcn-pairnorm",
    "gcn-dropedge",
    "gcnii",
    "appnp",
    "dagnn",
    "dgmlp",
]


@pytest.fixture(scope="module")
def karate():
    return load("karate").data


def config(key, layers, **overrides):
    return MODELS[key].config(34, 4, layers=layers, **overrides)


@pytest.mark.parametrize("key", DEEP)
@pytest.mark.parametrize("layers", [1, 3, 64])
def test_every_depth_gives_logits_and_one_representation_per_layer(karate, key, layers):
    torch.manual_seed(0)
    model = build(config(key, layers))
    out = model(karate)
    assert out.logits.shape == (34, 4)
    assert len(out.hidden) == layers + 1
    assert all(h.shape[0] == 34 for h in out.hidden)
    out.logits.sum().backward()  # trainable end to end
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("key", ["gcn-plain", "gcnii", "dagnn"])
@pytest.mark.parametrize("layers", [0, 65])
def test_depth_outside_1_to_64_is_refused(key, layers):
    with pytest.raises(ValueError, match="between 1 and 64"):
        build(config(key, layers))


def test_plain_deep_gcn_computes_what_the_issue_4_gcn_computes(karate):
    # Same parameter names, same maths: the sparse-matrix path equals GCNConv's own normalization.
    torch.manual_seed(0)
    deep = build(config("gcn-plain", 3, hidden=16)).eval()
    reference = build(config("gcn", 3, hidden=16)).eval()
    reference.load_state_dict(deep.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(deep(karate).logits, reference(karate).logits, rtol=1e-4, atol=1e-5)


def test_dagnn_retainment_scores_lie_strictly_between_0_and_1(karate):
    torch.manual_seed(0)
    model = build(config("dagnn", 10))
    assert isinstance(model, DAGNN)
    for mode in (True, False):
        model.train(mode)
        scores = model.retainment(karate)
        assert scores.shape == (34, 11)
        assert bool((scores > 0).all() and (scores < 1).all())


def test_dagnn_logits_are_the_retained_sum_of_its_steps(karate):
    torch.manual_seed(0)
    model = build(config("dagnn", 4)).eval()
    with torch.no_grad():
        out = model(karate)
        scores = model.retainment(karate)
    expected = sum(scores[:, k : k + 1] * h for k, h in enumerate(out.hidden))
    torch.testing.assert_close(out.logits, expected)


def test_dropedge_is_random_in_training_and_off_in_evaluation(karate):
    torch.manual_seed(0)
    model = build(config("gcn-dropedge", 2, dropout=0.0, options={"dropedge": 0.5}))
    model.train()
    assert not torch.allclose(model(karate).logits, model(karate).logits)
    model.eval()
    torch.testing.assert_close(model(karate).logits, model(karate).logits)


def test_remedies_combine_through_options(karate):
    torch.manual_seed(0)
    model = build(config("gcn-res", 4, options={"conv": "sage", "pairnorm": True}))
    assert model.kind == "sage" and model.residual and model.pairnorm is not None
    assert model(karate).logits.shape == (34, 4)


def test_jumping_knowledge_cat_reads_every_layer(karate):
    model = build(config("gcn-jk", 5, hidden=8))
    assert model.head.in_features == 5 * 8
    assert build(config("gcn-jk", 5, hidden=8, options={"jk": "max"})).head.in_features == 8


def test_dgmlp_splits_propagation_from_transformation_depth(karate):
    shallow = build(config("dgmlp", 32, options={"mlp_layers": 1}))
    deep = build(config("dgmlp", 2, options={"mlp_layers": 4}))
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(shallow) < count(deep)  # parameters grow with D_t, not with D_p
    assert count(build(config("dgmlp", 64, options={"mlp_layers": 1}))) == count(shallow)
    assert len(shallow(karate).hidden) == 33


def test_gcnii_starts_from_its_encoding(karate):
    model = build(config("gcnii", 4, hidden=32))
    out = model(karate)
    assert out.hidden[0].shape == (34, 32) and (out.hidden[0] >= 0).all()  # ReLU(encoder(x))


def test_gcn_plain_says_how_it_differs_from_gcn():
    # Issue 17: "GCN" and "GCN (no remedy)" stood side by side in one list as if they were one
    # model twice; they differ in width (Kipf's 16 against the remedies' 64).
    from nodescope.core.models import MODELS

    titles = [spec.title for spec in MODELS.values()]
    assert len(set(titles)) == len(titles)
    assert MODELS["gcn"].config(8, 3).hidden == 16 and MODELS["gcn-plain"].config(8, 3).hidden == 64
    assert "64" in MODELS["gcn-plain"].title and "baseline" in MODELS["gcn-plain"].title
