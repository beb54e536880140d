"""How to train a registered model on a given dataset: the registry's published settings plus the
benchmark's own departures from them, so the CLI, the app and ``examples/`` train alike.

A dataset is recognised by its sample's ``source`` (``planetoid:cora``, ``builtin:ba-shapes``);
any other sample gets the registry's settings unchanged.
"""

from __future__ import annotations

from typing import Any

from nodescope.core.models import MODELS, ModelConfig
from nodescope.core.sample import Sample
from nodescope.core.training import TrainConfig, settings_for

#: Changes to every model's config, after the papers that set each benchmark: Cora/CiteSeer
#: row-normalised bag-of-words features (GCN and GAT papers); BA-Shapes three layers and no
#: dropout (GNNExplainer's GCN; its features are constant, so depth is all a model has).
DATASET_CONFIG: dict[str, dict[str, Any]] = {
    "planetoid:cora": {"options": {"normalize_features": True}},
    "planetoid:citeseer": {"options": {"normalize_features": True}},
    "builtin:ba-shapes": {"layers": 3, "dropout": 0.0},
}
#: Changes to the training settings: with row-normalised features the validation loss keeps
#: falling for 500-800 epochs; BA-Shapes needs 1000+ epochs (GNNExplainer trained 1000).
DATASET_TRAINING: dict[str, dict[str, Any]] = {
    "planetoid:cora": {"max_epochs": 1000},
    "planetoid:citeseer": {"max_epochs": 1000},
    "builtin:ba-shapes": {"max_epochs": 2000, "patience": 200},
}
#: Changes to a model's settings on every dataset: the transformers reach their best validation
#: loss within ~100 epochs on Cora and then overfit its 140 labels, so a shorter patience keeps a
#: seed to minutes on a CPU (GraphGPS's global attention costs O(N²) per epoch).
MODEL_TRAINING: dict[str, dict[str, Any]] = {
    "graph-transformer": {"patience": 50},
    "gps": {"patience": 50},
}


def recipe(model: str, sample: Sample, **settings: Any) -> tuple[ModelConfig, TrainConfig]:
    """The config and training settings for ``model`` on ``sample``.

    Args:
        model: a registry key.
        sample: the labelled sample to train on (its feature width and class count size the model).
        settings: :class:`~core.training.TrainConfig` fields that override everything (``seed``,
            ``max_epochs``, ...).
    """
    config = MODELS[model].config(
        sample.data.num_features, sample.num_classes, **DATASET_CONFIG.get(sample.source, {})
    )
    changes = {**MODEL_TRAINING.get(model, {}), **DATASET_TRAINING.get(sample.source, {}), **settings}
    return config, settings_for(model, **changes)
