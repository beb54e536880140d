"""The app trains a model exactly as ``nodescope train`` does: same recipe, same entry point."""

import dataclasses

import pytest

from nodescope.app import model_state
from nodescope.cli.main import main
from nodescope.core import recipes
from nodescope.core.loaders import load


@pytest.fixture
def trainings(monkeypatch):
    """Every (config, settings, split) that :func:`core.recipes.fit` trains with, trained 2 epochs."""
    seen = []
    real_train = recipes.train

    def spy(config, data, settings, *, progress=None):
        seen.append((config, settings, data.train_mask.nonzero().flatten().tolist()))
        return real_train(config, data, dataclasses.replace(settings, max_epochs=2), progress=progress)

    monkeypatch.setattr(recipes, "train", spy)
    return seen


def test_app_and_cli_train_the_same_model_the_same_way(trainings, tmp_path):
    # BA-Shapes departs from the registry (3 layers, no dropout, 2000 epochs): both must apply it.
    assert (
        main(["train", "--dataset", "ba-shapes", "--model", "gcn", "--seeds", "1", "--out", str(tmp_path)])
        == 0
    )
    sample = load("ba-shapes")
    model_state._train_here(sample, sample.fingerprint, "gcn")  # Streamlit's bare mode: widgets are no-ops
    (cli_config, cli_settings, cli_split), (app_config, app_settings, app_split) = trainings
    assert app_config == cli_config and app_settings == cli_settings and app_split == cli_split
    assert (app_config.layers, app_config.dropout, app_settings.max_epochs) == (3, 0.0, 2000)
