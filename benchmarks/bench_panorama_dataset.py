"""Panorama room generator speed, and the layout latitude-band oracle on the test and ood splits.

Times (wall clock and this process's CPU time, medians over rooms) one 1024x512 panorama
(:func:`core.panorama.render.render_panorama`, all fields) and one level-6 sphere sample
(:func:`core.panorama.dataset.sphere_sample`, 40,962 rays), and projects them to 1,000
panoramas (issue 20's target: under 5 minutes). CPU time is what one idle core would take;
the wall time includes whatever else the machine runs (its load average is recorded).
Then scores the latitude-band oracle (:func:`core.panorama.metrics.band_oracle`, thresholds
chosen per image on its own layout) on ``--rooms`` test and ood rooms at icosphere level 6
(vertex-area weights) and, as a check, on 1024x512 renders (cos-latitude weights).
Writes ``benchmarks/results/panorama_dataset.json``.

Usage::

    .venv/bin/python benchmarks/bench_panorama_dataset.py [--rooms 50] [--timed 12]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import summarize, write  # noqa: E402


def _time(fn: Callable[[int], object], seeds: range) -> dict[str, float]:
    """Wall and CPU seconds of ``fn(seed)`` per seed."""
    wall, cpu = [], []
    for seed in seeds:
        t, c = time.perf_counter(), time.process_time()
        fn(seed)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {**summarize(wall), "cpu_median_s": statistics.median(cpu)}


def main() -> None:
    """Time the generator, score the oracle, write the JSON."""
    import numpy as np

    from nodescope.core.panorama.dataset import jittered_directions, sphere_sample
    from nodescope.core.panorama.metrics import (
        band_oracle,
        equirect_weights,
        vertex_latitudes,
        vertex_weights,
    )
    from nodescope.core.panorama.render import render_panorama
    from nodescope.core.panorama.scene import sample_scene

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=50, help="rooms per split for the oracle")
    parser.add_argument("--timed", type=int, default=12, help="rooms timed")
    args = parser.parse_args()

    load_before = os.getloadavg()
    render_panorama(sample_scene(0, "train"), 64, 32)  # warm up imports
    directions = jittered_directions(6, 1)
    pano = _time(lambda s: render_panorama(sample_scene(s, "train"), 1024, 512), range(args.timed))
    sphere = _time(lambda s: sphere_sample(s, "train", directions), range(args.timed))
    print("panorama", pano, "sphere", sphere, flush=True)

    lat, weights = vertex_latitudes(6), vertex_weights(6)
    image_lat = (0.5 - (np.arange(512) + 0.5) / 512) * 180.0
    image_lat = np.repeat(image_lat[:, None], 1024, axis=1)
    image_w = equirect_weights(512, 1024)
    oracle = {}
    for split in ("test", "ood"):
        scores = [
            band_oracle(sphere_sample(s, split, directions)["layout"], lat, weights)[0]
            for s in range(args.rooms)
        ]
        checks = [
            band_oracle(render_panorama(sample_scene(s, split), 1024, 512).layout, image_lat, image_w)[0]
            for s in range(min(args.rooms, 10))
        ]
        oracle[split] = {
            "rooms": args.rooms,
            "level6_mean": float(np.mean(scores)),
            "level6_std": float(np.std(scores)),
            "level6_min": float(np.min(scores)),
            "equirect_1024_first10_mean": float(np.mean(checks)),
        }
        print(split, oracle[split], flush=True)
    write(
        "panorama_dataset",
        {
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "panorama_1024x512": pano,
            "sphere_level6": {**sphere, "rays": int(directions.shape[1])},
            "projection_1000_panoramas_s": {
                "wall_median": 1000 * pano["median_s"],
                "cpu_median": 1000 * pano["cpu_median_s"],
            },
            "projection_1000_sphere_level6_s": {
                "wall_median": 1000 * sphere["median_s"],
                "cpu_median": 1000 * sphere["cpu_median_s"],
            },
            "layout_band_oracle": oracle,
        },
    )


if __name__ == "__main__":
    main()
