"""The single-step forecasting metrics of LSTNet and MTGNN: RSE and CORR, on unscaled values.

- RSE (root relative squared error): the root mean squared error over every test target,
  divided by the spread of the test targets. MTGNN computes the spread as torch's sample
  standard deviation of all T_test x N targets times ``sqrt((T_test - 1) / T_test)`` (its
  ``normal_std``, whose ``len`` is the number of test steps); :func:`rse` does the same, so
  numbers compare with the paper's to every digit (the difference to the population standard
  deviation is below 0.01 % for 1,518 test steps). Lower is better; predicting each target's
  overall mean scores about 1.
- CORR: the Pearson correlation over time between prediction and truth, per series, averaged
  over the series whose truth varies (population standard deviations, as in the reference
  code). Higher is better. A series whose prediction is constant counts as correlation 0
  (the reference code would return NaN).
"""

from __future__ import annotations

import numpy as np


def rse(prediction: np.ndarray, truth: np.ndarray) -> float:
    """Root relative squared error of (T_test, N) predictions (see the module docstring)."""
    prediction, truth = np.asarray(prediction, np.float64), np.asarray(truth, np.float64)
    steps = truth.shape[0]
    spread = truth.std(ddof=1) * np.sqrt((steps - 1) / steps)
    return float(np.sqrt(np.mean((prediction - truth) ** 2)) / spread)


def corr(prediction: np.ndarray, truth: np.ndarray) -> float:
    """Mean per-series Pearson correlation of (T_test, N) predictions (see the module docstring)."""
    prediction, truth = np.asarray(prediction, np.float64), np.asarray(truth, np.float64)
    sigma_p, sigma_g = prediction.std(axis=0), truth.std(axis=0)
    cov = ((prediction - prediction.mean(0)) * (truth - truth.mean(0))).mean(axis=0)
    varies = sigma_g != 0
    per_series = np.divide(cov, sigma_p * sigma_g, out=np.zeros_like(cov), where=(sigma_p * sigma_g) != 0)
    return float(per_series[varies].mean())


def series_errors(prediction: np.ndarray, truth: np.ndarray) -> dict[str, np.ndarray]:
    """Per-series errors of (T_test, N) predictions: ``{"rse": (N,), "mae": (N,)}``.

    A series' RSE is its root mean squared error over its own spread (population standard
    deviation of its test targets; NaN for a constant series); MAE is in the series' units.
    """
    prediction, truth = np.asarray(prediction, np.float64), np.asarray(truth, np.float64)
    spread = truth.std(axis=0)
    rmse = np.sqrt(np.mean((prediction - truth) ** 2, axis=0))
    rse_each = np.divide(rmse, spread, out=np.full_like(rmse, np.nan), where=spread > 0)
    return {"rse": rse_each, "mae": np.abs(prediction - truth).mean(axis=0)}
