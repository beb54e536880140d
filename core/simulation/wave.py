"""The wave equation ``u_tt = c² Δu + f`` on a triangle mesh, stepped by Newmark's average acceleration.

With ``K = c² L`` (``L`` the cotangent Laplacian, :mod:`core.simulation.operators`) and ``M``
the lumped mass, the semi-discrete system is ``M u'' = -K u + M f``. One step of length ``dt``
is the trapezoidal rule (Crank-Nicolson) on ``(u, v = u')``, which is Newmark's method with
β = 1/4, γ = 1/2 ("average acceleration"):

    ``u_{n+1} - u_n = dt/2 · (v_n + v_{n+1})``
    ``M (v_{n+1} - v_n) = dt/2 · (-K (u_n + u_{n+1}) + 2 M f)``

solved as ``(M + dt²/4·K) u_{n+1} = (M - dt²/4·K) u_n + dt·M v_n + dt²/2·M f``, then
``v_{n+1} = 2 (u_{n+1} - u_n) / dt - v_n``. Dirichlet (fixed) vertices keep their value in
``u_0`` and zero velocity (their columns move to the right-hand side: ``- dt²/2·K_FD u_D``).

Energy: the scheme is unconditionally stable and, with ``f = 0`` and zero fixed values,
conserves the discrete energy ``E = ½ vᵀ M v + ½ uᵀ K u`` exactly (to rounding) at every
``dt``; it adds no numerical damping, only a phase lag (periods lengthen by ``O((ω dt)²)``).
``c`` is the wave speed in mesh units per time unit; the initial velocity is zero unless given.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nodescope.core.simulation._system import FreeSystem, fixed_mask


class WaveSolver:
    """Newmark average-acceleration steps of ``u_tt = c² Δu + f`` (see the module docstring).

    Args:
        laplacian: (V, V) cotangent Laplacian ``L`` (PSD convention).
        mass: (V,) lumped mass ``M``.
        dt: the time step (> 0).
        coefficient: the wave speed ``c`` (>= 0), mesh units per time unit.
        fixed: Dirichlet vertices, a (V,) bool mask or ids; they keep their values.
        source: (V,) constant source ``f``, or None.
    """

    def __init__(
        self,
        laplacian: sp.spmatrix,
        mass: np.ndarray,
        *,
        dt: float,
        coefficient: float,
        fixed: np.ndarray | None = None,
        source: np.ndarray | None = None,
    ) -> None:
        n = len(mass)
        self.dt = float(dt)
        self.fixed = fixed_mask(fixed, n)
        free = ~self.fixed
        quarter = (0.25 * dt * dt * coefficient**2) * sp.csr_matrix(laplacian)  # dt²/4·K
        self._system = FreeSystem(sp.diags(mass) + quarter, quarter, self.fixed)
        self._quarter_ff = quarter[free][:, free].tocsr()
        self._quarter_fd = quarter[free][:, self.fixed].tocsr()
        self._mass = np.asarray(mass, np.float64)[free]
        self._forcing = (
            0.5 * dt * dt * self._mass * np.asarray(source, np.float64)[free] if source is not None else 0.0
        )

    def step(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(V,) ``(u_{n+1}, v_{n+1})`` from (V,) ``(u_n, v_n)``."""
        u_next = np.array(u, dtype=np.float64)
        v_next = np.zeros_like(u_next)
        free, fixed = self._system.free, self.fixed
        uf, vf = u_next[free], np.asarray(v, np.float64)[free]
        # Fixed columns: -dt²/4 K_FD u_D from (M - dt²/4 K) u_n here, the same again from the
        # left-hand side (the system's coupling): -dt²/2 K_FD u_D in all.
        rhs = self._mass * uf - self._quarter_ff @ uf - self._quarter_fd @ u_next[fixed]
        rhs = rhs + self.dt * self._mass * vf + self._forcing
        u_next[free] = self._system.solve(rhs, u_next[fixed])
        v_next[free] = 2.0 * (u_next[free] - uf) / self.dt - vf
        return u_next, v_next


def wave_energy(
    u: np.ndarray, v: np.ndarray, laplacian: sp.spmatrix, mass: np.ndarray, coefficient: float
) -> float:
    """Discrete energy ``½ vᵀ M v + ½ c² uᵀ L u`` of a wave state (conserved by :class:`WaveSolver`)."""
    return float(0.5 * (mass * v * v).sum() + 0.5 * coefficient**2 * u @ (laplacian @ u))
