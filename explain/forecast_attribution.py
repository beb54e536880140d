"""Why this forecast: which series and lags a forecaster's output for one series depends on.

For a focus series ``i`` and one input window ``x`` (P steps x N series, scaled), the
attribution ``R`` (N, P) says how much each (series j, input step p) contributed to the
forecast of series ``i``; summed over steps, ``|R|`` gives one mass per series, which is then
compared with the edges the model learned (:func:`edge_usage`): does the model use them?

Method: **Integrated Gradients** (Sundararajan, Taly & Yan, ICML 2017) by default, with the
exact input gradient (saliency) as the alternative. IG because it is *complete*: its
attributions add up to ``f(x) - f(baseline)`` (up to the Riemann sum's error), so a series'
mass is its share of how far the forecast moved from the baseline's, in the forecast's own
(scaled) units; the plain gradient is a local slope that MTGNN's saturating gates (tanh x
sigmoid) and ReLUs can make small for an input that matters, and it does not scale with the
input. For a linear forecaster both are exact: IG = weight x (input - baseline), gradient =
weight. Baselines: ``"zero"`` (every series at 0, the scaled data's center for max-abs
scaling of a non-negative series) or ``"mean"`` (each series flat at its mean over the window:
"what if nothing had changed within the window").

Columns of ``R`` are the window's steps, oldest first: column ``P - 1`` is the latest step,
``horizon`` steps before the forecast target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import Tensor, nn

#: The attribution methods.
METHODS = ("integrated_gradients", "gradient")
#: The IG baselines.
BASELINES = ("zero", "mean")


@dataclass(frozen=True)
class ForecastAttribution:
    """An attribution of one series' forecast over (series x input step).

    Attributes:
        focus: i, the series whose forecast is explained.
        attribution: (N, P) contribution of series j at input step p (oldest first), in the
            forecast's scaled units (IG) or per unit of input (gradient).
        per_series: (N,) sum over steps of ``|attribution|``.
        forecast: the model's scaled forecast of series ``focus`` for this window.
        baseline_forecast: its forecast for the baseline window (IG), else NaN.
        method: ``"integrated_gradients"`` or ``"gradient"``.
    """

    focus: int
    attribution: np.ndarray
    per_series: np.ndarray
    forecast: float
    baseline_forecast: float
    method: str

    @property
    def completeness_gap(self) -> float:
        """``sum(attribution) - (forecast - baseline_forecast)``: IG's Riemann-sum error (NaN for the gradient)."""
        return float(self.attribution.sum() - (self.forecast - self.baseline_forecast))


def forecast_attribution(
    model: nn.Module,
    window: Tensor | np.ndarray,
    focus: int,
    *,
    method: str = "integrated_gradients",
    baseline: str = "zero",
    steps: int = 32,
) -> ForecastAttribution:
    """Attribute the forecast of series ``focus`` for one input window (see the module docstring).

    Args:
        model: a forecaster mapping (B, P, N) scaled windows to (B, N) forecasts (MTGNN); it is
            run in eval mode and its parameters get no gradient.
        window: (P, N) one scaled input window.
        focus: i, the series explained.
        method: ``"integrated_gradients"`` or ``"gradient"``.
        baseline: IG's baseline, ``"zero"`` or ``"mean"`` (per-series mean over the window).
        steps: IG's Riemann steps (midpoint rule), run as one batch.

    Returns:
        The (N, P) attribution and its per-series masses.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if baseline not in BASELINES:
        raise ValueError(f"baseline must be one of {BASELINES}, not {baseline!r}")
    dev = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(window) if not isinstance(window, Tensor) else window)
    x = x.detach().to(dev, torch.float32)
    if x.dim() != 2 or not 0 <= focus < x.shape[1]:
        raise ValueError(f"expected a (P, N) window and a series below N, got {tuple(x.shape)} and {focus}")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            forecast = float(model(x[None])[0, focus])
        if method == "gradient":
            inputs = x[None].clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(model(inputs)[0, focus], inputs)
            attribution, base_forecast = grad[0], float("nan")
        else:
            base = torch.zeros_like(x) if baseline == "zero" else x.mean(0, keepdim=True).expand_as(x)
            alphas = (torch.arange(steps, device=dev, dtype=torch.float32) + 0.5) / steps
            path = (base[None] + alphas[:, None, None] * (x - base)[None]).requires_grad_(True)
            (grad,) = torch.autograd.grad(model(path)[:, focus].sum(), path)
            attribution = grad.mean(0) * (x - base)
            with torch.no_grad():
                base_forecast = float(model(base[None].contiguous())[0, focus])
    finally:
        model.train(was_training)
    r = attribution.detach().cpu().numpy().T.astype(np.float64)  # (N, P)
    return ForecastAttribution(focus, r, np.abs(r).sum(1), forecast, base_forecast, method)


def edge_usage(per_series: np.ndarray, adjacency: np.ndarray, focus: int) -> dict[str, float | int | None]:
    """Does the attribution of series ``focus`` follow the edges the model learned into it?

    MTGNN propagates along the learned graph and along its transpose, so a series can reach the
    focus as an in-neighbor (an edge j -> i) or as an out-neighbor (i -> j); both are reported.

    Args:
        per_series: (N,) attribution mass per series (:attr:`ForecastAttribution.per_series`).
        adjacency: (N, N) learned weights, row ``i`` = ``i``'s incoming edges
            (:meth:`core.models.mtgnn.MTGNN.adjacency`).
        focus: i.

    Returns:
        ``rank_correlation``: Spearman's correlation over the other series j between their mass
        and the learned weight ``adjacency[i, j]`` (None when either is constant);
        ``in_neighbor_share``: the share of the other series' mass on i's learned in-neighbors
        (None when no other series has mass); ``neighbor_share``: the same for neighbors either
        way; ``chance_share``: the in-neighbors' share of the other series (what a mass spread
        evenly would give); ``self_share``: the focus' own share of the total mass;
        ``in_neighbors``: their number.
    """
    mass = np.asarray(per_series, dtype=np.float64)
    a = np.asarray(adjacency, dtype=np.float64)
    others = np.arange(len(mass)) != focus
    incoming = a[focus] > 0
    either = incoming | (a[:, focus] > 0)
    m, w = mass[others], a[focus, others]
    rank = None
    if np.ptp(m) > 0 and np.ptp(w) > 0:
        rank = float(spearmanr(m, w).statistic)
    total_others = m.sum()
    return {
        "rank_correlation": rank,
        "in_neighbor_share": float(mass[incoming & others].sum() / total_others)
        if total_others > 0
        else None,
        "neighbor_share": float(mass[either & others].sum() / total_others) if total_others > 0 else None,
        "chance_share": float((incoming & others).sum() / max(1, others.sum())),
        "self_share": float(mass[focus] / mass.sum()) if mass.sum() > 0 else None,
        "in_neighbors": int((incoming & others).sum()),
    }
