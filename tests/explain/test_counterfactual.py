"""What would change a prediction: every reported change, applied here by hand, makes the model predict what is said."""

import pytest
import torch

from nodescope.core.checkpoint import load_checkpoint, shipped_weights
from nodescope.core.context import GRAPH_CUES, MODEL_CUES
from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.training import with_split
from nodescope.explain.counterfactual import KINDS, search
from nodescope.explain.counterfactual.feature import feature_range
from nodescope.explain.subgraph import prepare_for_explaining
from nodescope.explain.xnode import analyse


@pytest.fixture(scope="module")
def karate():
    sample = load("karate")
    data = with_split(sample.data, seed=0)
    models = {
        key: load_checkpoint(shipped_weights(sample, key))[0] for key in ("gcn", "gat", "xnode-gcn", "gps")
    }
    return sample, data, models


def _by_hand(model, data, node, change):
    """(C,) the model's probabilities for ``node`` with ``change`` applied independently of the search."""
    if change.kind == "cue":
        prepared = prepare_for_explaining(model, data)
        ((name, _, after),) = change.items
        if name in GRAPH_CUES:
            context = prepared.xnode_context.clone()
            context[node, GRAPH_CUES.index(name)] = after
            prepared.xnode_context = context
        else:  # a saliency cue: its raw value is what standardizes to ``after``
            j, norm = MODEL_CUES.index(name), model.saliency_norm
            saliency = prepared.xnode_saliency.clone()
            saliency[node, j] = norm.running_mean[j] + after * (norm.running_var[j] + norm.eps).sqrt()
            prepared.xnode_saliency = saliency
    else:
        changed = data.clone()
        if change.kind == "feature":
            for f, before, after in change.items:
                assert float(changed.x[node, f]) == before
                changed.x[node, f] = after
        else:
            src, dst = changed.edge_index
            keep = torch.ones(src.numel(), dtype=torch.bool)
            added = []
            for u, v, how in change.items:
                pair = ((src == u) & (dst == v)) | ((src == v) & (dst == u))
                if how == "remove":
                    assert int(pair.sum()) == 2  # an undirected link goes both ways
                    keep &= ~pair
                else:
                    assert not bool(pair.any())
                    added += [[u, v], [v, u]]
            ei = changed.edge_index[:, keep]
            changed.edge_index = torch.cat([ei, torch.tensor(added).T], 1) if added else ei
        prepared = model.prepare(changed)  # X-Node: cues recomputed on the changed graph
    with torch.no_grad():
        return model.eval()(prepared).logits.softmax(-1)[node]


@pytest.mark.parametrize("key", ["gcn", "gat", "xnode-gcn"])
def test_every_reported_change_is_what_the_model_predicts_on_the_changed_input(karate, key):
    sample, data, models = karate
    model = models[key]
    result = analyse(model, data, class_names=sample.label_names) if key.startswith("xnode") else None
    found = 0
    for node in range(0, 34, 3):
        cf = search(model, data, node, class_names=sample.label_names, xnode_result=result)
        assert cf.predicted == int(model.predict(model.prepare(data))[node].argmax())
        for kind in KINDS:
            change = cf.changes.get(kind)
            if change is None:
                continue
            probs = _by_hand(model, data, node, change)
            assert int(probs.argmax()) == change.new_class != cf.predicted, (key, node, change.what)
            assert float(probs[change.new_class]) == pytest.approx(change.new_probability, abs=1e-4)
            assert float(probs[cf.predicted]) == pytest.approx(change.old_probability, abs=1e-4)
            found += 1
    assert found >= 5, f"{key}: only {found} flips found on karate"


def test_the_sentence_says_what_changes_and_what_the_model_then_predicts(karate):
    sample, data, models = karate
    cf = search(models["gcn"], data, 0, class_names=sample.label_names, feature_names=sample.feature_names)
    best = cf.best
    assert best is not None
    assert cf.sentence.startswith(f"What would change it: {best.what}; the model then predicts ")
    assert sample.label_names[best.new_class] in cf.sentence and "checked by running the model" in cf.sentence
    assert len(cf.lines()) == 3 and cf.lines()[0] == "Cue: not tried (the model reads no cues)."


def test_when_nothing_flips_it_says_so_with_what_was_tried(karate):
    sample, data, _ = karate
    config = MODELS["gcn"].config(sample.data.num_features, sample.num_classes)
    stubborn = MODELS["gcn"].cls(config).eval()
    with torch.no_grad():  # every node predicted as class 0, whatever its features and links
        for conv in stubborn.convs:
            conv.lin.weight.zero_()
        stubborn.convs[-1].bias.copy_(torch.tensor([5.0] + [0.0] * (sample.num_classes - 1)))
    cf = search(stubborn, data, 0, class_names=sample.label_names)
    assert cf.best is None and not any(cf.changes.values())
    assert cf.skipped["feature"] == "no feature change moves it toward another class"  # a zero gradient
    assert cf.tried["edge"] > 0
    assert "none of the" in cf.sentence and "tried flips the prediction" in cf.sentence
    assert f"{cf.tried['edge']} edge changes" in cf.sentence


def test_a_model_attending_to_every_node_is_searched_on_the_whole_graph(karate):
    sample, data, models = karate
    cf = search(models["gps"], data, 0, class_names=sample.label_names)
    assert 0 < cf.tried["edge"] <= 4 + 3 + 2  # 4 singles, sets of 2, 3 and 4, 2 additions
    for change in filter(None, cf.changes.values()):
        probs = _by_hand(models["gps"], data, 0, change)
        assert int(probs.argmax()) == change.new_class


def test_cue_changes_on_ba_shapes_flip_as_the_model_says():
    """BA-Shapes' features are constant: X-Node's cues carry it, so single-cue flips exist to verify."""
    sample = load("ba-shapes")
    data = with_split(sample.data, seed=0)
    model = load_checkpoint(shipped_weights(sample, "xnode-gcn"))[0]
    result = analyse(model, data, class_names=sample.label_names)
    nodes = [i for i in range(result.num_nodes) if result.flip_cue[i] >= 0][:3]
    assert nodes, "the analysis finds single-cue flips on BA-Shapes"
    for node in nodes:
        cf = search(model, data, node, class_names=sample.label_names, xnode_result=result)
        assert cf.skipped["feature"] == "every node has the same features"
        change = cf.changes["cue"]
        assert change is not None, (node, cf.lines())
        ((name, before, after),) = change.items
        assert abs(after - before) <= abs(
            float(result.flip_z[node]) - float(result.z[node, result.flip_cue[node]])
        )
        probs = _by_hand(model, data, node, change)
        assert int(probs.argmax()) == change.new_class != cf.predicted
        assert name in change.what or "labeled node" in change.what


def test_the_feature_range_is_computed_once_per_graph_and_follows_edits():
    """Searching many nodes of one graph reads the column range of its (N, F) features once."""
    x = torch.rand(6, 4)
    low, high = feature_range(x)
    assert torch.equal(low, x.min(0).values) and torch.equal(high, x.max(0).values)
    assert feature_range(x)[0] is low  # the second node's search: no new column reduction
    x[2, 1] = -1.0  # an edited tensor is reduced again
    assert float(feature_range(x)[0][1]) == -1.0


def test_answers_do_not_depend_on_how_candidates_are_batched(karate):
    """One candidate per forward pass or many stacked together: the same changes, classes and probabilities."""
    _, data, models = karate
    model = models["gat"]
    prepared = prepare_for_explaining(model, data)
    for node in (0, 11, 33):
        batched = search(model, data, node, prepared=prepared)
        alone = search(model, data, node, prepared=prepared, budget=1)
        assert batched.tried == alone.tried
        for kind in KINDS:
            a, b = batched.changes.get(kind), alone.changes.get(kind)
            assert (a is None) == (b is None)
            if a is not None:
                assert (a.items, a.new_class) == (b.items, b.new_class)
                assert a.new_probability == pytest.approx(b.new_probability, abs=1e-6)
