"""Seeded multivariate time series whose graph is known, so a learned graph can be scored.

Both generators return the series as a (T, N) array (rows are time steps, columns series, the
layout of LSTNet's text files) and the true weighted adjacency as an (N, N) array in the
convention used everywhere in Nodescope's forecasting code: ``adjacency[i, j]`` is the weight
of the edge from series ``j`` into series ``i`` (row ``i`` holds node ``i``'s incoming edges),
zero where there is no edge and on the diagonal.

- :func:`graph_var`: a sparse graph vector autoregression of order 2 with a seasonal input.
- :func:`road_diffusion`: a quantity carried along the edges of a road-like random geometric
  graph (some roads one-way), fed by daily demand pulses at a few source sensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist


@dataclass(frozen=True)
class KnownGraphSeries:
    """A multivariate series and the graph that generated it.

    Attributes:
        values: (T, N) float64 series, one column per series.
        adjacency: (N, N) float64 true edge weights, row ``i`` = node ``i``'s incoming edges.
        names: one name per series.
        step_minutes: the sampling interval in minutes, or None for plain steps.
        description: how the series were made, in one sentence.
    """

    values: np.ndarray
    adjacency: np.ndarray
    names: list[str]
    step_minutes: float | None
    description: str


def graph_var(
    seed: int = 0,
    *,
    num_series: int = 20,
    steps: int = 4000,
    parents: int = 2,
    period: int = 24,
    noise: float = 0.3,
    signed: bool = False,
) -> KnownGraphSeries:
    """A stable sparse graph VAR(2) with a seasonal input.

    ``x_t = A1 x_{t-1} + A2 x_{t-2} + s_t + e_t``: every series keeps part of its own past
    (``A1[i, i]`` in [0.3, 0.6], ``A2[i, i]`` in [-0.2, 0]) and is driven by ``parents``
    other series at lag 1 and 2 (positive coefficients unless ``signed``, 0.2-0.5 at lag 1 and a third
    of that at lag 2). ``s_t`` is a sinusoid of the given ``period`` with a random amplitude
    (0.3-1.0) and phase per series, ``e_t`` Gaussian noise (std ``noise``). The off-diagonal
    coefficients are shrunk until the companion matrix's spectral radius is at most 0.95 (a
    stationary process), and 500 burn-in steps are dropped.

    Args:
        seed: the random seed (graph, coefficients and noise).
        num_series: N.
        steps: T, after the burn-in.
        parents: incoming edges per series.
        period: the season's length in steps.
        noise: the innovation's standard deviation.
        signed: couplings of either sign, or all positive (the default and the built-in: a
            series is pushed the way its parents move, the kind of influence a graph of
            non-negative weights averaged over sources, as MTGNN's, can express; with signed
            couplings its learned graph scores no better than chance, README issue 14).

    Returns:
        The (T, N) series and the true adjacency ``|A1| + |A2|`` off the diagonal.
    """
    rng = np.random.default_rng(seed)
    n = num_series
    a1, a2 = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        others = np.delete(np.arange(n), i)
        for j in rng.choice(others, size=min(parents, n - 1), replace=False):
            coef = rng.uniform(0.2, 0.5) * rng.choice([-1.0, 1.0])
            coef = coef if signed else abs(coef)  # the same random stream either way
            a1[i, j], a2[i, j] = coef, coef / 3.0
    off1, off2 = a1.copy(), a2.copy()
    own1, own2 = np.diag(rng.uniform(0.3, 0.6, n)), np.diag(rng.uniform(-0.2, 0.0, n))
    for _ in range(50):
        a1, a2 = own1 + off1, own2 + off2
        companion = np.block([[a1, a2], [np.eye(n), np.zeros((n, n))]])
        if np.abs(np.linalg.eigvals(companion)).max() <= 0.95:
            break
        off1, off2 = off1 * 0.9, off2 * 0.9
    amp, phase = rng.uniform(0.3, 1.0, n), rng.uniform(0, 2 * np.pi, n)
    burn = 500
    total = steps + burn
    t = np.arange(total)[:, None]
    season = amp * np.sin(2 * np.pi * t / period + phase)
    shocks = rng.normal(0.0, noise, (total, n))
    x = np.zeros((total, n))
    for k in range(2, total):
        x[k] = a1 @ x[k - 1] + a2 @ x[k - 2] + season[k] + shocks[k]
    adjacency = np.abs(off1) + np.abs(off2)
    return KnownGraphSeries(
        values=x[burn:],
        adjacency=adjacency,
        names=[f"s{i:02d}" for i in range(n)],
        step_minutes=None,
        description=(
            f"{n} series driven by {parents} others each through a stable vector autoregression "
            f"of order 2, with a season of {period} steps."
        ),
    )


def road_diffusion(
    seed: int = 0,
    *,
    num_sensors: int = 30,
    days: int = 14,
    steps_per_day: int = 288,
    radius: float = 0.25,
    one_way: float = 0.4,
    carry: float = 0.7,
    leak: float = 0.05,
    base_level: float = 1.0,
    noise: float = 0.05,
) -> KnownGraphSeries:
    """A quantity carried along a road-like directed graph, with daily demand at a few sources.

    Sensors lie uniformly in the unit square; two sensors closer than ``radius`` are joined
    by a road (and each sensor to its two nearest others), weighted
    ``exp(-(d / sigma)^2)`` with ``d`` their distance and ``sigma`` the mean road length, and
    roads weighing under 0.1 are dropped (the kernel and threshold DCRNN used for METR-LA,
    which took ``sigma`` as the distances' standard deviation). A fraction ``one_way`` of roads
    carry traffic one way only (direction at random). Each step, every sensor keeps
    ``1 - carry`` of its level and receives ``carry`` times the weighted mean of its
    upstream neighbors' levels (sensors without upstream roads keep their own), and loses a
    fraction ``leak`` of it, so that levels stay bounded (near ``base_level`` without demand).
    A fifth of the sensors receive a two-peak daily demand (morning and evening rush), with a
    random size; all receive Gaussian noise (std ``noise``). Levels are clipped at zero.

    Args:
        seed: the random seed (positions, directions, demand and noise).
        num_sensors: N.
        days: how many days (T = days * steps_per_day).
        steps_per_day: samples per day (288: one every 5 minutes).
        radius: the largest road length, in units of the square's side.
        one_way: the fraction of roads with one direction.
        carry: the fraction of a sensor's level replaced by its upstream mean each step.
        leak: the fraction of the level lost each step.
        base_level: the level every sensor settles at without demand.
        noise: the standard deviation of the per-step noise.

    Returns:
        The (T, N) levels and the true adjacency (row ``i``: the weights of the roads into ``i``).
    """
    rng = np.random.default_rng(seed)
    n = num_sensors
    points = rng.random((n, 2))
    dist = cdist(points, points)
    near = (dist < radius) & ~np.eye(n, dtype=bool)
    nearest = np.argsort(dist, axis=1)[:, 1:3]
    near[np.repeat(np.arange(n), 2), nearest.ravel()] = True
    near |= near.T
    sigma = dist[near].mean()
    weights = np.where(near, np.exp(-((dist / sigma) ** 2)), 0.0)
    weights[weights < 0.1] = 0.0  # DCRNN's threshold: a road this weak carries nothing measurable
    upper = np.triu(near, 1)
    for i, j in zip(*np.nonzero(upper), strict=True):
        if rng.random() < one_way:  # keep one direction: drop (i -> j) or (j -> i)
            if rng.random() < 0.5:
                weights[i, j] = 0.0
            else:
                weights[j, i] = 0.0
    adjacency = weights  # row i: roads into i
    incoming = adjacency.sum(1)
    mix = np.divide(adjacency, incoming[:, None], out=np.zeros_like(adjacency), where=incoming[:, None] > 0)
    has_upstream = incoming > 0
    steps = days * steps_per_day
    clock = (np.arange(steps) % steps_per_day) / steps_per_day  # fraction of the day
    rush = np.exp(-(((clock - 8 / 24) / 0.04) ** 2)) + 0.8 * np.exp(-(((clock - 17.5 / 24) / 0.05) ** 2))
    sources = rng.choice(n, size=max(1, n // 5), replace=False)
    size = np.zeros(n)
    size[sources] = rng.uniform(0.5, 1.5, sources.size)
    shocks = rng.normal(0.0, noise, (steps, n))
    x = np.zeros((steps, n))
    x[0] = rng.uniform(0.0, 0.5, n)
    for k in range(1, steps):
        inflow = np.where(has_upstream, mix @ x[k - 1], x[k - 1])
        level = (1 - leak) * ((1 - carry) * x[k - 1] + carry * inflow)
        x[k] = np.maximum(level + leak * base_level + size * rush[k] + shocks[k], 0.0)
    return KnownGraphSeries(
        values=x,
        adjacency=adjacency,
        names=[f"sensor {i:02d}" for i in range(n)],
        step_minutes=24 * 60 / steps_per_day,
        description=(
            f"{n} road sensors over {days} days: demand at {sources.size} sources carried along "
            f"{int((adjacency > 0).sum())} directed road links."
        ),
    )
