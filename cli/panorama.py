"""``nodescope panorama``: the shipped spherical U-Net's depth, classes, layout, normals and point cloud per image.

::

    nodescope panorama IMAGE [IMAGE ...] --out DIR [--camera-height M] [--threads N]

runs :func:`core.models.panorama.image_maps.panorama_maps` on each equirectangular PNG/JPEG
(2:1) and writes :data:`core.models.panorama.files.FILE_NAMES` at the image's resolution,
into ``DIR`` for one image or ``DIR/<image stem>/`` for several (a repeated stem gets ``-2``,
``-3``...). A single image does not fix the scale of a room, so depths are scaled to an
assumed camera height: the median height of the predicted floor below the camera (from the
layout depth of vertices predicted ``floor``) is set to ``--camera-height`` (default 1.5 m);
with no predicted floor the network's own metres are kept and a line says so.

Progress goes to stderr. A file that cannot be used (not 2:1, corrupt, too large, missing)
gets one line on stderr and the other images are still processed; the command then exits 2
and names the failed files. Stdout gets one JSON line: the folders written, the failures, the
scale per image and the seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

EXIT_BAD_INPUT = 2


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``panorama`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "panorama",
        help="depth, classes, room layout, normals and a point cloud for equirectangular images",
        description="Run the shipped spherical U-Net on equirectangular (2:1) PNG/JPEG panoramas and write, "
        "at each image's resolution: depth.npy (m) and depth.png (16-bit mm), class.png with classes.json, "
        "layout.png (0 floor, 1 wall, 2 ceiling), layout_depth.npy (m), normals.npy (HxWx3, unit) and "
        "points.ply (colored point cloud).",
    )
    p.add_argument(
        "images", type=Path, nargs="+", metavar="IMAGE", help="equirectangular PNG/JPEG, width = 2 x height"
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output folder (one image: its files; several: a folder per image stem)",
    )
    p.add_argument(
        "--camera-height",
        type=float,
        metavar="M",
        # the default is core.models.panorama.single.DEFAULT_CAMERA_HEIGHT_M, read in run(): importing
        # it here would load torch for every nodescope command (tests/cli/test_main.py checks the text)
        help="metres from the camera down to the floor (default 1.5 m): fixes the metric "
        "scale, since depths are scaled so that the predicted floor lies this far below the camera",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="torch threads (default 1: the network is small, and one thread is the fastest on a busy machine)",
    )
    p.set_defaults(func=run)


def output_folders(images: list[Path], out: Path) -> list[Path]:
    """Where each image's files go: ``out`` for one image, else ``out/<stem>`` (``<stem>-2``... when a stem repeats)."""
    if len(images) == 1:
        return [out]
    folders, taken = [], set()
    for image in images:
        name, k = image.stem, 1
        while name in taken:
            k += 1
            name = f"{image.stem}-{k}"
        taken.add(name)
        folders.append(out / name)
    return folders


def run(args: argparse.Namespace) -> int:
    """Process every image as the module docstring describes.

    Args:
        args: the parsed ``nodescope panorama`` options.

    Returns:
        0 when every image was written, :data:`EXIT_BAD_INPUT` when any failed (named on stderr).

    Raises:
        LoadError: no shipped network, or a camera height that is not a positive number.
    """
    import math

    import torch

    from nodescope.cli.progress import iterate
    from nodescope.core.errors import LoadError
    from nodescope.core.loaders.panorama import read_image
    from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
    from nodescope.core.models.panorama.files import write_maps
    from nodescope.core.models.panorama.image_maps import panorama_maps
    from nodescope.core.models.panorama.single import DEFAULT_CAMERA_HEIGHT_M

    if args.camera_height is None:
        args.camera_height = DEFAULT_CAMERA_HEIGHT_M
    if not (math.isfinite(args.camera_height) and 0 < args.camera_height <= 100):
        raise LoadError(
            f"--camera-height must be a positive number of metres (up to 100); got {args.camera_height}."
        )
    path = shipped_panorama()
    if path is None:
        raise LoadError(
            "No spherical U-Net ships with this copy (assets/models/panorama/spherical-unet); "
            "`python examples/train_panorama.py --ship` trains one."
        )
    if args.threads < 1:
        raise LoadError(f"--threads must be 1 or more; got {args.threads}.")
    torch.set_num_threads(args.threads)
    model, _ = load_panorama(path)
    start = time.perf_counter()
    written, failed = [], []
    for image_path, folder in iterate(
        list(zip(args.images, output_folders(args.images, args.out), strict=True)), "panoramas", unit="image"
    ):
        try:
            image = read_image(image_path)
        except LoadError as exc:
            _say(str(exc).splitlines()[0])
            failed.append({"image": str(image_path), "error": str(exc).splitlines()[0]})
            continue
        maps = panorama_maps(model, image, args.camera_height)
        write_maps(folder, maps, image)
        v = maps.vertices
        if v.camera_height_m is None:
            _say(
                f"no floor predicted in '{image_path.name}': its depths are the network's own metres, "
                "not scaled to the camera height."
            )
        written.append(
            {
                "image": str(image_path),
                "out": str(folder),
                "size": [image.shape[1], image.shape[0]],
                "scale": v.scale,
                "camera_height_m": v.camera_height_m,
            }
        )
    if failed:
        names = ", ".join(Path(f["image"]).name for f in failed)
        print(f"nodescope: {len(failed)} of {len(args.images)} images failed: {names}", file=sys.stderr)
    print(
        json.dumps({"written": written, "failed": failed, "seconds": round(time.perf_counter() - start, 2)})
    )
    return EXIT_BAD_INPUT if failed else 0


def _say(line: str) -> None:
    """One ``nodescope: ...`` line on stderr, printed above the progress bar (not through it)."""
    from tqdm import tqdm

    tqdm.write(f"nodescope: {line}", file=sys.stderr)
