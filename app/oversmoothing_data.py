"""What the Over-smoothing page computes and caches.

The sweeps (shipped or recomputed here) and, for one model at one depth, its layer-by-layer
representations and the views derived from them.

Sweeps computed here live in the session (and in :mod:`core.sweeps`'s disk cache); results of one
model are cached by the sample's fingerprint, the model key and the depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch
from torch import Tensor
from torch_geometric.data import Data

from nodescope.core.checkpoint import dataset_key
from nodescope.core.device import device
from nodescope.core.models import MODELS, ModelConfig, NodeModel, build
from nodescope.core.recipes import sweep_recipe
from nodescope.core.sample import Sample
from nodescope.core.sweeps import SweepConfig, SweepResult, run_sweep, shipped_sweeps
from nodescope.core.training import seed_everything, train, with_split
from nodescope.explain.defaults import DEFAULT_SWEEP_DEPTHS, DEFAULT_SWEEP_MODELS
from nodescope.explain.embedding import umap_2d
from nodescope.explain.influence import influence_per_hop
from nodescope.explain.oversmoothing import (
    centroid_contrast,
    distance_matrix,
    layer_pca,
    measure_for,
    own_centroid_distance,
)

#: Depths offered (the shipped sweeps' depths).
DEPTHS = DEFAULT_SWEEP_DEPTHS
#: Models drawn first on the curves, when the sweep has them.
DEFAULT_CURVES = DEFAULT_SWEEP_MODELS
#: Models a live sweep offers: those built for any depth (core.models.deep, plus gcn and gat).
SWEEP_MODELS = (
    "gcn", "gat", "sage", "gcn-plain", "gcn-res", "gcn-jk", "gcn-pairnorm", "gcn-dropedge",
    "gcnii", "appnp", "dagnn", "dgmlp",
)  # fmt: skip
#: Heat map size: at most this many nodes (the selection first, then a fixed sample).
HEATMAP_NODES = 120
#: Influence bars stop at this many hops (or the depth, when smaller).
MAX_HOPS = 16
UNTRAINED, TRAINED = "untrained", "trained"
_LIVE = "os_live_sweeps"  # session: {(fingerprint, kind): SweepResult}
_TRAINED_PROBES = "os_trained_probes"  # session: {(fingerprint, key, depth): (model, test accuracy)}


def sweeps(s: Sample, fp: str) -> dict[str, tuple[SweepResult, str]]:
    """``{"untrained" | "trained": (result, origin)}``; origin is "shipped" or "computed here".

    A sweep computed in this session replaces the shipped one of its kind; shipped sweeps count
    only when they were computed on this very graph (same content fingerprint).
    """
    out = {kind: (result, "shipped") for kind, result in shipped_sweeps(s).items()}
    live = st.session_state.get(_LIVE, {})
    for kind in (UNTRAINED, TRAINED):
        if (fp, kind) in live:
            out[kind] = (live[(fp, kind)], "computed here")
    return out


def run_live(s: Sample, fp: str, models: list[str], depths: list[int], trained: bool) -> None:
    """Run a sweep on the loaded sample with a progress bar and a Stop button, keep it, rerun.

    A click on Stop (or any widget) reruns the page; Streamlit stops this run at its next
    progress update, so a stopped sweep leaves nothing behind (the disk cache only keeps
    finished sweeps).
    """
    config = SweepConfig(dataset_key(s), tuple(models), tuple(depths), trained=trained)
    bar = st.progress(0.0, text="Starting the sweep…")
    st.button("Stop", key="os_stop")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    result = run_sweep(config, measure_for, sample=s, progress=progress)
    bar.empty()
    st.session_state.setdefault(_LIVE, {})[(fp, TRAINED if trained else UNTRAINED)] = result
    st.rerun()


def names(keys: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Model key -> its title in the registry."""
    return {k: MODELS[k].title for k in keys}


# ------------------------------------------------------------------------- one model, every layer
@dataclass(frozen=True)
class Probe:
    """One model at one depth: at initialization (seed 0, as run 0 of an untrained sweep) or trained here.

    Attributes:
        key, depth: registry key and depth (``ModelConfig.layers``).
        model: the network, eval mode, on :func:`core.device.device`.
        data: the sample's graph prepared for it, on the same device.
        hidden: depth + 1 representations (N, D_k) on the CPU; entry k after layer k.
    """

    key: str
    depth: int
    model: NodeModel
    data: Data
    hidden: list[Tensor]


def _config(s: Sample, key: str, depth: int) -> ModelConfig:
    """The config of ``key`` at ``depth`` in a sweep of ``s`` (:func:`core.recipes.sweep_recipe`)."""
    return sweep_recipe(key, s, depth)[0]


def trained_here(fp: str, key: str, depth: int) -> tuple[NodeModel, float] | None:
    """(model, test accuracy) of ``key`` at ``depth`` trained in this session on this sample, if any."""
    return st.session_state.get(_TRAINED_PROBES, {}).get((fp, key, depth))


def train_probe(s: Sample, fp: str, key: str, depth: int) -> None:
    """Train ``key`` at ``depth`` as run 0 of a trained sweep does, keep it and rerun the page.

    The recipe is :func:`core.recipes.sweep_recipe` with the sweep's default epochs and patience.
    A progress bar shows and a Cancel button stops the run (a click reruns the page).
    """
    sweep = SweepConfig(dataset_key(s), (key,), (depth,), trained=True)
    config, settings = sweep_recipe(key, s, depth, hidden=sweep.hidden, **sweep.train_settings(0))
    bar = st.progress(0.0, text="Training…")
    st.button("Cancel training", key="os_cancel_training")

    def progress(epoch: int, total: int, row: dict[str, float]) -> None:
        bar.progress(epoch / total, text=f"epoch {epoch}: validation accuracy {row['val_acc']:.1%}")

    result = train(config, with_split(s.data, seed=0), settings, progress=progress)
    bar.empty()
    st.session_state.setdefault(_TRAINED_PROBES, {})[(fp, key, depth)] = (result.model, result.test_acc)
    st.rerun()


@st.cache_resource(show_spinner="Running the model…", max_entries=3)
def probe(fp: str, key: str, depth: int, origin: str, _s: Sample, _model: NodeModel | None = None) -> Probe:
    """The layer-by-layer representations of ``_model``, or of a fresh model when it is None.

    ``_model`` was trained here and ``origin`` identifies it in the cache key, which every session
    shares; a fresh model is initialized with seed 0.
    """
    data = _s.data
    if _model is None:
        seed_everything(0)
        _model = build(_config(_s, key, depth))
    model = _model.to(device()).eval()
    prepared = model.prepare(data).to(device())
    with torch.no_grad():
        hidden = [h.detach().to("cpu", torch.float32) for h in model(prepared).hidden]
    return Probe(key, depth, model, prepared, hidden)


@st.cache_data(show_spinner="Projecting every layer…", max_entries=8)
def embeddings(fp: str, key: str, depth: int, _p: Probe) -> np.ndarray:
    """(depth + 1, N, 2) :func:`explain.oversmoothing.layer_pca` of the probe's layers."""
    return layer_pca(_p.hidden)


_UMAPS = "os_umaps"  # session: {(fingerprint, key, depth, probe tag, layer): (N, 2) UMAP}


def layer_umap(fp: str, key: str, depth: int, tag: str, layer: int) -> np.ndarray | None:
    """The UMAP of one layer computed in this session (see :func:`compute_layer_umap`), or None."""
    return st.session_state.get(_UMAPS, {}).get((fp, key, depth, tag, layer))


def compute_layer_umap(fp: str, key: str, depth: int, tag: str, layer: int, p: Probe) -> None:
    """UMAP of the probe's layer ``layer`` with a progress bar, kept for this session."""
    bar = st.progress(0.0, text="UMAP: starting…")
    coords = umap_2d(
        p.hidden[layer].numpy(), on_progress=lambda f, msg: bar.progress(min(f, 1.0), text=f"UMAP: {msg}")
    )
    bar.empty()
    st.session_state.setdefault(_UMAPS, {})[(fp, key, depth, tag, layer)] = coords


#: Node-link colorings: label -> (kind for viz.oversmoothing_view.centroid_graph_figure, caption).
COLORINGS = {
    "own vs nearest other class": (
        "contrast",
        "Blue: nearer its own class centroid than any other; white: as near another class's; red: nearer "
        "another class's.",
    ),
    "distance to own class": (
        "distance",
        "Distance to its own class centroid in units of the layer's root-mean-square node norm; dark: the "
        "class has collapsed onto one point.",
    ),
}


@st.cache_data(show_spinner=False, max_entries=64)
def centroid_values(
    fp: str, key: str, depth: int, layer: int, kind: str, _p: Probe, _y: Tensor
) -> np.ndarray:
    """(N,) per-node centroid measure of the representations at ``layer``.

    :func:`explain.oversmoothing.centroid_contrast` when ``kind`` is "contrast",
    :func:`explain.oversmoothing.own_centroid_distance` when it is "distance".
    """
    fn = centroid_contrast if kind == "contrast" else own_centroid_distance
    return fn(_p.hidden[layer], _y)


@st.cache_data(show_spinner=False, max_entries=64)
def distances(fp: str, key: str, depth: int, layer: int, nodes: tuple[int, ...], _p: Probe) -> np.ndarray:
    """(n, n) cosine distances (MAD's) between ``nodes`` at ``layer``."""
    return distance_matrix(_p.hidden[layer], torch.tensor(nodes, dtype=torch.long))


@st.cache_data(show_spinner="Differentiating the focus node's output…", max_entries=32)
def influence(fp: str, key: str, depth: int, focus: int, _p: Probe) -> np.ndarray:
    """(H + 1,) share of ``focus``'s Jacobian influence per hop, H = min(depth, MAX_HOPS)."""
    return influence_per_hop(_p.model, _p.data, focus, min(depth, MAX_HOPS))
