"""Meshes: heat simulated on the loaded mesh beside the shipped learned simulators, and their attention."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import mesh_data as md
from nodescope.app import state
from nodescope.core.models.mesh import TITLES
from nodescope.core.sample import Sample
from nodescope.core.segmentation import PART_NAMES
from nodescope.explain.mesh_rollout import DEFAULT_STEPS, NO_CHANGE, SHOWN_STEP, MeshRollouts
from nodescope.explain.mesh_segmentation import face_attention
from nodescope.viz.mesh_simulation_view import ring_attention_figure, simulation_figures
from nodescope.viz.segmentation_view import face_attention_figure, segmentation_figure


def render(s: Sample, fp: str) -> None:
    """The page for a mesh the models can run on (no st.stop: the sidebar comes after)."""
    mesh = md.mesh(fp, md.MAX_VERTICES, s)
    if isinstance(mesh, str):
        st.info(mesh, icon=":material/info:")
        return
    models = md.models()
    if not models:
        st.info(
            "No shipped mesh models: train them with `nodescope train mesh --ship`.", icon=":material/info:"
        )
        return
    for notice in mesh.notices:
        st.caption(f"ℹ️ {notice}")

    c_steps, c_seed, c_error = st.columns([2, 1, 2])
    steps = int(c_steps.slider("Steps N", 10, 200, DEFAULT_STEPS, step=10, key="mesh_steps"))
    seed = int(c_seed.number_input("Initial field seed", 0, 9999, 0, key="mesh_seed"))
    error_of = c_error.radio(
        "Error of", list(models), format_func=lambda k: TITLES[k], horizontal=True, key="mesh_error_of"
    )
    run: MeshRollouts = md.run(fp, steps, seed, mesh)
    step = int(st.slider("Time step", 0, steps, min(SHOWN_STEP, steps), key=f"mesh_step_{steps}"))

    charts = {"truth": "mesh_truth"} | {f"pred:{TITLES[k]}": f"mesh_pred_{k}" for k in models}
    charts["error"] = "mesh_error"
    for chart in charts.values():
        ui.take_chart_event(chart)
    sel = state.selection()
    n = len(run.pos)
    vertex = sel.focus if sel.focus is not None and 0 <= sel.focus < n else run.start_vertex

    errors = {TITLES.get(k, k): e for k, e in run.errors().items()}
    st.caption(
        f"**{mesh.name}**: {n:,} vertices, {int(run.fixed.sum())} held on the boundary; heat by backward "
        f"Euler, dt = {run.dt:.3g} (0.25 h²/c, c = {run.coefficient:g}). RMSE at step {steps}: "
        + ", ".join(f"{k} **{e[-1]:.3g}**" for k, e in errors.items())
        + ". Click a vertex in any 3D view."
    )
    figures = simulation_figures(
        run.pos, run.faces, run.truth, {TITLES[k]: run.predictions[k] for k in models}, errors,
        dt=run.dt, step=step, vertex=vertex, error_of=TITLES[error_of], baselines=(NO_CHANGE,),
    )  # fmt: skip
    for column, (name, key) in zip(st.columns(len(charts)), charts.items(), strict=True):
        with column:
            ui.chart(figures[name], key, fp, height=380)
    left, right = st.columns(2)
    with left:
        ui.plot(figures["error curve"], "mesh_error_curve")
    with right:
        ui.plot(figures["vertex"], "mesh_vertex_series")

    st.subheader(f"Where the transformer looks from vertex {vertex}")
    if md.TRANSFORMER not in models:
        st.caption("The mesh transformer's weights are not shipped, so there is no attention to show.")
        return
    physics = md.attention(fp, steps, seed, step, run)
    ring = md.ring(fp, steps, seed, step, vertex, run)
    best = physics.best_head
    fig = ring_attention_figure(
        ring.xy, ring.attention, ring.cotangent, ring.neighbors, rho=physics.rho,
        title=f"First-layer attention from vertex {vertex} over its {len(ring.neighbors)} neighbors, step {step}",
    )  # fmt: skip
    ui.plot(fig, "mesh_ring_attention")
    st.caption(
        f"Spearman ρ of each head's attention vs the normalized cotangent weights over all "
        f"{len(physics.cotangent):,} 1-ring edges of this mesh at step {step}: "
        + ", ".join(f"head {h + 1} {r:.2f}" for h, r in enumerate(physics.rho))
        + f" (best: head {best + 1}). The neighbors are laid flat in the vertex's tangent plane; "
        "heat's exact operator mixes them by the cotangent weights (last panel)."
    )


def render_segmentation(s: Sample, fp: str) -> None:
    """The shipped segmenter's parts on the mesh, and a face's attention over its dual-graph neighbors."""
    mesh = md.mesh(fp, md.MAX_VERTICES, s)
    if isinstance(mesh, str) or md.segmenter() is None:
        return
    st.subheader("Segmentation")
    seg = md.segmentation(fp, mesh)
    n_faces = len(mesh.faces)
    sel = state.selection()
    focus = sel.focus if sel.focus is not None and 0 <= sel.focus < mesh.num_vertices else None
    default = 0 if focus is None else int(np.flatnonzero((mesh.faces == focus).any(axis=1))[0])
    c_face, c_layer = st.columns(2)
    face = int(c_face.number_input("Face", 0, n_faces - 1, default, key=f"seg_face_{default}"))
    layer = int(c_layer.selectbox("Layer", range(1, len(seg.attention) + 1), key="seg_layer"))
    reads = face_attention(*seg.attention[layer - 1], face)
    neighbors = [int(t) for t in reads.sources if t != face]
    left, right = st.columns(2)
    with left:
        fig = segmentation_figure(mesh.pos, mesh.faces, seg.part, PART_NAMES, face=face, neighbors=neighbors,
                                  title=f"Predicted parts of {mesh.name}")  # fmt: skip
        ui.plot(fig, "mesh_segmentation")
    with right:
        labels = [f"{t} ({PART_NAMES[seg.part[t]]})" + (" self" if t == face else "") for t in reads.sources]
        ui.plot(face_attention_figure(reads.sources, reads.alpha, labels, face=face, layer=layer),
                "mesh_face_attention")  # fmt: skip
    counts = np.bincount(seg.part, minlength=len(PART_NAMES))
    st.caption(
        f"{n_faces:,} faces labeled by the dual-graph attention segmenter (GATv2 on faces joined across "
        "their sides, trained on procedural animals, people and mugs): "
        + ", ".join(f"{PART_NAMES[k]} {c:,}" for k, c in enumerate(counts) if c)
        + f". Face {face} is {PART_NAMES[seg.part[face]]} (p = {seg.confidence[face]:.2f}); it reads itself "
        f"and its {len(neighbors)} neighbors across its sides, nothing else. A vertex pick above picks a face "
        "of that vertex."
    )


s = state.sample()
fp = state.fingerprint(s)
st.title("Meshes")
st.caption(
    "Heat on the loaded mesh, simulated by the solver and rolled out by two learned simulators from "
    "the same initial field: a mesh transformer (attention masked to the 1-ring) and a MeshGraphNets MPNN."
)
render(s, fp)
render_segmentation(s, fp)
