"""``nodescope segment MESH [--model dual-gat|dual-gcn] --out FILE.npz``: the part of every face of a mesh.

``MESH`` is a mesh file (.ply/.obj/.stl/.vtk/.vtp/.off, or a cortical surface) or a built-in
name (as ``nodescope simulate`` takes them: ``branch``, ``ant``, ...); it is checked and
repaired as for a simulation (:func:`core.simulation.prepare_mesh`: degenerate, duplicate and
excess non-manifold triangles dropped, with a notice on stderr). The shipped segmenter
(:mod:`core.models.segmentation`, default ``dual-gat``) labels each face with one of the parts
of :data:`core.segmentation.PART_NAMES` (body, head, neck, leg, arm, tail, handle, base), learned
from the procedural shapes of :mod:`core.segmentation.parts`.

The ``.npz`` holds ``pos`` (V, 3) float64 and ``face`` (T, 3) int64 of the mesh as segmented,
``part`` (T,) int64 (an index into ``part_names``), ``part_names`` (C,) str, ``confidence`` (T,)
float32 (the softmax probability of the part) and ``model`` (str). Bad input exits 2 with one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nodescope.core.errors import LoadError

#: The most vertices a mesh may have to be segmented (its Laplacian eigenpairs take seconds there).
MAX_VERTICES = 50_000


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``segment`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("segment", help="label every face of a mesh with a part (body, head, leg, ...) (NPZ)")
    p.add_argument("mesh", help="a mesh file or a built-in mesh (branch, ant, torus, ...)")
    p.add_argument("--model", default="dual-gat", help="dual-gat (default) or dual-gcn")
    p.add_argument("--seed", type=int, default=0, help="the shape of a procedural built-in (default 0)")
    p.add_argument("--out", type=Path, required=True, help="the .npz to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the mesh, segment it, write the ``.npz`` (see the module docstring).

    Returns:
        0.

    Raises:
        LoadError: a bad mesh or model, or an output that cannot be written.
    """
    import numpy as np

    from nodescope.core.models.segmentation import SEGMENTERS, load_segmenter, segment_mesh, shipped_segmenter
    from nodescope.core.segmentation import PART_NAMES
    from nodescope.core.simulation import load_simulation_mesh

    if args.model not in SEGMENTERS:
        raise LoadError(f"Unknown segmenter '{args.model}'; --model takes {' or '.join(SEGMENTERS)}.")
    path = shipped_segmenter(args.model)
    if path is None:
        raise LoadError(
            f"No shipped {args.model} weights; train them with examples/train_mesh_segmentation.py --ship."
        )
    mesh = load_simulation_mesh(args.mesh, seed=args.seed, max_vertices=MAX_VERTICES)
    for notice in mesh.notices:
        print(f"nodescope: notice: {notice}", file=sys.stderr)
    result = segment_mesh(load_segmenter(path)[0], mesh.pos, mesh.faces)
    arrays = {
        "pos": mesh.pos,
        "face": mesh.faces,
        "part": result.part,
        "part_names": np.array(PART_NAMES),
        "confidence": result.confidence,
        "model": np.str_(args.model),
    }
    try:
        with args.out.open("wb") as f:
            np.savez_compressed(f, **arrays)
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    counts = np.bincount(result.part, minlength=len(PART_NAMES))
    found = ", ".join(f"{PART_NAMES[k]} {c}" for k, c in enumerate(counts) if c)
    print(f"{mesh.name}: {len(mesh.faces):,} faces segmented by {args.model} ({found}) -> {args.out}")
    return 0
