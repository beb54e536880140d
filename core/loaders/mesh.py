"""Triangle meshes (PLY, OBJ, STL, VTK, VTP, OFF) as vertex graphs of kind ``mesh``.

A mesh becomes a graph whose nodes are its vertices and whose edges are the sides of its
triangles (both directions). ``data.pos`` holds the (N, 3) float32 vertex positions,
``data.face`` the (3, T) int64 triangles, ``data.edge_attr`` the (E, 1) float32 edge
lengths, and ``data.x`` the per-vertex normal (``nx, ny, nz``) and curvature
(``mean_curvature``, ``gaussian_curvature``) from pyvista/VTK. Lengths and positions are
in the file's own units ("mesh units").

VTK's readers trust a file's declared counts: a truncated binary PLY, a face index past the
last vertex or a garbled header crashes the process instead of raising, and a truncated
ASCII file is silently zero-filled. So PLY bodies are walked (every index range-checked),
binary STL sizes and legacy VTK headers and value counts are checked before VTK reads a
file; every dataset's cells (offsets, ids, types) are checked before any filter runs; and
VTK's error and warning events during a read become :class:`~core.errors.LoadError`.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.geometry.triangles import edge_lengths, face_edges
from nodescope.core.loaders.registry import Builtin, FileReader
from nodescope.core.sample import Sample
from nodescope.core.validate import make_sample

if TYPE_CHECKING:
    import pyvista as pv

# pyvista (and VTK) are imported where a mesh is read, not with this module: every loader is
# imported to list the built-ins, and pyvista's import is ~0.2 s of the app's start-up.

#: A triangle is degenerate when its area is below this fraction of its longest side squared.
#: Exact zeros and float rounding of collinear points fall under it; real slivers do not.
DEGENERATE_AREA_RATIO = 1e-10

FEATURE_NAMES = ["nx", "ny", "nz", "mean_curvature", "gaussian_curvature"]
UNITS = {"pos": "mesh units", "edge_attr": "mesh units"}


# ---------------------------------------------------------------- checks on pyvista data
def _cell_arrays(ds: pv.DataSet) -> list[tuple[np.ndarray, np.ndarray]]:
    """(offsets, point ids) of each of ``ds``'s explicit cell arrays (PolyData, UnstructuredGrid)."""
    import pyvista as pv
    from vtkmodules.util.numpy_support import vtk_to_numpy

    if isinstance(ds, pv.PolyData):
        cells = (ds.GetVerts(), ds.GetLines(), ds.GetPolys(), ds.GetStrips())
        return [
            (vtk_to_numpy(c.GetOffsetsArray()), vtk_to_numpy(c.GetConnectivityArray()))
            for c in cells
            if c is not None
        ]
    if isinstance(ds, pv.UnstructuredGrid):
        cells = ds.GetCells()
        return [(vtk_to_numpy(cells.GetOffsetsArray()), vtk_to_numpy(cells.GetConnectivityArray()))]
    return []  # structured grids have implicit, always-valid connectivity


#: Points per cell of VTK's fixed-size linear cell types (vertex ... pyramid).
_CELL_SIZES = {1: 1, 3: 2, 5: 3, 8: 4, 9: 4, 10: 4, 11: 8, 12: 8, 13: 6, 14: 5}
_CELL_SIZE_LUT = np.full(256, -1)
_CELL_SIZE_LUT[list(_CELL_SIZES)] = list(_CELL_SIZES.values())


def _check_dataset(ds: object, what: str) -> None:
    """Refuse what would crash or poison VTK's filters: no points, bad cells, non-finite points."""
    import pyvista as pv
    from vtkmodules.util.numpy_support import vtk_to_numpy

    if not isinstance(ds, pv.DataSet):
        raise LoadError(
            f"{what} is not a single mesh (got {type(ds).__name__}); save one surface and load it."
        )
    if ds.n_points == 0:
        raise LoadError(f"{what} has no vertices; the file is empty, truncated or not a mesh.")
    corrupt = f"{what} has malformed cells (bad offsets or cell types); the file is corrupt."
    for offsets, ids in _cell_arrays(ds):
        if offsets.size and (offsets[0] != 0 or offsets[-1] != ids.size or (np.diff(offsets) < 0).any()):
            raise LoadError(corrupt)
        if ids.size and (ids.min() < 0 or ids.max() >= ds.n_points):
            bad = int(ids[(ids < 0) | (ids >= ds.n_points)][0])
            raise LoadError(
                f"{what} has a face using vertex {bad} but only {ds.n_points} vertices exist; "
                "the file is corrupt or truncated."
            )
    if isinstance(ds, pv.UnstructuredGrid) and ds.n_cells:
        types = np.asarray(ds.celltypes).astype(np.int64)
        sizes = np.diff(vtk_to_numpy(ds.GetCells().GetOffsetsArray()))
        expected = _CELL_SIZE_LUT[np.clip(types, 0, 255)]
        fixed = expected >= 0
        if not set(np.unique(types).tolist()) <= _cell_types() or (sizes[fixed] != expected[fixed]).any():
            raise LoadError(corrupt)
    points = np.asarray(ds.points)
    bad_points = ~np.isfinite(points).all(axis=1)
    if bad_points.any():
        raise LoadError(
            f"{what} has {int(bad_points.sum())} vertices with NaN or infinite coordinates "
            f"(first: vertex {int(bad_points.argmax())}); fix or remove them and load again."
        )


@functools.cache
def _cell_types() -> set[int]:
    """VTK's cell type ids (pyvista's ``CellType``)."""
    import pyvista as pv

    return {int(t) for t in pv.CellType}


def _merged_triangles(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Triangles re-indexed onto exactly-merged points (what ``clean`` will do), (T, 3)."""
    _, inverse = np.unique(points, axis=0, return_inverse=True)
    return inverse.reshape(-1)[tris]


def _degenerate(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """(T,) bool: triangles with a repeated vertex (after merging duplicates) or (near) zero area."""
    merged = _merged_triangles(points, tris)
    repeated = (
        (merged[:, 0] == merged[:, 1]) | (merged[:, 1] == merged[:, 2]) | (merged[:, 0] == merged[:, 2])
    )
    p = points.astype(np.float64)[tris]
    sides = p[:, [1, 2, 0]] - p
    twice_area = np.linalg.norm(np.cross(sides[:, 0], sides[:, 1]), axis=1)
    longest2 = (sides**2).sum(axis=2).max(axis=1)
    flat = twice_area <= 2 * DEGENERATE_AREA_RATIO * longest2
    return repeated | flat


# ---------------------------------------------------------------- mesh -> sample
def mesh_to_sample(poly: pv.PolyData | pv.DataSet, *, name: str, source: str, repair: bool = False) -> Sample:
    """Turn any pyvista dataset into a ``mesh`` sample (its triangulated, cleaned surface).

    Args:
        poly: a PolyData, or any DataSet whose outer surface is meant.
        name: display name.
        source: where it came from (file path, ``builtin:ant``).
        repair: drop degenerate faces (with a notice) instead of refusing the mesh; for
            trusted sources such as UV spheres whose pole triangles collapse.

    Returns:
        Sample with ``data.pos`` (N, 3) float32, ``data.face`` (3, T) int64,
        ``data.edge_attr`` (E, 1) float32 edge lengths, ``data.x`` (N, 5) normals and curvatures.

    Raises:
        LoadError: no faces, degenerate faces, bad vertex ids or non-finite coordinates.
    """
    import pyvista as pv
    from vtkmodules.util.numpy_support import vtk_to_numpy

    _check_dataset(poly, name)
    surface = poly if isinstance(poly, pv.PolyData) else poly.extract_surface(algorithm="dataset_surface")
    # Only polygons and strips become triangles; vertices and lines carry no faces.
    tri = surface.triangulate()
    if tri.GetNumberOfPolys() == 0:
        raise LoadError(
            f"{name} has no faces (only points or lines); Nodescope needs a surface made of polygons."
        )
    offsets = vtk_to_numpy(tri.GetPolys().GetOffsetsArray()).astype(np.int64)
    ids = vtk_to_numpy(tri.GetPolys().GetConnectivityArray()).astype(np.int64)
    # Polygons with fewer than 3 vertices survive triangulation unchanged: degenerate too.
    is_tri = np.diff(offsets) == 3
    tris = ids[offsets[:-1][is_tri, None] + np.arange(3)]
    degenerate = np.concatenate([_degenerate(np.asarray(tri.points), tris), np.ones((~is_tri).sum(), bool)])
    tris = np.concatenate([tris, np.zeros(((~is_tri).sum(), 3), np.int64)])
    notices: list[str] = []
    if degenerate.any() and not repair:
        raise LoadError(
            f"{name} has {int(degenerate.sum())} degenerate face(s) (zero area or a repeated vertex); "
            "repair the mesh (e.g. pyvista clean() or MeshLab 'Remove Zero Area Faces') and load again."
        )
    if degenerate.any():
        notices.append(
            f"Dropped {int(degenerate.sum())} degenerate face(s) (zero area or a repeated vertex)."
        )
        tris = tris[~degenerate]
        if len(tris) == 0:
            raise LoadError(f"{name} has only degenerate faces; there is no surface left.")
    tri = pv.PolyData.from_regular_faces(np.asarray(tri.points), tris)
    # Exact merging (tolerance 0) only; no face can collapse, since none was degenerate.
    clean = tri.clean(tolerance=0.0, absolute=True, lines_to_points=False, polys_to_lines=False)
    points = np.asarray(clean.points, dtype=np.float64)
    faces = np.asarray(clean.regular_faces, dtype=np.int64)

    if clean.n_points < poly.n_points:
        notices.append(f"Merged duplicate or unused vertices: {poly.n_points} -> {clean.n_points}.")
    normals = clean.compute_normals(
        cell_normals=False, point_normals=True, split_vertices=False, auto_orient_normals=False
    ).point_data["Normals"]
    mean = clean.curvature("mean")
    gauss = clean.curvature("gaussian")
    x = np.column_stack([normals, mean, gauss]).astype(np.float64)
    bad = ~np.isfinite(x)
    if bad.any():
        # VTK's curvature is undefined at some boundary/non-manifold vertices; 0 keeps them usable.
        notices.append(f"Set {int(bad.any(axis=1).sum())} undefined normal/curvature value(s) to 0.")
        x[bad] = 0.0

    edges = face_edges(faces)
    lengths = edge_lengths(points, edges)
    return make_sample(
        kind="mesh",
        name=name,
        source=source,
        num_nodes=clean.n_points,
        edge_index=edges,
        x=x.astype(np.float32),
        feature_names=list(FEATURE_NAMES),
        edge_values={"edge_attr": lengths},
        extra={"pos": points.astype(np.float32), "face": np.ascontiguousarray(faces.T)},
        units=dict(UNITS),
        notices=notices,
    )


# ---------------------------------------------------------------- PLY pre-check
_PLY_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1",
    "short": "i2", "int16": "i2", "ushort": "u2", "uint16": "u2",
    "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
    "float": "f4", "float32": "f4", "double": "f8", "float64": "f8",
}  # fmt: skip


def _ply_header(raw: bytes, name: str) -> tuple[str, list[tuple[str, int, list[tuple]]], int]:
    """Parse a PLY header: (format, [(element, count, properties)], body offset).

    A property is ``("scalar", dtype)`` or ``("list", count dtype, item dtype, name)``.
    """
    end = raw.find(b"end_header")
    if not raw.startswith(b"ply") or end < 0:
        raise LoadError(f"{name} is not a PLY file (no 'ply' ... 'end_header' header).")
    nl = raw.find(b"\n", end)
    body = len(raw) if nl < 0 else nl + 1
    fmt = ""
    elements: list[tuple[str, int, list[tuple]]] = []
    for line in raw[:end].decode("ascii", errors="replace").splitlines()[1:]:
        tok = line.split()
        if not tok or tok[0] in ("comment", "obj_info"):
            continue
        try:
            if tok[0] == "format":
                fmt = tok[1]
            elif tok[0] == "element":
                elements.append((tok[1], int(tok[2]), []))
            elif tok[0] == "property" and tok[1] == "list":
                elements[-1][2].append(("list", _PLY_TYPES[tok[2]], _PLY_TYPES[tok[3]], tok[4]))
            elif tok[0] == "property":
                elements[-1][2].append(("scalar", _PLY_TYPES[tok[1]], tok[2]))
            else:
                raise ValueError(line)
        except (IndexError, KeyError, ValueError):
            raise LoadError(f"{name} has an invalid PLY header line: '{line.strip()[:60]}'.") from None
    if fmt not in ("ascii", "binary_little_endian", "binary_big_endian"):
        raise LoadError(f"{name} has an unknown PLY format '{fmt}'.")
    if any(count < 0 for _, count, _ in elements):
        raise LoadError(f"{name} declares a negative element count.")
    return fmt, elements, body


def _check_ply(path: Path) -> None:
    """Walk a PLY body: refuse truncation, bad headers and out-of-range face indices before VTK reads it.

    VTK's PLY reader segfaults on a truncated binary file or an index past the last vertex,
    aborts on a face element without ``vertex_indices``, and fills a truncated ASCII file
    with zeros.
    """
    raw = path.read_bytes()
    fmt, elements, pos = _ply_header(raw, path.name)
    layout = {el: props for el, _, props in elements}
    if "vertex" not in layout or not {"x", "y", "z"} <= {p[-1] for p in layout["vertex"] if p[0] == "scalar"}:
        raise LoadError(f"{path.name} has no 'vertex' element with x, y, z; it is not a PLY mesh.")
    n_vertices = next(count for el, count, _ in elements if el == "vertex")
    face_list = None
    if "face" in layout:
        face_list = next(
            (
                i
                for i, p in enumerate(layout["face"])
                if p[0] == "list" and p[-1] in ("vertex_indices", "vertex_index")
            ),
            None,
        )
        if face_list is None or np.dtype(layout["face"][face_list][2]).kind not in "iu":
            raise LoadError(f"{path.name}: its 'face' element has no integer list 'vertex_indices'.")
    truncated = LoadError(f"{path.name} is truncated: it ends before the counts its header declares.")
    indices: list[np.ndarray] = []
    if fmt == "ascii":
        lines = [ln.split() for ln in raw[pos:].decode("ascii", errors="replace").splitlines() if ln.strip()]
        row = 0
        for el, count, props in elements:
            records = lines[row : row + count]
            if len(records) < count:
                raise truncated
            row += count
            for r in records:  # ASCII PLY has one record per line
                ids = _walk_ascii_record(r, props, face_list if el == "face" else None)
                if ids is None:
                    raise LoadError(
                        f"{path.name}: a '{el}' line does not match the header; the file is corrupt."
                    )
                if ids.size:
                    indices.append(ids)
    else:
        endian = "<" if fmt == "binary_little_endian" else ">"
        for el, count, props in elements:
            pos = _walk_binary_element(
                raw, pos, count, props, endian, face_list if el == "face" else None, indices
            )
            if pos > len(raw):
                raise truncated
    for ids in indices:
        if ids.min() < 0 or ids.max() >= n_vertices:
            bad = int(ids.max() if ids.max() >= n_vertices else ids.min())
            raise LoadError(
                f"{path.name} has a face using vertex {bad} but only {n_vertices} vertices exist; the file is corrupt."
            )


def _walk_ascii_record(tokens: list[str], props: list[tuple], index_prop: int | None) -> np.ndarray | None:
    """The vertex ids of one ASCII record (empty if ``index_prop`` is None); None if malformed."""
    at, ids = 0, np.empty(0, np.int64)
    try:
        for i, p in enumerate(props):
            if p[0] == "scalar":
                float(tokens[at])
                at += 1
                continue
            n = int(tokens[at])
            items = tokens[at + 1 : at + 1 + n]
            if n < 0 or len(items) != n:
                return None
            if i == index_prop:
                ids = np.array(items, dtype=np.int64)
            at += 1 + n
    except (ValueError, IndexError):
        return None
    return ids if at == len(tokens) else None


def _walk_binary_element(
    raw: bytes,
    pos: int,
    count: int,
    props: list[tuple],
    endian: str,
    index_prop: int | None,
    indices: list[np.ndarray],
) -> int:
    """Skip ``count`` binary records from ``pos`` and return the new offset (past the end: truncated).

    Appends the items of list property ``index_prop`` to ``indices``. Records whose single
    list always has one length (every triangle mesh) are checked with strided numpy views.
    """
    sizes = [np.dtype(p[1]).itemsize for p in props]
    lists = [i for i, p in enumerate(props) if p[0] == "list"]
    if not lists:
        return pos + count * sum(sizes)
    if count == 0:
        return pos
    if len(lists) == 1:
        li = lists[0]
        _, cdt, idt, _ = props[li]
        before, after = sum(sizes[:li]), sum(sizes[li + 1 :])
        isz = np.dtype(idt).itemsize
        if pos + before + sizes[li] > len(raw):
            return len(raw) + 1
        n = int(np.frombuffer(raw, endian + cdt, 1, pos + before)[0])
        rec = before + sizes[li] + n * isz + after
        if n >= 0 and pos + count * rec <= len(raw):
            buf = np.frombuffer(raw, np.uint8, count * rec, pos).reshape(count, rec)
            counts = buf[:, before : before + sizes[li]].copy().view(endian + cdt).ravel()
            if (counts == n).all():
                if index_prop == li and n:
                    start = before + sizes[li]
                    items = buf[:, start : start + n * isz].copy().view(endian + idt)
                    indices.append(items.ravel().astype(np.int64))
                return pos + count * rec
    # Mixed list lengths: walk record by record.
    for _ in range(count):
        for i, (p, size) in enumerate(zip(props, sizes, strict=True)):
            if p[0] == "scalar":
                pos += size
                continue
            if pos + size > len(raw):
                return len(raw) + 1
            n = int(np.frombuffer(raw, endian + p[1], 1, pos)[0])
            pos += size
            isz = np.dtype(p[2]).itemsize
            if n < 0 or pos + n * isz > len(raw):
                return len(raw) + 1
            if i == index_prop and n:
                indices.append(np.frombuffer(raw, endian + p[2], n, pos).astype(np.int64))
            pos += n * isz
    return pos


# ---------------------------------------------------------------- OFF
def read_off(path: Path) -> pv.PolyData:
    """Parse an ASCII OFF file (``OFF``, counts, vertices, polygons) into a triangulated PolyData.

    Polygons with more than three vertices are fan-triangulated; a color after a face's
    indices is ignored. Raises :class:`LoadError` on anything malformed.
    """
    import pyvista as pv

    try:
        text = path.read_text(encoding="ascii")
    except (UnicodeDecodeError, OSError) as exc:
        raise LoadError(f"{path.name} is not an ASCII OFF file (binary OFF is not supported).") from exc
    lines = [ln.split("#", 1)[0].split() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines or not re.fullmatch(r"[CN]?OFF", lines[0][0]):
        raise LoadError(f"{path.name} is not an OFF file (the first line must be 'OFF').")
    head = lines[0][1:] or (lines[1] if len(lines) > 1 else [])
    body = lines[1:] if lines[0][1:] else lines[2:]
    try:
        n_vertices, n_faces = int(head[0]), int(head[1])
    except (IndexError, ValueError):
        raise LoadError(f"{path.name}: the OFF header needs 'vertices faces edges' counts.") from None
    if n_vertices < 0 or n_faces < 0:
        raise LoadError(f"{path.name}: the OFF header has negative counts.")
    if len(body) < n_vertices + n_faces:
        raise LoadError(
            f"{path.name} is truncated: it declares {n_vertices} vertices and {n_faces} faces "
            f"but has only {len(body)} data lines."
        )
    try:
        points = np.array([ln[:3] for ln in body[:n_vertices]], dtype=np.float64).reshape(n_vertices, 3)
    except ValueError:
        raise LoadError(f"{path.name}: every vertex line needs three numbers x y z.") from None
    tris: list[list[int]] = []
    for i, ln in enumerate(body[n_vertices : n_vertices + n_faces]):
        try:
            n = int(ln[0])
            ids = [int(t) for t in ln[1 : 1 + n]]
        except ValueError:
            raise LoadError(f"{path.name}: face {i} is not 'n i1 ... in' with whole numbers.") from None
        if n < 3 or len(ids) != n:
            raise LoadError(
                f"{path.name}: face {i} needs at least 3 vertex ids and exactly the count it declares."
            )
        if min(ids) < 0 or max(ids) >= n_vertices:
            raise LoadError(f"{path.name}: face {i} uses a vertex outside 0..{n_vertices - 1}.")
        tris.extend([ids[0], ids[k], ids[k + 1]] for k in range(1, n - 1))
    if not tris:
        raise LoadError(f"{path.name} has no faces; Nodescope needs a surface made of polygons.")
    return pv.PolyData.from_regular_faces(points, np.array(tris, dtype=np.int64))


# ---------------------------------------------------------------- files
def _count_ascii_values_needed(text: str) -> tuple[int, int]:
    """(values a legacy ASCII VTK file's geometry needs, numbers it holds): a cheap truncation test."""
    need = sum(3 * int(n) for n in re.findall(r"^\s*POINTS\s+(\d+)", text, re.M))
    need += sum(
        int(m)
        for m in re.findall(
            r"^\s*(?:VERTICES|LINES|POLYGONS|TRIANGLE_STRIPS|CELLS)\s+\d+\s+(\d+)", text, re.M
        )
    )
    return need, len(text.split())


def _check_binary_stl(path: Path) -> None:
    """Refuse a binary STL whose size is not its declared triangle count's.

    VTK accepts a binary STL cut on a triangle boundary, silently dropping the rest.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(84)
    if len(head) < 84:
        if not head.lstrip().startswith(b"solid"):
            raise LoadError(f"{path.name} is too short to be an STL file.")
        return
    declared = int.from_bytes(head[80:84], "little")
    if size == 84 + 50 * declared or head.lstrip().startswith(b"solid"):
        return  # a consistent binary STL, or ASCII (which VTK checks itself)
    raise LoadError(
        f"{path.name} is truncated or corrupt: it declares {declared:,} triangles "
        f"({84 + 50 * declared:,} bytes) but has {size:,} bytes."
    )


_VTK_HEADER = re.compile(
    rb"# vtk DataFile Version \d+\.\d+\r?\n[^\n]*\n\s*(ASCII|BINARY)\s*\r?\n\s*"
    rb"DATASET\s+(POLYDATA|UNSTRUCTURED_GRID|STRUCTURED_GRID|RECTILINEAR_GRID|STRUCTURED_POINTS)\s",
    re.I,
)


def _check_legacy_vtk(path: Path) -> None:
    """Strict header check, and for ASCII files a count of the numbers the geometry needs.

    VTK's legacy reader misreads a damaged header (a garbled version switches its cell
    layout, and it may crash) and fills a truncated ASCII file with zeros.
    """
    with path.open("rb") as f:
        head = f.read(1024)
    m = _VTK_HEADER.match(head)
    if m is None:
        raise LoadError(
            f"{path.name} does not start with a valid legacy VTK header "
            "('# vtk DataFile Version x.y', a title, ASCII|BINARY, DATASET type)."
        )
    if m.group(1).upper() == b"ASCII":
        need, have = _count_ascii_values_needed(path.read_text(errors="replace"))
        if have < need:
            raise LoadError(
                f"{path.name} is truncated: its geometry needs {need} numbers but it holds {have}."
            )


def _read_vtk_file(path: Path) -> pv.DataSet:
    """``pyvista.read`` with VTK's silent failures turned into :class:`LoadError`."""
    import pyvista as pv

    if path.suffix.lower() == ".ply":
        _check_ply(path)
    if path.suffix.lower() == ".stl":
        _check_binary_stl(path)
    if path.suffix.lower() == ".vtk":
        _check_legacy_vtk(path)
    try:
        with pv.VtkErrorCatcher() as caught, warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            ds = pv.read(path)
    except LoadError:
        raise
    except Exception as exc:  # VTK/pyvista raise many types for bad files
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise LoadError(
            f"{path.name} could not be read as {path.suffix} ({detail}); is it corrupt or truncated?"
        ) from exc
    problems = [e.alert for e in caught.events] + [
        str(w.message) for w in warned if "raised an error while reading" in str(w.message)
    ]
    if problems:
        detail = " ".join(problems[0].split())[:120]
        raise LoadError(f"{path.name} is corrupt or truncated: VTK reported '{detail}'.")
    if isinstance(ds, pv.DataSet) and (ds.n_points == 0 or ds.n_cells == 0):
        raise LoadError(
            f"{path.name} holds no mesh (0 vertices or 0 cells); is it empty, truncated or of another format?"
        )
    return ds


def read_mesh(path: Path, companions: list[Path], *, repair: bool = False) -> Sample:
    """Read a .ply/.obj/.stl/.vtk/.vtp/.off mesh into a ``mesh`` sample.

    Args:
        path: the mesh file.
        companions: not used by meshes; reported as ignored.
        repair: drop degenerate faces with a notice instead of refusing the file.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"No such mesh file: '{path}'.")
    if path.stat().st_size == 0:
        raise LoadError(f"{path.name} is empty (0 bytes).")
    ds = read_off(path) if path.suffix.lower() == ".off" else _read_vtk_file(path)
    sample = mesh_to_sample(ds, name=path.name, source=str(path), repair=repair)
    if companions:
        sample.notices.append(f"Ignored {len(companions)} companion file(s): meshes take none.")
    return sample


# ---------------------------------------------------------------- built-ins
#: pyvista's example files (found without importing pyvista).
_EXAMPLES_DIR = Path(importlib.util.find_spec("pyvista").origin).parent / "examples"


def _shipped(file: str, key: str, title: str) -> Builtin:
    """A mesh file shipped inside pyvista's wheel (never a download)."""

    def load() -> Sample:
        import pyvista as pv

        ds = pv.read(_EXAMPLES_DIR / file)
        # Shipped files are trusted: repair, not refuse. (The globe is a UV sphere whose
        # pole triangles collapse once its seam points merge.)
        return mesh_to_sample(ds, name=title, source=f"builtin:{key}", repair=True)

    return Builtin(key, "mesh", title, _DESCRIPTIONS[key], load)


_DESCRIPTIONS = {
    "airplane": "pyvista's airplane: 1,335 vertices, thin wings and sharp edges where curvature spikes.",
    "ant": "pyvista's ant: 486 vertices, thin legs joined to a body; a small mesh to explore quickly.",
    "nut": "pyvista's hex nut: 523 vertices with flat faces, a hole and sharp creases.",
    "sphere-mesh": "pyvista's sphere.ply: 422 vertices on an irregular sphere, nearly constant curvature.",
    "globe-mesh": "pyvista's globe: a UV sphere of Earth's radius whose vertices crowd at the poles.",
}

BUILTINS = [
    _shipped("airplane.ply", "airplane", "Airplane (mesh)"),
    _shipped("ant.ply", "ant", "Ant (mesh)"),
    _shipped("nut.ply", "nut", "Hex nut (mesh)"),
    _shipped("sphere.ply", "sphere-mesh", "Sphere (mesh)"),
    _shipped("globe.vtk", "globe-mesh", "Globe (mesh)"),
]

READERS = [FileReader("mesh", (".ply", ".obj", ".stl", ".vtk", ".vtp", ".off"), read_mesh)]
