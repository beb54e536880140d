"""The newer pages' figures without Streamlit: Time series, Skeletons, Meshes, Panoramas, Pipeline.

Each builder takes what is already loaded (a :class:`~nodescope.core.sample.Sample`, a run
folder) and returns a :class:`PageFigures`: a line saying what was drawn, the figures in the
page's order and a heading for each. :func:`nodescope.show` draws them as views (``forecast``,
``lifting``, ``simulation``, ``panorama``, ``pipeline``); ``nodescope export`` and ``nodescope
report`` write them into standalone HTML. This module sits between the public API and the
analysis and figure layers (the import contract in pyproject.toml): it calls core, explain and
viz, and nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from nodescope.core.sample import Sample

#: The sample kinds drawn by a page here: their page's address and title.
KIND_PAGES = {
    "timeseries": ("timeseries", "Time series"),
    "skeleton": ("skeletons", "Skeletons"),
    "mesh": ("meshes", "Meshes"),
    "panorama": ("panoramas", "Panoramas"),
}
#: What those kinds' figures use (a skeleton takes a lifter, :data:`SKELETON_MODELS`).
KIND_MODELS = {
    "timeseries": "the shipped MTGNN forecaster",
    "mesh": "the shipped heat models (mesh transformer and MPNN)",
    "panorama": "the shipped spherical U-Net",
}
#: The lifters a skeleton's figures take (the shipped HopFIR draws the attention in any case).
SKELETON_MODELS = ("hopfir", "gcn", "mlp")
#: The joint the Skeletons figures focus without a focus (the page's first choice).
SKELETON_FOCUS = "left wrist"
#: The both-hemispheres overview is decimated to this many vertices (of the pair): the four
#: registration views before it already carry each hemisphere at full resolution.
OVERVIEW_VERTICES = 10_242


@dataclass(frozen=True)
class PageFigures:
    """What one page draws.

    Attributes:
        what: the sample (and model) drawn, in words.
        figures: the page's figures, in its order, keyed by a short name.
        headings: a heading for each figure key.
    """

    what: str
    figures: dict[str, go.Figure]
    headings: dict[str, str]


def require_kind(s: Sample, kind: str, example: str) -> Sample:
    """``s``, refused in one line unless it is a ``kind`` sample (``example``: a source that is)."""
    if s.kind != kind:
        article = "an" if kind[0] in "aeiou" else "a"
        raise LoadError(
            f"{s.name} is a {s.kind}, not {article} {kind.replace('timeseries', 'time series')} (try {example})."
        )
    return s


def _titled(figures: dict[str, go.Figure]) -> dict[str, str]:
    return {k: (f.layout.title.text or k) for k, f in figures.items()}


# ---------------------------------------------------------------- time series
def forecaster_cache(s: Sample) -> Path:
    """Where the app caches the forecaster it trains for ``s`` at the recipe's defaults (no suffix).

    The record is app/timeseries_data.py's, so the app and the command find each other's.
    """
    from nodescope.core.forecasting import recipe as rc
    from nodescope.core.forecasting.checkpoint import cache_path

    record = rc.recipe_record(s.num_nodes)
    return cache_path(s.fingerprint, record)


def forecaster(s: Sample, progress: Callable[[int, int], Any] | None = None) -> Any:
    """The Time series page's forecaster at the recipe's defaults: shipped, else the app's disk cache, else trained.

    A forecaster trained here goes into the same disk cache as one trained in the app (the same
    record, :func:`core.forecasting.checkpoint.cache_path`), so either finds the other's.

    Args:
        s: a time-series sample.
        progress: called as ``progress(epoch, epochs)`` while training (only when nothing fits).
    """
    from nodescope.core.forecasting import (
        fit_forecaster,
        forecaster_record,
        load_forecaster,
        matching_shipped,
        save_forecaster,
    )
    from nodescope.core.forecasting import recipe as rc

    path = matching_shipped(s, window=rc.WINDOW, horizon=rc.HORIZON, layers=rc.LAYERS)
    if path is not None:
        return load_forecaster(Path(path))[0]
    cached = forecaster_cache(s)
    if cached.with_suffix(".json").is_file():
        return load_forecaster(cached)[0]
    result, data = fit_forecaster(
        s,
        epochs=rc.EPOCHS,
        progress=None if progress is None else lambda epoch, total, row: progress(epoch, total),
    )
    settings = rc.recipe_record(s.num_nodes)["settings"]
    save_forecaster(result.model, cached, forecaster_record(s, data, settings, scores=result.scores))
    return result.model


def timeseries_page(s: Sample, net: Any, focus: int | None) -> PageFigures:
    """The learned graph, its adjacency and the focus series' forecast (default series 0), as the page draws them."""
    import numpy as np

    from nodescope.core.forecasting import forecast_data, predict
    from nodescope.core.forecasting import recipe as rc
    from nodescope.core.forecasting.metrics import series_errors
    from nodescope.core.graph import adjacency_edges
    from nodescope.viz.layout import graph_layout
    from nodescope.viz.timeseries_view import adjacency_heatmap_figure, forecast_figure, learned_graph_figure

    require_kind(s, "timeseries", "graph-var")
    data = forecast_data(s, rc.WINDOW, rc.HORIZON)
    names = s.node_names or [f"series {j}" for j in range(s.num_nodes)]
    node = 0 if focus is None else focus
    if not 0 <= node < s.num_nodes:
        raise LoadError(f"--focus {node} is not a series here (0..{s.num_nodes - 1}).")
    adjacency = net.adjacency().detach().cpu().numpy()
    edge_index, _ = adjacency_edges(adjacency)
    rows = data.targets["test"]
    forecast = predict(net, data, "test")
    truth = data.truth(rows) * data.scale
    errors = series_errors(forecast, truth)
    steps = s.time if s.time is not None else np.arange(s.data.x.shape[1])
    tail = max(0, int(rows[0]) - 2 * rc.WINDOW)
    figures = {
        "graph": learned_graph_figure(
            graph_layout(edge_index, s.num_nodes, seed=0), edge_index, names, values=errors["rse"],
            value_title="test RSE", title=f"Learned graph ({edge_index.shape[1]} edges), colored by test RSE",
            selected=[node], focus=node,
        ),
        "adjacency": adjacency_heatmap_figure(adjacency, names, focus=node, title="Learned adjacency (row = incoming)"),
        "forecast": forecast_figure(
            steps[tail:], s.data.x[node, tail:].numpy(), steps[rows], forecast[:, node],
            forecast[:, node] - truth[:, node], name=names[node], test_start=steps[rows[0]],
            title=f"{names[node]}: test-split forecasts, {rc.HORIZON} step(s) ahead",
        ),
    }  # fmt: skip
    headings = {
        "graph": "Learned graph",
        "adjacency": "Learned adjacency",
        "forecast": f"Series {names[node]}",
    }
    return PageFigures(s.name, figures, headings)


# ---------------------------------------------------------------- skeletons
def skeleton_page(s: Sample, model: str, focus: int | None) -> PageFigures:
    """Frame 0 of a skeleton clip lifted by a shipped ``model``, its errors, and HopFIR's attention from the focus joint."""
    from nodescope.core.models.lifting import TITLES as LIFTER_TITLES
    from nodescope.core.models.lifting import load_lifter, shipped_lifter
    from nodescope.core.skeleton.joints import JOINT_NAMES
    from nodescope.core.skeleton.scene import lifting_view
    from nodescope.explain.lifting import hop_attention, lift_clip
    from nodescope.viz.skeleton_view import (
        error_curve_figure,
        fusion_bars_figure,
        pose_2d_figure,
        pose_3d_figure,
        skeleton_weights_figure,
    )

    require_kind(s, "skeleton", "skeleton-walk")
    key = model
    paths = {k: shipped_lifter(k) for k in ("hopfir", key)}
    if paths[key] is None or paths["hopfir"] is None:
        raise LoadError(
            f"No shipped lifting weights for {key} (hopfir, gcn or mlp; nodescope train skeleton)."
        )
    joint = JOINT_NAMES.index(SKELETON_FOCUS) if focus is None else focus
    if not 0 <= joint < len(JOINT_NAMES):
        raise LoadError(f"--focus {joint} is not a joint (0..{len(JOINT_NAMES) - 1}).")
    view = lifting_view(s)
    lifter, hopfir = load_lifter(paths[key])[0], load_lifter(paths["hopfir"])[0]
    clip = lift_clip(lifter, view)
    errors = None if clip.errors is None else clip.errors[0]
    w = hop_attention(hopfir, view.keypoints_2d[0], view, joint, -1)  # type: ignore[arg-type]
    heads, name = w.attention.shape[0], JOINT_NAMES[joint]
    figures = {
        "2d": pose_2d_figure(view.keypoints_2d[0], view.image_size, errors=errors, focus=joint,
                             window=(*view.keypoints_2d.min((0, 1)), *view.keypoints_2d.max((0, 1))),
                             title=f"2D input, frame 0 (focal {view.focal:.0f} px)"),
        "3d": pose_3d_figure(clip.pred_3d[0], None if clip.truth_3d is None else clip.truth_3d[0], errors=errors,
                             focus=joint, title=f"3D: {LIFTER_TITLES[key]} beside the truth (gray)"),
        "hops": skeleton_weights_figure(
            view.keypoints_2d[0], joint, w.attention.reshape(heads * len(w.hops), -1),
            [f"hop {k}" if h == 0 else "" for h in range(heads) for k in w.hops], cols=len(w.hops),
            row_titles=[f"head {h + 1}" for h in range(heads)],
            title=f"HopFIR layer {w.layer + 1}: attention from the {name}, per head and hop",
        ),
        "fusion": fusion_bars_figure(w.fusion, w.hops.tolist(), title=f"Fusion across hops ({name})"),
    }  # fmt: skip
    if clip.per_frame is not None and len(clip.per_frame) > 1:
        figures["errors"] = error_curve_figure(
            clip.per_frame, frame=0, frame_rate=s.frame_rate, joint_errors=clip.errors[:, joint],  # type: ignore[index]
            joint_name=name, title="Error over the clip",
        )  # fmt: skip
    headings = {
        "2d": "2D input",
        "3d": "3D prediction",
        "hops": f"Where the {name} looks",
        "fusion": "Fusion",
        "errors": "Error over the clip",
    }
    return PageFigures(s.name, figures, headings)


# ---------------------------------------------------------------- panoramas
def generated_room(source: object) -> tuple[str, int] | None:
    """``("test", 3)`` for the source ``test:3`` (``ood:SEED`` alike), None for any other source.

    Raises:
        LoadError: ``test:`` or ``ood:`` followed by something other than a whole number.
    """
    if not isinstance(source, str):
        return None
    split, _, seed = source.partition(":")
    if split not in ("test", "ood") or not seed:
        return None
    if not seed.isdigit():
        raise LoadError(f"{split}:SEED takes a whole number, not '{seed}'.")
    return split, int(seed)


def panorama_page(target: Sample | tuple[str, int], focus: int | None) -> PageFigures:
    """The shipped spherical U-Net on a generated room (``(split, seed)``, :func:`generated_room`) or a panorama."""
    from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
    from nodescope.core.models.panorama.single import DEFAULT_CAMERA_HEIGHT_M, predict_image, predict_room
    from nodescope.viz.panorama_view import panorama_figures

    path = shipped_panorama()
    if path is None:
        raise LoadError("No shipped spherical U-Net (python examples/train_panorama.py --ship).")
    net = load_panorama(path)[0]
    if isinstance(target, tuple):
        split, seed = target
        name, result = f"generated {split} room {seed}", predict_room(net, seed, split)
    else:
        if target.kind != "panorama" or target.image is None:
            raise LoadError(f"{target.name} is a {target.kind}, not a panorama (try test:0 or room).")
        name, result = target.name, predict_image(net, target.image, DEFAULT_CAMERA_HEIGHT_M)  # as the page
    if focus is not None and focus >= len(result.directions):
        raise LoadError(f"--focus {focus} is not a vertex (0..{len(result.directions) - 1}).")
    figures = panorama_figures(result, focus=focus)
    return PageFigures(name, figures, _titled(figures))


# ---------------------------------------------------------------- meshes
def mesh_page(s: Sample, focus: int | None) -> PageFigures:
    """Heat on a mesh beside the shipped models' rollouts (as the page first shows it), and the ring."""
    from nodescope.core.models.mesh import MESH_MODELS, load_mesh_model, shipped_mesh_model
    from nodescope.core.models.mesh import TITLES as MESH_TITLES
    from nodescope.core.simulation import prepare_mesh
    from nodescope.explain.mesh_rollout import (
        DEFAULT_STEPS,
        NO_CHANGE,
        SHOWN_STEP,
        heat_attention,
        ring_attention,
        roll_out_heat,
    )
    from nodescope.viz.mesh_simulation_view import ring_attention_figure, simulation_figures

    require_kind(s, "mesh", "ant")
    paths = {k: shipped_mesh_model(k, "heat") for k in MESH_MODELS}
    if None in paths.values():
        raise LoadError("No shipped heat mesh models (nodescope train mesh --ship).")
    models = {k: load_mesh_model(p)[0] for k, p in paths.items()}  # type: ignore[arg-type]
    mesh = prepare_mesh(s.data.pos.numpy(), s.faces, name=s.name)
    run = roll_out_heat(mesh, models, steps=DEFAULT_STEPS, seed=0)
    if focus is not None and focus >= len(run.pos):
        raise LoadError(f"--focus {focus} is not a vertex (0..{len(run.pos) - 1}).")
    vertex = run.start_vertex if focus is None else focus
    errors = {MESH_TITLES.get(k, k): e for k, e in run.errors().items()}
    first = next(iter(models))
    figures = simulation_figures(
        run.pos, run.faces, run.truth, {MESH_TITLES[k]: run.predictions[k] for k in models}, errors,
        dt=run.dt, step=SHOWN_STEP, vertex=vertex, error_of=MESH_TITLES[first], baselines=(NO_CHANGE,),
    )  # fmt: skip
    physics = heat_attention(models["mesh-transformer"], run, SHOWN_STEP)
    ring = ring_attention(physics, run.pos, vertex)
    figures["ring"] = ring_attention_figure(
        ring.xy, ring.attention, ring.cotangent, ring.neighbors, rho=physics.rho,
        title=f"First-layer attention from vertex {vertex} over its {len(ring.neighbors)} neighbors",
    )  # fmt: skip
    return PageFigures(s.name, figures, _titled(figures))


# ---------------------------------------------------------------- pipeline
def pipeline_page(s: Sample, run_dir: Path, focus: int | None) -> PageFigures:
    """A saved pipeline run as the Pipeline page draws it: Gantt, memory, staleness, curves, chunks."""
    from nodescope.explain.pipeline_report import run_from_folder
    from nodescope.viz.graph_view import node_link_figure
    from nodescope.viz.layout import graph_layout
    from nodescope.viz.oversmoothing_view import metric_curves_figure
    from nodescope.viz.pipeline_view import (
        gantt_figure,
        stage_memory_figure,
        staleness_figure,
        training_curves_figure,
    )

    if s.data.get("y") is None:
        raise LoadError(
            f"{s.name} has no node labels: a pipeline run trains on a labeled graph (karate, cora…)."
        )
    if focus is not None and focus >= s.num_nodes:
        raise LoadError(f"--focus {focus} is not a node (0..{s.num_nodes - 1}).")
    run = run_from_folder(s, run_dir)
    edges = s.data.edge_index.numpy()
    figures = {}
    if run.timeline:  # a run that died before its workers' reports has its history alone
        last = max(int(e[0]) for e in run.timeline)
        figures["gantt"] = gantt_figure(
            run.timeline, last, stages=run.stages, title=f"Epoch {last}: stages × time"
        )
        summary = run.summary
        figures["memory"] = stage_memory_figure(
            summary["peak_rss_mb"], summary["cache_mb"], title="Peak memory per stage"
        )
    if run.staleness:
        figures["staleness"] = staleness_figure(run.staleness, title="Staleness of the historical embeddings")
    figures["curves"] = training_curves_figure(run.history, title="Accuracy and loss")
    figures["energy"] = metric_curves_figure(
        {"gcnii": run.energy}, metric_title="Dirichlet energy", names={"gcnii": f"GCNII-{run.depth}, trained"},
        log_y=True, title="Dirichlet energy per layer",
    )  # fmt: skip
    figures["chunks"] = node_link_figure(
        graph_layout(edges, s.num_nodes, seed=0), edges, title=f"Colored by chunk ({run.chunks})",
        labels=run.part, label_names=[f"chunk {c}" for c in range(run.chunks)],
        selected=[] if focus is None else [focus], focus=focus,
    )  # fmt: skip
    what = f"{s.name}, GCNII-{run.depth}, {run.stages} stage(s) × {run.chunks} chunks ({run.origin})"
    return PageFigures(what, figures, _titled(figures))


# ---------------------------------------------------------------- both hemispheres
def both_hemispheres_overview(moving: Any, other: Any, focus: int | None) -> go.Figure:
    """A subject's two hemispheres in one view, as the registration page's "Both hemispheres" draws them.

    Decimated to :data:`OVERVIEW_VERTICES` vertices; sulc on one scale; ``focus`` a vertex of ``moving``.
    """
    import plotly.graph_objects as go

    from nodescope.viz.export_html import compact_figure
    from nodescope.viz.registration_view import hemispheres_figure

    lh, rh = (moving, other) if moving.hemi == "lh" else (other, moving)
    surface = next((k for k in ("inflated", "smoothwm") if k in lh.surfaces and k in rh.surfaces), "sphere")
    fig = hemispheres_figure(
        (lh.surfaces[surface], lh.faces), (rh.surfaces[surface], rh.faces), values=(lh.sulc, rh.sulc),
        color_title="sulc", focus=None if focus is None else (moving.hemi, focus),
        title=f"{lh.name} | {rh.name} ({surface})",
    )  # fmt: skip
    return go.Figure(compact_figure(fig, max_mesh_vertices=OVERVIEW_VERTICES))
