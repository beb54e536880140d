"""Nodescope from Python: load a sample, get a model, analyse it, and draw the app's figures.

``import nodescope`` re-exports these functions. Each one checks its arguments first and
refuses a bad one with :class:`~nodescope.core.errors.LoadError` (a ``ValueError`` whose
message is one line), then calls what the app and the ``nodescope`` command call:

- :func:`load`: the loader of the app's sidebar and of every command;
- :func:`model`: shipped weights when they fit the sample, else trained with the recipe of
  ``nodescope train`` (:func:`nodescope.core.recipes.fit`);
- :func:`attention`, :func:`explain`, :func:`oversmooth`, :func:`register`: what
  ``nodescope attention``, ``explain``, ``oversmooth`` and ``register`` compute, returned
  as Python objects instead of files;
- :func:`report`: the sections of ``nodescope report`` (accuracy, attention, fidelity,
  over-smoothing; registration QC), as data;
- :func:`show`: the plotly figures of the app's pages; :func:`draw_page`: the newer pages'
  figures with what they show and their headings (what ``nodescope export`` writes).

Torch, PyG and plotly are imported inside the functions, so ``import nodescope`` stays light
(``nodescope.core.…`` imports run this package's ``__init__`` first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodescope.core.errors import LoadError
from nodescope.explain.defaults import DEFAULT_SWEEP_DEPTHS, DEFAULT_SWEEP_MODELS, GLOBAL_ALL_NODES
from nodescope.viz.limits import GLOBAL_STRIP_NODES, NEIGHBORHOOD_NODES, SUBGRAPH_NODES, WHOLE_GRAPH_NODES

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    from torch_geometric.data import Data

    from nodescope.core.models import NodeModel
    from nodescope.core.registration.io import Subject
    from nodescope.core.registration.pipeline import RegistrationResult
    from nodescope.core.sample import Sample
    from nodescope.core.sweeps import SweepResult
    from nodescope.explain.attention import AttentionMaps
    from nodescope.explain.batch_report import Section
    from nodescope.explain.heads import HeadImportance
    from nodescope.explain.report import Report
    from nodescope.page_figures import PageFigures

log = logging.getLogger("nodescope")

#: The newer pages' views (:mod:`nodescope.page_figures`): Time series, Skeletons, Meshes, Panoramas, Pipeline.
PAGE_VIEWS = ("forecast", "lifting", "simulation", "panorama", "pipeline")
#: What :func:`show` draws; the first is drawn when no view is named.
VIEWS = ("graph", "embedding", "surface", "attention", "explanation", "oversmoothing", "registration", *PAGE_VIEWS)  # fmt: skip
#: The sample kinds whose report is their page's figures, and the view that draws them.
KIND_VIEWS = {"timeseries": "forecast", "skeleton": "lifting", "mesh": "simulation", "panorama": "panorama"}
# GLOBAL_ALL_NODES (every node's global attention row from :func:`attention` up to that many
# nodes), DEFAULT_SWEEP_MODELS and DEFAULT_SWEEP_DEPTHS (what :func:`oversmooth` sweeps by
# default) come from :mod:`nodescope.explain.defaults`, shared with the CLI and the app.


# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class Attention:
    """What :func:`attention` found: every edge's attention, head statistics, head importance.

    Layers and heads are zero-based, as in the arrays of ``nodescope attention``.

    Attributes:
        maps: :class:`~nodescope.explain.attention.AttentionMaps`: ``edge_index`` (2, E) int64
            (source row 0, target row 1, self-loops included) and ``alpha`` (L, H, E) float32,
            each target's incoming coefficients summing to 1 per head, NaN for heads a layer
            lacks; L = 0 for a model whose only attention is global (GraphGPS).
        heads: one row per head: ``layer``, ``head``, ``layer_name``, ``entropy``,
            ``entropy_norm``, ``sparsity``, ``salience`` (:func:`~nodescope.explain.attention.head_statistics`).
        importance: the change in test error (or loss) when each head alone is switched off
            (:func:`~nodescope.explain.heads.head_importance`), or None when not asked for.
        global_nodes: (K,) int64 nodes whose global attention rows were read (GraphGPS), else None.
        global_alpha: (Lg, H, K, N) float32 those rows, each summing to 1 over the N nodes, else None.
    """

    maps: AttentionMaps
    heads: pd.DataFrame
    importance: HeadImportance | None = None
    global_nodes: np.ndarray | None = None
    global_alpha: np.ndarray | None = None


@dataclass(frozen=True)
class Registration:
    """What :func:`register` produced.

    Attributes:
        moving: the registered hemisphere as read (:class:`~nodescope.core.registration.io.Subject`).
        fixed: the fixed surface's name (``fsaverage5``).
        result: the :class:`~nodescope.core.registration.pipeline.RegistrationResult`:
            ``registered`` and ``rigid`` (V, 3) float64 mm, ``rotation`` (3, 3), ``timings`` in
            seconds per stage, ``stages``.
        metrics: :func:`~nodescope.explain.registration.registration_metrics` of the registered
            sphere, as ``nodescope register`` prints them: ``correlation`` (sulc against
            fsaverage5's, Pearson), ``flipped`` (triangles), ``areal_distortion`` and
            ``edge_distortion`` (mean |log2 ratio| against the native sphere), and with a
            reference ``geodesic_mm`` / ``geodesic_deg`` (mean distance to it) and ``dice``.
    """

    moving: Subject
    fixed: str
    result: RegistrationResult
    metrics: dict[str, float | int]

    @property
    def registered(self) -> np.ndarray:
        """(V, 3) float64 the moving sphere's vertices after registration, mm."""
        return self.result.registered


# ---------------------------------------------------------------- entry checks
def _as_sample(sample: Sample | str | Path) -> Sample:
    """``sample`` itself, or the sample :func:`load` reads from a source name or path."""
    from nodescope.core.sample import Sample

    if isinstance(sample, Sample):
        return sample
    if isinstance(sample, (str, Path)):
        return load(sample)
    raise LoadError(
        f"Expected a Sample (from nodescope.load) or a source name or path, not {type(sample).__name__}."
    )


def _labeled(sample: Sample, purpose: str) -> None:
    if sample.data.get("y") is None or sample.num_classes < 2:
        raise LoadError(f"{sample.name} has no node labels (two classes or more) {purpose}.")


def _known_model(name: object) -> str:
    from nodescope.core.models import MODELS

    if not isinstance(name, str) or name not in MODELS:
        raise LoadError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.")
    return name


def _as_model(sample: Sample, network: NodeModel | str) -> NodeModel:
    """A model given as a registry key becomes :func:`model`'s model for ``sample``."""
    from nodescope.core.checkpoint import check_compatible
    from nodescope.core.models import NodeModel

    if isinstance(network, NodeModel):
        check_compatible(network, sample)
        return network
    if isinstance(network, str):
        return model(sample, network)
    raise LoadError(
        f"Expected a model (from nodescope.model) or a registry key, not {type(network).__name__}."
    )


def _node_list(nodes: int | str | Sequence[int], n: int) -> list[int]:
    if isinstance(nodes, str):
        if nodes.strip().lower() != "all":
            raise LoadError(f"nodes takes 'all', a node id or a list of node ids, not {nodes!r}.")
        return list(range(n))
    items = [nodes] if isinstance(nodes, Integral) else list(nodes)
    if not items or not all(_is_int(i) for i in items):
        raise LoadError(f"nodes takes 'all', a node id or a list of node ids, not {nodes!r}.")
    bad = [i for i in items if not 0 <= i < n]
    if bad:
        raise LoadError(f"{bad[0]} is not a node id here (0..{n - 1}).")
    return [int(i) for i in items]


def _is_int(value: object) -> bool:
    """An integer (Python's or numpy's), not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def _focus(focus: int | None, n: int) -> int | None:
    if focus is None:
        return None
    if not _is_int(focus) or not 0 <= focus < n:
        raise LoadError(f"focus must be a node id in 0..{n - 1}, not {focus!r}.")
    return int(focus)


def _prepared(network: NodeModel, sample: Sample) -> Data:
    """The sample's graph with the split shipped weights are evaluated on, prepared for ``network``."""
    from nodescope.core.device import device
    from nodescope.core.training import with_split

    try:
        return network.prepare(with_split(sample.data, seed=0)).to(device())
    except ValueError as exc:  # GraphGPS refusing a graph too large for global attention
        raise LoadError(str(exc)) from exc


# ---------------------------------------------------------------- load and model
def load(
    source: str | Path,
    *,
    companions: Sequence[str | Path] = (),
    data_dir: str | Path | None = None,
    download: bool = True,
    level: int | None = None,
) -> Sample:
    """Load a built-in, a Planetoid dataset or a file, as the app's sidebar and every command do.

    Args:
        source: a built-in (``karate``, ``ba-shapes``, ``sbm``, ``ant``, ``fsaverage5-left``,
            ``room``, ...), a Planetoid name (``cora``, ``citeseer``) or a file path (graphs,
            meshes, FreeSurfer and GIfTI surfaces, panoramas).
        companions: further files for a file source (overlays, node features, labels).
        data_dir: where Planetoid raw files live (default ``$NODESCOPE_DATA_DIR``).
        download: allow fetching missing Planetoid files.
        level: icosphere subdivision of a panorama (default 5: 10,242 nodes).

    Returns:
        A :class:`~nodescope.core.sample.Sample`: ``data`` (a PyG ``Data``: ``x`` (N, F)
        float32, ``edge_index`` (2, E) int64, optional ``y`` (N,), ``pos`` (N, 3), ``face``
        (3, T)), with its kind, name, source, feature/label/node names and units.

    Raises:
        LoadError: one line, for every source that cannot be loaded.

    Examples:
        >>> import nodescope
        >>> s = nodescope.load("karate")
        >>> s.kind, s.num_nodes, s.num_classes
        ('graph', 34, 4)
    """
    if not isinstance(source, (str, Path)) or not str(source).strip():
        raise LoadError(f"source must be a built-in name, a dataset name or a file path, not {source!r}.")
    if isinstance(companions, (str, Path)):
        companions = [companions]
    from nodescope.core.loaders import load as load_source

    return load_source(
        source, companions=[Path(c) for c in companions], data_dir=data_dir, download=download, level=level
    )


def model(
    sample: Sample | str | Path,
    name: str,
    *,
    weights: str | Path | None = None,
    train_if_missing: bool = True,
    seed: int = 0,
    max_epochs: int | None = None,
    progress: Callable[[int, int, dict[str, float]], Any] | None = None,
) -> NodeModel:
    """A trained node classifier for ``sample``: given weights, shipped weights, or trained here.

    Weights are looked up as the app and ``nodescope explain`` do: ``weights`` when given, else
    the shipped ``assets/models/<dataset>/<name>.safetensors`` when they fit the sample (same
    feature width and class count), else, with ``train_if_missing``, a model trained with the
    recipe of ``nodescope train`` (:func:`nodescope.core.recipes.fit`: the model's published
    settings, the benchmark's changes, the sample's own split or a seed-0 random one). Where the
    weights came from and their test accuracy are logged on the ``nodescope`` logger (INFO).

    Args:
        sample: a labeled sample (two classes or more), or a source for :func:`load`.
        name: a registry key: ``gcn``, ``gat``, ``gatv2``, ``graph-transformer``, ``gps``,
            ``xnode-gcn``, ``gcnii``, ... (``nodescope.core.models.MODELS``).
        weights: a checkpoint (``.safetensors`` with its ``.json``) to use instead.
        train_if_missing: train when no shipped weights fit; False raises instead.
        seed: the training seed (initialization and dropout).
        max_epochs: cap on training epochs (default: the recipe's).
        progress: called as ``progress(epoch, max_epochs, metrics)`` after each training epoch.

    Returns:
        The model in eval mode on the device Nodescope chose (CUDA when available).

    Raises:
        LoadError: an unknown model, an unlabeled sample, weights that do not fit, or no
            weights with ``train_if_missing=False``.

    Examples:
        >>> import nodescope
        >>> s = nodescope.load("karate")
        >>> gat = nodescope.model(s, "gat")  # the shipped weights
        >>> gat.config.model, gat.config.out_dim
        ('gat', 4)
        >>> gcn = nodescope.model(nodescope.load("les-miserables"), "gcn", max_epochs=5)  # trained
    """
    sample = _as_sample(sample)
    name = _known_model(name)
    _labeled(sample, "to classify")
    if max_epochs is not None and (not _is_int(max_epochs) or max_epochs < 1):
        raise LoadError(f"max_epochs must be at least 1, not {max_epochs!r}.")
    from nodescope.core.checkpoint import check_compatible, dataset_key, load_checkpoint, shipped_weights

    path = Path(weights).expanduser() if weights is not None else shipped_weights(sample, name)
    if path is not None:
        network, info = load_checkpoint(path)
        if network.config.model != name:
            raise LoadError(f"{path.name} holds a {network.config.model} model, not {name}.")
        try:
            check_compatible(network, sample)
        except LoadError as exc:
            if weights is not None:
                raise
            log.info("Shipped weights not usable: %s", exc)
        else:
            log.info("Weights: %s (test acc %.1f%%).", path, 100 * info.get("test_acc", float("nan")))
            return network
    if not train_if_missing:
        raise LoadError(
            f"No shipped {name} weights fit {sample.name}: pass weights=PATH, or train_if_missing=True."
        )
    from nodescope.core.recipes import fit

    overrides: dict[str, Any] = {"seed": seed} | ({"max_epochs": max_epochs} if max_epochs else {})
    result = fit(name, sample, progress=progress, **overrides)
    log.info(
        "Trained %s on %s: test acc %.1f%% (best epoch %d).",
        name,
        dataset_key(sample),
        100 * result.test_acc,
        result.best_epoch,
    )
    return result.model


# ---------------------------------------------------------------- analyses
def attention(
    sample: Sample | str | Path,
    model: NodeModel | str,
    *,
    importance: bool = True,
    metric: str = "error",
    global_nodes: Sequence[int] | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> Attention:
    """Every edge's attention in every layer and head of an attention model, and which heads matter.

    What ``nodescope attention`` writes to its ``.npz``, as one object.

    Args:
        sample: the sample (a labeled one for ``importance``), or a source for :func:`load`.
        model: an attention model (``gat``, ``gatv2``, ``graph-transformer``, ``gps``,
            ``xnode-gat``) from :func:`model`, or its registry key.
        importance: also switch each head off alone and measure the change in test error.
        metric: what ``importance`` measures: ``error`` (1 - accuracy) or ``loss`` (cross-entropy).
        global_nodes: nodes whose global attention rows to read (GraphGPS; ``[]`` for none);
            default every node of graphs up to :data:`GLOBAL_ALL_NODES` nodes, none above.
        progress: called as ``progress(done, total)`` after each head switched off.

    Returns:
        An :class:`Attention`.

    Raises:
        LoadError: a model without attention, an unlabeled sample with ``importance``, a bad
            ``metric`` or node id.

    Examples:
        >>> import nodescope
        >>> s = nodescope.load("karate")
        >>> a = nodescope.attention(s, "gat")
        >>> a.maps.alpha.shape  # layers, heads, edges (with self-loops)
        (2, 8, 190)
        >>> a.heads.columns.tolist()
        ['layer', 'head', 'layer_name', 'entropy', 'entropy_norm', 'sparsity', 'salience']
        >>> a.importance.deviation.shape  # change in test error, per layer and head
        (2, 8)
    """
    s = _as_sample(sample)
    if metric not in ("error", "loss"):
        raise LoadError(f"metric must be 'error' or 'loss', not {metric!r}.")
    from nodescope.core.models import MODELS

    network = _as_model(s, model)
    if MODELS[network.config.model].attention == "none":
        attentive = [k for k, spec in MODELS.items() if spec.attention != "none"]
        raise LoadError(f"{network.config.model} has no attention; use one of {', '.join(attentive)}.")
    if importance:
        _labeled(s, "to score heads on (pass importance=False)")
    if global_nodes is None:
        nodes = list(range(s.num_nodes)) if s.num_nodes <= GLOBAL_ALL_NODES else []
    else:
        nodes = _node_list(list(global_nodes), s.num_nodes) if len(global_nodes) else []
    import numpy as np
    import torch

    from nodescope.explain.attention import (
        attention_maps,
        global_attention_modules,
        global_attention_rows,
        head_statistics,
    )
    from nodescope.explain.heads import head_importance

    data = _prepared(network, s)
    maps = attention_maps(network, data)
    scores = (
        head_importance(network, data, data.test_mask, metric=metric, progress=progress)
        if importance
        else None
    )
    rows = None
    if global_attention_modules(network) and nodes:
        with torch.no_grad():
            out = network(data)
        idx = torch.tensor(nodes, device=out.logits.device)
        layers = range(len(out.global_inputs))
        rows = np.stack([global_attention_rows(network, out, g, idx).cpu().numpy() for g in layers])
    return Attention(
        maps=maps,
        heads=head_statistics(maps),
        importance=scores,
        global_nodes=np.asarray(nodes, dtype=np.int64) if rows is not None else None,
        global_alpha=rows,
    )


def explain(
    sample: Sample | str | Path,
    model: NodeModel | str,
    nodes: int | str | Sequence[int] = "all",
    method: str = "xnode",
    *,
    fidelity_nodes: int = 50,
    top: int = 5,
    progress: Callable[[int, int], Any] | None = None,
    **options: Any,
) -> Report:
    """Explain the predictions of ``nodes`` and score the explanations' fidelity.

    What ``nodescope explain`` writes (its CSV and its ``.fidelity.json``), as one object.

    Args:
        sample: a labeled sample, or a source for :func:`load`.
        model: the model from :func:`model`, or its registry key (``xnode-gcn``, ``gat``, ...).
        nodes: ``"all"``, a node id or a list of node ids.
        method: ``xnode`` (the model's own explanation; X-Node models only), ``gnnexplainer``,
            ``ig`` (Integrated Gradients), ``saliency`` or ``attention`` (attention models).
        fidelity_nodes: size of the seeded sample of ``nodes`` scored for fidelity (0: none).
        top: how many top features and edges each row lists.
        progress: called as ``progress(done, total)`` after each node.
        options: passed to the post-hoc explainer (``epochs``, ``steps``, ...).

    Returns:
        A :class:`~nodescope.explain.report.Report`: ``table`` (one row per node: ``node``,
        ``name``, ``predicted``, ``confidence`` in [0, 1], ``true_label``, ``split``, the graph
        cues, ``top_features``, ``top_edges``, ``text``, ``seconds``), ``fidelity`` (Fid+,
        Fid-, characterization, robust fidelities over the scored nodes) and
        ``per_node_fidelity``.

    Raises:
        LoadError: an unknown method, a method the model cannot give, a bad node id.

    Examples:
        >>> import nodescope
        >>> s = nodescope.load("karate")
        >>> report = nodescope.explain(s, "xnode-gcn", [0, 33], fidelity_nodes=0)
        >>> report.table["node"].tolist()
        [0, 33]
        >>> report.table["text"][0].startswith("Predicted")
        True
    """
    s = _as_sample(sample)
    from nodescope.core.models import MODELS
    from nodescope.explain.report import METHODS, explain_graph

    if method not in METHODS:
        raise LoadError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if not _is_int(fidelity_nodes) or fidelity_nodes < 0:
        raise LoadError(f"fidelity_nodes must be 0 or more, not {fidelity_nodes!r}.")
    _labeled(s, "to explain predictions of")
    chosen = _node_list(nodes, s.num_nodes)
    network = _as_model(s, model)
    key = network.config.model
    if method == "xnode" and not key.startswith("xnode-"):
        raise LoadError(
            f"method 'xnode' explains X-Node models only (xnode-gcn, xnode-gat, xnode-gin), not {key}."
        )
    if method == "attention" and MODELS[key].attention == "none":
        raise LoadError(f"{key} has no attention; use method 'attention' with a GAT-based model.")
    from nodescope.core.training import with_split

    return explain_graph(
        s,
        with_split(s.data, seed=0),
        network,
        method,
        chosen,
        top=top,
        fidelity_nodes=fidelity_nodes,
        progress=progress,
        **options,
    )


def oversmooth(
    sample: Sample | str | Path,
    models: str | Sequence[str] = DEFAULT_SWEEP_MODELS,
    depths: Sequence[int] = DEFAULT_SWEEP_DEPTHS,
    *,
    trained: bool = False,
    seeds: int = 1,
    hidden: int | None = None,
    max_epochs: int = 200,
    patience: int = 50,
    data_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Callable[[float, str], Any] | None = None,
) -> SweepResult:
    """Over-smoothing metrics at every layer of models of several depths (a depth sweep).

    What ``nodescope oversmooth`` writes (and the app's Over-smoothing page draws): for each
    model, depth and seed, Dirichlet energy, MAD, MADGap, SMV, ranks, ... of every layer's node
    representations (:data:`nodescope.explain.oversmoothing.METRICS`), at initialization or,
    with ``trained``, after training (test accuracy recorded). Results are cached on disk by
    their configuration and the graph's content.

    Args:
        sample: a sample or a source for :func:`load` (a source is loaded as the command does,
            with ``data_dir``).
        models: registry keys (``gcn``, ``gcnii``, ``dagnn``, ...), as a list or comma-separated.
        depths: depths in 1..64 (layers, or propagation steps of decoupled models).
        trained: train each model (minutes) instead of measuring it at initialization (seconds).
        seeds: runs per model and depth, seeded 0..seeds-1.
        hidden: hidden width for every model (default: each model's own).
        max_epochs: training epochs at most (with ``trained``).
        patience: early-stopping patience (with ``trained``).
        data_dir: the Planetoid data folder, for a source.
        use_cache: read and write the on-disk cache.
        progress: called as ``progress(fraction_done, what_runs)``.

    Returns:
        A :class:`~nodescope.core.sweeps.SweepResult`: ``curve(model, depth, metric)`` gives
        the (depth + 1,) per-layer values (mean over seeds), ``accuracy(model)`` the test
        accuracy per depth (trained sweeps), ``to_dict()`` the JSON the command writes.

    Raises:
        LoadError: an unknown model, a depth out of range, a bad count or dataset.

    Examples:
        >>> import nodescope
        >>> sweep = nodescope.oversmooth("karate", ["gcn", "gcnii"], [2, 8], use_cache=False)
        >>> sweep.curve("gcn", 8, "dirichlet").shape  # the input, then each of the 8 layers
        (9,)
    """
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",") if m.strip()]
    if isinstance(depths, (str, Integral)) or not all(_is_int(d) for d in depths):
        raise LoadError(f"depths takes a list of integers, not {depths!r}.")
    from nodescope.core.sweeps import SweepConfig, run_sweep
    from nodescope.explain.oversmoothing import measure_for

    common = {
        "models": tuple(models),
        "depths": tuple(depths),
        "seeds": seeds,
        "trained": trained,
        "hidden": hidden,
        "max_epochs": max_epochs,
        "patience": patience,
    }
    if isinstance(sample, (str, Path)):  # as the command: the sweep loads its dataset
        dataset, source = str(sample), {"data_dir": data_dir}
    else:
        from nodescope.core.checkpoint import dataset_key

        s = _as_sample(sample)
        dataset, source = dataset_key(s), {"sample": s}
    config = SweepConfig(dataset=dataset, **common)
    return run_sweep(config, measure_for, progress=progress, use_cache=use_cache, **source)


def register(
    moving: Subject | Sample | str | Path | tuple[np.ndarray, np.ndarray, np.ndarray],
    fixed: str = "fsaverage5",
    *,
    sulc: str | Path | None = None,
    hemi: str | None = None,
    reference: np.ndarray | str | Path | None = None,
    rigid_only: bool = False,
    refine: int = 0,
    method: str = "auto",
    out: str | Path | None = None,
    progress: Callable[[str, float], Any] | None = None,
) -> Registration:
    """Register a native cortical sphere onto fsaverage5: rigid, then non-rigid (after SUGAR).

    What ``nodescope register`` does for one subject, returning the registered sphere and its
    metrics instead of printing them.

    Args:
        moving: the hemisphere to register: a :class:`~nodescope.core.registration.io.Subject`
            (for example :func:`nodescope.core.registration.subjects.synthetic`), a cortex
            sample with a ``sphere`` surface and a ``sulc`` feature, a FreeSurfer subject
            folder (``surf/lh.sphere``, ``surf/lh.sulc``), a sphere file (``lh.sphere`` or
            ``.surf.gii``, with ``sulc``), or ``(vertices (V, 3), faces (F, 3), sulc (V,))`` arrays.
        fixed: the fixed surface: ``fsaverage5``, or ``fsaverage6`` (SUGAR's 904-subject mean
            sulc, lh only; :mod:`nodescope.core.registration.atlas` says where its files go).
        sulc: the sulcal depth file of a sphere file (``lh.sulc`` or ``.shape.gii``).
        hemi: ``"lh"`` or ``"rh"``: the atlas hemisphere to register onto (a folder's hemisphere
            to read); default the subject's (a file's ``lh.``/``rh.`` prefix), else ``lh``.
        reference: the true registered sphere, (V, 3) or a sphere file (FreeSurfer's own
            ``lh.sphere.reg``), for the geodesic error (and Dice when the subject has labels);
            default the subject's known warp (synthetic subjects), else none.
        rigid_only: stop after the rigid stage.
        refine: extra gradient steps at full resolution.
        method: the non-rigid stage: ``auto``, ``fit`` (gradient cascade), ``net`` (the shipped
            SUGAR network) or ``net+fit``.
        out: write the registered sphere here (FreeSurfer geometry; GIfTI for ``.gii``).
        progress: called as ``progress(stage, fraction_done)``.

    Returns:
        A :class:`Registration`.

    Raises:
        LoadError: unreadable files, a sphere without sulc, a bad option.

    Examples:
        >>> import nodescope
        >>> from nodescope.core.registration.subjects import synthetic
        >>> reg = nodescope.register(synthetic(seed=0), rigid_only=True)
        >>> reg.registered.shape, reg.result.stages
        ((10242, 3), ('rigid',))
        >>> reg.metrics["geodesic_deg"] < 10  # degrees from the known warp (it moved ~10 degrees)
        True
    """
    from nodescope.core.registration.atlas import FIXED_LEVELS, fixed_sulc

    if fixed not in FIXED_LEVELS:
        raise LoadError(f"Unknown fixed surface {fixed!r}; choose one of {', '.join(FIXED_LEVELS)}.")
    if hemi not in (None, "lh", "rh"):
        raise LoadError(f"hemi must be 'lh' or 'rh', not {hemi!r}.")
    if not _is_int(refine) or refine < 0:
        raise LoadError(f"refine takes a number of steps >= 0, not {refine!r}.")
    from nodescope.core.registration.pipeline import METHODS

    if method not in ("auto", *METHODS):
        raise LoadError(f"Unknown method {method!r}; choose auto or one of {', '.join(METHODS)}.")
    if method in ("net", "net+fit"):
        from nodescope.core.models.sugar import SHIPPED_DIR, shipped_sugar

        if shipped_sugar() is None:
            raise LoadError(f"method {method!r} needs the SUGAR weights in {SHIPPED_DIR}; use method='fit'.")
    subject = _as_subject(moving, sulc, hemi)
    truth = _reference(reference, subject)
    fixed_sulc(fixed, subject.hemi)  # fsaverage6: SUGAR's files are there, and lh only

    from nodescope.core.registration.io import write_sphere
    from nodescope.core.registration.pipeline import register as run_registration
    from nodescope.explain.registration import registration_metrics

    result = run_registration(
        subject.sphere,
        subject.faces,
        subject.sulc,
        fixed=fixed,
        hemi=subject.hemi,
        rigid_only=rigid_only,
        refine=refine,
        method=method,
        progress=progress,
    )
    if out is not None:
        write_sphere(Path(out).expanduser(), result.registered, subject.faces, subject.volume_info)
    metrics = registration_metrics(
        result.registered,
        subject.sphere,
        subject.faces,
        subject.sulc,
        reference=truth,
        labels=subject.labels if truth is not None else None,
        fixed=fixed,
        hemi=subject.hemi,
    )
    values = {k: v for k, v in metrics.as_dict().items() if v is not None}
    return Registration(moving=subject, fixed=fixed, result=result, metrics=values)


def _as_subject(moving: object, sulc: str | Path | None, hemi: str | None = None) -> Subject:
    """The :class:`Subject` that ``moving`` describes, of hemisphere ``hemi`` when given (see :func:`register`)."""
    import dataclasses

    import numpy as np

    from nodescope.core.registration.io import Subject, read_subject, read_subject_dir
    from nodescope.core.sample import Sample

    if isinstance(moving, Subject):
        return moving if hemi is None else dataclasses.replace(moving, hemi=hemi, key="")
    if isinstance(moving, Sample):
        from nodescope.core.registration.subjects import from_sample

        subject = from_sample(moving)
        return subject if hemi is None else dataclasses.replace(subject, hemi=hemi, key="")
    if isinstance(moving, (str, Path)):
        path = Path(moving).expanduser()
        if path.is_dir():
            return read_subject_dir(path, hemi or "lh")
        if sulc is None:
            raise LoadError(f"Give sulc=PATH with the sphere {path.name} (or a FreeSurfer subject folder).")
        return read_subject(path, Path(sulc).expanduser(), hemi=hemi)
    if isinstance(moving, tuple) and len(moving) == 3:
        vertices, faces, depth = (np.asarray(a) for a in moving)
        if vertices.ndim != 2 or vertices.shape[1] != 3 or faces.ndim != 2 or faces.shape[1] != 3:
            raise LoadError("moving arrays must be vertices (V, 3), faces (F, 3) and sulc (V,).")
        if depth.shape != (len(vertices),):
            raise LoadError(f"sulc has shape {depth.shape}; the sphere has {len(vertices)} vertices.")
        return Subject(
            name="arrays",
            sphere=vertices.astype(np.float64),
            faces=faces.astype(np.int64),
            sulc=depth.astype(np.float64),
            hemi=hemi or "lh",
        )
    raise LoadError(
        "moving takes a Subject, a cortex sample, a subject folder, a sphere file (with sulc=) "
        f"or (vertices, faces, sulc) arrays, not {type(moving).__name__}."
    )


def _reference(reference: np.ndarray | str | Path | None, subject: Subject) -> np.ndarray | None:
    import numpy as np

    if reference is None:
        return subject.truth
    if isinstance(reference, (str, Path)):
        from nodescope.core.registration.io import read_sphere

        reference = read_sphere(Path(reference).expanduser())[0]
    truth = np.asarray(reference, dtype=np.float64)
    if truth.shape != subject.sphere.shape:
        raise LoadError(f"reference has shape {truth.shape}; the moving sphere has {subject.sphere.shape}.")
    return truth


# ---------------------------------------------------------------- report
def report(
    sample: Sample | str | Path | Registration,
    model: NodeModel | str | None = None,
    *,
    method: str | None = None,
    fidelity_nodes: int = 50,
    progress: Callable[[float, str], Any] | None = None,
) -> list[Section]:
    """What ``nodescope report`` says about a graph model or a cortical hemisphere, as data.

    A time series, a skeleton clip, a mesh or a panorama (also ``test:SEED`` / ``ood:SEED``, a
    generated room) gets one ``page`` section saying its page's figures stand for it: draw them
    with :func:`show` (view :data:`KIND_VIEWS` of its kind); ``model`` is a lifter for a skeleton
    (``hopfir``, ``gcn``, ``mlp``) and not taken by the others. A graph with node labels gets, for ``model``: accuracy per split, attention entropy per head
    (``n/a`` for models without edge attention), the fidelity of ``method``'s explanations
    over a seeded sample of nodes, and the Over-smoothing page's sweep; a graph without labels
    gets the sweep only. A cortical hemisphere is registered onto fsaverage5 (as
    :func:`register`) and gets the registration's quality control. Each section holds plain
    sentences, a table and the arrays its figure draws
    (:class:`~nodescope.explain.batch_report.Section`); ``nodescope report`` draws them.

    Args:
        sample: a graph or cortex sample, a source for :func:`load`, or a :class:`Registration`
            from :func:`register` (its quality control).
        model: the model from :func:`model` or its registry key; default
            :data:`~nodescope.explain.defaults.REPORT_MODEL` (graphs only).
        method: the explainer scored for fidelity (default ``xnode`` for X-Node models, else
            ``ig``); see :func:`explain`.
        fidelity_nodes: how many nodes (a sample seeded 0) are explained and scored.
        progress: called as ``progress(fraction_done, what_runs)`` for each long step.

    Returns:
        The sections, in the report's order.

    Raises:
        LoadError: a sample of a kind without a report, a model for a cortical sample or one a
            page kind cannot take, an unknown model or method, a method the model cannot give.

    Examples:
        >>> import nodescope
        >>> sections = nodescope.report("karate", "gat", fidelity_nodes=0)  # no node explained: fast
        >>> [s.key for s in sections]
        ['accuracy', 'attention', 'fidelity', 'oversmoothing']
        >>> sections[0].table["split"].tolist()
        ['train', 'val', 'test']
        >>> sections[2].sentences
        ('n/a: no node was asked for (fidelity_nodes 0).',)
    """
    if not _is_int(fidelity_nodes) or fidelity_nodes < 0:
        raise LoadError(f"fidelity_nodes must be 0 or more, not {fidelity_nodes!r}.")
    from nodescope.explain import batch_report as br

    if isinstance(sample, Registration):
        from nodescope.core.registration.subjects import fixed_subject

        fixed = fixed_subject(sample.fixed, sample.moving.hemi)
        return [br.registration_section(sample.moving, fixed, sample.result, fixed_name=sample.fixed)]
    from nodescope import page_figures as pf

    if pf.generated_room(sample) is not None:
        return [_page_section("panorama", model, method)]
    s = _as_sample(sample)
    if s.kind in KIND_VIEWS:
        return [_page_section(s.kind, model, method)]
    if s.kind == "cortex":
        if model is not None:
            raise LoadError(
                f"{s.name} is a cortical hemisphere: its report is its registration, with no model."
            )
        return report(register(s, progress=None if progress is None else lambda stage, f: progress(f, stage)))
    if s.kind != "graph":
        raise LoadError(f"{s.name} is a {s.kind} sample; nodescope.report has no report for it.")
    if s.data.get("y") is None or s.num_classes < 2:
        if model is not None:
            raise LoadError(f"{s.name} has no node labels (two classes or more): no model to report on.")
        note = br.Section(
            "model", "Model", (f"n/a: {s.name} has no node labels (two classes or more) to classify.",)
        )
        return [note, br.oversmoothing_section(br.page_sweeps(s, progress=progress))]
    from nodescope.core.models import MODELS
    from nodescope.core.training import with_split
    from nodescope.explain.defaults import REPORT_MODEL
    from nodescope.explain.report import METHODS

    network = _as_model(s, REPORT_MODEL if model is None else model)
    key = network.config.model
    method = method or br.default_method(network)
    if method not in METHODS:
        raise LoadError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if method == "xnode" and not key.startswith("xnode-"):
        raise LoadError(
            f"method 'xnode' explains X-Node models only (xnode-gcn, xnode-gat, xnode-gin), not {key}."
        )
    if method == "attention" and MODELS[key].attention == "none":
        raise LoadError(f"{key} has no attention; use method 'attention' with a GAT-based model.")
    data = with_split(s.data, seed=0)

    def explained(done: int, total: int) -> None:  # after the last node, fidelity is scored (no steps)
        if progress is not None:
            progress(done / total, f"explaining ({method})" if done < total else "scoring fidelity")

    return [
        br.accuracy_section(network, data),
        br.attention_section(network, data),
        br.fidelity_section(s, data, network, method, nodes=fidelity_nodes, progress=explained),
        br.oversmoothing_section(br.page_sweeps(s, progress=progress)),
    ]


def _page_section(kind: str, model: object, method: str | None) -> Section:
    """The section of a ``kind`` (a :data:`KIND_VIEWS` key) report: its page's figures stand for it."""
    from nodescope import page_figures as pf
    from nodescope.explain.batch_report import Section

    if method:
        raise LoadError(f"method scores graph explanations; a {kind} report has none.")
    if kind == "skeleton":
        if model is not None and model not in pf.SKELETON_MODELS:
            raise LoadError(f"A skeleton report lifts with {', '.join(pf.SKELETON_MODELS)}, not {model!r}.")
    elif model is not None:
        raise LoadError(f"A {kind} report uses {pf.KIND_MODELS[kind]}; model does not apply.")
    page, title = pf.KIND_PAGES[kind]
    text = f"The figures the {title} page draws first (as nodescope export {page} writes them)."
    return Section("page", f"{title} page", (text,))


# ---------------------------------------------------------------- figures
def draw_page(
    obj: Sample | str | Path,
    view: str,
    *,
    model: str | None = None,
    focus: int | None = None,
    run: str | Path | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> PageFigures:
    """One of the newer pages' figures with what they show and their headings (:func:`show` gives the figures).

    Args:
        obj: a sample or a source for :func:`load`; for ``panorama`` also ``test:SEED`` or
            ``ood:SEED`` (a generated room).
        view: one of :data:`PAGE_VIEWS`: ``forecast`` (a time series, the shipped or cached
            MTGNN, trained when none fits), ``lifting`` (a skeleton clip; ``model`` a lifter,
            default ``hopfir``), ``simulation`` (a mesh, the shipped heat models), ``panorama``
            (the shipped spherical U-Net), ``pipeline`` (a labeled graph and ``run``, the run
            folder of ``nodescope train --model gcnii --stages …``).
        model: the lifter for ``lifting``; the other views use their shipped models.
        focus: the node (series, joint, vertex) to mark; default the page's first choice.
        run: the pipeline run folder (``pipeline`` only).
        progress: ``forecast`` only: called as ``progress(epoch, epochs)`` while training.

    Returns:
        A :class:`~nodescope.page_figures.PageFigures`.

    Raises:
        LoadError: another view, a sample of another kind, no shipped weights, a bad focus.

    Examples:
        >>> import nodescope
        >>> page = nodescope.draw_page("skeleton-walk", "lifting", focus=13)
        >>> list(page.figures)
        ['2d', '3d', 'hops', 'fusion', 'errors']
        >>> page.headings["hops"]
        'Where the left wrist looks'
    """
    from nodescope import page_figures as pf

    if view not in PAGE_VIEWS:
        raise LoadError(f"draw_page draws {', '.join(PAGE_VIEWS)}, not {view!r}.")
    if focus is not None and (not _is_int(focus) or focus < 0):
        raise LoadError(f"focus must be a node id (0 or more), not {focus!r}.")
    if model is not None and view != "lifting":
        raise LoadError(f"View {view!r} uses its shipped models; model does not apply.")
    if view == "panorama":
        room = pf.generated_room(obj)
        return pf.panorama_page(room if room is not None else _as_sample(obj), focus)
    s = _as_sample(obj)
    if view == "forecast":
        pf.require_kind(s, "timeseries", "graph-var")
        return pf.timeseries_page(s, pf.forecaster(s, progress), focus)
    if view == "lifting":
        return pf.skeleton_page(s, model or pf.SKELETON_MODELS[0], focus)
    if view == "simulation":
        return pf.mesh_page(s, focus)
    if run is None:
        raise LoadError("View 'pipeline' draws a saved run: run=DIR/<dataset>-gcnii-pipeline.")
    return pf.pipeline_page(s, Path(run), focus)


def show(
    obj: Sample | str | Path | Registration | SweepResult,
    view: str | None = None,
    *,
    model: NodeModel | str | None = None,
    focus: int | None = None,
    **options: Any,
) -> go.Figure | dict[str, go.Figure]:
    """The figures the app draws, as plotly figures (``fig.show()`` in a notebook, ``write_html``).

    Args:
        obj: a sample (or a source for :func:`load`), a :class:`Registration` from
            :func:`register`, or a sweep from :func:`oversmooth`.
        view: what to draw (default: ``graph`` for a sample, ``registration`` and
            ``oversmoothing`` for those results):

            - ``graph``: the Explorer's node-link view (nodes colored by class, else degree);
            - ``embedding``: the Explorer's PCA of the node features;
            - ``surface``: the 3D & sphere page: ``{"3d", "map"}`` (a mesh, cortex or panorama);
            - ``attention`` (needs ``model``): ``{"graph", "heads", "matrix", "importance"}``:
              edges weighted by the first layer's attention (mean over heads), every head
              around the focus node, the focus node's attention block, salience against
              causal importance; GraphGPS: ``{"graph", "heads", "importance"}`` of its global
              attention;
            - ``explanation`` (needs an X-Node ``model``): ``{"map", "contributions",
              "subgraph <method>"...}``: confidence of every node, the focus node's cue
              contributions, its neighborhood weighted by each explainer (``methods``
              option: default ``("xnode",)``; None for every explainer, as the app);
            - ``oversmoothing``: ``{"curves"}`` (and ``"accuracy"`` for a trained sweep): the
              shipped sweep of a built-in when there is one, else :func:`oversmooth` at
              initialization; options ``metric`` (default ``dirichlet``) and ``depth``
              (default the deepest);
            - ``registration``: ``{"moving", "fixed", "registered", "map"}`` colored by sulc;
            - ``forecast``, ``lifting``, ``simulation``, ``panorama``, ``pipeline``: the Time
              series, Skeletons, Meshes, Panoramas and Pipeline pages' figures
              (:func:`draw_page`; options ``run``, ``progress``).
        model: the model for ``attention`` and ``explanation``, or its registry key (the
            lifter for ``lifting``).
        focus: the node (moving vertex for ``registration``) to mark; the attention and
            explanation views otherwise pick the app's default (highest degree, least confident).
        options: view options named above.

    Returns:
        One plotly ``Figure`` (``graph``, ``embedding``) or a dict of them.

    Raises:
        LoadError: an unknown view, a view that needs what ``obj`` lacks (a model, 3D
            geometry), a bad focus.

    Examples:
        >>> import nodescope
        >>> s = nodescope.load("karate")
        >>> fig = nodescope.show(s)  # the Explorer's node-link view
        >>> type(fig).__name__
        'Figure'
        >>> sorted(nodescope.show(s, "attention", model="gat"))
        ['graph', 'heads', 'importance', 'matrix']
    """
    from nodescope.core.sweeps import SweepResult

    if isinstance(obj, Registration):
        view = view or "registration"
        if view != "registration":
            raise LoadError(f"A registration shows as view 'registration', not {view!r}.")
        return _show_registration(obj, focus)
    if isinstance(obj, SweepResult):
        view = view or "oversmoothing"
        if view != "oversmoothing":
            raise LoadError(f"A sweep shows as view 'oversmoothing', not {view!r}.")
        return _show_sweeps({"untrained" if not obj.config.trained else "trained": obj}, **options)
    view = view or "graph"
    if view not in VIEWS:
        raise LoadError(f"Unknown view {view!r}; choose one of {', '.join(VIEWS)}.")
    if view == "registration":
        raise LoadError("View 'registration' draws a registration: show(nodescope.register(...)).")
    if view in PAGE_VIEWS:
        return draw_page(obj, view, model=model, focus=focus, **options).figures  # type: ignore[arg-type]
    s = _as_sample(obj)
    node = _focus(focus, s.num_nodes)
    if view in ("attention", "explanation"):
        if model is None:
            raise LoadError(f"View {view!r} needs a model: show(sample, {view!r}, model=...).")
        network = _as_model(s, model)
        if view == "attention":
            return _show_attention(s, network, node)
        return _show_explanation(s, network, node, **options)
    if view == "graph":
        return _show_graph(s, node)
    if view == "embedding":
        return _show_embedding(s, node)
    if view == "surface":
        return _show_surface(s, node)
    return _show_sweeps(_sweeps_of(s), **options)


def _node_style(s: Sample, focus: int | None) -> dict[str, Any]:
    """The Explorer's first node styling: class colors (else degree), hover texts, the focus selected."""
    import numpy as np

    from nodescope.viz.node_style import color_options, hover_texts, node_colors

    degree = np.bincount(s.data.edge_index[0].numpy(), minlength=s.num_nodes)  # as app/components
    style = node_colors(s, color_options(s)[0], degree) | {"hover": hover_texts(s, degree)}
    return style | {"selected": () if focus is None else (focus,), "focus": focus}


def _layout(s: Sample) -> np.ndarray:
    from nodescope.viz.layout import graph_layout

    return graph_layout(s.data.edge_index.numpy(), s.num_nodes, seed=0)


def _show_graph(s: Sample, focus: int | None) -> go.Figure:
    from nodescope.viz.graph_view import edges_as_image, node_link_figure

    xy, ei = _layout(s), s.data.edge_index.numpy()
    return node_link_figure(xy, ei, edge_image=edges_as_image(xy, ei), title="Graph", **_node_style(s, focus))


def _show_embedding(s: Sample, focus: int | None) -> go.Figure:
    from nodescope.explain.embedding import pca_2d
    from nodescope.viz.embedding_view import embedding_figure

    return embedding_figure(pca_2d(s.data.x.numpy()), method="PCA", **_node_style(s, focus))


def _show_surface(s: Sample, focus: int | None) -> dict[str, go.Figure]:
    if s.data.get("pos") is None or s.faces is None:
        raise LoadError(f"{s.name} is a plain graph with no 3D geometry; view 'surface' needs a mesh.")
    import numpy as np

    from nodescope.core.geometry.sphere import xyz_to_latlon
    from nodescope.viz.surface_view import mesh_figure, sphere_map_figure

    surfaces = dict(s.surfaces) or {"surface": s.data.pos.numpy()}
    style: dict[str, Any] = {"selected": () if focus is None else (focus,), "focus": focus}
    image = s.image if s.kind == "panorama" else None
    if image is not None:  # the page's first coloring: the panorama's own colors
        style["vertex_colors"] = (s.data.x[:, :3].numpy() * 255).astype(np.uint8)
    elif s.feature_names:
        style["values"], style["color_title"] = s.data.x[:, 0].numpy(), s.feature_names[0]
    pos = s.data.pos.numpy()
    sph = s.data.sph.numpy() if s.is_spherical else xyz_to_latlon(pos - pos.mean(0)).astype(np.float32)
    scale: dict[str, Any] = {}  # a cortex: one color scale over both hemispheres, as the page draws it
    if s.kind == "cortex" and "values" in style:
        from nodescope.viz.limits import color_limits

        lo, hi, colorscale = color_limits(style["values"])
        scale = {"value_range": (lo, hi), "colorscale": colorscale, "vertex_names": s.node_names}
        if s.data.get("hemi") is not None:  # both hemispheres, from above: lh left, rh right
            from nodescope.viz.surface_view import PAIR_CAMERA

            scale["camera"] = PAIR_CAMERA
    return {
        "3d": mesh_figure(next(iter(surfaces.values())), s.faces, **style, **scale),
        "map": sphere_map_figure(sph, background_image=image, **style),
    }


def _show_attention(s: Sample, network: NodeModel, focus: int | None) -> dict[str, go.Figure]:
    from nodescope.explain.attention import aggregate_heads
    from nodescope.explain.attention_focus import focus_block, head_blocks
    from nodescope.explain.focus import default_focus, drawable_neighborhood
    from nodescope.explain.heads import head_table
    from nodescope.viz.attention_view import (
        attention_graph_figure,
        attention_matrix_figure,
        head_grid_figure,
        head_importance_figure,
    )

    found = attention(s, network, global_nodes=[])
    maps = found.maps
    if focus is None:
        focus = default_focus(s.data.edge_index, s.num_nodes)
    if not maps.layer_names:
        return _show_global_attention(s, network, found, focus)
    # The page's first choice: layer 1, the mean over its heads (its only head when it has one).
    weights = aggregate_heads(maps, 0, "mean") if maps.heads[0] > 1 else maps.alpha[0, 0]
    choice = f"{maps.layer_names[0]}, {'mean over heads' if maps.heads[0] > 1 else 'head 1'}"
    style = _node_style(s, focus)
    if s.num_nodes <= WHOLE_GRAPH_NODES:
        xy, edge_index, title = _layout(s), maps.edge_index, "Attention on edges"
        nodes, edge_weights = None, weights
    else:  # the focus node's widest neighborhood that stays drawable, laid out on its own
        from nodescope.viz.layout import graph_layout

        hood = drawable_neighborhood(maps.edge_index, focus, len(maps.heads), NEIGHBORHOOD_NODES, s.num_nodes)
        nodes, edge_index, edge_weights = hood.nodes, hood.edge_index, weights[hood.edge_ids]
        xy = graph_layout(edge_index, nodes.size, seed=0)
        title = f"Attention within {hood.hops} hop{'s' if hood.hops > 1 else ''} of node {focus} ({nodes.size} nodes)"
        style |= {
            "hover": [style["hover"][int(g)] for g in nodes],
            "selected": [hood.center],
            "focus": hood.center,
        }
        if "labels" in style:
            style["labels"] = style["labels"][nodes]
    style = {k: v for k, v in style.items() if k not in ("color", "color_title")}  # color: the attention
    block_nodes, block = focus_block(maps, weights, focus)
    table = head_table(found.heads, found.importance)
    return {
        "graph": attention_graph_figure(xy, edge_index, edge_weights, node_ids=nodes, title=title, **style),
        "heads": head_grid_figure(head_blocks(maps, focus), layer_names=maps.layer_names),
        "matrix": attention_matrix_figure(
            block,
            [s.node_label(int(v)) for v in block_nodes],
            title=f"{choice}: node {s.node_label(focus)}",
            node_ids=block_nodes,
        ),
        "importance": head_importance_figure(
            table["layer"].to_numpy() - 1,
            table["head"].to_numpy() - 1,
            table["salience"].to_numpy(),
            table["importance"].to_numpy(),
            salience_name="salience",
        ),
    }


def _show_global_attention(
    s: Sample, network: NodeModel, found: Attention, focus: int
) -> dict[str, go.Figure]:
    """GraphGPS's global attention as the Attention page draws it.

    The focus node's row (layer 1, mean over heads) on the graph, every head's row over the
    nodes it attends to most, and each head's importance.
    """
    import torch

    from nodescope.explain.global_focus import global_focus, global_row, global_strips
    from nodescope.viz.attention_view import head_grid_figure, head_label
    from nodescope.viz.global_attention_view import global_attention_figure, head_deviation_figure

    data = _prepared(network, s)
    with torch.no_grad():
        g = global_focus(network, network.eval()(data), data.edge_index, focus)
    blocks, columns, top = global_strips(g, GLOBAL_STRIP_NODES)
    style = _node_style(s, focus)
    return {
        "graph": global_attention_figure(
            _layout(s),
            s.data.edge_index.numpy(),
            global_row(g, 0, "mean"),
            num_nodes=s.num_nodes,
            focus=focus,
            title=f"Global attention of node {s.node_label(focus)} over all {s.num_nodes} nodes",
            hover=style["hover"],
            selected=[focus],
        ),
        "heads": head_grid_figure(
            blocks,
            layer_names=[head_label(i) for i in range(len(g.heads))],
            cell_px=44,
            zmax=top,
            value_name="× uniform",
            column_labels=[s.node_label(int(v)) for v in columns],
        ),
        "importance": head_deviation_figure(
            found.importance.deviation, g.layer_names, metric=found.importance.metric
        ),
    }


def _show_explanation(
    s: Sample, network: NodeModel, focus: int | None, *, methods: Sequence[str] | None = ("xnode",)
) -> dict[str, go.Figure]:
    from nodescope.core.models.xnode import XNode

    if not isinstance(network, XNode):
        raise LoadError(
            f"View 'explanation' explains X-Node models (xnode-gcn, xnode-gat, xnode-gin), not {network.config.model}."
        )
    import numpy as np

    from nodescope.explain.compare import compare_node
    from nodescope.explain.compare_tables import edge_scores
    from nodescope.explain.focus import default_focus, drawable_neighborhood
    from nodescope.explain.report import method_title
    from nodescope.explain.subgraph import hops_of
    from nodescope.explain.text import explain_node
    from nodescope.explain.xnode import analyse
    from nodescope.viz.explanation_view import contributions_figure, importance_subgraph_figure
    from nodescope.viz.graph_view import edges_as_image, node_link_figure
    from nodescope.viz.layout import graph_layout

    data = _prepared(network, s)
    result = analyse(network, data, class_names=s.label_names)
    if focus is None:  # the page's default: the least confident node
        focus = default_focus(data.edge_index, s.num_nodes, probs=result.probs)
    cues = explain_node(result, focus).cues
    style = _node_style(s, focus)
    xy, ei = _layout(s), s.data.edge_index.numpy()
    figures = {
        "map": node_link_figure(
            xy,
            ei,
            edge_image=edges_as_image(xy, ei),
            title="Every node (click one to explain it)",
            color=result.probs.max(1).values.numpy().astype(np.float64),
            color_title="confidence",
            colorscale="RdYlGn",
            hover=style["hover"],
            selected=style["selected"],
            focus=focus,
        ),
        "contributions": contributions_figure(
            cues["cue"].tolist(),
            cues["contribution"].to_numpy(),
            words=cues["short"].tolist(),
            hover=[f"{w}; value {v}" for w, v in zip(cues["words"], cues["shown"], strict=True)],
            title="What each cue contributes (probability points)",
        ),
    }
    comparison = compare_node(network, data, focus, methods=methods)
    hood = drawable_neighborhood(data.edge_index, focus, hops_of(network) or 2, SUBGRAPH_NODES, s.num_nodes)
    sub_xy = graph_layout(hood.edge_index, hood.nodes.size, seed=0)
    for method in comparison.attributions:
        figures[f"subgraph {method}"] = importance_subgraph_figure(
            sub_xy,
            hood.edge_index,
            edge_scores(comparison, method, hood.edge_ids),
            node_ids=hood.nodes,
            center=hood.center,
            hover=[style["hover"][int(g)] for g in hood.nodes],
            title=method_title(method),
            height=320,
            show_scale=False,
        )
    return figures


def _sweeps_of(s: Sample) -> dict[str, SweepResult]:
    """The shipped sweeps of ``s`` (when computed on this very graph), else one at initialization."""
    from nodescope.explain.batch_report import page_sweeps

    return page_sweeps(s)


def _show_sweeps(
    sweeps: dict[str, SweepResult], *, metric: str = "dirichlet", depth: int | None = None
) -> dict[str, go.Figure]:
    from nodescope.core.models import MODELS
    from nodescope.explain.oversmoothing import METRICS
    from nodescope.viz.oversmoothing_view import accuracy_depth_figure, metric_curves_figure

    if metric not in METRICS:
        raise LoadError(f"Unknown metric {metric!r}; choose one of {', '.join(METRICS)}.")
    sweep = sweeps.get("untrained") or sweeps["trained"]
    depths = sweep.config.depths
    if depth is None:
        depth = max(depths)
    if depth not in depths:
        raise LoadError(f"depth must be one of the sweep's depths {list(depths)}, not {depth!r}.")
    drawn = [m for m in DEFAULT_SWEEP_MODELS if m in sweep.config.models] or list(sweep.config.models)
    info = METRICS[metric]
    figures = {
        "curves": metric_curves_figure(
            {m: sweep.curve(m, depth, metric) for m in drawn},
            metric_title=info.title,
            names={m: MODELS[m].title for m in drawn},
            log_y=info.log_scale,
            title=f"{info.title}, models of depth {depth}",
        )
    }
    if "trained" in sweeps:
        trained = sweeps["trained"]
        accuracy = {m: trained.accuracy(m) for m in trained.config.models}
        figures["accuracy"] = accuracy_depth_figure(
            accuracy,
            names={m: MODELS[m].title for m in accuracy},
            title=f"Test accuracy vs depth ({trained.config.seeds} seed(s))",
        )
    return figures


def _show_registration(reg: Registration, focus: int | None) -> dict[str, go.Figure]:
    from nodescope.core.geometry.resample import landing
    from nodescope.core.registration.subjects import fixed_subject
    from nodescope.viz.registration_view import registration_map_figure, surface_figure

    moving, registered = reg.moving, reg.registered
    focus = _focus(focus, len(moving.sphere))  # a moving vertex
    fixed = fixed_subject(reg.fixed, reg.moving.hemi)
    land = landing(fixed.sphere, fixed.faces, registered[focus]) if focus is not None else None
    mark = (
        {}
        if land is None
        else {"landing": land.on(fixed.sphere, fixed.faces), "landing_vertex": land.nearest}
    )
    return {
        "moving": surface_figure(
            moving.sphere,
            moving.faces,
            values=moving.sulc,
            color_title="sulc",
            focus=focus,
            title=f"Moving: {moving.name}",
        ),
        "fixed": surface_figure(
            fixed.sphere,
            fixed.faces,
            values=fixed.sulc,
            color_title="sulc",
            title=f"Fixed: {fixed.name}",
            landing_label=f"{focus} lands here",
            **mark,
        ),
        "registered": surface_figure(
            registered,
            moving.faces,
            values=moving.sulc,
            color_title="sulc",
            focus=focus,
            title="Registered sphere",
        ),
        "map": registration_map_figure(
            registered,
            values=moving.sulc,
            color_title="sulc",
            focus=focus,
            native=moving.sphere,
            title="Moving vertices at their registered positions",
        ),
    }
