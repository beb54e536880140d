"""Forecaster checkpoints: MTGNN weights in safetensors, its config and data scale in JSON.

A forecaster checkpoint ``NAME`` is ``NAME.safetensors`` + ``NAME.json``, written by
:func:`core.checkpoint.write_weights` (never a pickle). The JSON record:
``{"format": "nodescope-forecaster", "model": "mtgnn", "config": MTGNNConfig,
"settings": ForecastTrainConfig, "scale": [N floats], "series": [N names], "horizon": h,
"source": the sample's source, ...}`` plus what the writer adds (scores, the weights' SHA-256,
the date, library versions).

Shipped forecasters live in ``assets/models/<dataset>/mtgnn-h<H>.{safetensors,json}``
(:func:`shipped_forecaster`), written by ``examples/train_mtgnn.py`` in this format; node
classifiers' checkpoints (``nodescope-checkpoint``) sit beside them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nodescope.core import checkpoint as _checkpoint
from nodescope.core.checkpoint import (
    dataset_key,
    fill_weights,
    read_record,
    shipped_checkpoint,
    write_weights,
)
from nodescope.core.device import device
from nodescope.core.errors import LoadError
from nodescope.core.forecasting.windows import ForecastData
from nodescope.core.models.mtgnn import MTGNN, MTGNNConfig
from nodescope.core.paths import user_dir
from nodescope.core.sample import Sample

#: The ``format`` of a forecaster checkpoint's JSON (node classifiers': ``nodescope-checkpoint``).
FORMAT = "nodescope-forecaster"
#: The forecasters a checkpoint may hold.
MODELS = ("mtgnn",)


def forecaster_record(
    sample: Sample, data: ForecastData, settings: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """The JSON record every forecaster writer keeps (the app's cache, the CLI, examples/).

    Args:
        sample: the time series the model was trained on (its series names and source).
        data: the windows it was trained on (their per-series scale and horizon).
        settings: the training settings (``ForecastTrainConfig`` as a dict).
        **extra: whatever else the writer keeps (scores, epochs, graph AUROC...), JSON-serializable.

    Returns:
        ``extra`` with ``settings``, ``scale`` (N,), ``series`` (N names), ``horizon`` and ``source``.
    """
    names = sample.node_names or [f"series {j}" for j in range(data.num_series)]
    return {
        **extra,
        "settings": settings,
        "scale": data.scale.tolist(),
        "series": list(names),
        "horizon": data.horizon,
        "source": sample.source,
    }


def save_forecaster(model: MTGNN, path: Path, record: dict[str, Any]) -> None:
    """Write ``model`` to ``path.safetensors`` and ``record`` (``format``, ``model``, ``config`` set here) to ``path.json``.

    Args:
        model: a trained MTGNN.
        path: the checkpoint's name (suffix replaced; folders created).
        record: JSON-serializable provenance, normally :func:`forecaster_record`'s.
    """
    write_weights(
        model, path, {**record, "format": FORMAT, "model": "mtgnn", "config": model.config.to_dict()}
    )


def read_forecaster_info(path: Path) -> dict[str, Any]:
    """The JSON half of a forecaster checkpoint, checked for its format (no weights read).

    Raises:
        LoadError: one line, for a missing or unreadable file, or one that is not a forecaster.
    """
    record = read_record(path, FORMAT, "forecaster")
    meta = Path(path).with_suffix(".json")
    if record.get("model") not in MODELS:
        raise LoadError(f"{meta.name} holds an unknown forecaster {record.get('model')!r}.")
    return record


def load_forecaster(path: Path) -> tuple[MTGNN, dict[str, Any]]:
    """Rebuild a forecaster written by :func:`save_forecaster` (or ``nodescope forecast``).

    Args:
        path: the checkpoint's name, with or without a suffix.

    Returns:
        The model in eval mode on :func:`core.device.device`, and the JSON record.

    Raises:
        LoadError: one line, for a missing, foreign or corrupt file, a bad config, or weights
            that do not fit it.
    """
    path = Path(path)
    record = read_forecaster_info(path)
    try:
        config = MTGNNConfig(**record["config"])
        model = MTGNN(config)
    except (KeyError, TypeError, ValueError) as exc:
        raise LoadError(f"{path.with_suffix('.json').name}: bad MTGNN config ({exc}).") from exc
    fill_weights(model, path, record)
    return model.to(device()).eval(), record


def forecaster_name(horizon: int) -> str:
    """The shipped checkpoint's name for ``horizon`` (``mtgnn-h3``)."""
    return f"mtgnn-h{int(horizon)}"


def shipped_path(dataset: str, horizon: int) -> Path:
    """Where the shipped forecaster of built-in ``dataset`` at ``horizon`` lives (no suffix)."""
    return _checkpoint.SHIPPED_DIR / dataset / forecaster_name(horizon)


def shipped_forecaster(dataset: str, horizon: int) -> Path | None:
    """The shipped forecaster (``.safetensors`` path) of a built-in at ``horizon``, or None.

    Args:
        dataset: the built-in's key (``graph-var``, ``road-diffusion``;
            :func:`core.checkpoint.dataset_key` of its sample).
        horizon: steps ahead.
    """
    return shipped_checkpoint(dataset, forecaster_name(horizon))


def matching_shipped(sample: Sample, *, window: int, horizon: int, layers: int) -> Path | None:
    """The shipped forecaster of a built-in sample made with these settings, or None.

    Only a built-in has shipped weights (a file named ``graph-var.csv`` is not the built-in), and
    only a checkpoint for the same number of series, ``window``, ``horizon`` and ``layers``
    matches; anything else is trained.

    Raises:
        LoadError: the shipped JSON is unreadable (a broken install).
    """
    if not sample.source.startswith("builtin:"):
        return None
    path = shipped_forecaster(dataset_key(sample), horizon)
    if path is None:
        return None
    record = read_forecaster_info(path)
    config = record.get("config", {})
    wanted = {"num_nodes": sample.num_nodes, "window": window, "layers": layers}
    same = all(config.get(k) == v for k, v in wanted.items()) and record.get("horizon") == horizon
    return path if same else None


def cache_path(fingerprint: str, record: dict[str, Any]) -> Path:
    """Where a forecaster trained on a sample with these settings is cached on disk (no suffix).

    Args:
        fingerprint: the sample's content hash (:attr:`core.sample.Sample.fingerprint`).
        record: everything that decides the weights (the model config, the training settings,
            the horizon), JSON-serializable.

    Returns:
        ``user_dir()/cache/forecasters/<sha256 of both>``: the same sample and settings give
        the same name, so a second visit loads instead of training.
    """
    key = json.dumps({"fingerprint": fingerprint, **record}, sort_keys=True)
    return user_dir() / "cache" / "forecasters" / hashlib.sha256(key.encode()).hexdigest()[:32]
