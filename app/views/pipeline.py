"""Pipeline: a deep GCNII trained with GNNPipe's pipelined model parallelism, and what the pipeline did."""

from pathlib import Path

import streamlit as st

from nodescope.app import components as ui
from nodescope.app import pipeline_data as pipe
from nodescope.app import state
from nodescope.core.errors import LoadError
from nodescope.viz.graph_view import node_link_figure
from nodescope.viz.oversmoothing_view import metric_curves_figure
from nodescope.viz.pipeline_view import (
    gantt_figure,
    stage_memory_figure,
    staleness_figure,
    training_curves_figure,
)

s = state.sample()
fp = state.fingerprint(s)
ui.take_chart_event("pipe_graph")
sel = state.selection()

st.title("Pipeline")
st.caption(
    "GNNPipe (Chen et al., 2023) trains deep GNNs by cutting the layers into stages and the graph into "
    "chunks that flow through them; neighbors in other chunks come from historical embeddings, "
    "refreshed exactly every S epochs. Train a small pipelined GCNII here, or read a run of "
    "`nodescope train --model gcnii --stages … --chunks … --out DIR`."
)
if s.data.get("y") is None:
    st.info(f"**{s.name}** has no node labels to train on: load a labeled graph (karate, Cora…).")
    st.stop()

pipe.collect()
run, job = pipe.current(fp), pipe.active()
with st.expander("Train a pipelined GCNII here", expanded=run is None):
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 1])
    depth = c1.slider("Depth (layers)", 8, 64, 16, step=8, key="pipe_depth")
    chunks = c2.slider("Chunks", 2, 8, 4, key="pipe_chunks")
    refresh = c3.slider(
        "Staleness bound S", 1, 5, 2, key="pipe_refresh", help="Epochs between exact refreshes of the cache."
    )
    epochs = c4.slider("Epochs", 5, 200, 30, step=5, key="pipe_epochs")
    stages = c5.radio(
        "Stages", [1, 2], key="pipe_stages",
        help="1: every layer in this process (same numerics). 2: one process per stage (seconds to start).",
    )  # fmt: skip
    if st.button("Run", type="primary", key="pipe_run", disabled=job is not None):
        pipe.start(s, fp, depth=depth, chunks=chunks, refresh_every=refresh, epochs=epochs, stages=stages)
        job = pipe.active()


@st.fragment(run_every=0.5)
def _progress() -> None:
    """The run in progress: its epochs and a Stop button; the whole page reruns once it ended."""
    slot = pipe.active()
    if slot is None or not slot.job.running:
        st.rerun(scope="app")
    done = slot.job.epochs_done
    st.progress(min(done / slot.epochs, 1.0), text=f"Training: epoch {done} of at most {slot.epochs}")
    if st.button("Stop", key="pipe_stop", help="Ends the run's workers; nothing is kept."):
        pipe.stop()
        st.rerun(scope="app")


if job is not None:
    _progress()
if (message := pipe.failure()) is not None:
    st.error(message)
with st.expander("Read a run's results"):
    path = st.text_input("Results file (`<dataset>-gcnii-pipeline-results.json` in --out)", key="pipe_path")
    if st.button("Read", key="pipe_read", disabled=not path):
        try:
            pipe.read_results(s, fp, Path(path))
            st.rerun()
        except LoadError as exc:
            st.error(str(exc))

if run is None:
    if job is None:
        st.info("No pipeline run on this graph yet: train one above (seconds on karate or Cora).")
    st.stop()

summary = run.summary
last = max(int(e[0]) for e in run.timeline)
st.caption(
    f"GCNII-{run.depth} {run.origin}: {run.stages} stage(s) × {run.chunks} chunks, S = {run.refresh_every}; "
    f"test accuracy {run.test_acc:.1%} (best epoch {summary['best_epoch']} of {summary['epochs']}); "
    f"median epoch {summary['epoch_s_median'] * 1e3:.0f} ms, bubble fraction {summary['bubble_fraction']:.0%}."
)
epoch = (
    st.slider("Epoch shown", 1, max(last, 1), max(last, 1), key=f"pipe_epoch_{last}") if last > 1 else last
)
ui.plot(
    gantt_figure(run.timeline, epoch, stages=run.stages, title=f"Epoch {epoch}: stages × time"),
    "pipe_gantt",
)
st.caption(
    "One bar per chunk's forward (blue) and backward (orange) in each stage, then the exact full-graph "
    "evaluation pass (gray). Gaps in a stage's row are bubbles: the stage waits on another one."
)
left, right = st.columns(2)
with left:
    ui.plot(
        stage_memory_figure(summary["peak_rss_mb"], summary["cache_mb"], title="Peak memory per stage"),
        "pipe_memory",
    )
    if run.stages == 1:
        st.caption("One stage runs in the app's own process: its peak is the whole app's.")
with right:
    ui.plot(staleness_figure(run.staleness, title="Staleness of the historical embeddings"), "pipe_staleness")
left, right = st.columns(2)
with left:
    ui.plot(training_curves_figure(run.history, title="Accuracy and loss"), "pipe_curves")
with right:
    fig = metric_curves_figure(
        {"gcnii": run.energy},
        metric_title="Dirichlet energy",
        names={"gcnii": f"GCNII-{run.depth}, trained"},
        log_y=True,
        title="Dirichlet energy per layer",
    )
    ui.plot(fig, "pipe_energy")

st.subheader("Nodes and their chunks")
left, right = st.columns([3, 2])
with left:
    fig = node_link_figure(
        ui.layout_xy(fp, s),
        s.data.edge_index.numpy(),
        edge_image=ui.edge_image(fp, s),
        title=f"Colored by chunk ({run.chunks})",
        labels=run.part,
        label_names=[f"chunk {c}" for c in range(run.chunks)],
        hover=ui.hover_texts(fp, s),
        selected=list(sel.nodes),
        focus=sel.focus,
    )
    ui.chart(fig, "pipe_graph", fp, height=460)
with right:
    if sel.focus is None:
        st.info("Click a node to see its chunk and how stale its embedding is when others read it.")
    else:
        v = sel.focus
        c = int(run.part[v])
        before, after = int(run.reads_before[v]), int(run.reads_after[v])
        st.markdown(
            f"**Node {s.node_label(v)}**: chunk **{c}** of {run.chunks} "
            f"({int((run.part == c).sum())} nodes).\n\n"
            f"Read as a halo neighbor by {before + after} other chunk(s): **{before}** run before chunk {c} "
            f"and read its embedding from the previous epoch (one Adam step stale, unless a refresh came "
            f"between), **{after}** run after and read this epoch's."
        )
        st.caption(
            f"Epochs since its last exact refresh after the last epoch: {run.staleness[-1]:.0f} "
            f"(at most S − 1 = {run.refresh_every - 1}; refreshes cover the whole graph, so every node shares it)."
        )
