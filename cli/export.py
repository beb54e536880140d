"""``nodescope export PAGE --source NAME [--model KEY] [--focus N] --out report.html``.

Writes one self-contained HTML file with a page's main figures, as the app's "Download as HTML"
button does: plotly.js inlined (no network needed to open it), every figure interactive, the
focus node marked, and each figure's "Save SVG" / "Save PNG" buttons (publication preset) working
offline. PAGE is the app's address of the page: ``explorer``, ``geometry``, ``attention``,
``explanations``, ``oversmoothing``, ``registration``, ``timeseries``, ``skeletons``, ``panoramas``
or ``meshes``; ``pipeline`` draws a run of ``nodescope train --model gcnii --stages … --out DIR``
from its run folder, ``--run DIR/<dataset>-gcnii-pipeline`` (its checkpoint and worker reports;
:func:`explain.pipeline_report.run_from_folder`), on the sample ``--source`` names.

The figures are :func:`nodescope.show`'s (the app's views, drawn without Streamlit); the Time
series page's are drawn here from the shipped forecaster. ``--source`` names the sample (a
built-in, ``cora``/``citeseer``, a file); for ``registration`` it names the moving hemisphere:
``synthetic`` (fsaverage5 warped, seed 0, as the page's first choice), ``synthetic:SEED``, or what
:func:`nodescope.register` reads (a FreeSurfer subject folder, a sphere file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    from nodescope.viz.export_html import Block

#: The app's page addresses this command exports, and the model each uses by default.
PAGES = (
    "explorer", "geometry", "attention", "explanations", "oversmoothing", "registration", "timeseries", "skeletons",
    "panoramas", "meshes",
)  # fmt: skip
#: App pages that draw a saved run (``--run``), and the one line that refuses them without one.
NEEDS_RUN = {
    "pipeline": (
        "export pipeline draws a saved run: --run DIR/<dataset>-gcnii-pipeline, the run folder of "
        "nodescope train --model gcnii --stages 2 --chunks 4 --out DIR (or the page's 'Download as HTML')."
    ),
}
DEFAULT_MODELS = {"attention": "gat", "explanations": "xnode-gcn", "skeletons": "hopfir"}
TITLES = {
    "explorer": "Explorer",
    "geometry": "3D & sphere",
    "attention": "Attention",
    "explanations": "Explanations",
    "oversmoothing": "Over-smoothing",
    "registration": "Cortical registration",
    "timeseries": "Time series",
    "skeletons": "Skeletons",
    "panoramas": "Panoramas",
    "meshes": "Meshes",
    "pipeline": "Pipeline",
}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("export", help="one page's figures as a standalone offline HTML file")
    p.add_argument("page", help=f"the page: {', '.join((*PAGES, *NEEDS_RUN))}")
    p.add_argument(
        "--source", required=True, help="the sample (karate, cora, a file...); registration: synthetic"
    )
    p.add_argument("--model", help="attention: gat (default), gatv2...; explanations: xnode-gcn (default)...")
    p.add_argument("--focus", type=int, help="the node (series, moving vertex) to focus and mark")
    p.add_argument(
        "--run",
        type=Path,
        help="pipeline: the run folder (DIR/<dataset>-gcnii-pipeline of nodescope train --stages)",
    )
    p.add_argument("--out", type=Path, required=True, help="the .html file to write")
    p.set_defaults(func=run)


def _load_kind(source: str, kind: str, example: str) -> Any:
    """The sample ``source`` names, refused in one line unless it is a ``kind`` (``example``: one that is)."""
    import nodescope

    s = nodescope.load(source)
    if s.kind != kind:
        article = "an" if kind[0] in "aeiou" else "a"
        raise LoadError(
            f"{s.name} is a {s.kind}, not {article} {kind.replace('timeseries', 'time series')} (try {example})."
        )
    return s


def _blocks(figures: dict[str, Any], headings: dict[str, str]) -> list[Block]:
    from nodescope.viz.export_html import Block

    return [Block(heading=headings.get(k, k.capitalize()), figure=f) for k, f in figures.items()]


def _explorer(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    figures = {
        "graph": nodescope.show(s, "graph", focus=focus),
        "embedding": nodescope.show(s, "embedding", focus=focus),
    }
    return s.name, _blocks(figures, {"graph": "Graph", "embedding": "Embedding (PCA of the node features)"})


def _geometry(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    figures = nodescope.show(s, "surface", focus=focus)
    if s.kind == "cortex":  # both hemispheres in one view where the other one exists
        from nodescope.core.loaders.hemispheres import both_hemispheres, is_pair, other_hemisphere

        other, real = other_hemisphere(s) if not is_pair(s) else (None, False)
        if real:
            figures["both"] = nodescope.show(both_hemispheres(s, other), "surface")["3d"]
    headings = {"3d": "3D", "map": "Longitude/latitude map", "both": "Both hemispheres (lh left, rh right)"}
    return s.name, _blocks(figures, headings)


def _attention(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    key = model or DEFAULT_MODELS["attention"]
    figures = nodescope.show(s, "attention", model=key, focus=focus)
    headings = {
        "graph": "Attention on edges (layer 1, mean over heads)",
        "heads": "Every head around the focus node",
        "matrix": "The focus node's attention block",
        "importance": "Attention salience vs causal importance",
    }
    return f"{s.name}, {key}", _blocks(figures, headings)


def _explanations(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    key = model or DEFAULT_MODELS["explanations"]
    figures = nodescope.show(s, "explanation", model=key, focus=focus)
    headings = {"map": "Every node, colored by confidence", "contributions": "What each cue contributes"}
    return f"{s.name}, {key}", _blocks(figures, headings)


def _oversmoothing(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    figures = nodescope.show(s, "oversmoothing")
    return s.name, _blocks(
        figures, {"curves": "Dirichlet energy layer by layer", "accuracy": "Accuracy vs depth"}
    )


def _registration(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope
    from nodescope.core.registration.subjects import fixed_subject, synthetic

    moving: Any = source
    other = None  # the moving subject's other hemisphere, where there is one
    if source == "synthetic" or source.startswith("synthetic:"):
        seed = source.partition(":")[2] or "0"
        if not seed.isdigit():
            raise LoadError(f"synthetic:SEED takes a whole number, not '{seed}'.")
        moving = synthetic(int(seed), atlas=fixed_subject("fsaverage5"))
        other = synthetic(int(seed), atlas=fixed_subject("fsaverage5", "rh"))
    reg = nodescope.register(moving)
    figures = nodescope.show(reg, focus=focus)
    if other is None and Path(source).is_dir():
        from nodescope.core.registration.io import read_subject_dir

        try:
            other = read_subject_dir(source, "rh" if reg.moving.hemi == "lh" else "lh")
        except LoadError:
            other = None  # one hemisphere only (the reference subject has lh only)
    if other is not None:
        figures["both"] = _both_figure(reg.moving, other, focus)
    headings = {
        "moving": "Moving sphere",
        "fixed": "Fixed sphere (fsaverage5)",
        "registered": "Registered sphere",
        "map": "Moving vertices at their registered positions",
        "both": "Both hemispheres of the moving subject (lh left, rh right), sulc on one scale; "
        f"at most {OVERVIEW_VERTICES:,} vertices",
    }
    return reg.moving.name, _blocks(figures, headings)


#: The registration file's both-hemispheres overview is decimated to this many vertices (of the
#: pair): the four views before it already carry each hemisphere at full resolution.
OVERVIEW_VERTICES = 10_242


def _both_figure(moving: Any, other: Any, focus: int | None) -> Any:
    """The moving subject's two hemispheres in one view, as the page's "Both hemispheres" draws them."""
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


def forecaster_cache(s: Any) -> Path:
    """Where the app caches the forecaster it trains for ``s`` at the recipe's defaults (no suffix).

    The record is app/timeseries_data.py's, so the app and this command find each other's.
    """
    from nodescope.core.forecasting import recipe as rc
    from nodescope.core.forecasting.checkpoint import cache_path

    record = rc.recipe_record(s.num_nodes)
    return cache_path(s.fingerprint, record)


def _forecaster(s: Any) -> Any:
    """The Time series page's forecaster at the recipe's defaults: shipped, else the app's disk cache, else trained.

    A forecaster trained here goes into the same disk cache as one trained in the app (the same
    record, :func:`core.forecasting.checkpoint.cache_path`), so either finds the other's.
    """
    from nodescope.cli.progress import Bar
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
    with Bar(f"No shipped forecaster for {s.name}: training MTGNN", unit="epoch") as bar:
        result, data = fit_forecaster(
            s, epochs=rc.EPOCHS, progress=lambda epoch, total, row: bar.on_count(epoch, total)
        )
    settings = rc.recipe_record(s.num_nodes)["settings"]
    save_forecaster(result.model, cached, forecaster_record(s, data, settings, scores=result.scores))
    return result.model


def _timeseries(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    """The learned graph, its adjacency and the focus series' forecast, as the Time series page draws them."""
    import numpy as np

    from nodescope.core.forecasting import forecast_data, predict
    from nodescope.core.forecasting import recipe as rc
    from nodescope.core.forecasting.metrics import series_errors
    from nodescope.core.graph import adjacency_edges
    from nodescope.viz.layout import graph_layout
    from nodescope.viz.timeseries_view import adjacency_heatmap_figure, forecast_figure, learned_graph_figure

    s = _load_kind(source, "timeseries", "graph-var")
    net = _forecaster(s)
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
    return s.name, _blocks(figures, headings)


def _skeletons(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    """Frame 0 of a skeleton clip lifted by a shipped model, its errors, and HopFIR's attention from the focus joint."""
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

    s = _load_kind(source, "skeleton", "skeleton-walk")
    key = model or DEFAULT_MODELS["skeletons"]
    paths = {k: shipped_lifter(k) for k in ("hopfir", key)}
    if paths[key] is None or paths["hopfir"] is None:
        raise LoadError(
            f"No shipped lifting weights for {key} (hopfir, gcn or mlp; nodescope train skeleton)."
        )
    joint = JOINT_NAMES.index("left wrist") if focus is None else focus
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
    }
    return s.name, _blocks(figures, headings | {"errors": "Error over the clip"})


def _panoramas(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    """The shipped spherical U-Net on a generated room (``test:SEED``, ``ood:SEED``) or a panorama's image."""
    import nodescope
    from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
    from nodescope.core.models.panorama.single import DEFAULT_CAMERA_HEIGHT_M, predict_image, predict_room
    from nodescope.viz.panorama_view import panorama_figures

    path = shipped_panorama()
    if path is None:
        raise LoadError("No shipped spherical U-Net (python examples/train_panorama.py --ship).")
    net = load_panorama(path)[0]
    split, _, seed = source.partition(":")
    if split in ("test", "ood") and seed:
        if not seed.isdigit():
            raise LoadError(f"{split}:SEED takes a whole number, not '{seed}'.")
        name, result = f"generated {split} room {seed}", predict_room(net, int(seed), split)
    else:
        s = nodescope.load(source)
        if s.kind != "panorama" or s.image is None:
            raise LoadError(f"{s.name} is a {s.kind}, not a panorama (try test:0 or room).")
        name, result = s.name, predict_image(net, s.image, DEFAULT_CAMERA_HEIGHT_M)  # as the page
    if focus is not None and focus >= len(result.directions):
        raise LoadError(f"--focus {focus} is not a vertex (0..{len(result.directions) - 1}).")
    figures = panorama_figures(result, focus=focus)
    return name, _blocks(figures, {k: (f.layout.title.text or k) for k, f in figures.items()})


def _meshes(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
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

    s = _load_kind(source, "mesh", "ant")
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
    return s.name, _blocks(figures, {k: (f.layout.title.text or k) for k, f in figures.items()})


def _pipeline(source: str, run_dir: Path, focus: int | None) -> tuple[str, list[Block]]:
    """A saved pipeline run as the Pipeline page draws it: Gantt, memory, staleness, curves, chunks."""
    import nodescope
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

    s = nodescope.load(source)
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
    return what, _blocks(figures, {k: (f.layout.title.text or k) for k, f in figures.items()})


BUILDERS: dict[str, Callable[[str, str | None, int | None], tuple[str, list[Block]]]] = {
    "explorer": _explorer,
    "geometry": _geometry,
    "attention": _attention,
    "explanations": _explanations,
    "oversmoothing": _oversmoothing,
    "registration": _registration,
    "timeseries": _timeseries,
    "skeletons": _skeletons,
    "panoramas": _panoramas,
    "meshes": _meshes,
}


def _focus_check(focus: int | None) -> None:
    """Refuse a negative ``--focus`` at once (each page bounds it by its node count)."""
    if focus is not None and focus < 0:
        raise LoadError(f"--focus takes a node id (0 or more), not {focus}.")


def run(args: argparse.Namespace) -> int:
    """Write ``--out``: the page's figures in one standalone HTML file; its size goes to stderr.

    Returns:
        0.

    Raises:
        LoadError: an unknown page, an unreadable source, a bad focus, a model the page cannot
            use or has no shipped weights for, or an unwritable ``--out``.
    """
    if args.page in NEEDS_RUN and args.run is None:
        raise LoadError(NEEDS_RUN[args.page])
    if args.page not in BUILDERS and args.page not in NEEDS_RUN:
        raise LoadError(f"Unknown page '{args.page}'; choose one of {', '.join((*PAGES, *NEEDS_RUN))}.")
    _focus_check(args.focus)
    from nodescope.viz.export_html import html_document, html_size_text

    if args.page == "pipeline":
        what, blocks = _pipeline(args.source, args.run, args.focus)
    else:
        what, blocks = BUILDERS[args.page](args.source, args.model, args.focus)
    focus = "" if args.focus is None else f", focus {args.focus}"
    document = html_document(f"Nodescope · {TITLES[args.page]}", blocks, subtitle=f"{what}{focus}")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    print(
        f"{TITLES[args.page]} → {args.out}: {len(blocks)} figures, {html_size_text(document)}",
        file=sys.stderr,
    )
    return 0
