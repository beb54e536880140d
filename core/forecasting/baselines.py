"""Honest single-step baselines, on the same split, windows and scaling as the models.

- persistence: the window's last value (``x_{t-h}``) for every series;
- AR: a ridge autoregression per series on its own last ``lags`` values, with an intercept;
- VAR: one ridge regression of every series on the last ``lags`` values of all series.

The lag count and the ridge strength of AR and VAR are chosen by validation RSE over small
grids (:data:`AR_LAGS`, :data:`VAR_LAGS`, :data:`RIDGES`); the test split is only scored.
All fits are closed-form (normal equations), in float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from nodescope.core.forecasting.metrics import corr, rse
from nodescope.core.forecasting.windows import ForecastData

#: Lags tried for the per-series autoregression (those up to the window).
AR_LAGS = (1, 2, 4, 8, 16, 24, 48, 96, 168)
#: Lags tried for the vector autoregression (those up to the window, at most VAR_MAX_INPUTS inputs).
VAR_LAGS = (1, 2, 4, 8, 16, 24)
VAR_MAX_INPUTS = 4096
#: Ridge strengths tried, per training sample (the penalty is ``ridge * samples * |coef|^2``).
RIDGES = (1e-6, 1e-4, 1e-2)
Kind = Literal["ar", "var"]


@dataclass(frozen=True)
class LinearForecaster:
    """A fitted ridge forecaster from the last ``lags`` scaled values.

    Attributes:
        kind: ``ar`` (each series from its own past) or ``var`` (from every series' past).
        lags: how many of the window's last steps it reads.
        ridge: the ridge strength it was fitted with.
        coef: ``ar``: (N, lags); ``var``: (lags * N, N), inputs ordered step-major.
        intercept: (N,).
    """

    kind: Kind
    lags: int
    ridge: float
    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """(B, N) scaled predictions from (B, P, N) scaled input windows."""
        recent = np.asarray(inputs, np.float64)[:, -self.lags :, :]
        if self.kind == "ar":
            return np.einsum("bln,nl->bn", recent, self.coef) + self.intercept
        return recent.reshape(len(recent), -1) @ self.coef + self.intercept


def persistence(inputs: np.ndarray) -> np.ndarray:
    """(B, N) the last value of each (B, P, N) input window."""
    return np.asarray(inputs)[:, -1, :]


@dataclass(frozen=True)
class _Moments:
    """Centered normal-equation terms of the last ``lags`` steps (see :func:`_moments`)."""

    gram: np.ndarray
    cross: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray
    samples: int


def _moments(inputs: np.ndarray, targets: np.ndarray, kind: Kind, lags: int) -> _Moments:
    """Centered Gram matrix and cross moments for ``lags`` steps.

    The terms of fewer lags are trailing blocks of these (the inputs are the windows' last
    steps), so one computation serves every lag of a grid.
    """
    recent = np.asarray(inputs[:, -lags:, :], np.float64)
    y = np.asarray(targets, np.float64)
    if kind == "ar":
        x = np.ascontiguousarray(recent.transpose(2, 0, 1))  # (N, B, lags)
        x_mean = x.mean(1)
        xc, yc = x - x_mean[:, None], (y - y.mean(0)).T
        xt = xc.transpose(0, 2, 1)
        return _Moments(xt @ xc, (xt @ yc[..., None])[..., 0], x_mean, y.mean(0), len(y))
    x = recent.reshape(len(y), -1)
    x_mean = x.mean(0)
    xc = x - x_mean
    return _Moments(xc.T @ xc, xc.T @ (y - y.mean(0)), x_mean, y.mean(0), len(y))


def _solve(m: _Moments, kind: Kind, lags: int, ridge: float, num_series: int) -> LinearForecaster:
    """The ridge solution for the last ``lags`` steps from (possibly longer-lag) moments."""
    if kind == "ar":
        gram, cross, x_mean = m.gram[:, -lags:, -lags:], m.cross[:, -lags:], m.x_mean[:, -lags:]
        coef = np.linalg.solve(gram + ridge * m.samples * np.eye(lags), cross[..., None])[..., 0]
        intercept = m.y_mean - np.einsum("nl,nl->n", x_mean, coef)
    else:
        k = lags * num_series
        gram, cross, x_mean = m.gram[-k:, -k:], m.cross[-k:], m.x_mean[-k:]
        coef = np.linalg.solve(gram + ridge * m.samples * np.eye(k), cross)
        intercept = m.y_mean - x_mean @ coef
    return LinearForecaster(kind, lags, ridge, coef, intercept)


def fit_linear(
    inputs: np.ndarray, targets: np.ndarray, kind: Kind, lags: int, ridge: float
) -> LinearForecaster:
    """Fit an AR or VAR ridge forecaster.

    Args:
        inputs: (B, P, N) scaled training windows.
        targets: (B, N) their scaled targets.
        kind: ``ar`` or ``var``.
        lags: how many of the windows' last steps to read (at most P).
        ridge: the ridge strength per sample.
    """
    return _solve(_moments(inputs, targets, kind, lags), kind, lags, ridge, inputs.shape[2])


def tuned_linear(data: ForecastData, kind: Kind) -> LinearForecaster:
    """The AR or VAR forecaster with the best validation RSE over the lag and ridge grids."""
    n = data.num_series
    grid = AR_LAGS if kind == "ar" else tuple(p for p in VAR_LAGS if p * n <= VAR_MAX_INPUTS)
    lags = [p for p in grid if p <= data.window] or [1]
    train_inputs, train_targets = data.split("train")
    moments = _moments(train_inputs, train_targets, kind, max(lags))
    val_inputs, val_truth = data.split("val")
    best: tuple[float, LinearForecaster] | None = None
    for p in lags:
        for ridge in RIDGES:
            model = _solve(moments, kind, p, ridge, n)
            score = rse(model.predict(val_inputs) * data.scale, val_truth * data.scale)
            if best is None or score < best[0]:
                best = (score, model)
    assert best is not None  # lags is never empty
    return best[1]


def baseline_scores(data: ForecastData) -> dict[str, dict[str, float]]:
    """Test RSE and CORR of persistence, the tuned AR and the tuned VAR (unscaled values).

    Returns:
        ``{"persistence": {"rse", "corr"}, "ar": {"rse", "corr", "lags", "ridge"}, "var": {...}}``.
    """
    inputs, truth = data.split("test")
    truth = truth * data.scale
    scores: dict[str, dict[str, float]] = {}
    prediction = persistence(inputs) * data.scale
    scores["persistence"] = {"rse": rse(prediction, truth), "corr": corr(prediction, truth)}
    for kind in ("ar", "var"):
        model = tuned_linear(data, kind)
        prediction = model.predict(inputs) * data.scale
        scores[kind] = {
            "rse": rse(prediction, truth),
            "corr": corr(prediction, truth),
            "lags": model.lags,
            "ridge": model.ridge,
        }
    return scores
