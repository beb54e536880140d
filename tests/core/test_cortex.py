"""Cortex loader: nilearn's fsaverage5, FreeSurfer subject layouts, GIfTI, and bad files."""

import time
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import torch
from nibabel.freesurfer import write_annot, write_geometry, write_morph_data

from nodescope.core.errors import LoadError
from nodescope.core.geometry.sphere import latlon_to_xyz
from nodescope.core.loaders.cortex import (
    BUILTINS,
    READERS,
    is_freesurfer_geometry,
    is_freesurfer_morph,
    load_fsaverage5,
    read_cortex,
)


@pytest.fixture(scope="module")
def fsavg():
    return {hemi: load_fsaverage5(hemi) for hemi in ("left", "right")}


def undirected_pairs(edge_index: torch.Tensor) -> set[tuple[int, int]]:
    return {(min(u, v), max(u, v)) for u, v in edge_index.t().tolist()}


def face_pairs(face: torch.Tensor) -> set[tuple[int, int]]:
    return {
        (min(a, b), max(a, b))
        for t in face.t().tolist()
        for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))
    }


def assert_lengths_aligned(s) -> None:
    ei, pos = s.data.edge_index, s.data.pos.double()
    assert s.data.edge_attr.shape == (ei.shape[1], 1) and s.data.edge_attr.dtype == torch.float32
    dist = (pos[ei[0]] - pos[ei[1]]).norm(dim=1)
    assert torch.allclose(s.data.edge_attr[:, 0].double(), dist, rtol=1e-5)


def assert_sph_matches(s, sphere: np.ndarray) -> None:
    sph = s.data.sph
    assert sph.shape == (s.num_nodes, 2) and sph.dtype == torch.float32
    assert sph[:, 0].abs().max() <= 90 and sph[:, 1].abs().max() <= 180
    unit = sphere / np.linalg.norm(sphere, axis=1, keepdims=True)
    back = latlon_to_xyz(sph[:, 0].numpy(), sph[:, 1].numpy())
    np.testing.assert_allclose(back, unit, atol=1e-4)


# ---------------------------------------------------------------- small synthetic hemisphere
def octahedron(radius: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """6 vertices on a sphere and 8 outward triangles."""
    v = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float) * radius
    f = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])
    return v, f


@pytest.fixture
def subject(tmp_path) -> Path:
    """A FreeSurfer layout: surf/lh.{white,sphere,inflated,sulc,curv}, label/lh.aparc.annot."""
    sphere, faces = octahedron()
    white = sphere * np.array([0.5, 0.7, 0.9])  # not spherical
    surf, label = tmp_path / "subj" / "surf", tmp_path / "subj" / "label"
    surf.mkdir(parents=True)
    label.mkdir()
    write_geometry(str(surf / "lh.white"), white, faces)
    write_geometry(str(surf / "lh.sphere"), sphere, faces)
    write_geometry(str(surf / "lh.inflated"), white * 1.5, faces)
    write_geometry(str(surf / "rh.white"), white, faces)  # the other hemisphere: never picked up
    write_morph_data(str(surf / "lh.sulc"), np.arange(6, dtype=np.float32))
    write_morph_data(str(surf / "lh.curv"), -np.arange(6, dtype=np.float32))
    ctab = np.array([[25, 5, 25, 0, 0], [220, 20, 10, 0, 0], [20, 220, 60, 0, 0]], np.int32)
    write_annot(str(label / "lh.aparc.annot"), np.array([0, 1, 1, 2, -1, 0]), ctab, ["unknown", "a", "b"])
    return surf


# ---------------------------------------------------------------- fsaverage5
def test_builtins_and_reader():
    assert [b.key for b in BUILTINS] == ["fsaverage5-left", "fsaverage5-right"]
    assert all(b.kind == "cortex" for b in BUILTINS)
    r = READERS[0]
    assert r.kind == "cortex" and r.read is read_cortex
    assert {".gii", ".sphere", ".reg", ".pial"} <= set(r.extensions)
    assert r.sniff(b"\xff\xff\xfecreated by me") and not r.sniff(b"\xff\xff\xff\x00")


@pytest.mark.parametrize("hemi", ["left", "right"])
def test_fsaverage5(fsavg, hemi):
    s = fsavg[hemi]
    assert s.kind == "cortex" and s.name == f"fsaverage5 {hemi} hemisphere"
    assert (s.num_nodes, s.data.face.shape, s.num_edges) == (10242, (3, 20480), 30720)
    assert undirected_pairs(s.data.edge_index) == face_pairs(s.data.face)
    assert sorted(s.surfaces) == ["inflated", "pial", "sphere", "white"]
    assert all(v.shape == (10242, 3) and v.dtype == np.float32 for v in s.surfaces.values())
    assert torch.equal(s.data.pos, torch.as_tensor(s.surfaces["pial"]))
    assert s.feature_names == ["sulc", "curv"] and torch.isfinite(s.data.x).all()
    assert s.data.x.std(dim=0).min() > 0.1  # real, varying overlays
    assert s.data.get("y") is None and s.label_names is None
    assert_lengths_aligned(s)
    assert_sph_matches(s, s.surfaces["sphere"])
    assert s.units["pos"] == "mm"


def test_fsaverage5_hemispheres_differ(fsavg):
    left, right = fsavg["left"].data.pos, fsavg["right"].data.pos
    assert left[:, 0].mean() < 0 < right[:, 0].mean()  # RAS: left hemisphere at negative x


def test_fsaverage5_bad_hemi():
    with pytest.raises(LoadError, match="left"):
        load_fsaverage5("both")


# ---------------------------------------------------------------- FreeSurfer layouts
def test_freesurfer_layout_auto_discovers_siblings(subject):
    s = read_cortex(subject / "lh.white", [])
    assert s.name == "subj lh.white" and s.kind == "cortex"
    assert (s.num_nodes, s.data.face.shape, s.num_edges) == (6, (3, 8), 12)
    assert list(s.surfaces) == ["white", "sphere", "inflated"]  # loaded first, then display order
    assert s.feature_names == ["sulc", "curv"]
    assert s.data.x[:, 0].tolist() == [0, 1, 2, 3, 4, 5]
    assert s.label_names == ["unknown", "a", "b"]
    assert s.data.y.tolist() == [0, 1, 1, 2, -1, 0]  # unlabeled stays -1
    assert_sph_matches(s, s.surfaces["sphere"])  # from the sphere, though pos is the white surface
    assert_lengths_aligned(s)
    assert s.notices == []


def test_spherical_geometry_gives_sph_itself(subject):
    s = read_cortex(subject / "lh.sphere", [])
    assert_sph_matches(s, s.data.pos.numpy())
    assert list(s.surfaces)[0] == "sphere"


def test_no_overlays_gives_coordinates_as_features(tmp_path):
    v, f = octahedron()
    write_geometry(str(tmp_path / "mesh.pial"), v * [1, 2, 3], f)
    s = read_cortex(tmp_path / "mesh.pial", [])
    assert s.feature_names == ["x", "y", "z"]
    assert torch.equal(s.data.x, s.data.pos)
    assert s.data.get("sph") is None  # not spherical, no sphere beside it


def test_explicit_companions(subject, tmp_path):
    thick = tmp_path / "lh.thickness"
    write_morph_data(str(thick), np.full(6, 2.5, np.float32))
    s = read_cortex(subject / "lh.white", [thick])
    assert s.feature_names == ["sulc", "curv", "thickness"]
    assert s.data.x[:, 2].tolist() == [2.5] * 6


def test_broken_auto_discovered_sibling_is_skipped_with_notice(subject):
    write_morph_data(str(subject / "lh.curv"), np.zeros(5, np.float32))
    s = read_cortex(subject / "lh.white", [])
    assert s.feature_names == ["sulc"]
    assert any("lh.curv" in n and "5 values" in n for n in s.notices)


# ---------------------------------------------------------------- GIfTI
def write_gifti(path: Path, *arrays: tuple[np.ndarray, str], labels: dict[int, str] | None = None) -> Path:
    img = nib.gifti.GiftiImage()
    for data, intent in arrays:
        img.add_gifti_data_array(nib.gifti.GiftiDataArray(data, intent=intent))
    if labels:
        for key, name in labels.items():
            lab = nib.gifti.GiftiLabel(key=key)
            lab.label = name
            img.labeltable.labels.append(lab)
    nib.save(img, str(path))
    return path


def test_gifti_round_trip(tmp_path):
    v, f = octahedron()
    surf = write_gifti(
        tmp_path / "sub-01_hemi-L_pial.surf.gii",
        (v.astype(np.float32), "NIFTI_INTENT_POINTSET"),
        (f.astype(np.int32), "NIFTI_INTENT_TRIANGLE"),
    )
    sulc = write_gifti(
        tmp_path / "sub-01_hemi-L_sulc.shape.gii", (np.linspace(-1, 1, 6, dtype=np.float32), "shape")
    )
    parc = write_gifti(
        tmp_path / "sub-01_hemi-L_aparc.label.gii",
        (np.array([10, 10, 20, 20, 30, 99], np.int32), "label"),
        labels={10: "frontal", 20: "parietal", 30: "occipital"},
    )
    s = read_cortex(surf, [sulc, parc])
    np.testing.assert_allclose(s.data.pos.numpy(), v)
    assert s.data.face.t().tolist() == f.tolist()
    assert list(s.surfaces) == ["pial"]
    assert s.feature_names == ["sub-01_hemi-L_sulc"]
    np.testing.assert_allclose(s.data.x[:, 0].numpy(), np.linspace(-1, 1, 6), atol=1e-6)
    assert s.label_names == ["frontal", "parietal", "occipital"]
    assert s.data.y.tolist() == [0, 0, 1, 1, 2, -1]  # key 99 is not in the label table
    assert_sph_matches(s, v)  # the octahedron is spherical


def test_gifti_data_file_as_geometry_is_refused(tmp_path):
    data = write_gifti(tmp_path / "lh.sulc.shape.gii", (np.zeros(6, np.float32), "shape"))
    with pytest.raises(LoadError, match="per-vertex data, not a surface"):
        read_cortex(data, [])


# ---------------------------------------------------------------- bad input
def test_overlay_of_wrong_length_is_refused(subject, tmp_path):
    short = tmp_path / "lh.thickness"
    write_morph_data(str(short), np.zeros(110864, np.float32))
    with pytest.raises(LoadError) as err:
        read_cortex(subject / "lh.white", [short])
    assert str(err.value) == "lh.thickness has 110,864 values but the surface has 6 vertices."
    gii = write_gifti(tmp_path / "x.shape.gii", (np.zeros(7, np.float32), "shape"))
    with pytest.raises(LoadError, match="x.shape.gii has 7 values but the surface has 6 vertices"):
        read_cortex(subject / "lh.white", [gii])
    annot = tmp_path / "lh.other.annot"
    write_annot(str(annot), np.zeros(4, int), np.array([[1, 2, 3, 0, 0]], np.int32), ["only"])
    with pytest.raises(LoadError, match="4 labels but the surface has 6 vertices"):
        read_cortex(subject / "lh.white", [annot])
    other = tmp_path / "rh.pial"
    write_geometry(str(other), np.zeros((4, 3)), np.array([[0, 1, 2]]))
    with pytest.raises(LoadError, match="4 vertices but the surface has 6"):
        read_cortex(subject / "lh.white", [other])


def cut(path: Path, fraction: float, dest: Path) -> Path:
    raw = path.read_bytes()
    dest.write_bytes(raw[: int(len(raw) * fraction)])
    return dest


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.95])
def test_truncated_files_are_refused(subject, tmp_path, fraction):
    with pytest.raises(LoadError, match="lh.cut.white"):
        read_cortex(cut(subject / "lh.white", fraction, tmp_path / "lh.cut.white"), [])
    for name, words in (("lh.sulc", "lh.sulc"), ("../label/lh.aparc.annot", "aparc.annot")):
        bad = cut(subject / name, fraction, tmp_path / Path(name).name)
        if fraction == 0.0:
            bad.write_bytes(b"\xff\xff\xff" if "sulc" in name else b"")
        with pytest.raises(LoadError, match=words):
            read_cortex(subject / "lh.white", [bad])


def test_truncated_and_corrupt_gifti_is_refused(tmp_path):
    v, f = octahedron()
    good = write_gifti(
        tmp_path / "good.surf.gii",
        (v.astype(np.float32), "NIFTI_INTENT_POINTSET"),
        (f.astype(np.int32), "NIFTI_INTENT_TRIANGLE"),
    )
    for fraction in (0.0, 0.3, 0.9):
        with pytest.raises(LoadError, match="GIfTI"):
            read_cortex(cut(good, fraction, tmp_path / "cut.surf.gii"), [])
    junk = tmp_path / "junk.surf.gii"
    junk.write_bytes(b"\x00\x01garbage" * 50)
    with pytest.raises(LoadError, match="junk.surf.gii"):
        read_cortex(junk, [])
    points_only = write_gifti(tmp_path / "pts.surf.gii", (v.astype(np.float32), "NIFTI_INTENT_POINTSET"))
    with pytest.raises(LoadError, match="no triangles"):
        read_cortex(points_only, [])


def test_wrong_formats_are_refused(subject, tmp_path):
    text = tmp_path / "lh.pial"
    text.write_text("not a surface\n" * 10)
    with pytest.raises(LoadError, match="not a FreeSurfer triangle surface"):
        read_cortex(text, [])
    with pytest.raises(LoadError, match="per-vertex data"):
        read_cortex(subject / "lh.sulc", [])  # morph data given as the geometry
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(LoadError, match="notes.txt is not a FreeSurfer morph file"):
        read_cortex(subject / "lh.white", [notes])
    v, f = octahedron()
    write_geometry(str(tmp_path / "bad.white"), v, f + 3)  # indices past the last vertex
    with pytest.raises(LoadError, match="outside 0..5"):
        read_cortex(tmp_path / "bad.white", [])
    write_geometry(str(tmp_path / "nan.white"), np.where(v == 100, np.nan, v), f)
    with pytest.raises(LoadError, match="NaN"):
        read_cortex(tmp_path / "nan.white", [])
    assert is_freesurfer_morph((subject / "lh.sulc").read_bytes()[:3])
    assert is_freesurfer_geometry((subject / "lh.white").read_bytes()[:3])


# ---------------------------------------------------------------- a real subject
def test_real_subject_sphere(shared_data):
    path = shared_data / "sugar-sub-001" / "surf" / "lh.sphere"
    start = time.perf_counter()
    s = read_cortex(path, [])
    print(f"lh.sphere with siblings loaded in {time.perf_counter() - start:.2f} s")
    assert (s.num_nodes, s.data.face.shape[1]) == (110_864, 221_724)
    assert s.num_edges == 110_864 + 221_724 - 2  # Euler: a closed genus-0 surface
    assert s.feature_names == ["sulc", "curv"] and torch.isfinite(s.data.x).all()
    assert list(s.surfaces) == ["sphere", "smoothwm"]
    assert len(s.label_names) == 36 and s.label_names[1] == "bankssts"
    y = s.data.y
    assert int(y.max()) < 36 and 0 < int((y == -1).sum()) < s.num_nodes // 10
    assert_sph_matches(s, s.data.pos.numpy())
    assert_lengths_aligned(s)
    assert s.notices == []
