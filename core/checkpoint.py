"""Model checkpoints: weights in safetensors, architecture and provenance in JSON, never a pickle.

A checkpoint ``NAME`` is two files side by side:

- ``NAME.safetensors``: the model's state dict (safetensors cannot hold code, so loading
  one cannot run any).
- ``NAME.json``: ``format``/``version``, the :class:`~core.models.ModelConfig` that rebuilds
  the architecture, the SHA-256 of the weights file, the save date, library versions, and
  whatever the trainer adds (dataset, sample fingerprint, split, settings, seed, accuracies
  as fractions in [0, 1]).

Shipped weights live in ``assets/models/<dataset>/<model>.{safetensors,json}``; dataset keys
are the built-in / Planetoid names (``karate``, ``sbm``, ``ba-shapes``, ``cora``, ...), the
:func:`dataset_key` of the samples they were trained on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
from safetensors.torch import save_file

from nodescope.core.device import device
from nodescope.core.errors import LoadError
from nodescope.core.models import ModelConfig, NodeModel, build
from nodescope.core.sample import Sample

if TYPE_CHECKING:
    from nodescope.core.training import TrainConfig, TrainResult

FORMAT = "nodescope-checkpoint"
VERSION = 1
#: Where the shipped weights live (``<dataset>/<model>.safetensors`` + ``.json``).
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "assets" / "models"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")  # dataset and model keys; nothing that walks out of SHIPPED_DIR
#: Sources of the samples shipped weights and sweeps are made on (a file is never one of them).
SHIPPED_SOURCES = ("builtin:", "planetoid:")


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("nodescope", "torch", "torch_geometric", "safetensors"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def save_checkpoint(model: NodeModel, path: Path, *, info: dict[str, Any]) -> None:
    """Write ``path.with_suffix(".safetensors")`` and ``path.with_suffix(".json")``.

    Args:
        model: any registered model; its ``config`` goes into the JSON.
        path: the checkpoint's name; its suffix, if any, is replaced (``out/gat`` and
            ``out/gat.json`` name the same checkpoint). Parent folders are created.
        info: JSON-serializable provenance (see :func:`train_info`); the keys ``format``,
            ``version``, ``config``, ``weights_sha256``, ``saved`` and ``versions`` are set here.
    """
    write_weights(model, path, {**info, "format": FORMAT, "version": VERSION, "config": asdict(model.config)})


def weights_sha256(weights: torch.nn.Module | Path | bytes) -> str:
    """The SHA-256 (hex) that names a model's weights: the one hash of weights in Nodescope.

    Args:
        weights: a ``.safetensors`` file, its bytes, or a module (hashed as the safetensors
            serialization of its state dict on the CPU, the bytes :func:`write_weights` writes; so a
            model loaded from a file hashes as the file does).

    Returns:
        64 hex digits; the ``weights_sha256`` a checkpoint's JSON records.
    """
    if isinstance(weights, torch.nn.Module):
        weights = save_safetensors(_cpu_state(weights))
    elif not isinstance(weights, bytes):
        weights = Path(weights).read_bytes()
    return hashlib.sha256(weights).hexdigest()


def _cpu_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    # clone(): safetensors refuses tensors that share storage.
    return {k: v.detach().cpu().contiguous().clone() for k, v in module.state_dict().items()}


def write_weights(module: torch.nn.Module, path: Path, record: dict[str, Any]) -> None:
    """Write ``module``'s state dict to ``path.safetensors`` and ``record`` to ``path.json``.

    The record gains ``weights_sha256``, ``saved`` and ``versions`` (suffix replaced; folders
    created). Every weights format of Nodescope (checkpoints, the SUGAR network) is written here.
    """
    weights, meta = path.with_suffix(".safetensors"), path.with_suffix(".json")
    weights.parent.mkdir(parents=True, exist_ok=True)
    save_file(_cpu_state(module), str(weights))
    record = {
        **record,
        "weights_sha256": weights_sha256(weights),
        "saved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
    }
    meta.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def read_weights(path: Path, record: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The tensors of ``path.safetensors``; never unpickles.

    They are checked against ``record["weights_sha256"]`` when the record has one.

    Raises:
        LoadError: one line, for a missing, truncated, corrupt, replaced or non-safetensors file.
    """
    weights = path.with_suffix(".safetensors")
    try:
        blob = weights.read_bytes()
    except OSError as exc:
        raise LoadError(f"No weights at {weights} ({type(exc).__name__}).") from exc
    expected_hash = record.get("weights_sha256")
    if expected_hash is not None and weights_sha256(blob) != expected_hash:
        raise LoadError(
            f"{weights.name} does not match the SHA-256 in {weights.with_suffix('.json').name}: "
            "the weights are corrupt or were replaced."
        )
    try:
        return load_safetensors(blob)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise LoadError(
            f"{weights.name} is not a valid safetensors file ({str(exc).splitlines()[0]})."
        ) from exc


def save_module(module: torch.nn.Module, path: Path, fmt: str, record: dict[str, Any]) -> None:
    """Write a configured module (one with ``config.to_dict()``) and its record, as format ``fmt``.

    The one writer of the lifter, mesh-model and panorama checkpoints: ``record`` plus
    ``format`` and ``config`` go to ``path.json``, the weights to ``path.safetensors``
    (:func:`write_weights`).
    """
    write_weights(module, Path(path), {**record, "format": fmt, "config": module.config.to_dict()})


def fill_weights(module: torch.nn.Module, path: Path, record: dict[str, Any]) -> torch.nn.Module:
    """Load ``path.safetensors`` (checked by :func:`read_weights`) into ``module``, strictly.

    Raises:
        LoadError: one line, for a missing or corrupt file, or tensors that do not fit ``module``.
    """
    tensors = read_weights(path, record)
    try:
        module.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        detail = str(exc).splitlines()[0]
        raise LoadError(
            f"{path.with_suffix('.safetensors').name} does not fit its config ({detail})."
        ) from exc
    return module


def read_record(path: Path, fmt: str, what: str) -> dict[str, Any]:
    """The JSON half of a weights file whose ``format`` must be ``fmt`` (no weights read).

    Args:
        path: the checkpoint, with or without a suffix (``.json`` is read).
        fmt: the expected ``format`` entry (``nodescope-checkpoint``, ``nodescope-forecaster``).
        what: the word the messages use for it ("checkpoint", "forecaster").

    Raises:
        LoadError: one line, for a missing or unreadable file, or one of another format.
    """
    meta = Path(path).with_suffix(".json")
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LoadError(f"No {what} at {meta}: the .json file is missing.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{meta.name} is not a readable checkpoint JSON ({type(exc).__name__}).") from exc
    if not isinstance(record, dict) or record.get("format") != fmt:
        raise LoadError(f"{meta.name} is not a Nodescope {what} (no 'format': '{fmt}').")
    return record


def load_module(
    path: Path, fmt: str, what: str, make: Callable[[dict[str, Any]], torch.nn.Module]
) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Rebuild a module from ``path.json`` (format ``fmt``) and fill it from ``path.safetensors``.

    Args:
        path: the weights' name, with or without a suffix.
        fmt: the expected ``format`` entry of the JSON.
        what: the word the messages use for it ("panorama network").
        make: builds the module from the JSON's ``config`` dict; its KeyError, TypeError and
            ValueError become a :class:`LoadError`.

    Returns:
        The module in eval mode on :func:`core.device.device`, and the JSON record.

    Raises:
        LoadError: one line, for a missing, foreign or corrupt file, a bad config, or weights
            that do not fit it.
    """
    path = Path(path)
    record = read_record(path, fmt, what)
    try:
        module = make(record["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LoadError(f"{path.with_suffix('.json').name}: bad {what} config ({exc}).") from exc
    fill_weights(module, path, record)
    return module.to(device()).eval(), record


def read_info(path: Path) -> dict[str, Any]:
    """The JSON half of a checkpoint, checked for format and a valid config (no weights read).

    Raises:
        LoadError: missing or unreadable file, not JSON, not a Nodescope checkpoint, bad config.
    """
    record = read_record(path, FORMAT, "checkpoint")
    meta = path.with_suffix(".json")
    if not isinstance(record.get("version"), int) or record["version"] > VERSION:
        raise LoadError(
            f"{meta.name} has checkpoint version {record.get('version')!r}; this Nodescope reads "
            f"up to {VERSION}. Update Nodescope."
        )
    try:
        ModelConfig.from_dict(record.get("config"))
    except (ValueError, TypeError, AttributeError) as exc:
        raise LoadError(f"{meta.name}: bad model config ({exc}).") from exc
    return record


def load_checkpoint(path: Path) -> tuple[NodeModel, dict[str, Any]]:
    """Rebuild a model from a checkpoint written by :func:`save_checkpoint`.

    Args:
        path: the checkpoint's name, with or without a suffix.

    Returns:
        The model in eval mode on :func:`core.device.device`, and the JSON record (with
        ``config`` as a dict and the trainer's provenance such as ``test_acc``).

    Raises:
        LoadError: one line, for a missing file, a corrupt or foreign JSON, an unknown
            model, a weights file that is truncated, corrupt, not safetensors (a pickle is
            refused, never opened) or that does not fit the architecture.
    """
    record = read_info(path)
    config = ModelConfig.from_dict(record["config"])
    weights = path.with_suffix(".safetensors")
    tensors = read_weights(path, record)
    try:
        model = build(config)
    except (ValueError, TypeError, RuntimeError, KeyError) as exc:
        raise LoadError(f"{weights.with_suffix('.json').name}: cannot build {config.model} ({exc}).") from exc
    _check_tensors(model, tensors, weights.name)
    model.load_state_dict(tensors, strict=True)
    return model.to(device()).eval(), record


def _check_tensors(model: NodeModel, tensors: dict[str, Any], name: str) -> None:
    expected = model.state_dict()
    missing, extra = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing or extra:
        parts = [
            f"missing {', '.join(missing[:3])}" if missing else "",
            f"unexpected {', '.join(extra[:3])}" if extra else "",
        ]
        raise LoadError(
            f"{name} does not fit a {model.config.model} model: {'; '.join(p for p in parts if p)}."
        )
    for key, want in expected.items():
        got = tensors[key]
        if tuple(got.shape) != tuple(want.shape):
            raise LoadError(
                f"{name} does not fit its config: {key} has shape {tuple(got.shape)}, "
                f"the {model.config.model} config needs {tuple(want.shape)}."
            )


def check_compatible(model_or_info: NodeModel | dict[str, Any], sample: Sample) -> None:
    """Refuse a model whose input width or class count differs from ``sample``'s.

    Args:
        model_or_info: a model, or a checkpoint record from :func:`load_checkpoint` / :func:`read_info`.
        sample: the sample it would run on. Its class count is checked only when it has labels.

    Raises:
        LoadError: saying what the model expects and what the sample has.
    """
    if isinstance(model_or_info, NodeModel):
        config = model_or_info.config
    else:
        config = ModelConfig.from_dict(model_or_info["config"])
    features = int(sample.data.num_features)
    classes = sample.num_classes
    if config.in_dim != features or (classes and config.out_dim != classes):
        raise LoadError(
            f"These {config.model} weights expect {config.in_dim} node features and {config.out_dim} "
            f"classes; {sample.name} has {features} features and {classes or 'no'} classes."
        )


def dataset_key(sample: Sample) -> str:
    """The name a sample goes by in shipped weights, shipped sweeps and files a command writes.

    The app and the CLI both name samples with it.

    Args:
        sample: any loaded sample; only its ``source`` is read.

    Returns:
        For a built-in or Planetoid sample its name (``builtin:karate`` → ``karate``,
        ``planetoid:cora`` → ``cora``); for a file or an upload its stem, lower case, spaces
        as hyphens (``/x/My graph.csv`` and ``upload:My graph.csv`` → ``my-graph``); ``graph``
        when nothing is left.

    Example:
        >>> from nodescope.core.loaders import load
        >>> dataset_key(load("karate"))
        'karate'
    """
    source = sample.source.strip()
    if source.startswith(SHIPPED_SOURCES):
        name = source.split(":", 1)[1]
    else:
        name = Path(source.removeprefix("upload:")).stem
    return "-".join(name.lower().split()) or "graph"


def shipped_weights(sample: Sample, model: str) -> Path | None:
    """The shipped weights (``.safetensors`` path) of ``model`` for ``sample``, or None.

    Only built-in and Planetoid samples have any: a file named ``karate.csv`` is not the
    built-in karate graph the weights were trained on, whatever its key.
    """
    if not sample.source.startswith(SHIPPED_SOURCES):
        return None
    return shipped_checkpoint(dataset_key(sample), model)


def shipped_checkpoint(dataset: str, model: str) -> Path | None:
    """The shipped weights (``.safetensors`` path) for ``dataset`` and ``model``, or None if there are none."""
    if not (_NAME.fullmatch(dataset) and _NAME.fullmatch(model)):
        return None
    path = SHIPPED_DIR / dataset / f"{model}.safetensors"
    return path if path.is_file() and path.with_suffix(".json").is_file() else None


def shipped_checkpoints() -> list[dict[str, Any]]:
    """Every shipped node classifier's JSON record, sorted by dataset then model.

    Each record gains ``dataset``, ``model`` and ``path`` (its ``.safetensors``); weights are not
    read. Weights of another ``format`` shipped beside them (forecasters, lifting models) are not
    node classifiers and are left out.
    """
    out = []
    for meta in sorted(SHIPPED_DIR.glob("*/*.json")):
        try:
            other = json.loads(meta.read_text(encoding="utf-8")).get("format") != FORMAT
        except (OSError, ValueError, AttributeError):
            other = False  # read_info says what is wrong with it
        if other:
            continue
        record = read_info(meta)
        out.append(
            {
                **record,
                "dataset": meta.parent.name,
                "model": meta.stem,
                "path": meta.with_suffix(".safetensors"),
            }
        )
    return out


def train_info(
    dataset: str, sample: Sample, split: str, settings: TrainConfig, result: TrainResult
) -> dict[str, Any]:
    """The provenance a trainer stores with a checkpoint (``info`` of :func:`save_checkpoint`).

    Args:
        dataset: the key the sample was loaded with (``cora``, ``karate``, a file path).
        sample: the sample trained on (its name, source and fingerprint are recorded).
        split: how the masks were made (``public`` or ``random seed 0``).
        settings: the optimization settings.
        result: the training outcome; accuracies are fractions in [0, 1].
    """
    return {
        "dataset": dataset,
        "sample": {"name": sample.name, "source": sample.source, "fingerprint": sample.fingerprint},
        "split": split,
        "settings": asdict(settings),
        "seed": settings.seed,
        "train_acc": result.train_acc,
        "val_acc": result.val_acc,
        "test_acc": result.test_acc,
        "best_epoch": result.best_epoch,
        "epochs": result.epochs,
        "seconds": round(result.seconds, 2),
    }
