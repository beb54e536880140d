"""Load anything Nodescope can show into a :class:`~core.sample.Sample`.

``load("karate")``, ``load("cora", data_dir=...)``, ``load("lh.pial")``: built-in names,
Planetoid names and file paths all go through :func:`load`, which picks the reader
from the file's suffix (or its first bytes) and turns every failure into a one-line
:class:`~core.errors.LoadError`. Time series files share suffixes with edge lists
(``.csv``, ``.txt``), so they are read by :func:`load_series`; the time series built-ins
(``graph-var``, ``road-diffusion``) load through :func:`load` like every built-in. Skeletons
(``.bvh``, ``.npy``/``.npz`` keypoints, the built-ins ``skeleton-walk`` and ``skeleton-jump``)
load through :func:`load` too (see :mod:`core.loaders.skeleton`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nodescope.core.errors import LoadError
from nodescope.core.loaders import cortex, graphs, hemispheres, mesh, panorama, skeleton, timeseries
from nodescope.core.loaders.planetoid import PLANETOID, load_planetoid
from nodescope.core.loaders.registry import Builtin, FileReader
from nodescope.core.sample import Sample
from nodescope.core.uploads import uploaded_files

log = logging.getLogger(__name__)

BUILTINS: dict[str, Builtin] = {
    b.key: b for m in (graphs, mesh, cortex, hemispheres, panorama, timeseries, skeleton) for b in m.BUILTINS
}
READERS: list[FileReader] = [r for m in (graphs, mesh, cortex, panorama, skeleton) for r in m.READERS]
DEFAULT_SOURCE = "les-miserables"
#: Files above this size are refused before reading (the app's upload limit is lower).
MAX_FILE_BYTES = 1 << 30


def supported_extensions() -> list[str]:
    """Every lower-case suffix a file reader accepts (``.graphml``, ``.ply``, ...), sorted."""
    return sorted({e for r in READERS for e in r.extensions})


def reader_for(path: Path) -> FileReader:
    """The reader for ``path``: by suffix (longest match first), else by sniffing its first bytes."""
    name = path.name.lower()
    matches = [(len(e), r) for r in READERS for e in r.extensions if name.endswith(e)]
    if matches:
        return max(matches, key=lambda m: m[0])[1]
    with path.open("rb") as f:
        head = f.read(64)
    for r in READERS:
        if r.sniff is not None and r.sniff(head):
            return r
    raise LoadError(
        f"Unsupported file type '{path.suffix or path.name}'; Nodescope reads "
        f"{', '.join(supported_extensions())} and FreeSurfer surfaces (lh.pial, ...)."
    )


def load(
    source: str | Path,
    *,
    companions: list[Path] | None = None,
    data_dir: Path | str | None = None,
    download: bool = True,
    level: int | None = None,
) -> Sample:
    """Load a built-in, a Planetoid name or a file.

    Args:
        source: ``karate`` / ``builtin:karate``, ``cora`` / ``planetoid:cora``, or a path.
        companions: further files for a file source (overlays, node features, labels).
        data_dir: where Planetoid raw files live (default ``NODESCOPE_DATA_DIR``).
        download: allow fetching Planetoid files when they are missing.
        level: icosphere subdivision for panoramas (default 5: 10,242 nodes).

    Raises:
        LoadError: with a one-line message, for every input that cannot be loaded.
    """
    text = str(source).strip()
    key = text.removeprefix("builtin:").lower()
    with _one_line_errors(Path(text).name):
        if key in BUILTINS:
            sample = BUILTINS[key].load()
        elif key.removeprefix("planetoid:") in PLANETOID:
            sample = load_planetoid(key.removeprefix("planetoid:"), data_dir, download=download)
        else:
            sample = _load_file(Path(text).expanduser(), companions or [])
        if sample.kind == "panorama" and level is not None:
            sample = panorama.with_level(sample, level)
    return sample


def load_series(source: str | Path, *, graph: str | Path | None = None) -> Sample:
    """Load a multivariate time series: a built-in name or a file, and optionally its known graph.

    Args:
        source: ``graph-var`` / ``road-diffusion``, or a text/CSV (optionally ``.gz``) or NPZ file
            whose rows are time steps and columns series (see :mod:`core.loaders.timeseries`).
        graph: an (N, N) ``.npy`` adjacency (row ``i``: series ``i``'s incoming edges) or an
            edge-list CSV ``source,target[,weight]``; not allowed with a built-in, which has its own.

    Raises:
        LoadError: with a one-line message, for every input that cannot be loaded.

    Example:
        >>> sample = load_series("graph-var")
        >>> sample.kind, sample.data.x.shape, sample.num_edges
        ('timeseries', torch.Size([20, 4000]), 40)
    """
    text = str(source).strip()
    key = text.removeprefix("builtin:").lower()
    with _one_line_errors(Path(text).name):
        if key in BUILTINS and BUILTINS[key].kind == "timeseries":
            if graph is not None:
                raise LoadError(
                    f"The built-in '{key}' has its own known graph; give a graph with a file only."
                )
            sample = BUILTINS[key].load()
        else:
            path = Path(text).expanduser()
            graph_path = Path(graph).expanduser() if graph is not None else None
            for p in [path] + ([graph_path] if graph_path else []):
                _check_file(p)
            sample = timeseries.read_series(path, graph_path)
    return sample


@contextmanager
def _one_line_errors(name: str) -> Iterator[None]:
    """Turn a reader's unexpected failure into a one-line :class:`LoadError` naming ``name``."""
    try:
        yield
    except LoadError:
        raise
    except MemoryError as exc:
        raise LoadError(f"{name} is too large to load in memory.") from exc
    except Exception as exc:  # a reader's unexpected failure must still reach users as one line
        log.exception("unexpected failure loading %s", name)
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoadError(f"Could not read {name}: {detail}") from exc


def _check_file(path: Path) -> None:
    """Refuse a missing, empty or oversized file before any reader opens it."""
    if not path.exists():
        hint = f"; built-ins are {', '.join(BUILTINS)}" if len(path.parts) == 1 else ""
        raise LoadError(f"No such file or built-in: '{path}'{hint}.")
    if path.is_dir():
        raise LoadError(f"'{path.name}' is a folder; give a file.")
    size = path.stat().st_size
    if size == 0:
        raise LoadError(f"{path.name} is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise LoadError(
            f"{path.name} is {size / 2**20:,.0f} MB; the limit is {MAX_FILE_BYTES / 2**20:,.0f} MB."
        )


def _load_file(path: Path, companions: list[Path]) -> Sample:
    if path.is_dir():
        subject = next((p for p in (path / "surf" / "lh.pial", path / "lh.pial") if p.is_file()), None)
        if subject is None:
            raise LoadError(f"'{path}' is a folder; give a file, or a FreeSurfer subject with surf/lh.pial.")
        path = subject
    for p in [path, *companions]:
        _check_file(p)
    return reader_for(path).read(path, companions)


def load_uploaded_series(files: list[tuple[str, bytes]], *, max_bytes: int | None = None) -> Sample:
    """Load an uploaded time series (the first file) and optionally its known graph (the second).

    As :func:`load_uploaded`, through :func:`load_series`: time series files share suffixes with
    edge lists, so the uploader says which it is.

    Raises:
        LoadError: no file, a file over the limit, or any reading failure (one line).
    """
    if not files:
        raise LoadError("No file was uploaded.")
    with uploaded_files(files[:2], max_bytes=max_bytes or MAX_FILE_BYTES) as paths:
        sample = load_series(paths[0], graph=paths[1] if len(paths) > 1 else None)
    sample.source = f"upload:{files[0][0]}"
    return sample


def load_uploaded(
    files: list[tuple[str, bytes]], *, level: int | None = None, max_bytes: int | None = None
) -> Sample:
    """Load files a user uploaded: the first is the main file, the rest its companions.

    The bytes go through :func:`core.uploads.uploaded_files` (cleaned names, a private
    temporary folder removed afterwards, no server path in messages), since the readers
    (pyvista, nibabel) want paths.

    Args:
        files: ``(name as uploaded, bytes)`` per file, the main file first.
        level: icosphere subdivision for panoramas (see :func:`load`).
        max_bytes: the upload limit (default :data:`MAX_FILE_BYTES`).

    Raises:
        LoadError: no file, a file over the limit, or any reading failure (one line).
    """
    if not files:
        raise LoadError("No file was uploaded.")
    with uploaded_files(files, max_bytes=max_bytes or MAX_FILE_BYTES) as paths:
        sample = load(paths[0], companions=paths[1:], level=level)
    sample.source = f"upload:{files[0][0]}"
    return sample
