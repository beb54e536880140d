"""End-to-end panorama inference time: a 2048x1024 image to depth, classes, layout and normals at 2048x1024.

Times :func:`core.models.panorama.image_maps.panorama_maps` with the shipped spherical U-Net
(issue 20's target: under 1.5 s on this CPU): box-average the image and sample it at the
network's vertices, run every head, scale to the camera height, carry every field back to the
image grid. The input is test room 0 rendered at 2048x1024. Reports the median of ``--repeats``
warm calls (wall and this process's CPU time), the first (cold) call apart (it builds the
icosphere, neighbor tables and pixel-to-triangle weights once per process), the share of each
stage, and writing the files (``nodescope panorama``'s, point cloud included) apart. The load
average is recorded: on a shared machine the wall time includes whatever else runs.
Writes ``benchmarks/results/panorama_inference.json``.

Usage::

    .venv/bin/python benchmarks/bench_panorama_inference.py [--repeats 5] [--threads 1] [--size 2048]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import summarize, write  # noqa: E402


def main() -> None:
    """Time the inference, write the JSON."""
    import numpy as np
    import torch

    from nodescope.core.device import device
    from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
    from nodescope.core.models.panorama.evaluate import predict
    from nodescope.core.models.panorama.files import write_maps
    from nodescope.core.models.panorama.image_maps import panorama_maps, vertices_to_grid
    from nodescope.core.models.panorama.single import predict_image
    from nodescope.core.panorama.classes import CLASS_NAMES
    from nodescope.core.panorama.metrics import depth_abs_rel, equirect_weights, mean_iou, weighted_accuracy
    from nodescope.core.panorama.render import render_panorama
    from nodescope.core.panorama.scene import sample_scene

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="warm calls timed (the median is reported)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1, as nodescope panorama; 0: torch's default)",
    )
    parser.add_argument("--size", type=int, default=2048, help="image width (the height is half)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    path = shipped_panorama()
    if path is None:
        sys.exit("no shipped spherical U-Net (assets/models/panorama/spherical-unet)")
    model, _ = load_panorama(path)
    w, h = args.size, args.size // 2
    scene = sample_scene(0, "test")
    truth = render_panorama(scene, w, h)
    image = (np.clip(truth.rgb, 0, 1) * 255 + 0.5).astype(np.uint8)

    load_before = os.getloadavg()
    t = time.perf_counter()
    maps = panorama_maps(model, image)
    cold = time.perf_counter() - t
    wall, cpu = [], []
    for _ in range(args.repeats):
        t, c = time.perf_counter(), time.process_time()
        maps = panorama_maps(model, image)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)

    # the stages, each timed alone (medians of the same number of calls)
    vertex = predict_image(model, image, 1.5)
    fields = torch.cat(
        [
            torch.as_tensor(vertex.pred[k]).float().reshape(len(vertex.directions), -1)
            for k in ("depth", "layout_depth", "normal", "class_prob", "layout_prob")
        ],
        dim=1,
    )
    stages: dict[str, list[float]] = {
        "sample + network + scale": [],
        "network alone": [],
        "back to the image grid": [],
    }
    for _ in range(args.repeats):
        t = time.perf_counter()
        predict_image(model, image, 1.5)
        stages["sample + network + scale"].append(time.perf_counter() - t)
        t = time.perf_counter()
        predict(model, vertex.rgb[None])
        stages["network alone"].append(time.perf_counter() - t)
        t = time.perf_counter()
        vertices_to_grid(fields, model.config.level, h, w)
        stages["back to the image grid"].append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        files = write_maps(Path(tmp), maps, image)
        writing = time.perf_counter() - t
        sizes = {p.name: p.stat().st_size for p in files}

    # a check that the maps are the network's at full resolution: scored per pixel (cos-latitude
    # weights) against the render, depths scaled to the room's true camera height
    true_height = panorama_maps(model, image, scene.camera_height)
    weights = equirect_weights(h, w)
    check = {
        "camera_height_m": scene.camera_height,
        "depth_abs_rel": depth_abs_rel(true_height.depth, truth.depth, weights),
        "depth_abs_rel_network_metres": depth_abs_rel(
            panorama_maps(model, image, None).depth, truth.depth, weights
        ),
        "layout_accuracy": weighted_accuracy(true_height.layout, truth.layout, weights),
        "class_miou": mean_iou(true_height.classes, truth.label, len(CLASS_NAMES), weights),
    }
    median = statistics.median(wall)
    write(
        "panorama_inference",
        {
            "image": f"test room 0 rendered at {w}x{h}",
            "device": str(device()),
            "torch_threads": torch.get_num_threads(),
            "end_to_end": {**summarize(wall), "cpu_median_s": statistics.median(cpu)},
            "first_call_s": cold,
            "stages_median_s": {k: statistics.median(v) for k, v in stages.items()},
            "write_files_s": writing,
            "pixel_scores_this_room": check,
            "file_bytes": sizes,
            "target_s": 1.5,
            "met": median < 1.5,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
    )


if __name__ == "__main__":
    main()
