"""How to train a registered model on a given dataset, so the CLI, the app and ``examples/`` train alike.

Two recipes:

- :func:`recipe`, for a model trained to be used (``nodescope train``, ``nodescope explain``
  without weights, the app's Train button, through :func:`fit`): the registry's published
  settings plus the benchmark's own departures from them. A dataset is recognized by its
  sample's ``source`` (``planetoid:cora``, ``builtin:ba-shapes``); any other sample gets the
  registry's settings unchanged.
- :func:`sweep_recipe`, for a depth sweep (``nodescope oversmooth``, the app's Over-smoothing
  page): the registry's settings at a given depth and no per-dataset departures, since a sweep
  compares models and depths under one protocol.
"""

from __future__ import annotations

from typing import Any

from nodescope.core.models import MODELS, ModelConfig
from nodescope.core.sample import Sample
from nodescope.core.training import Progress, TrainConfig, TrainResult, settings_for, train, with_split

#: Changes to every model's config, after the papers that set each benchmark: Cora/CiteSeer
#: row-normalized bag-of-words features (GCN and GAT papers); BA-Shapes three layers and no
#: dropout (GNNExplainer's GCN; its features are constant, so depth is all a model has).
DATASET_CONFIG: dict[str, dict[str, Any]] = {
    "planetoid:cora": {"options": {"normalize_features": True}},
    "planetoid:citeseer": {"options": {"normalize_features": True}},
    "builtin:ba-shapes": {"layers": 3, "dropout": 0.0},
}
#: Changes to the training settings: with row-normalized features the validation loss keeps
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
        sample: the labeled sample to train on (its feature width and class count size the model).
        settings: :class:`~core.training.TrainConfig` fields that override everything (``seed``,
            ``max_epochs``, ...).
    """
    config = MODELS[model].config(
        sample.data.num_features, sample.num_classes, **DATASET_CONFIG.get(sample.source, {})
    )
    changes = {**MODEL_TRAINING.get(model, {}), **DATASET_TRAINING.get(sample.source, {}), **settings}
    return config, settings_for(model, **changes)


def fit(model: str, sample: Sample, *, progress: Progress | None = None, **settings: Any) -> TrainResult:
    """Train ``model`` on ``sample`` with its :func:`recipe`.

    The one training entry point of ``nodescope train``, ``nodescope explain`` (when no weights
    exist) and the app.

    The split is fixed: the sample's own masks, else :func:`core.training.random_split` with
    seed 0 (the split shipped weights are evaluated on); ``settings`` change the optimization only.

    Args:
        model: a registry key.
        sample: a labeled sample (two classes or more).
        progress: a :data:`core.training.Progress` callback (return False to stop).
        settings: :class:`~core.training.TrainConfig` fields that override the recipe's (``seed``,
            ``max_epochs``, ...).

    Returns:
        The trained model (eval mode, on :func:`core.device.device`), its accuracies and the
        settings it trained with.

    Example:
        >>> from nodescope.core.loaders import load
        >>> result = fit("gcn", load("karate"), max_epochs=5)
        >>> result.epochs, result.settings.lr
        (5, 0.01)
    """
    config, train_settings = recipe(model, sample, **settings)
    return train(config, with_split(sample.data, seed=0), train_settings, progress=progress)


def sweep_recipe(
    model: str, sample: Sample, depth: int, *, hidden: int | None = None, **settings: Any
) -> tuple[ModelConfig, TrainConfig]:
    """The config and training settings of ``model`` at ``depth`` in a depth sweep.

    Args:
        model: a registry key.
        sample: the sample swept (its feature width and class count size the model; an
            unlabeled one gets two outputs, measured at initialization only).
        depth: ``ModelConfig.layers`` (layers, or propagation steps of decoupled models).
        hidden: hidden width, or None for the registry's default.
        settings: :class:`~core.training.TrainConfig` fields (``seed``, ``max_epochs``, ``patience``).
    """
    overrides: dict[str, Any] = {"layers": depth}
    if hidden is not None:
        overrides["hidden"] = hidden
    config = MODELS[model].config(sample.data.num_features, sample.num_classes or 2, **overrides)
    return config, settings_for(model, **settings)
