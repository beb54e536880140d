"""The fixed surfaces (atlases) a subject registers onto, and where their sulc comes from.

- ``fsaverage5``: nilearn's fsaverage5 (10,242 vertices), both hemispheres, shipped in nilearn's wheel.
- ``fsaverage6``: the icosphere at level 6 (40,962 vertices, built exactly by
  :mod:`core.geometry.fsaverage`) with SUGAR's mean sulc over 904 subjects (left hemisphere
  only), from the SUGAR repository (github.com/NingAnMe/SUGAR, Apache-2.0).

SUGAR's atlas files are not shipped with Nodescope (they are SUGAR's data, not ours) and not
downloaded behind the user's back: they are looked for in :data:`ENV` (a folder), then
``~/.cache/nodescope/sugar-atlas``, then ``../shared/data/sugar-atlas`` beside a source
checkout; without them ``fsaverage6`` is refused in one line that says where to put them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.registration.io import NILEARN_HEMI, read_morph

#: Fixed surfaces: name -> icosphere level of its vertices.
FIXED_LEVELS = {"fsaverage5": 5, "fsaverage6": 6}
#: The folder holding SUGAR's atlas files, when set.
ENV = "NODESCOPE_SUGAR_ATLAS"
#: SUGAR's files: the mean and standard deviation of sulc over 904 subjects on fsaverage6.
SUGAR_FILES = ("lh.904_weight.mean.sulc", "lh.904_weight.std.sulc")
SUGAR_URL = "https://github.com/NingAnMe/SUGAR"


def _cache_dir() -> Path:
    return Path.home() / ".cache" / "nodescope" / "sugar-atlas"


def sugar_dirs() -> list[Path]:
    """The folders searched for SUGAR's atlas files, in order."""
    dirs = [Path(os.environ[ENV]).expanduser()] if os.environ.get(ENV) else []
    dirs.append(_cache_dir())
    dirs.append(Path(__file__).resolve().parents[3] / "shared" / "data" / "sugar-atlas")
    return dirs


@lru_cache(maxsize=1)
def sugar_sulc() -> tuple[np.ndarray, np.ndarray]:
    """SUGAR's fsaverage6 atlas: ``(mean, std)`` of sulc over 904 subjects, (40962,) float64 each.

    Raises:
        LoadError: the files are in none of :func:`sugar_dirs`, or are not fsaverage6 maps.
    """
    for folder in sugar_dirs():
        paths = [folder / name for name in SUGAR_FILES]
        if all(p.is_file() for p in paths):
            mean, std = (read_morph(p, 10 * 4**6 + 2) for p in paths)
            return mean, std
    raise LoadError(
        f"fsaverage6 needs SUGAR's 904-subject sulc atlas ({' and '.join(SUGAR_FILES)}, Apache-2.0, "
        f"from {SUGAR_URL}); put them in {_cache_dir()} or in a folder named by ${ENV}."
    )


def fixed_sulc(name: str, hemi: str = "lh") -> tuple[np.ndarray, np.ndarray]:
    """A fixed surface's vertices and sulc: ``((Q, 3) float64 unit vectors, (Q,) float64)``.

    Raises:
        LoadError: an unknown surface, a hemisphere it lacks (fsaverage6: lh only), or SUGAR's
            files missing.
    """
    if name not in FIXED_LEVELS:
        raise LoadError(f"Unknown fixed surface {name!r}; choose one of {', '.join(FIXED_LEVELS)}.")
    if hemi not in NILEARN_HEMI:
        raise LoadError(f"hemi must be 'lh' or 'rh', not {hemi!r}.")
    if name == "fsaverage6" and hemi != "lh":
        raise LoadError(
            "fsaverage6 (SUGAR's 904-subject atlas) has a left hemisphere only; use fsaverage5 for rh."
        )
    from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level  # torch: only when asked

    vertices = icosphere_level(FIXED_LEVELS[name]).vertices.double().numpy()
    sulc = sugar_sulc()[0] if name == "fsaverage6" else fsaverage5_map("sulc", NILEARN_HEMI[hemi])
    return vertices, sulc
