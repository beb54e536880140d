"""``nodescope register``: register native spheres to fsaverage5 (SUGAR-style, see core/registration/pipeline.py).

One subject::

    nodescope register --moving-sphere lh.sphere --moving-sulc lh.sulc [--hemi lh|rh] [--fixed fsaverage5|fsaverage6]
                       [--rigid-only] [--refine N] [--method auto|fit|net|net+fit] --out lh.sphere.reg

registers onto the atlas's hemisphere given by ``--hemi``, else by the sphere's file name
(``lh.``/``rh.``), else ``lh`` (``--fixed fsaverage6``: SUGAR's 904-subject mean sulc, lh only,
see :mod:`core.registration.atlas`); it writes the registered sphere (FreeSurfer geometry;
GIfTI when ``--out`` ends in ``.gii``) and prints one JSON line: the metrics of
:func:`explain.registration.registration_metrics` against the fixed surface and the seconds per stage (``seconds`` is end to end: reading the files
to writing the result; the metrics come after and are timed apart), with the rigid stage's
score (``rigid_score``) and its ``warnings``; each warning is also printed to stderr as
``nodescope: warning: ...`` (a poor rigid match: wrong hemisphere, not a sphere's sulc).

A batch::

    nodescope register --batch SUBJECTS_DIR [--hemi lh|rh|both] --out OUT_DIR

registers both hemispheres (or the one ``--hemi`` names) of every subject folder of
``SUBJECTS_DIR`` holding ``surf/{lh,rh}.sphere`` and ``surf/{lh,rh}.sulc``, writes
``OUT_DIR/<subject>/surf/lh.sphere.reg`` and ``rh.sphere.reg`` (FreeSurfer's layout) and
``OUT_DIR/registration.csv`` (one row of metrics and times per subject and hemisphere, column
``hemi``; with FreeSurfer's own ``surf/<hemi>.sphere.reg`` and ``label/<hemi>.aparc.annot``
present, the geodesic distance to it and the Dice; ``rigid_score`` and ``warning``, empty when
all is well; a hemisphere whose files are absent gets a row saying so in ``skipped``), with a
progress bar.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nodescope.core.registration.io import Subject

CSV_NAME = "registration.csv"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``register`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("register", help="register native cortical spheres to fsaverage5 (rigid + non-rigid)")
    p.add_argument("--moving-sphere", type=Path, help="the native sphere (lh.sphere or .surf.gii)")
    p.add_argument("--moving-sulc", type=Path, help="its sulcal depth (lh.sulc or .shape.gii)")
    p.add_argument(
        "--batch",
        type=Path,
        help="a folder of FreeSurfer subject folders (surf/{lh,rh}.sphere, surf/{lh,rh}.sulc)",
    )
    p.add_argument(
        "--hemi",
        choices=("lh", "rh", "both"),
        help="the hemisphere: a single registration takes it from the sphere's name (lh./rh.) by default; "
        "a batch registers both",
    )
    p.add_argument(
        "--fixed",
        default="fsaverage5",
        help="the fixed surface: fsaverage5, or fsaverage6 (SUGAR's 904-subject mean sulc, lh only; "
        "its files in $NODESCOPE_SUGAR_ATLAS or ~/.cache/nodescope/sugar-atlas)",
    )
    p.add_argument("--rigid-only", action="store_true", help="stop after the rigid stage")
    p.add_argument(
        "--refine", type=int, default=0, metavar="N", help="extra gradient steps at full resolution"
    )
    p.add_argument(
        "--method", default="auto", choices=("auto", "fit", "net", "net+fit"), help="the non-rigid stage"
    )
    p.add_argument("--out", type=Path, required=True, help="the registered sphere (a folder with --batch)")
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    from nodescope.core.errors import LoadError

    if args.batch is not None:
        if args.moving_sphere is not None or args.moving_sulc is not None:
            raise LoadError(
                "--batch takes a folder of subjects; leave out --moving-sphere and --moving-sulc."
            )
        if not args.batch.is_dir():
            raise LoadError(f"No such folder: '{args.batch}'.")
    elif args.moving_sphere is None or args.moving_sulc is None:
        raise LoadError("Give --moving-sphere and --moving-sulc (or --batch DIR).")
    else:
        _single_hemi(args)
    from nodescope.core.registration.atlas import FIXED_LEVELS, fixed_sulc

    if args.fixed not in FIXED_LEVELS:
        raise LoadError(f"Unknown fixed surface '{args.fixed}'; choose one of {', '.join(FIXED_LEVELS)}.")
    # The atlas's files and hemisphere, before any subject is read (fsaverage6: SUGAR's files, lh only).
    fixed_sulc(args.fixed, _single_hemi(args) if args.batch is None else "lh")
    if args.method in ("net", "net+fit"):
        from nodescope.core.models.sugar import SHIPPED_DIR, shipped_sugar

        if shipped_sugar() is None:
            raise LoadError(
                f"--method {args.method} needs the SUGAR weights in {SHIPPED_DIR}; use --method fit."
            )
    if args.refine < 0:
        raise LoadError(f"--refine takes a number of steps >= 0, not {args.refine}.")


def _single_hemi(args: argparse.Namespace) -> str:
    """The hemisphere of a single registration: ``--hemi``, else the sphere's name, else ``lh``."""
    from nodescope.core.errors import LoadError
    from nodescope.core.registration.io import hemi_of

    named = hemi_of(args.moving_sphere)
    if args.hemi == "both":
        raise LoadError("--hemi both is for --batch; a single registration takes --hemi lh or rh.")
    if args.hemi is not None and named is not None and args.hemi != named:
        raise LoadError(
            f"--hemi {args.hemi} but the sphere is named {args.moving_sphere.name}; "
            f"register it with --hemi {named} (or rename the file)."
        )
    return args.hemi or named or "lh"


def _register_one(subject: Subject, out: Path, args: argparse.Namespace, read_s: float) -> tuple[dict, Any]:
    """Register a read subject, write it; ``(timings incl. read/write/seconds, result)``."""
    from nodescope.core.registration.io import write_sphere
    from nodescope.core.registration.pipeline import register_subject

    result = register_subject(
        subject,
        fixed=args.fixed,
        rigid_only=args.rigid_only,
        refine=args.refine,
        method=args.method,
    )
    t = time.perf_counter()
    write_sphere(out, result.registered, subject.faces, subject.volume_info)
    timings = {"read_files": read_s, **result.timings, "write": time.perf_counter() - t}
    timings["seconds"] = read_s + result.timings["total"] + timings["write"]
    for line in result.warnings:
        print(f"nodescope: warning: {subject.name}: {line}", file=sys.stderr)
    return {k: round(v, 4) for k, v in timings.items()}, result


def _metrics(subject: Subject, registered: Any, fixed: str, reference: Any = None) -> dict[str, Any]:
    """Every registration measure (:func:`explain.registration.registration_metrics`) against ``fixed`` but those undefined."""
    from nodescope.explain.registration import registration_metrics

    metrics = registration_metrics(
        registered,
        subject.sphere,
        subject.faces,
        subject.sulc,
        reference=reference,
        labels=subject.labels if reference is not None else None,
        fixed=fixed,
        hemi=subject.hemi,
    )
    return {k: v for k, v in metrics.as_dict().items() if v is not None}


def _single(args: argparse.Namespace) -> int:
    from nodescope.core.registration.io import read_subject

    start = time.perf_counter()
    subject = read_subject(args.moving_sphere, args.moving_sulc, hemi=_single_hemi(args))
    timings, result = _register_one(subject, args.out, args, time.perf_counter() - start)
    t = time.perf_counter()
    metrics = _metrics(subject, result.registered, args.fixed)
    record = {
        "out": str(args.out),
        "hemi": subject.hemi,
        "stages": list(result.stages),
        **metrics,
        "rigid_score": round(result.rigid_score, 4),
        "warnings": list(result.warnings),
        "timings": timings,
        "metrics_seconds": round(time.perf_counter() - t, 4),
    }
    print(json.dumps(record))
    return 0


def _batch(args: argparse.Namespace) -> int:
    from nodescope.cli.progress import iterate
    from nodescope.core.errors import LoadError
    from nodescope.core.registration.io import read_sphere, read_subject_dir

    hemis = ("lh", "rh") if args.hemi in (None, "both") else (args.hemi,)

    def has(folder: Path, hemi: str) -> bool:
        return (folder / "surf" / f"{hemi}.sphere").is_file() and (folder / "surf" / f"{hemi}.sulc").is_file()

    # Subject folders have either hemisphere; an asked one that is absent gets a "skipped" row.
    folders = sorted(p for p in args.batch.iterdir() if has(p, "lh") or has(p, "rh"))
    if not any(has(p, h) for p in folders for h in hemis):
        wanted = " or ".join(f"surf/{h}.sphere and surf/{h}.sulc" for h in hemis)
        raise LoadError(f"{args.batch} holds no subject folder with {wanted}.")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    tasks = [(folder, hemi) for folder in folders for hemi in hemis]
    for folder, hemi in iterate(tasks, "registering", unit="hemisphere"):
        row: dict[str, Any] = {"subject": folder.name, "hemi": hemi}
        if not has(folder, hemi):
            rows.append(row | {"skipped": f"no surf/{hemi}.sphere and surf/{hemi}.sulc"})
            continue
        if args.fixed == "fsaverage6" and hemi == "rh":
            rows.append(row | {"skipped": "fsaverage6 (SUGAR's atlas) has a left hemisphere only"})
            continue
        start = time.perf_counter()
        try:
            subject = read_subject_dir(folder, hemi)
        except LoadError as exc:
            rows.append(row | {"error": str(exc)})
            continue
        timings, result = _register_one(
            subject, args.out / folder.name / "surf" / f"{hemi}.sphere.reg", args, time.perf_counter() - start
        )
        freesurfer = folder / "surf" / f"{hemi}.sphere.reg"
        reference = read_sphere(freesurfer)[0] if freesurfer.is_file() else None
        rows.append(
            row
            | _metrics(subject, result.registered, args.fixed, reference)
            | {"rigid_score": round(result.rigid_score, 4), "warning": "; ".join(result.warnings)}
            | timings
        )
    columns = list(dict.fromkeys(k for row in rows for k in row))
    columns = [c for c in columns if c not in ("skipped", "error")] + [
        c for c in ("skipped", "error") if c in columns
    ]
    path = args.out / CSV_NAME
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    failed = sum("error" in row for row in rows)
    skipped = sum("skipped" in row for row in rows)
    summary = {"subjects": len(folders), "hemispheres": len(rows) - failed - skipped}
    print(json.dumps(summary | {"skipped": skipped, "failed": failed, "csv": str(path)}))
    return 0


def run(args: argparse.Namespace) -> int:
    """Register one subject, or every subject of ``--batch``, as the module docstring describes.

    Args:
        args: the parsed ``nodescope register`` options.

    Returns:
        0.

    Raises:
        LoadError: contradictory or missing options, an unknown fixed surface, missing SUGAR
            weights for ``--method net``/``net+fit``, or a subject that cannot be read (in a
            batch, such a subject becomes a row with its error instead).
    """
    _check(args)
    return _batch(args) if args.batch is not None else _single(args)
