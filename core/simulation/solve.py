"""One entry point for a simulation: an equation, a mesh, an initial field, N steps -> (N+1, V) states.

The schemes are those of :mod:`core.simulation.heat` (backward Euler) and
:mod:`core.simulation.wave` (Newmark average acceleration, zero initial velocity by default),
on the operators of :mod:`core.simulation.operators`. Arguments are checked here, once, and
bad ones raise a one-line :class:`~core.errors.LoadError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.simulation.heat import HeatSolver
from nodescope.core.simulation.operators import cotangent_laplacian, lumped_mass
from nodescope.core.simulation.wave import WaveSolver

Equation = Literal["heat", "wave"]
#: The equations :func:`simulate` solves.
EQUATIONS: tuple[str, ...] = get_args(Equation)
#: The default step as a multiple of the mean edge length h: heat ``FOURIER·h²/c``, wave ``COURANT·h/c``.
FOURIER = 0.25
COURANT = 0.5

#: ``progress(done, total)``, called after each step.
Progress = Callable[[int, int], None]


def mean_edge_length(pos: np.ndarray, faces: np.ndarray) -> float:
    """The mean length of the triangle sides (interior sides counted twice), mesh units."""
    p = np.asarray(pos, np.float64)[np.asarray(faces, np.int64)]
    return float(np.linalg.norm(p[:, [1, 2, 0]] - p, axis=2).mean())


def default_dt(pos: np.ndarray, faces: np.ndarray, equation: Equation, coefficient: float) -> float:
    """A step that moves the field visibly but smoothly: heat ``0.25·h²/c``, wave ``0.5·h/c``.

    ``h`` is :func:`mean_edge_length`; ``c`` is the coefficient (0 gives the step of ``c = 1``).
    """
    h = mean_edge_length(pos, faces)
    c = coefficient if coefficient > 0 else 1.0
    return FOURIER * h * h / c if equation == "heat" else COURANT * h / c


def simulate(
    pos: np.ndarray,
    faces: np.ndarray,
    *,
    equation: Equation,
    initial: np.ndarray,
    steps: int,
    dt: float,
    coefficient: float,
    fixed: np.ndarray | None = None,
    source: np.ndarray | None = None,
    velocity: np.ndarray | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Solve ``equation`` on the mesh from ``initial`` for ``steps`` steps.

    Args:
        pos: (V, 3) vertex positions, mesh units.
        faces: (T, 3) triangles, checked by :func:`core.simulation.surface.prepare_mesh`.
        equation: ``heat`` (``u_t = c Δu + f``) or ``wave`` (``u_tt = c² Δu + f``).
        initial: (V,) ``u_0``; its values on ``fixed`` vertices are their Dirichlet values.
        steps: N >= 1.
        dt: time step > 0.
        coefficient: diffusivity (heat, mesh units²/time) or wave speed (mesh units/time), >= 0.
        fixed: Dirichlet vertices ((V,) bool or ids), or None.
        source: (V,) time-constant source ``f``, or None.
        velocity: (V,) initial velocity ``u_t(0)`` for the wave equation (None: zero).
        progress: called with ``(step, steps)`` after each step.

    Returns:
        (N+1, V) float64 states, row 0 being ``initial``.

    Raises:
        LoadError: an unknown equation, steps < 1, dt <= 0, a negative coefficient, or a field
            of the wrong length or with NaN/infinite values.
    """
    n = len(pos)
    if equation not in EQUATIONS:
        raise LoadError(f"Unknown equation '{equation}'; choose one of {', '.join(EQUATIONS)}.")
    if int(steps) != steps or steps < 1:
        raise LoadError(f"The number of steps must be an integer of at least 1, not {steps}.")
    if not (np.isfinite(dt) and dt > 0):
        raise LoadError(f"The time step must be a positive number, not {dt}.")
    if not (np.isfinite(coefficient) and coefficient >= 0):
        raise LoadError(f"The coefficient must be a number >= 0, not {coefficient}.")
    fields = {"initial field": initial, "source": source, "initial velocity": velocity}
    for what, value in fields.items():
        if value is None:
            continue
        value = np.asarray(value)
        if value.shape != (n,):
            raise LoadError(
                f"The {what} has shape {value.shape}; the mesh needs one value per vertex ({n},)."
            )
        if not np.isfinite(value).all():
            raise LoadError(f"The {what} holds NaN or infinite values; give finite numbers.")
    laplacian = cotangent_laplacian(pos, faces)
    mass = lumped_mass(pos, faces)
    states = np.empty((int(steps) + 1, n))
    states[0] = initial
    kw = {"dt": dt, "coefficient": coefficient, "fixed": fixed, "source": source}
    if equation == "heat":
        heat = HeatSolver(laplacian, mass, **kw)
        for k in range(1, int(steps) + 1):
            states[k] = heat.step(states[k - 1])
            if progress is not None:
                progress(k, int(steps))
    else:
        wave = WaveSolver(laplacian, mass, **kw)
        v = np.zeros(n) if velocity is None else np.asarray(velocity, np.float64).copy()
        v[wave.fixed] = 0.0
        for k in range(1, int(steps) + 1):
            states[k], v = wave.step(states[k - 1], v)
            if progress is not None:
                progress(k, int(steps))
    return states
