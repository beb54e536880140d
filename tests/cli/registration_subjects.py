"""FreeSurfer subject folders of synthetic hemispheres for the ``nodescope register`` tests."""

import numpy as np
from nibabel.freesurfer import write_geometry, write_morph_data

from nodescope.core.registration.pipeline import synthetic_subject


def write_hemisphere(surf, hemi, seed):
    """``surf/<hemi>.sphere`` and ``<hemi>.sulc``: an fsaverage4 synthetic warp (3°, 5° rotation) of the atlas's ``hemi``."""
    v, f, s, _ = synthetic_subject(seed, magnitude_deg=3.0, rotation_deg=5.0, level=4, hemi=hemi)
    surf.mkdir(parents=True, exist_ok=True)
    write_geometry(str(surf / f"{hemi}.sphere"), v, f.astype(np.int32))
    write_morph_data(str(surf / f"{hemi}.sulc"), s.astype(np.float32))
