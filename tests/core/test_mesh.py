"""Mesh loader: pyvista's shipped meshes, file round trips, and refusal of bad files.

Bad files matter more than usual here: VTK's readers crash the process on some of them
(a truncated binary PLY, a face index past the last vertex), so every case below must end
in a LoadError, never in a segfault.
"""

from pathlib import Path

import numpy as np
import pytest
import pyvista as pv
import torch

from nodescope.core.errors import LoadError
from nodescope.core.loaders.mesh import (
    _EXAMPLES_DIR,
    BUILTINS,
    FEATURE_NAMES,
    READERS,
    mesh_to_sample,
    read_mesh,
)

# (vertices, triangles) after cleaning; the globe loses its 70 collapsed pole triangles.
EXPECTED = {
    "airplane": (1335, 2452),
    "ant": (486, 912),
    "nut": (523, 1046),
    "sphere-mesh": (422, 840),
    "globe-mesh": (513, 910),
}
FORMATS = [("ply", True), ("ply", False), ("stl", True), ("stl", False), ("obj", None)]
FORMATS += [("vtk", True), ("vtk", False), ("vtp", True), ("vtp", False)]


@pytest.fixture(scope="module")
def builtins():
    return {b.key: b.load() for b in BUILTINS}


@pytest.fixture(scope="module")
def ant() -> pv.PolyData:
    mesh = pv.read(_EXAMPLES_DIR / "ant.ply")
    # Geometry only: VTK cannot tell a file cut inside trailing per-vertex arrays (which
    # Nodescope recomputes anyway) from a whole one, so every cut below hits the geometry.
    mesh.clear_data()
    return mesh


def undirected_pairs(edge_index: torch.Tensor) -> set[tuple[int, int]]:
    return {(min(u, v), max(u, v)) for u, v in edge_index.t().tolist()}


def face_pairs(face: torch.Tensor) -> set[tuple[int, int]]:
    t = face.t().tolist()
    return {
        (min(a, b), max(a, b)) for tri in t for a, b in ((tri[0], tri[1]), (tri[1], tri[2]), (tri[2], tri[0]))
    }


def save(mesh: pv.PolyData, path: Path, binary: bool | None) -> Path:
    mesh = mesh.copy()  # saving as PLY adds normals to the mesh in place
    if binary is None:
        mesh.save(path)
    else:
        mesh.save(path, binary=binary)
    return path


# ---------------------------------------------------------------- built-ins
def test_builtin_keys_and_reader():
    assert [b.key for b in BUILTINS] == list(EXPECTED)
    assert all(b.kind == "mesh" and b.description for b in BUILTINS)
    assert set(READERS[0].extensions) == {".ply", ".obj", ".stl", ".vtk", ".vtp", ".off"}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_builtin_counts_edges_and_features(builtins, key):
    s = builtins[key]
    n, t = EXPECTED[key]
    assert s.kind == "mesh" and s.source == f"builtin:{key}"
    assert (s.num_nodes, s.data.face.shape) == (n, (3, t))
    assert s.data.pos.shape == (n, 3) and s.data.pos.dtype == torch.float32
    assert s.data.face.dtype == torch.int64
    # Every triangle side is an edge (both directions) and nothing else is.
    assert undirected_pairs(s.data.edge_index) == face_pairs(s.data.face)
    assert s.data.edge_index.shape[1] == 2 * s.num_edges
    assert s.feature_names == FEATURE_NAMES
    assert s.data.x.shape == (n, 5) and torch.isfinite(s.data.x).all()
    normals = s.data.x[:, :3].norm(dim=1)
    assert torch.allclose(normals, torch.ones(n), atol=1e-3)  # unit normals
    assert s.units == {"pos": "mesh units", "edge_attr": "mesh units"}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_edge_lengths_stay_aligned(builtins, key):
    s = builtins[key]
    ei, attr, pos = s.data.edge_index, s.data.edge_attr, s.data.pos.double()
    assert attr.shape == (ei.shape[1], 1) and attr.dtype == torch.float32
    dist = (pos[ei[0]] - pos[ei[1]]).norm(dim=1)
    assert torch.allclose(attr[:, 0].double(), dist, rtol=1e-5)
    assert (attr > 0).all()


def test_sphere_curvature_is_nearly_constant(builtins):
    s = builtins["sphere-mesh"]
    pos = s.data.pos.double()
    radius = (pos - pos.mean(0)).norm(dim=1).mean()
    gauss = s.data.x[:, FEATURE_NAMES.index("gaussian_curvature")].double()
    assert abs(gauss.median() * radius**2 - 1) < 0.2  # K = 1 / r^2 on a sphere


def test_globe_pole_faces_are_dropped_with_notice(builtins):
    notices = " ".join(builtins["globe-mesh"].notices)
    assert "Dropped 70 degenerate" in notices and "540 -> 513" in notices


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize(("ext", "binary"), FORMATS)
def test_round_trip(tmp_path, ant, ext, binary):
    path = save(ant, tmp_path / f"ant.{ext}", binary)
    s = read_mesh(path, [])
    assert s.name == path.name and s.source == str(path)
    assert (s.num_nodes, s.data.face.shape[1], s.num_edges) == (486, 912, 1368)
    ours = np.asarray(s.data.pos)
    theirs = np.asarray(ant.points, dtype=np.float32)
    # STL stores triangles, not shared vertices: its order comes from the merge, so compare as sets.
    key = np.lexsort(ours.T), np.lexsort(theirs.T)
    np.testing.assert_allclose(ours[key[0]], theirs[key[1]], atol=1e-3 if ext == "obj" else 1e-6)
    assert undirected_pairs(s.data.edge_index) == face_pairs(s.data.face)


def test_off_round_trip_with_polygons_comments_and_colors(tmp_path):
    # A square pyramid: one quad (fan-triangulated into 2) and four triangles, one with a color.
    text = """OFF
# a square pyramid
5 5 8
0 0 0
1 0 0
1 1 0
0 1 0
0.5 0.5 1  # apex
4 0 3 2 1
3 0 1 4
3 1 2 4 255 0 0
3 2 3 4
3 3 0 4
"""
    path = tmp_path / "pyramid.off"
    path.write_text(text)
    s = read_mesh(path, [])
    assert (s.num_nodes, s.data.face.shape[1], s.num_edges) == (5, 6, 9)  # 8 sides + the quad's diagonal
    assert s.data.pos[4].tolist() == [0.5, 0.5, 1.0]
    assert torch.isfinite(s.data.x).all()
    # Counts on the header line are accepted too.
    inline = tmp_path / "inline.off"
    inline.write_text("OFF 3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n")
    assert read_mesh(inline, []).num_edges == 3


def test_companions_are_ignored_with_notice(tmp_path, ant):
    path = save(ant, tmp_path / "ant.vtp", True)
    s = read_mesh(path, [tmp_path / "extra.csv"])
    assert any("Ignored 1 companion" in n for n in s.notices)


def test_unstructured_grid_gives_its_outer_surface():
    grid = pv.ImageData(dimensions=(3, 3, 3)).cast_to_unstructured_grid()  # 8 hexahedra
    s = mesh_to_sample(grid, name="cube", source="test")
    assert s.num_nodes == 26  # the center vertex is inside
    assert s.data.face.shape[1] == 6 * 4 * 2


# ---------------------------------------------------------------- bad input
def bad(path: Path, *words: str) -> str:
    with pytest.raises(LoadError) as err:
        read_mesh(path, [])
    msg = str(err.value)
    assert "\n" not in msg and path.name in msg
    for w in words:
        assert w in msg, msg
    return msg


@pytest.mark.parametrize(("ext", "binary"), FORMATS)
@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.95])
def test_truncated_files_are_refused(tmp_path, ant, ext, binary, fraction):
    if ext == "obj" and fraction > 0.05:
        pytest.skip("OBJ has no counts: a cut inside its face list is a smaller, valid mesh")
    good = save(ant, tmp_path / f"good.{ext}", binary).read_bytes()
    path = tmp_path / f"cut.{ext}"
    path.write_bytes(good[: int(len(good) * fraction)])
    bad(path)


@pytest.mark.parametrize("ext", ["ply", "obj", "stl", "vtk", "vtp", "off"])
def test_empty_and_garbage_files_are_refused(tmp_path, ext):
    empty = tmp_path / f"empty.{ext}"
    empty.write_bytes(b"")
    bad(empty, "empty")
    garbage = tmp_path / f"garbage.{ext}"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    bad(garbage)
    text = tmp_path / f"text.{ext}"
    text.write_text("this is not a mesh\n" * 20)
    bad(text)


PLY_HEAD = "ply\nformat {fmt} 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
PLY_HEAD += "element face 1\nproperty list uchar int vertex_indices\nend_header\n"


def test_out_of_range_indices_are_refused_not_crashing(tmp_path):
    ply = tmp_path / "idx.ply"
    ply.write_text(PLY_HEAD.format(fmt="ascii") + "0 0 0\n1 0 0\n0 1 0\n3 0 1 99999\n")
    bad(ply, "vertex 99999", "3 vertices")
    binary = tmp_path / "idx_bin.ply"
    body = (
        np.array([0, 0, 0, 1, 0, 0, 0, 1, 0], "<f4").tobytes()
        + b"\x03"
        + np.array([0, 1, 7], "<i4").tobytes()
    )
    binary.write_bytes(PLY_HEAD.format(fmt="binary_little_endian").encode() + body)
    bad(binary, "vertex 7")
    obj = tmp_path / "idx.obj"
    obj.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 999\n")
    bad(obj, "3 vertices")
    vtk = tmp_path / "idx.vtk"
    vtk.write_text(
        "# vtk DataFile Version 4.2\nx\nASCII\nDATASET POLYDATA\nPOINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOLYGONS 1 4\n3 0 1 99999\n"
    )
    bad(vtk, "corrupt")
    off = tmp_path / "idx.off"
    off.write_text("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n")
    bad(off, "outside 0..2")


def test_degenerate_faces_are_refused(tmp_path):
    points = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [2, 0, 0], [0, 0, 0]], np.float32)
    collinear = pv.PolyData.from_regular_faces(points, np.array([[0, 1, 2], [0, 1, 3]]))
    with pytest.raises(LoadError, match=r"1 degenerate face.*repair"):
        mesh_to_sample(collinear, name="flat", source="test")
    # Vertex 4 duplicates vertex 0: after merging, the second face repeats a vertex.
    repeated = pv.PolyData.from_regular_faces(points, np.array([[0, 1, 2], [4, 0, 1]]))
    with pytest.raises(LoadError, match="1 degenerate face"):
        mesh_to_sample(repeated, name="dup", source="test")
    assert mesh_to_sample(repeated, name="dup", source="test", repair=True).data.face.shape == (3, 1)
    # The same through a file.
    path = tmp_path / "flat.ply"
    collinear.save(path)
    bad(path, "degenerate", "repair")


def test_non_finite_coordinates_are_refused(tmp_path):
    points = np.array([[0, 0, 0], [1, 0, 0], [0, np.nan, 0]], np.float32)
    poly = pv.PolyData.from_regular_faces(points, np.array([[0, 1, 2]]))
    with pytest.raises(LoadError, match="1 vertices with NaN or infinite"):
        mesh_to_sample(poly, name="nan", source="test")
    off = tmp_path / "inf.off"
    off.write_text("OFF\n3 1 0\n0 0 0\n1 0 inf\n0 1 0\n3 0 1 2\n")
    bad(off, "NaN or infinite")


def test_meshes_without_faces_are_refused(tmp_path):
    with pytest.raises(LoadError, match="no faces"):
        mesh_to_sample(pv.PolyData(np.eye(3, dtype=np.float32)), name="cloud", source="test")
    lines = tmp_path / "lines.vtk"
    pv.Line((0, 0, 0), (1, 0, 0), resolution=4).save(lines)
    bad(lines, "no faces", "polygons")
    cloud = tmp_path / "cloud.ply"
    cloud.write_text(
        PLY_HEAD.format(fmt="ascii").replace("element face 1", "element face 0") + "0 0 0\n1 0 0\n0 1 0\n"
    )
    bad(cloud)


def test_malformed_off_is_refused(tmp_path):
    cases = {
        "noheader.off": ("3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "first line must be 'OFF'"),
        "short.off": ("OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "truncated"),
        "counts.off": ("OFF\nthree 1 0\n", "counts"),
        "face.off": ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1\n", "face 0"),
        "xyz.off": ("OFF\n3 1 0\n0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "three numbers"),
    }
    for name, (text, words) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        bad(path, words)


def test_polygons_with_fewer_than_three_vertices_are_degenerate(tmp_path):
    ply = tmp_path / "two.ply"
    ply.write_text(
        PLY_HEAD.format(fmt="ascii").replace("element face 1", "element face 2")
        + "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n2 0 1\n"
    )
    bad(ply, "1 degenerate face")


def test_ply_header_without_face_indices_is_refused(tmp_path):
    # VTK aborts the process on this one.
    ply = tmp_path / "noidx.ply"
    ply.write_text(
        PLY_HEAD.format(fmt="ascii").replace("vertex_indices", "vertex_indicbs")
        + "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"
    )
    bad(ply, "vertex_indices")


@pytest.mark.parametrize("endian", ["<", ">"])
def test_binary_ply_with_mixed_polygons(tmp_path, endian):
    # A quad and a triangle: lists of two lengths take the record-by-record path.
    fmt = "binary_little_endian" if endian == "<" else "binary_big_endian"
    head = PLY_HEAD.format(fmt=fmt).replace("element vertex 3", "element vertex 5")
    head = head.replace("element face 1", "element face 2")
    points = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [2, 0, 0]], endian + "f4").tobytes()
    quad = b"\x04" + np.array([0, 1, 2, 3], endian + "i4").tobytes()
    tri = b"\x03" + np.array([1, 4, 2], endian + "i4").tobytes()
    path = tmp_path / "mixed.ply"
    path.write_bytes(head.encode() + points + quad + tri)
    s = read_mesh(path, [])
    assert (s.num_nodes, s.data.face.shape[1], s.num_edges) == (5, 3, 7)
    path.write_bytes(head.encode() + points + quad + tri[:-2])
    bad(path, "truncated")
    path.write_bytes(head.encode() + points + quad + b"\x03" + np.array([1, 5, 2], endian + "i4").tobytes())
    bad(path, "vertex 5")
