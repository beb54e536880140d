"""Multivariate time series: LSTNet-style text, CSV with a header, NPZ; a known graph; built-ins.

Every reader gives a (T, N) table: rows are time steps, columns are series (the layout of
LSTNet's and MTGNN's benchmark files). A ``timeseries`` :class:`~core.sample.Sample` stores
it transposed, one node per series (see the :mod:`core.sample` docstring).

Formats (:func:`read_series`):

- text (``.txt``, ``.csv``, optionally ``.gz``): comma-, tab- or semicolon-separated numbers,
  one row per step. The first row is a header of series names when any of its cells is not a
  number. A column named ``time``/``date``/``datetime``/``timestamp`` (or a first column of
  dates) holds time stamps.
- ``.npz``: the values under ``values``/``x``/``data``/``series`` (or the only 2-D array),
  (T, N); optional ``names`` (N,) strings and ``time`` (T,) ``datetime64``. Read without
  pickle.

A known graph (:func:`read_known_graph`) is an (N, N) ``.npy`` adjacency whose row ``i`` holds
node ``i``'s incoming edges (``A[i, j]``: the weight of series ``j`` driving series ``i``, the
layout ``nodescope forecast`` writes; MTGNN's code holds the transpose, row ``v`` for ``v``'s
outgoing edges), or an edge-list CSV
``source,target[,weight]`` naming series by index or by name.

Bad input is refused with one line (:class:`~core.errors.LoadError`): ragged rows,
non-numeric cells, infinite values, gaps longer than :data:`MAX_GAP` steps, a single series,
fewer than :data:`MIN_STEPS` steps, more than :data:`MAX_VALUES` values, duplicate time
stamps. Short gaps are filled by linear interpolation and unsorted time stamps sorted, each
with a notice that says so.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from nodescope.core.errors import LoadError
from nodescope.core.forecasting.synthetic import KnownGraphSeries, graph_var, road_diffusion
from nodescope.core.loaders.registry import Builtin
from nodescope.core.sample import Sample
from nodescope.core.validate import make_sample

#: The longest run of missing values (steps) filled by interpolation; longer runs are refused.
MAX_GAP = 3
#: Fewer steps than this cannot make even one training window.
MIN_STEPS = 10
#: At most this many values (T x N): 200 MB as float32.
MAX_VALUES = 50_000_000
#: Column names read as time stamps (compared lower-case).
TIME_COLUMNS = ("time", "date", "datetime", "timestamp")
#: NPZ keys read as the values, in order of preference.
VALUE_KEYS = ("values", "x", "data", "series")

Table = tuple[np.ndarray, list[str] | None, np.ndarray | None]


def read_series(path: Path, graph: Path | None = None, *, name: str | None = None) -> Sample:
    """Read a multivariate time series file (and optionally its known graph) into a sample.

    Args:
        path: a text/CSV (optionally gzipped) or NPZ file, rows = time steps.
        graph: an optional ``.npy`` adjacency or edge-list CSV (see the module docstring).
        name: the display name (default: the file's name).

    Returns:
        A ``timeseries`` sample: ``data.x`` (N, T), the known graph as its edges.

    Raises:
        LoadError: one line naming what is wrong (see the module docstring).
    """
    reader = _read_npz if path.name.lower().endswith(".npz") else _read_text
    values, names, time = reader(path)
    notices: list[str] = []
    values, names, time = _checked_table(values, names, time, path.name, notices)
    adjacency = read_known_graph(graph, names) if graph is not None else None
    return series_sample(
        values,
        names=names,
        name=name or path.name,
        source=str(path),
        time=time,
        adjacency=adjacency,
        notices=notices,
    )


def series_sample(
    values: np.ndarray,
    *,
    names: list[str],
    name: str,
    source: str,
    time: np.ndarray | None = None,
    adjacency: np.ndarray | None = None,
    notices: list[str] | None = None,
    step_minutes: float | None = None,
) -> Sample:
    """Assemble a ``timeseries`` sample from a checked (T, N) table.

    Args:
        values: (T, N) finite values.
        names: N series names.
        name: the display name.
        source: where it came from.
        time: (T,) ``datetime64`` time stamps, or None.
        adjacency: (N, N) known graph (row ``i``: node ``i``'s incoming edge weights), or None.
        notices: what was done while reading, for the user.
        step_minutes: the sampling interval in minutes, when known (recorded in ``units``).
    """
    steps, n = values.shape
    if adjacency is not None:
        dst, src = np.nonzero(adjacency)
        edge_index, weight = np.stack([src, dst]), adjacency[dst, src].astype(np.float32)[:, None]
    else:
        edge_index, weight = np.zeros((2, 0), np.int64), np.zeros((0, 1), np.float32)
    if time is not None:
        whole_minutes = (time.astype("datetime64[s]").astype(np.int64) % 60 == 0).all()
        step_names = np.datetime_as_string(time, unit="m" if whole_minutes else "s").tolist()
    else:
        step_names = [f"t{k}" for k in range(steps)]
    units = {"time": f"{step_minutes:g} min" if step_minutes else "step"}
    return make_sample(
        kind="timeseries",
        name=name,
        source=source,
        num_nodes=n,
        edge_index=edge_index,
        x=values.T.astype(np.float32),
        feature_names=step_names,
        directed=True,
        edge_values={"edge_attr": weight},
        node_names=list(names),
        time=time,
        units=units,
        notices=list(notices or []),
    )


def known_adjacency(sample: Sample) -> np.ndarray | None:
    """(N, N) the known graph of a ``timeseries`` sample (row ``i``: incoming weights), or None.

    The inverse of what :func:`series_sample` stores: ``A[dst, src] = weight``.
    """
    if sample.num_edges == 0:
        return None
    src, dst = sample.data.edge_index.numpy()
    adjacency = np.zeros((sample.num_nodes, sample.num_nodes))
    weight = sample.data.get("edge_attr")
    adjacency[dst, src] = weight[:, 0].numpy() if weight is not None else 1.0
    return adjacency


def read_known_graph(path: Path, names: list[str]) -> np.ndarray:
    """Read a known graph over the series ``names`` as an (N, N) adjacency (row ``i``: incoming).

    Args:
        path: an (N, N) ``.npy`` adjacency, or an edge-list CSV ``source,target[,weight]``
            (indices 0..N-1 or series names; an optional header row).
        names: the series' names, in column order.

    Raises:
        LoadError: a wrong shape, non-finite weights, or an edge naming an unknown series.
    """
    n = len(names)
    if path.suffix.lower() == ".npy":
        try:
            adjacency = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise LoadError(
                f"{path.name} is not a NumPy array file (expected an {n} x {n} adjacency)."
            ) from exc
        if adjacency.shape != (n, n):
            raise LoadError(f"{path.name} is {adjacency.shape} but there are {n} series: expected {n} x {n}.")
        if not np.issubdtype(adjacency.dtype, np.number) or not np.isfinite(adjacency).all():
            raise LoadError(f"{path.name} holds non-numeric, NaN or infinite weights.")
        return adjacency.astype(np.float64)
    table = pd.read_csv(
        path, header=None, dtype=str, skipinitialspace=True, comment="#", sep=None, engine="python"
    )
    if table.shape[1] < 2:
        raise LoadError(f"{path.name} needs two columns (source, target) and an optional weight.")
    index = {s: i for i, s in enumerate(names)}

    def node(cell: str) -> int | None:
        if cell in index:
            return index[cell]
        return int(cell) if cell.isdigit() and int(cell) < n else None

    first = table.iloc[0]
    if node(str(first[0])) is None and node(str(first[1])) is None:
        table = table.iloc[1:]  # a header row
    adjacency = np.zeros((n, n))
    for row, cells in enumerate(table.itertuples(index=False), start=1):
        src, dst = node(str(cells[0]).strip()), node(str(cells[1]).strip())
        if src is None or dst is None:
            bad = cells[0] if src is None else cells[1]
            raise LoadError(
                f"{path.name}, edge {row}: '{bad}' is neither a series name nor an index 0..{n - 1}."
            )
        weight = _number(cells[2]) if len(cells) > 2 else 1.0
        if weight is None:
            raise LoadError(f"{path.name}, edge {row}: the weight '{cells[2]}' is not a finite number.")
        adjacency[dst, src] = weight
    return adjacency


def _number(cell: object) -> float | None:
    try:
        value = float(str(cell))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _read_text(path: Path) -> Table:
    """Read a delimited text table (optionally gzipped): (T, N) values with NaN for blanks."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.name.lower().endswith(".gz") else path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LoadError(f"{path.name} is not a valid gzip file.") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path.name} is not a text file (expected numbers, one row per time step).") from exc
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise LoadError(f"{path.name} is empty (expected numbers, one row per time step).")
    sep = next((s for s in ("\t", ";", ",") if s in lines[0]), ",")
    widths = np.array([ln.count(sep) + 1 for ln in lines])
    if (widths != widths[0]).any():
        k = int(np.argmax(widths != widths[0]))
        raise LoadError(
            f"{path.name}, line {k + 1} has {widths[k]} values but line 1 has {widths[0]}: "
            "every row must hold one value per series."
        )
    first = [c.strip() for c in lines[0].split(sep)]
    has_header = any(_number(c) is None and c.lower() not in ("", "nan", "na") for c in first)
    # header=None: pandas would rename a repeated name ("a", "a.1"), which must be refused instead.
    table = pd.read_csv(io.StringIO("\n".join(lines)), sep=sep, header=None, dtype=str, keep_default_na=False)
    names = None
    if has_header:
        names = [c.strip() or f"series {i}" for i, c in enumerate(table.iloc[0])]
        table = table.iloc[1:].reset_index(drop=True)
    time = None
    time_col = _time_column(table, names)
    if time_col is not None:
        time = _parse_time(table.iloc[:, time_col], path.name)
        table = table.drop(columns=table.columns[time_col])
        names = [n for i, n in enumerate(names or []) if i != time_col] or None
    values = np.empty(table.shape)
    for j, column in enumerate(table.columns):
        cells = table[column].str.strip()
        missing = cells.str.lower().isin(["", "nan", "na", "null"])
        numbers = pd.to_numeric(cells.where(~missing), errors="coerce")
        bad = numbers.isna() & ~missing
        if bad.any():
            k = int(np.argmax(bad.to_numpy()))
            label = names[j] if names else f"column {j + 1}"
            raise LoadError(
                f"{path.name}, row {k + 1 + has_header}, {label}: '{cells.iloc[k]}' is not a number."
            )
        values[:, j] = numbers.to_numpy(dtype=float)
    return values, names, time


def _time_column(table: pd.DataFrame, names: list[str] | None) -> int | None:
    """The index of a time-stamp column: named like one, or a first column of dates."""
    if names is not None:
        for i, n in enumerate(names):
            if n.lower() in TIME_COLUMNS:
                return i
    head = table.iloc[: min(5, len(table)), 0].str.strip()
    if head.map(_number).isna().all() and pd.to_datetime(head, errors="coerce", format="mixed").notna().all():
        return 0
    return None


def _parse_time(cells: pd.Series, file: str) -> np.ndarray:
    """Time stamps as (T,) ``datetime64[s]``; refuse a cell that is not a date."""
    stamps = pd.to_datetime(cells.str.strip(), errors="coerce", format="mixed")
    if stamps.isna().any():
        k = int(np.argmax(stamps.isna().to_numpy()))
        raise LoadError(f"{file}, row {k + 2}: the time stamp '{cells.iloc[k]}' is not a date.")
    return stamps.to_numpy().astype("datetime64[s]")


def _read_npz(path: Path) -> Table:
    """Read the values (and optional names and time stamps) from an NPZ archive, without pickle."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise LoadError(f"{path.name} is not a valid NPZ archive.") from exc
    with archive:
        keys = list(archive.files)
        key = next((k for k in VALUE_KEYS if k in keys), None)
        try:
            if key is None:
                two_d = [k for k in keys if archive[k].ndim == 2]
                if len(two_d) != 1:
                    raise LoadError(
                        f"{path.name} has arrays {keys}; put the (steps x series) values under 'values'."
                    )
                key = two_d[0]
            values = archive[key]
            names = [str(s) for s in archive["names"]] if "names" in keys else None
            time = archive["time"].astype("datetime64[s]") if "time" in keys else None
        except ValueError as exc:  # object arrays need pickle, which user data never gets
            raise LoadError(f"{path.name} holds Python objects; save plain numbers and strings.") from exc
    if values.ndim != 2 or not np.issubdtype(values.dtype, np.number):
        raise LoadError(
            f"{path.name}: '{key}' must be a 2-D numeric array (steps x series), not {values.shape}."
        )
    if names is not None and len(names) != values.shape[1]:
        raise LoadError(f"{path.name}: {len(names)} names for {values.shape[1]} series.")
    if time is not None and len(time) != values.shape[0]:
        raise LoadError(f"{path.name}: {len(time)} time stamps for {values.shape[0]} steps.")
    return values.astype(np.float64), names, time


def _checked_table(
    values: np.ndarray, names: list[str] | None, time: np.ndarray | None, file: str, notices: list[str]
) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """Refuse what cannot be a multivariate series; sort by time and fill short gaps, with notices."""
    steps, n = values.shape
    if n < 2:
        raise LoadError(f"{file} has {n} series; a graph among series needs at least two.")
    if steps < MIN_STEPS:
        raise LoadError(
            f"{file} has {steps} time steps; at least {MIN_STEPS} are needed (rows are time steps)."
        )
    if values.size > MAX_VALUES:
        raise LoadError(f"{file} has {values.size:,} values; Nodescope handles at most {MAX_VALUES:,}.")
    names = list(names) if names is not None else [f"series {j}" for j in range(n)]
    if len(set(names)) < n:
        dup = next(s for s in names if names.count(s) > 1)
        raise LoadError(f"{file}: the series name '{dup}' appears twice; names must be unique.")
    if np.isinf(values).any():
        j = int(np.nonzero(np.isinf(values).any(0))[0][0])
        raise LoadError(f"{file}: series '{names[j]}' holds an infinite value.")
    if time is not None:
        order = np.argsort(time, kind="stable")
        if (np.diff(time[order]) == np.timedelta64(0)).any():
            k = int(np.argmax(np.diff(time[order]) == np.timedelta64(0)))
            raise LoadError(f"{file}: the time stamp {time[order][k]} appears twice.")
        if (order != np.arange(steps)).any():
            values, time = values[order], time[order]
            notices.append("Rows were not in time order; they were sorted by their time stamps.")
    values = _filled(values, names, file, notices)
    constant = [names[j] for j in np.nonzero(np.ptp(values, axis=0) == 0)[0]]
    if constant:
        notices.append(
            f"{len(constant)} series never change ({', '.join(constant[:3])}): they carry no signal."
        )
    return values, names, time


def _filled(values: np.ndarray, names: list[str], file: str, notices: list[str]) -> np.ndarray:
    """Fill runs of at most :data:`MAX_GAP` missing values per series (linear inside, nearest at the ends)."""
    missing = np.isnan(values)
    if not missing.any():
        return values
    values = values.copy()
    steps = values.shape[0]
    for j in np.nonzero(missing.any(0))[0]:
        gaps = _runs(missing[:, j])
        start, length = max(gaps, key=lambda g: g[1])
        if length > MAX_GAP or length == steps:
            raise LoadError(
                f"{file}: series '{names[j]}' has {length} missing values in a row (steps {start}-"
                f"{start + length - 1}); gaps of at most {MAX_GAP} steps are filled: fill or cut it."
            )
        known = np.nonzero(~missing[:, j])[0]
        values[:, j] = np.interp(np.arange(steps), known, values[known, j])  # ends: nearest value
    count, series = int(missing.sum()), int(missing.any(0).sum())
    notices.append(
        f"Filled {count} missing value(s) in {series} series by linear interpolation (gaps of at most {MAX_GAP} steps)."
    )
    return values


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of every run of True in a 1-D boolean array."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return list(zip(starts.tolist(), (ends - starts).tolist(), strict=True))


# ---------------------------------------------------------------- built-ins
def _builtin(key: str, title: str, make: Callable[[], KnownGraphSeries]) -> Callable[[], Sample]:
    def load() -> Sample:
        made = make()
        time = None
        if made.step_minutes:
            step = np.timedelta64(int(made.step_minutes * 60), "s")
            time = np.datetime64("2026-01-05T00:00:00") + step * np.arange(made.values.shape[0])
        return series_sample(
            made.values,
            names=made.names,
            name=title,
            source=f"builtin:{key}",
            time=time,
            adjacency=made.adjacency,
            step_minutes=made.step_minutes,
        )

    return load


BUILTINS = [
    Builtin(
        "graph-var",
        "timeseries",
        "Graph VAR (synthetic)",
        "20 series driven by 2 others each (a sparse vector autoregression with a season): the true graph is known.",
        _builtin("graph-var", "Graph VAR (synthetic)", graph_var),
    ),
    Builtin(
        "road-diffusion",
        "timeseries",
        "Road diffusion (synthetic)",
        "30 road sensors, 14 days at 5 minutes: daily demand carried along known one- and two-way roads.",
        _builtin("road-diffusion", "Road diffusion (synthetic)", road_diffusion),
    ),
]
