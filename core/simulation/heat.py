"""The heat equation ``u_t = c Δu + f`` on a triangle mesh, stepped by backward Euler.

With ``L`` the cotangent Laplacian and ``M`` the lumped mass (:mod:`core.simulation.operators`,
``Δ ≈ -M⁻¹ L``), one step of length ``dt`` solves

    ``(M + dt·c·L) u_{n+1} = M u_n + dt·M f``

on the free vertices; each Dirichlet (fixed) vertex keeps the value it has in ``u_0``, its
column moving to the right-hand side (``- dt·c·L_FD u_D``). ``c`` is the diffusivity in mesh
units²/time, ``f`` a time-constant source per vertex (units of u per time; 0 when absent).
The scheme is first-order in time and unconditionally stable: a generalized eigenvector
``L φ = λ M φ`` is multiplied by exactly ``1 / (1 + dt·c·λ)`` per step (``exp(-c λ dt)`` in the
continuous equation). The matrix is factorized once (sparse LU), then each step is a solve.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nodescope.core.simulation._system import FreeSystem, fixed_mask


class HeatSolver:
    """Backward-Euler steps of ``u_t = c Δu + f`` (the scheme of the module docstring).

    Args:
        laplacian: (V, V) cotangent Laplacian ``L`` (PSD convention).
        mass: (V,) lumped mass ``M``.
        dt: the time step (> 0).
        coefficient: the diffusivity ``c`` (>= 0), mesh units² per time unit.
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
        self.fixed = fixed_mask(fixed, n)
        stiffness = (dt * coefficient) * sp.csr_matrix(laplacian)
        self._system = FreeSystem(sp.diags(mass) + stiffness, stiffness, self.fixed)
        free = ~self.fixed
        self._mass = np.asarray(mass, np.float64)[free]
        self._forcing = dt * self._mass * np.asarray(source, np.float64)[free] if source is not None else 0.0

    def step(self, u: np.ndarray) -> np.ndarray:
        """(V,) state ``u_{n+1}`` from (V,) ``u_n``."""
        out = np.array(u, dtype=np.float64)
        free = self._system.free
        out[free] = self._system.solve(self._mass * out[free] + self._forcing, out[self.fixed])
        return out
