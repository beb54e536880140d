"""What the ``nodescope`` commands share.

Checking a model key, loading a labeled sample, reading weights for it, parsing node lists.
Every failure is a one-line :class:`~core.errors.LoadError`.

Torch and PyG are imported inside the functions, so importing this module keeps
``nodescope --help`` fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    from nodescope.core.models import NodeModel
    from nodescope.core.sample import Sample


def known_model(model: str) -> None:
    """Refuse a ``--model`` that is not a registry key."""
    from nodescope.core.models import MODELS

    if model not in MODELS:
        raise LoadError(f"Unknown model '{model}'; choose one of {', '.join(MODELS)}.")


def labeled_sample(dataset: str, data_dir: Path | None, purpose: str) -> Sample:
    """Load ``dataset`` and refuse it unless its nodes carry two classes or more.

    Args:
        dataset: anything :func:`core.loaders.load` accepts.
        data_dir: the Planetoid data folder, or None for ``$NODESCOPE_DATA_DIR``.
        purpose: the end of the refusal, e.g. ``to train on``.
    """
    from nodescope.core.loaders import load

    sample = load(dataset, data_dir=data_dir)
    if sample.data.get("y") is None or sample.num_classes < 2:
        raise LoadError(f"{sample.name} has no node labels (two classes or more) {purpose}.")
    return sample


def read_model(path: Path, model: str, sample: Sample) -> tuple[NodeModel, dict[str, Any]]:
    """The ``model`` checkpoint at ``path``, checked to be that model and to fit ``sample``.

    Returns:
        The model (eval mode, on :func:`core.device.device`) and its JSON record.
    """
    from nodescope.core.checkpoint import check_compatible, load_checkpoint

    network, info = load_checkpoint(path)
    if network.config.model != model:
        raise LoadError(f"{path.name} holds a {network.config.model} model, not {model}.")
    check_compatible(network, sample)
    return network, info


def node_ids(text: str, n: int, option: str, *, all_nodes: bool = False) -> list[int]:
    """Node ids from ``--option`` text: comma-separated ids in 0..n-1.

    Args:
        text: what the user typed.
        n: the number of nodes.
        option: the option's name, for the error message.
        all_nodes: accept ``all`` (every node) and refuse an empty list.
    """
    if all_nodes and text.strip().lower() == "all":
        return list(range(n))
    try:
        nodes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        takes = "'all' or comma-separated node ids" if all_nodes else "comma-separated node ids"
        raise LoadError(f"{option} takes {takes}, not '{text}'.") from exc
    bad = [i for i in nodes if not 0 <= i < n]
    if bad or (all_nodes and not nodes):
        raise LoadError(f"{option}: {bad[0] if bad else 'none'} is not a node id here (0..{n - 1}).")
    return nodes
