"""Figures of the Pipeline page: a run's timeline as a Gantt chart, memory, staleness, curves.

Arrays in; the measures (bubble fraction, memory, staleness) come from :mod:`core.pipeline`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.colors import PALETTE, UNLABELED

#: Timeline entry: (epoch, stage, chunk, pass, t0, t1); pass "fwd" | "bwd" | "eval", times in seconds.
Entry = tuple[int, int, int, str, float, float]
#: Bar color per pass.
PASS_COLORS = {"fwd": PALETTE[0], "bwd": PALETTE[1], "eval": UNLABELED}
PASS_NAMES = {"fwd": "forward", "bwd": "backward", "eval": "evaluation (full graph)"}


def _styled(fig: go.Figure, title: str | None, height: int, **layout: Any) -> go.Figure:
    """``fig`` with the page's common layout (legend below, margins) plus ``layout``."""
    fig.update_layout(
        title=title,
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 60 if "yaxis2" in layout else 10, "t": 40 if title else 10, "b": 10},
        height=height,
        **layout,
    )
    return fig


def gantt_figure(
    timeline: Sequence[Entry], epoch: int, *, stages: int, title: str | None = None
) -> go.Figure:
    """Stages × time of one epoch: one bar per chunk's forward or backward (and the evaluation pass).

    Gaps between a stage's bars are the pipeline's bubbles (waiting on another stage).

    Args:
        timeline: every worker's entries (see :data:`Entry`); only ``epoch``'s are drawn.
        epoch: the epoch shown.
        stages: the number of stages (one row each, stage 0 on top).
        title: figure title.

    Returns:
        A figure with one horizontal bar trace per pass kind (named by :data:`PASS_NAMES`); x in
        milliseconds from the epoch's first entry, bar text = the chunk id.
    """
    rows = [e for e in timeline if int(e[0]) == epoch]
    start = min((float(e[4]) for e in rows), default=0.0)
    traces = []
    for kind in ("fwd", "bwd", "eval"):
        mine = [e for e in rows if e[3] == kind]
        if not mine:
            continue
        t0 = [(float(e[4]) - start) * 1e3 for e in mine]
        length = [(float(e[5]) - float(e[4])) * 1e3 for e in mine]
        chunks = ["" if int(e[2]) < 0 else str(int(e[2])) for e in mine]
        traces.append(
            go.Bar(
                x=length, base=t0, y=[f"stage {int(e[1])}" for e in mine], orientation="h",
                name=PASS_NAMES[kind], marker={"color": PASS_COLORS[kind], "line": {"width": 0.5}},
                text=chunks, textposition="inside", insidetextanchor="middle",
                customdata=list(zip(chunks, t0, length, strict=True)),
                hovertemplate=f"{PASS_NAMES[kind]}, chunk %{{customdata[0]}}<br>"
                "from %{customdata[1]:.1f} ms, %{customdata[2]:.1f} ms<extra>%{y}</extra>",
            )
        )  # fmt: skip
    order = {"categoryorder": "array", "categoryarray": [f"stage {s}" for s in reversed(range(stages))]}
    return _styled(
        go.Figure(traces),
        title,
        140 + 50 * stages,
        barmode="overlay",
        xaxis_title="time in the epoch (ms)",
        yaxis=order,
    )


def stage_memory_figure(
    peak_mb: Sequence[float], cache_mb: Sequence[float], *, title: str | None = None
) -> go.Figure:
    """Per stage: its peak memory and, inside it, its historical-embedding cache (bars, MiB)."""
    names = [f"stage {s}" for s in range(len(peak_mb))]
    fig = go.Figure(
        [
            go.Bar(x=names, y=list(peak_mb), name="peak memory", marker_color=PALETTE[5]),
            go.Bar(x=names, y=list(cache_mb), name="of which historical embeddings", marker_color=PALETTE[2]),
        ]
    )
    return _styled(fig, title, 320, barmode="overlay", yaxis_title="MiB")


def staleness_figure(staleness: Sequence[float], *, title: str | None = None) -> go.Figure:
    """Epochs since the last exact refresh of the cached embeddings, after each epoch (1, 2, ...).

    Args:
        staleness: (epochs,) mean over nodes after each epoch.
        title: figure title.
    """
    x = np.arange(1, len(staleness) + 1)
    fig = go.Figure([go.Scatter(x=x, y=list(staleness), mode="lines+markers", name="mean over nodes")])
    return _styled(fig, title, 320, xaxis_title="epoch", yaxis_title="epochs since refresh")


def training_curves_figure(history: Sequence[Mapping[str, float]], *, title: str | None = None) -> go.Figure:
    """Train / validation / test accuracy per epoch, and the validation loss on a second axis.

    Args:
        history: one row per epoch with ``epoch``, ``train_acc``, ``val_acc``, ``test_acc``, ``val_loss``.
        title: figure title.
    """
    epochs = [r["epoch"] for r in history]
    traces = [
        go.Scatter(x=epochs, y=[r[f"{m}_acc"] for r in history], mode="lines", name=f"{m} accuracy")
        for m in ("train", "val", "test")
    ]
    traces.append(
        go.Scatter(
            x=epochs, y=[r["val_loss"] for r in history], mode="lines", name="validation loss",
            yaxis="y2", line={"dash": "dot", "color": UNLABELED},
        )
    )  # fmt: skip
    return _styled(
        go.Figure(traces),
        title,
        340,
        xaxis_title="epoch",
        yaxis={"title": "accuracy", "range": [0, 1], "tickformat": ".0%"},
        yaxis2={"title": "loss", "overlaying": "y", "side": "right", "showgrid": False},
    )
