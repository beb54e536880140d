"""Both hemispheres side by side: the offset, the pair's numbering, the stand-in and a real rh."""

import numpy as np
import pytest
from nibabel.freesurfer import write_geometry, write_morph_data

from nodescope.core.errors import LoadError
from nodescope.core.geometry.hemispheres import pair_faces, pair_ids, side_by_side, split_id
from nodescope.core.geometry.icosphere import icosphere
from nodescope.core.loaders import load
from nodescope.core.loaders.hemispheres import (
    MIRROR_NOTICE,
    both_hemispheres,
    hemi_of_sample,
    hemisphere_sizes,
    is_pair,
    one_hemisphere,
)


def test_side_by_side_puts_lh_left_rh_right_with_a_gap_and_moves_x_only():
    rng = np.random.default_rng(0)
    sphere = rng.normal(size=(50, 3)) * 100  # two spheres on the origin would overlap
    left, right = side_by_side(sphere, sphere + [0, 0, 5], gap_fraction=0.2)
    gap = right[:, 0].min() - left[:, 0].max()
    assert gap == pytest.approx(0.2 * np.ptp(sphere[:, 0]))
    assert left[:, 0].max() == pytest.approx(-gap / 2) and right[:, 0].min() == pytest.approx(gap / 2)
    np.testing.assert_allclose(left[:, 1:], sphere[:, 1:])
    np.testing.assert_allclose(right[:, 1:], sphere[:, 1:] + [0, 5])
    # shapes of each hemisphere unchanged (a translation)
    np.testing.assert_allclose(left - left[0], sphere - sphere[0])
    with pytest.raises(ValueError):
        side_by_side(sphere[:, :2], sphere)


def test_pair_numbering_runs_lh_first():
    faces = pair_faces(np.array([[0, 1, 2]]), np.array([[0, 2, 1]]), n_left=3)
    assert faces.tolist() == [[0, 1, 2], [3, 5, 4]]
    assert pair_ids("rh", [0, 2], 3).tolist() == [3, 5] and pair_ids("lh", [1], 3).tolist() == [1]
    assert split_id(4, 3) == ("rh", 1) and split_id(2, 3) == ("lh", 2)


def _subject(folder, hemis, shift=0.0):
    """A tiny FreeSurfer subject: surf/<hemi>.white and <hemi>.sulc for each hemisphere."""
    surf = folder / "surf"
    surf.mkdir(parents=True)
    v, f = icosphere(1)
    v, f = np.asarray(v) * 50, np.asarray(f)
    for k, hemi in enumerate(hemis):
        x = v + [(-1) ** (k + 1) * 30 + shift, 0, 0]
        write_geometry(str(surf / f"{hemi}.white"), x, f)
        write_morph_data(str(surf / f"{hemi}.sulc"), np.linspace(-1 - k, 2, len(v)).astype(np.float32))
    return surf


def test_a_real_rh_beside_the_lh_is_used(tmp_path):
    surf = _subject(tmp_path / "sub", ["lh", "rh"])
    lh = load(surf / "lh.white")
    assert hemi_of_sample(lh) == "lh"
    pair = both_hemispheres(lh)
    assert is_pair(pair) and not pair.notices
    n = lh.num_nodes
    assert hemisphere_sizes(pair) == (n, n)
    sulc = pair.data.x[:, pair.feature_names.index("sulc")].numpy()
    assert sulc[n] == pytest.approx(-2.0)  # the rh's own map, not the lh's
    pos = pair.data.pos.numpy()
    assert pos[:n, 0].max() < pos[n:, 0].min()
    assert pair.node_names[n] == "rh 0"
    back = one_hemisphere(pair, "rh")
    assert back.num_nodes == n and len(back.faces) == len(lh.faces)


def test_without_an_rh_its_mirror_stands_in_and_says_so(tmp_path):
    surf = _subject(tmp_path / "sub", ["lh"])
    lh = load(surf / "lh.white")
    pair = both_hemispheres(lh)
    assert any(MIRROR_NOTICE in n for n in pair.notices)
    n = lh.num_nodes
    x = pair.data.x.numpy()
    np.testing.assert_array_equal(x[:n], x[n:])  # the mirror carries the lh's maps
    pos = pair.data.pos.numpy()
    assert pos[:n, 0].max() < pos[n:, 0].min()
    # the mirror is x -> -x of the lh (up to the side-by-side shift)
    mirrored = pos[n:] - pos[n:].mean(0)
    original = lh.data.pos.numpy() - lh.data.pos.numpy().mean(0)
    np.testing.assert_allclose(mirrored, original * [-1, 1, 1], atol=1e-4)


def test_an_rh_sample_goes_on_the_right(tmp_path):
    surf = _subject(tmp_path / "sub", ["lh", "rh"])
    rh = load(surf / "rh.white")
    pair = both_hemispheres(rh)
    n = rh.num_nodes
    sulc = pair.data.x[:, pair.feature_names.index("sulc")].numpy()
    assert sulc[0] == pytest.approx(-1.0) and sulc[n] == pytest.approx(-2.0)  # lh first, then the loaded rh


def test_a_pair_is_not_paired_again():
    with pytest.raises(LoadError):
        hemisphere_sizes(load("karate"))
