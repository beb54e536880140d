"""The mesh solver's cost: 100 steps of heat and wave on 20k-vertex meshes (median of runs).

For each procedural family at about 20,000 vertices (``torus``, ``sphere``, ``branch``;
:mod:`core.simulation.shapes`, seed 0) and each equation, times :func:`core.simulation.simulate`
for 100 steps at the dataset's ``dt`` and a mid-range coefficient: the whole call (building
``L`` and ``M``, one sparse LU factorization, 100 solves), and separately the setup and the
steps. The mesh models' target for the same rollout is < 5 s on this CPU (issue 13); these are
the reference solver's own figures. Writes ``benchmarks/results/simulation.json``.

Usage::

    .venv/bin/python benchmarks/bench_simulation.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import summarize, write  # noqa: E402

VERTICES = 20_000
STEPS = 100


def main() -> None:
    """Time the solver on each mesh and equation, write the JSON."""
    import numpy as np

    from nodescope.core.simulation import DatasetConfig, gaussian_bumps, procedural_mesh, simulate
    from nodescope.core.simulation.heat import HeatSolver
    from nodescope.core.simulation.operators import cotangent_laplacian, lumped_mass
    from nodescope.core.simulation.wave import WaveSolver

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    config = DatasetConfig()
    settings = {"heat": (config.heat_dt, 0.06), "wave": (config.wave_dt, 1.0)}
    rows = []
    for family in ("torus", "sphere", "branch"):
        mesh = procedural_mesh(family, 0, VERTICES)
        initial = gaussian_bumps(mesh.pos, mesh.faces, np.random.default_rng(0), count=3, width=(0.15, 0.35))
        for equation, (dt, c) in settings.items():
            total, setup, steps = [], [], []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                simulate(
                    mesh.pos,
                    mesh.faces,
                    equation=equation,
                    initial=initial,
                    steps=STEPS,
                    dt=dt,
                    coefficient=c,
                )
                total.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                lap, mass = cotangent_laplacian(mesh.pos, mesh.faces), lumped_mass(mesh.pos, mesh.faces)
                solver = (HeatSolver if equation == "heat" else WaveSolver)(lap, mass, dt=dt, coefficient=c)
                setup.append(time.perf_counter() - t0)
                u, v = initial.copy(), np.zeros_like(initial)
                t0 = time.perf_counter()
                for _ in range(STEPS):
                    if equation == "heat":
                        u = solver.step(u)
                    else:
                        u, v = solver.step(u, v)
                steps.append(time.perf_counter() - t0)
            rows.append(
                {
                    "mesh": family,
                    "vertices": mesh.num_vertices,
                    "triangles": len(mesh.faces),
                    "equation": equation,
                    "dt": dt,
                    "coefficient": c,
                    "steps": STEPS,
                    "rollout": summarize(total),
                    "setup": summarize(setup),
                    "steps_only": summarize(steps),
                }
            )
            print(f"{family} {equation}: {np.median(total):.3f} s for {STEPS} steps", file=sys.stderr)
    write("simulation", {"target_s": 5.0, "results": rows})


if __name__ == "__main__":
    main()
