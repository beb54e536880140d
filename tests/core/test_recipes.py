"""Recipes: the benchmark departures of :func:`recipe`, :func:`fit` training with them, and the sweep's recipe."""

import dataclasses

import pytest

from nodescope.core import recipes
from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.recipes import fit, recipe, sweep_recipe
from nodescope.core.training import settings_for


@pytest.fixture(scope="module")
def ba_shapes():
    return load("ba-shapes")


def test_recipe_adds_the_benchmark_departures_to_the_registry(ba_shapes):
    config, settings = recipe("gcn", ba_shapes, seed=3)
    assert (config.layers, config.dropout) == (3, 0.0)
    assert (settings.max_epochs, settings.patience, settings.seed) == (2000, 200, 3)
    assert settings.lr == settings_for("gcn").lr
    assert recipe("gps", load("karate"))[1].patience == 50  # a model's own departure


def test_recipe_leaves_other_samples_at_the_registry_settings():
    karate = load("karate")
    config, settings = recipe("gat", karate)
    assert config == MODELS["gat"].config(34, 4) and settings == settings_for("gat")


def test_fit_trains_with_the_recipe_on_the_seed_0_split(ba_shapes, monkeypatch):
    seen = {}
    real_train = recipes.train

    def spy(config, data, settings, *, progress=None):
        seen.update(config=config, settings=settings, data=data)
        return real_train(config, data, dataclasses.replace(settings, max_epochs=2))

    monkeypatch.setattr(recipes, "train", spy)
    result = fit("gcn", ba_shapes, seed=1)
    assert (seen["config"], seen["settings"]) == recipe("gcn", ba_shapes, seed=1)
    assert seen["data"].train_mask is not None and result.epochs == 2 and result.settings.seed == 1


def test_sweep_recipe_sets_the_depth_and_no_dataset_departures(ba_shapes):
    config, settings = sweep_recipe("gcn", ba_shapes, 8, hidden=16, seed=2, max_epochs=200, patience=50)
    assert (config.layers, config.hidden, config.out_dim) == (8, 16, 4)
    assert config.dropout == MODELS["gcn"].config(10, 4).dropout  # BA-Shapes' dropout 0 is not applied
    assert settings == settings_for("gcn", seed=2, max_epochs=200, patience=50)
    assert sweep_recipe("gcn", load("airplane"), 2)[0].out_dim == 2  # unlabeled: measured only


def test_ba_shapes_gives_the_neighbor_attention_models_structural_inputs(ba_shapes):
    """Constant features leave GAT, GATv2 and the Graph Transformer at the majority class without them."""
    for key in ("gat", "gatv2", "graph-transformer"):
        options = recipe(key, ba_shapes)[0].options
        assert options["input_encoding"] == "degree+rwse" and options["input_encoding_dim"] == 16
    for key in ("gcn", "gps", "gin"):  # degrees through their own normalization or encoding
        assert "input_encoding" not in recipe(key, ba_shapes)[0].options
    assert "input_encoding" not in recipe("gat", load("karate"))[0].options


def test_citation_graphs_give_the_transformers_their_own_recipe(shared_data):
    """Batch norm off, weight decay 5e-4, best validation accuracy kept; GraphGPS with a GCN local step."""
    cora = load("cora", data_dir=shared_data / "planetoid", download=False)
    config, settings = recipe("graph-transformer", cora)
    assert config.options["norm"] == "none" and config.options["normalize_features"]
    assert config.options["ffn"] is False  # Cora only: validation accuracy chose it there
    citeseer = load("citeseer", data_dir=shared_data / "planetoid", download=False)
    assert recipe("graph-transformer", citeseer)[0].options["ffn"] is True
    assert (settings.weight_decay, settings.criterion, settings.patience) == (5e-4, "val_acc", 100)
    config, settings = recipe("gps", cora)
    assert (config.options["local"], config.options["norm"]) == ("gcn", None)
    assert settings.criterion == "val_acc"
    karate = load("karate")  # other graphs keep the published architecture
    assert recipe("graph-transformer", karate)[0].options["norm"] == "batch"
    assert recipe("graph-transformer", karate)[0].options["ffn"] is True
    assert recipe("gps", karate)[0].options["local"] == "gin"
