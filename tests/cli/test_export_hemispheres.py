"""``nodescope export`` of the cortical pages draws both hemispheres in one view where both exist."""

from __future__ import annotations

import numpy as np
from nibabel.freesurfer import write_geometry, write_morph_data

from nodescope.cli.main import main
from nodescope.core.geometry.icosphere import icosphere

BOTH = "Both hemispheres (lh left, rh right)"


def _export(tmp_path, source: str) -> str:
    out = tmp_path / "geometry.html"
    assert main(["export", "geometry", "--source", source, "--out", str(out)]) == 0
    return out.read_text()


def test_fsaverage5_exports_both_hemispheres(tmp_path):
    doc = _export(tmp_path, "fsaverage5-right")
    assert doc.count('class="figure"') == 3 and BOTH in doc
    assert "rh 0" in doc  # pair vertices name their hemisphere


def test_a_lone_hemisphere_exports_alone(tmp_path):
    surf = tmp_path / "sub" / "surf"
    surf.mkdir(parents=True)
    v, f = icosphere(1)
    write_geometry(str(surf / "lh.white"), np.asarray(v) * 50, np.asarray(f))
    write_morph_data(str(surf / "lh.sulc"), np.linspace(-1, 1, len(v)).astype(np.float32))
    doc = _export(tmp_path, str(surf / "lh.white"))
    assert doc.count('class="figure"') == 2 and BOTH not in doc  # no stand-in passed off as an rh
