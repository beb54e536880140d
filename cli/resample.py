"""``nodescope resample``: move a subject's per-vertex overlay onto an atlas through its registered sphere.

::

    nodescope resample lh.thickness --sphere-reg lh.sphere.reg --to fsaverage5|fsaverage6 --out FILE
                       [--nearest]

reads the overlay (a FreeSurfer morph file, ``.mgh``/``.mgz``, GIfTI ``.shape.gii``/``.func.gii``/
``.label.gii``, ``.annot`` or ``.label``) and the subject's registered sphere (``nodescope
register``'s or FreeSurfer's own ``lh.sphere.reg``; FreeSurfer or GIfTI), reads the overlay at
every vertex of the atlas (see :mod:`core.registration.overlay`: barycentric interpolation for
continuous maps, the nearest vertex's label for a parcellation or ``.label``), writes it in the
format ``--out``'s suffix names (``.func.gii``/``.shape.gii``, ``.label.gii``, ``.mgh``/``.mgz``,
``.annot``, else a FreeSurfer morph file) and prints one JSON line: what was written, the atlas,
its vertex count, whether labels were carried and the seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

TARGET_NAMES = ("fsaverage5", "fsaverage6")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``resample`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "resample", help="move a per-vertex overlay onto fsaverage5/6 through a registered sphere"
    )
    p.add_argument(
        "overlay", type=Path, help="lh.thickness, .mgh/.mgz, .shape/.func/.label.gii, .annot or .label"
    )
    p.add_argument(
        "--sphere-reg",
        type=Path,
        required=True,
        help="the subject's registered sphere (lh.sphere.reg or .surf.gii)",
    )
    p.add_argument("--to", default="fsaverage5", choices=TARGET_NAMES, help="the atlas to resample onto")
    p.add_argument(
        "--nearest",
        action="store_true",
        help="take each atlas vertex's nearest value (integer maps); no averaging",
    )
    p.add_argument("--out", type=Path, required=True, help="the output; its suffix picks the format")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Resample one overlay as the module docstring describes.

    Args:
        args: the parsed ``nodescope resample`` options.

    Returns:
        0.

    Raises:
        LoadError: an unreadable sphere or overlay, an overlay of another mesh (vertex count),
            or continuous values asked as ``.label.gii``/``.annot``.
    """
    from nodescope.core.registration.io import read_sphere
    from nodescope.core.registration.overlay import (
        atlas_sphere,
        read_overlay,
        resample_overlay,
        write_overlay,
    )

    start = time.perf_counter()
    registered, faces = read_sphere(args.sphere_reg)
    overlay = read_overlay(args.overlay, len(registered))
    moved = resample_overlay(overlay, registered, faces, atlas_sphere(args.to), nearest=args.nearest)
    write_overlay(args.out, moved)
    record = {
        "out": str(args.out),
        "to": args.to,
        "vertices": len(moved.values),
        "labels": moved.is_labels,
        "label_count": len(moved.label_names) if moved.is_labels else None,
        "seconds": round(time.perf_counter() - start, 3),
    }
    print(json.dumps(record))
    return 0
