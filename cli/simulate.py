"""``nodescope simulate MESH --equation heat|wave --steps N --out FILE.npz``: the solver's states on a mesh.

``MESH`` is a mesh file (.ply/.obj/.stl/.vtk/.vtp/.off, or a cortical surface) or a built-in
name (:data:`core.simulation.meshes.MESH_NAMES`: the procedural ``bumpy-sphere``, ``torus``,
``plate``, ``branch`` shaped by ``--seed``, and pyvista's shipped ``airplane``, ``ant``, ``nut``,
``sphere-mesh``, ``globe-mesh``). The schemes are those of :mod:`core.simulation.heat` (backward
Euler) and :mod:`core.simulation.wave` (Newmark average acceleration, starting at rest). On an
open mesh the boundary vertices are Dirichlet vertices holding their initial values
(``--boundary neumann``: no fixed vertex, zero flux).

The ``.npz`` holds ``pos`` (V, 3) and ``face`` (T, 3) of the mesh as simulated (repaired when
loading needed it, with a notice on stderr), ``dt`` and ``coefficient`` (diffusivity or wave
speed, mesh units), ``equation``, ``fixed`` (V,) bool, ``initial`` (V,) and ``truth`` (N+1, V),
the solver's states from ``initial`` (float64). ``--model mesh-transformer``, ``mpnn`` or ``all``
adds, per model, ``pred_<model>`` ((N+1, V) float32: ``pred_mesh-transformer``, ``pred_mpnn``),
its autoregressive rollout from the same ``initial`` with the shipped weights for the equation
(:mod:`core.models.mesh`; Dirichlet vertices held). Bad input exits 2 with one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    import numpy as np

    from nodescope.core.models.mesh import MeshModel

#: What ``--model`` takes besides ``none``: a mesh model, or ``all`` of them.
MODEL_CHOICES = ("mesh-transformer", "mpnn", "all")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "simulate", help="solve the heat or wave equation on a mesh and write the states (NPZ)"
    )
    p.add_argument(
        "mesh", help="a mesh file or a built-in mesh (torus, plate, branch, bumpy-sphere, ant, ...)"
    )
    p.add_argument("--equation", choices=("heat", "wave"), required=True, help="u_t = c Δu or u_tt = c² Δu")
    p.add_argument("--steps", type=int, required=True, help="number of time steps N (>= 1)")
    p.add_argument(
        "--dt", type=float, help="time step (default: heat 0.25 h²/c, wave 0.5 h/c; h mean edge length)"
    )
    p.add_argument("--coefficient", type=float, default=1.0, help="diffusivity or wave speed (default 1)")
    p.add_argument("--initial", type=Path, help="a .npy of one value per vertex (default: random bumps)")
    p.add_argument("--seed", type=int, default=0, help="procedural shape and default field (default 0)")
    p.add_argument(
        "--boundary", choices=("dirichlet", "neumann"), default="dirichlet", help="open meshes' edge"
    )
    p.add_argument(
        "--model",
        default="none",
        help="also roll out a learned model: mesh-transformer, mpnn, all, or none (default: solver only)",
    )
    p.add_argument("--out", type=Path, required=True, help="the .npz to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the mesh, solve, write the ``.npz`` (see the module docstring).

    Returns:
        0.

    Raises:
        LoadError: a bad mesh, field, number or model, or an output that cannot be written.
    """
    import numpy as np

    from nodescope.cli.progress import Bar
    from nodescope.core.simulation import default_dt, default_field, load_simulation_mesh, simulate, surface

    if args.model != "none" and args.model not in MODEL_CHOICES:
        raise LoadError(f"Unknown model '{args.model}'; --model takes {', '.join(MODEL_CHOICES)} or none.")
    models = _models(args.model, args.equation)
    if args.steps < 1:
        raise LoadError(f"--steps must be at least 1, not {args.steps}.")
    mesh = load_simulation_mesh(args.mesh, seed=args.seed, max_vertices=surface.MAX_VERTICES)
    for notice in mesh.notices:
        print(f"nodescope: notice: {notice}", file=sys.stderr)
    pos, faces = mesh.pos, mesh.faces
    if args.initial is not None:
        initial = _read_field(args.initial, mesh.num_vertices)
    else:
        initial = default_field(pos, faces, args.seed)
    dt = args.dt if args.dt is not None else default_dt(pos, faces, args.equation, args.coefficient)
    fixed = mesh.boundary if args.boundary == "dirichlet" else np.zeros(mesh.num_vertices, bool)
    with Bar(f"{args.equation} {mesh.name}", unit="step") as bar:
        truth = simulate(
            pos,
            faces,
            equation=args.equation,
            initial=initial,
            steps=args.steps,
            dt=dt,
            coefficient=args.coefficient,
            fixed=fixed,
            progress=bar.on_count,
        )
    arrays = {
        "pos": pos,
        "face": faces,
        "dt": np.float64(dt),
        "coefficient": np.float64(args.coefficient),
        "equation": np.str_(args.equation),
        "fixed": fixed,
        "initial": truth[0],
        "truth": truth,
    }
    for key, model in models.items():
        arrays[f"pred_{key}"] = _rollout(model, pos, faces, fixed, truth[0], args, dt)
    try:
        with args.out.open("wb") as f:
            np.savez_compressed(f, **arrays)
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    print(
        f"{args.equation} on {mesh.name} ({mesh.num_vertices:,} vertices, {int(fixed.sum())} fixed): "
        f"{args.steps} steps of dt={dt:.4g}, coefficient {args.coefficient:g} -> {args.out}"
    )
    return 0


def _models(choice: str, equation: str) -> dict[str, MeshModel]:
    """The shipped mesh models ``--model`` names, loaded (an empty dict for ``none``)."""
    from nodescope.core.models.mesh import MESH_MODELS, load_mesh_model, shipped_mesh_model

    keys = [] if choice == "none" else list(MESH_MODELS) if choice == "all" else [choice]
    models = {}
    for key in keys:
        path = shipped_mesh_model(key, equation)
        if path is None:
            raise LoadError(
                f"No shipped {key} weights for the {equation} equation; train them with 'nodescope train mesh --ship'."
            )
        models[key] = load_mesh_model(path)[0]
    return models


def _rollout(
    model: MeshModel,
    pos: np.ndarray,
    faces: np.ndarray,
    fixed: np.ndarray,
    initial: np.ndarray,
    args: argparse.Namespace,
    dt: float,
) -> np.ndarray:
    """(N+1, V) float32 rollout of a mesh model from ``initial`` (Dirichlet vertices held)."""
    from nodescope.core.models.mesh import mesh_graph, rollout, step_number

    graph = mesh_graph(pos, faces, k=model.config.k, fixed=fixed)
    number = step_number(args.equation, args.coefficient, dt, graph.h)
    return rollout(model, graph, number=number, initial=initial, steps=args.steps)


def _read_field(path: Path, num_vertices: int) -> np.ndarray:
    """The (V,) float64 field in a ``.npy`` file, checked: one finite value per vertex."""
    import numpy as np

    try:
        value = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise LoadError(f"No such file: '{path}'.") from None
    except (OSError, ValueError) as exc:
        raise LoadError(f"{path.name} is not a .npy array of numbers ({exc}).") from exc
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf" or value.squeeze().ndim != 1:
        shape = getattr(value, "shape", "?")
        raise LoadError(f"{path.name} must hold one number per vertex ({num_vertices},), not shape {shape}.")
    value = value.reshape(-1).astype(np.float64)
    if len(value) != num_vertices:
        raise LoadError(
            f"{path.name} holds {len(value)} values but the mesh (as simulated) has {num_vertices} vertices."
        )
    if not np.isfinite(value).all():
        raise LoadError(f"{path.name} holds NaN or infinite values; give finite numbers.")
    return value
