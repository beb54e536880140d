"""Checks and clean-ups every loader runs, and the one constructor they all call.

Bad input raises :class:`~core.errors.LoadError` with a one-line message; harmless
defects (self-loops, duplicate edges) are fixed and reported as notices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.utils import coalesce, to_undirected

from nodescope.core.errors import LoadError
from nodescope.core.sample import Kind, Sample

#: Hard limits that keep a browser session responsive; above them loading refuses.
MAX_NODES = 2_000_000
MAX_EDGES = 20_000_000


def check_size(num_nodes: int, num_edges: int, *, need_edges: bool = True) -> None:
    """Refuse an empty or edgeless graph, and one above :data:`MAX_NODES` or :data:`MAX_EDGES`.

    Args:
        num_nodes: N.
        num_edges: E, an undirected edge counted once.
        need_edges: refuse a graph without edges (time series may come without a known graph).

    Raises:
        LoadError: the graph has no nodes, no edges, or too many of either.
    """
    if num_nodes == 0:
        raise LoadError("The graph is empty: it has no nodes.")
    if num_edges == 0 and need_edges:
        raise LoadError(f"The graph has {num_nodes} nodes but no edges; a GNN needs at least one edge.")
    if num_nodes > MAX_NODES:
        raise LoadError(f"The graph has {num_nodes:,} nodes; Nodescope handles at most {MAX_NODES:,}.")
    if num_edges > MAX_EDGES:
        raise LoadError(f"The graph has {num_edges:,} edges; Nodescope handles at most {MAX_EDGES:,}.")


def clean_edges(
    edge_index: np.ndarray | torch.Tensor,
    num_nodes: int,
    *,
    directed: bool = False,
    edge_values: dict[str, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor], list[str]]:
    """Validate an edge list and remove self-loops and duplicates.

    Args:
        edge_index: (2, E) integer node ids in ``[0, num_nodes)``.
        num_nodes: number of nodes N.
        directed: keep direction; otherwise (u, v) and (v, u) are one edge and the
            result holds both directions.
        edge_values: per-edge attributes, each (E,) or (E, D), carried through the
            clean-up (duplicates keep their maximum).

    Returns:
        The cleaned (2, E') int64 edge index, the per-edge attributes aligned with it,
        and a list of notices for the user.
    """
    values = {k: torch.as_tensor(v) for k, v in (edge_values or {}).items()}
    ei = torch.as_tensor(np.asarray(edge_index))
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise LoadError(f"Edges must be pairs of node ids; got an array of shape {tuple(ei.shape)}.")
    if ei.is_floating_point() and (not torch.isfinite(ei).all() or (ei != ei.round()).any()):
        raise LoadError("Edge endpoints must be whole node ids; found non-integer or missing values.")
    ei = ei.long()
    if ei.numel():
        lo, hi = int(ei.min()), int(ei.max())
        if lo < 0 or hi >= num_nodes:
            bad = int(((ei < 0) | (ei >= num_nodes)).any(0).nonzero()[0])
            u, v = (int(t) for t in ei[:, bad])
            raise LoadError(
                f"Edge {bad} ({u}, {v}) refers to a node outside 0..{num_nodes - 1}; "
                f"the graph has {num_nodes} nodes."
            )
    for k, v in values.items():
        if v.shape[0] != ei.shape[1]:
            raise LoadError(f"'{k}' has {v.shape[0]} rows but there are {ei.shape[1]} edges.")
    notices: list[str] = []
    keep = ei[0] != ei[1]
    if int((~keep).sum()):
        notices.append(f"Removed {int((~keep).sum())} self-loop(s).")
        ei = ei[:, keep]
        values = {k: v[keep] for k, v in values.items()}
    # Pack every per-edge value into one float matrix so one coalesce keeps them aligned.
    widths = {k: (v.shape[1] if v.ndim == 2 else 0) for k, v in values.items()}
    packed = (
        torch.cat([v.double().reshape(v.shape[0], max(widths[k], 1)) for k, v in values.items()], 1)
        if values
        else None
    )
    # A duplicate is a repeated (u, v) pair; in an undirected graph (v, u) beside (u, v) is
    # just the same edge written both ways and is not reported.
    repeats = ei.shape[1] - coalesce(ei, num_nodes=num_nodes).shape[1]
    if repeats:
        notices.append(f"Removed {repeats} duplicate edge(s).")
    key = ei if directed else torch.stack([ei.min(0).values, ei.max(0).values])
    unique, packed_u = coalesce(key, packed, num_nodes=num_nodes, reduce="max")
    if directed:
        ei, packed = unique, packed_u
    else:
        ei, packed = to_undirected(unique, packed_u, num_nodes=num_nodes, reduce="max")
    out: dict[str, torch.Tensor] = {}
    col = 0
    for k, v in values.items():
        w = max(widths[k], 1)
        part = packed[:, col : col + w]
        out[k] = (part if widths[k] else part[:, 0]).to(v.dtype)
        col += w
    return ei, out, notices


def check_features(x: np.ndarray | torch.Tensor, names: list[str] | None = None) -> torch.Tensor:
    """Return features as (N, F) float32, refusing NaN and infinite values."""
    if isinstance(x, torch.Tensor):
        t = x.detach().to(torch.float32)
    else:
        t = torch.from_numpy(np.array(x, dtype=np.float32))  # a copy: inputs may be read-only
    if t.ndim == 1:
        t = t[:, None]
    if t.ndim != 2:
        raise LoadError(f"Node features must be a table (nodes x features); got shape {tuple(t.shape)}.")
    bad = ~torch.isfinite(t)
    if bad.any():
        n, f = (int(i) for i in bad.nonzero()[0])
        col = names[f] if names and f < len(names) else f"column {f}"
        raise LoadError(
            f"Node features contain {int(bad.sum())} NaN or infinite value(s) "
            f"(first at node {n}, feature '{col}'); fill or remove them and load again."
        )
    return t


def make_sample(
    *,
    kind: Kind,
    name: str,
    source: str,
    num_nodes: int,
    edge_index: np.ndarray | torch.Tensor,
    x: np.ndarray | torch.Tensor | None = None,
    feature_names: list[str] | None = None,
    y: np.ndarray | torch.Tensor | None = None,
    directed: bool = False,
    edge_values: dict[str, np.ndarray | torch.Tensor] | None = None,
    extra: dict[str, Any] | None = None,
    **sample_fields: Any,
) -> Sample:
    """Validate the parts of a sample, clean its edges and assemble the :class:`Sample`.

    Args:
        kind: what the source is (see :class:`Sample`).
        name: the sample's short display name.
        source: where it came from (``builtin:karate``, a file path, ``planetoid:cora``).
        num_nodes: N.
        edge_index: (2, E) node ids.
        x: (N, F) features; when None, a constant feature column ``one`` is used
            so every model and embedding has an input.
        feature_names: one name per column of ``x``; default ``f0``, ``f1``, ...
        y: (N,) integer classes, -1 for unlabeled nodes.
        directed: keep the edges' direction; otherwise (u, v) and (v, u) are one edge and
            ``edge_index`` holds both directions (see :func:`clean_edges`).
        edge_values: per-edge ``Data`` attributes (``edge_attr``, ``edge_mask_gt``),
            (E, ...) aligned with ``edge_index``; kept aligned through the clean-up.
        extra: further ``Data`` attributes (``pos``, ``face``, ``sph``, masks, ...),
            stored as given (tensors) after a shape check on the node dimension.
        sample_fields: forwarded to :class:`Sample` (label_names, surfaces, image, ...).

    Raises:
        LoadError: bad edges, features, labels or ``extra`` shapes, or a graph that is empty or
            too large (:func:`check_size`).
    """
    ev = {k: torch.as_tensor(np.asarray(v)) for k, v in (edge_values or {}).items() if v is not None}
    ei, ev, notices = clean_edges(edge_index, num_nodes, directed=directed, edge_values=ev)
    # Time series are nodes whose graph may be learned, not given.
    check_size(num_nodes, ei.shape[1] if directed else ei.shape[1] // 2, need_edges=kind != "timeseries")
    if x is None:
        x, feature_names = np.ones((num_nodes, 1), np.float32), ["one"]
    names = list(feature_names) if feature_names is not None else [f"f{i}" for i in range(np.shape(x)[-1])]
    xt = check_features(x, names)
    if xt.shape[0] != num_nodes:
        raise LoadError(f"Features have {xt.shape[0]} rows but the graph has {num_nodes} nodes.")
    data = Data(x=xt, edge_index=ei, num_nodes=num_nodes, **ev)
    if y is not None:
        yt = torch.as_tensor(np.asarray(y)).long().view(-1)
        if yt.shape[0] != num_nodes:
            raise LoadError(f"Labels have {yt.shape[0]} entries but the graph has {num_nodes} nodes.")
        data.y = yt
    for key, value in (extra or {}).items():
        if value is None:
            continue
        t = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
        if key in ("pos", "sph", "node_mask_gt") or key.endswith(("train_mask", "val_mask", "test_mask")):
            if t.shape[0] != num_nodes:
                raise LoadError(f"'{key}' has {t.shape[0]} rows but the graph has {num_nodes} nodes.")
            if t.is_floating_point() and not torch.isfinite(t).all():
                raise LoadError(f"'{key}' contains NaN or infinite values.")
        data[key] = t
    sample_fields["notices"] = notices + list(sample_fields.get("notices", []))
    return Sample(
        data=data,
        kind=kind,
        name=name,
        source=source,
        feature_names=names,
        directed=directed,
        **sample_fields,
    )
