"""What the Time series page computes and caches.

A forecaster for the loaded series: the shipped weights of a built-in (at the recipe's defaults,
:mod:`core.forecasting.recipe`), or one trained here by the same recipe (a progress bar and a
Stop button), kept for the session and on disk under a hash of the sample's fingerprint and the
settings (:func:`core.forecasting.checkpoint.cache_path`), so a second visit loads it. From it:
the learned graph, the test forecasts and per-series errors, an attribution for the focus series,
and the over-smoothing metrics per layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from nodescope.core.forecasting import (
    ForecastData,
    baseline_scores,
    corr,
    fit_forecaster,
    forecast_data,
    forecaster_record,
    load_forecaster,
    matching_shipped,
    predict,
    rse,
    save_forecaster,
)
from nodescope.core.forecasting import recipe as rc
from nodescope.core.forecasting.checkpoint import cache_path
from nodescope.core.forecasting.metrics import series_errors
from nodescope.core.graph import adjacency_edges
from nodescope.core.loaders.timeseries import known_adjacency
from nodescope.core.models.mtgnn import MTGNN
from nodescope.core.sample import Sample
from nodescope.explain.forecast_attribution import ForecastAttribution, edge_usage, forecast_attribution
from nodescope.explain.forecast_layers import mixhop_layer_metrics
from nodescope.explain.graph_agreement import graph_agreement
from nodescope.viz.layout import graph_layout

_TRAINED = "ts_trained"  # session: {(fingerprint, Settings): Fit}
#: Windows the per-layer over-smoothing metrics are measured on (the last test windows).
LAYER_WINDOWS = 16


@dataclass(frozen=True)
class Settings:
    """What the recipe is run with (:func:`core.forecasting.recipe.fit_forecaster`)."""

    window: int = rc.WINDOW
    horizon: int = rc.HORIZON
    layers: int = rc.LAYERS
    epochs: int = rc.EPOCHS
    seed: int = 0


@dataclass(frozen=True)
class Fit:
    """A forecaster for the loaded series.

    Attributes:
        model: MTGNN in eval mode.
        data: the scaled, split series it runs on.
        origin: ``"shipped"``, ``"trained here"`` or ``"cached"`` (trained earlier, read from disk).
        tag: identifies the weights in cache keys.
        settings: what it was made with.
    """

    model: MTGNN
    data: ForecastData
    origin: str
    tag: str
    settings: Settings


def _record(s: Sample, settings: Settings) -> dict:
    return rc.recipe_record(s.num_nodes, **asdict(settings))


def shipped(fp: str, s: Sample) -> Fit | None:
    """The shipped forecaster of a built-in at the recipe's defaults, or None (looked up on every run: a JSON read)."""
    settings = Settings()
    path = matching_shipped(s, window=settings.window, horizon=settings.horizon, layers=settings.layers)
    if path is None:
        return None
    return _load_shipped(fp, str(path), s)


@st.cache_resource(show_spinner="Loading the shipped forecaster…", max_entries=4)
def _load_shipped(fp: str, path: str, _s: Sample) -> Fit:
    settings = Settings()
    model, record = load_forecaster(Path(path))
    data = forecast_data(_s, settings.window, settings.horizon)
    tag = f"shipped {Path(path).parent.name}/{Path(path).stem} {record.get('weights_sha256', '')[:12]}"
    return Fit(model, data, "shipped", tag, settings)


def trained(s: Sample, fp: str, settings: Settings) -> Fit | None:
    """The forecaster trained with ``settings`` in this session, or earlier (disk cache), or None."""
    session = st.session_state.setdefault(_TRAINED, {})
    if (fp, settings) in session:
        return session[(fp, settings)]
    path = cache_path(fp, _record(s, settings))
    if not path.with_suffix(".json").is_file():
        return None
    model, _ = load_forecaster(path)
    fit = Fit(
        model, forecast_data(s, settings.window, settings.horizon), "cached", f"cached {path.name}", settings
    )
    session[(fp, settings)] = fit
    return fit


def train(s: Sample, fp: str, settings: Settings) -> None:
    """Train with a progress bar and a Stop button, keep the result (session and disk), rerun.

    A click on Stop reruns the page; Streamlit ends this run at its next progress update, so a
    stopped run leaves nothing behind.
    """
    bar = st.progress(0.0, text="Training MTGNN…")
    st.button("Stop", key="ts_stop")

    def progress(epoch: int, total: int, row: dict[str, float]) -> None:
        bar.progress(epoch / total, text=f"epoch {epoch} of {total}: validation RSE {row['val_rse']:.4f}")

    result, data = fit_forecaster(
        s,
        window=settings.window,
        horizon=settings.horizon,
        layers=settings.layers,
        epochs=settings.epochs,
        seed=settings.seed,
        progress=progress,
    )
    bar.empty()
    path = cache_path(fp, _record(s, settings))
    save_forecaster(
        result.model,
        path,
        forecaster_record(
            sample=s,
            data=data,
            settings=_record(s, settings)["settings"],
            scores=result.scores,
            epochs=result.epochs,
            best_epoch=result.best_epoch,
            seconds=result.seconds,
        ),
    )
    fit = Fit(result.model, data, "trained here", f"trained {path.name}", settings)
    st.session_state.setdefault(_TRAINED, {})[(fp, settings)] = fit
    st.rerun()


#: The node-link view draws learned edges of at least this share of the strongest weight.
DRAWN_SHARE = 0.3


@dataclass(frozen=True)
class Analysis:
    """What every view of one forecaster reads.

    Attributes:
        adjacency: (N, N) learned weights, row i = series i's incoming edges.
        edge_index: (2, E) its edges j -> i drawn in the node-link view: those of at least
            :data:`DRAWN_SHARE` of the strongest weight (the L1 price leaves many faint ones).
        num_edges: every non-zero learned edge, drawn or not.
        xy: (N, 2) node-link positions of the learned graph.
        target_rows: (K,) the test targets' row indices.
        forecast: (K, N) unscaled test forecasts.
        truth: (K, N) unscaled test targets.
        errors: per-series ``{"rse", "mae"}`` (N,) on the test split.
        scores: overall test ``{"rse", "corr"}``.
        baselines: :func:`core.forecasting.baseline_scores` on the same split.
        agreement: :func:`explain.graph_agreement.graph_agreement` with the known graph, or None.
        known: (N, N) the known graph, or None.
    """

    adjacency: np.ndarray
    edge_index: np.ndarray
    num_edges: int
    xy: np.ndarray
    target_rows: np.ndarray
    forecast: np.ndarray
    truth: np.ndarray
    errors: dict[str, np.ndarray]
    scores: dict[str, float]
    baselines: dict[str, dict[str, float]]
    agreement: dict[str, float | None] | None
    known: np.ndarray | None


@st.cache_data(show_spinner="Forecasting the test split…", max_entries=8)
def analysis(fp: str, tag: str, _fit: Fit, _s: Sample) -> Analysis:
    """The learned graph, the test forecasts, errors and baselines of ``_fit`` (cached per weights)."""
    data = _fit.data
    adjacency = _fit.model.adjacency().cpu().numpy()
    edge_index, _ = adjacency_edges(adjacency, DRAWN_SHARE * float(adjacency.max(initial=0.0)))
    rows = data.targets["test"]
    forecast = predict(_fit.model, data, "test")
    truth = data.truth(rows) * data.scale
    known = known_adjacency(_s)
    return Analysis(
        adjacency=adjacency,
        edge_index=edge_index,
        num_edges=int(np.count_nonzero(adjacency)),
        xy=graph_layout(edge_index, _s.num_nodes, seed=0),
        target_rows=rows,
        forecast=forecast,
        truth=truth,
        errors=series_errors(forecast, truth),
        scores={"rse": rse(forecast, truth), "corr": corr(forecast, truth)},
        baselines=baseline_scores(data),
        agreement=graph_agreement(adjacency, known) if known is not None else None,
        known=known,
    )


@st.cache_data(show_spinner="Attributing the forecast…", max_entries=64)
def attribution(
    fp: str, tag: str, focus: int, target: int, baseline: str, _fit: Fit
) -> tuple[ForecastAttribution, dict]:
    """IG attribution of series ``focus``'s forecast for test target row ``target``, and its edge usage."""
    window = _fit.data.inputs(np.array([target]))[0]  # (P, N)
    result = forecast_attribution(_fit.model, window, focus, baseline=baseline)
    usage = edge_usage(result.per_series, _fit.model.adjacency().cpu().numpy(), focus)
    return result, usage


@st.cache_data(show_spinner="Measuring every layer…", max_entries=8)
def layer_metrics(fp: str, tag: str, _fit: Fit) -> dict[str, np.ndarray]:
    """Over-smoothing metrics after each MTGNN layer on the learned graph (the last test windows)."""
    rows = _fit.data.targets["test"][-LAYER_WINDOWS:]
    return mixhop_layer_metrics(_fit.model, torch.from_numpy(np.ascontiguousarray(_fit.data.inputs(rows))))
