"""Planetoid citation graphs (Cora, CiteSeer, PubMed) read from PyG's raw files without unpickling.

The raw ``ind.<name>.*`` files are Python pickles. Loading them with :mod:`pickle`
would run whatever code a tampered file names, so :class:`_PlanetoidUnpickler` only
reconstructs the few numpy/scipy types these files are made of and refuses anything
else. The assembly follows ``torch_geometric.io.read_planetoid_data`` (public split:
20 labeled nodes per class for training, 500 for validation, 1000 for test).
"""

from __future__ import annotations

import importlib
import io
import pickle
from pathlib import Path

import numpy as np
import torch
from torch_geometric.io.planetoid import edge_index_from_dict
from torch_geometric.utils import index_to_mask

from nodescope.core.errors import LoadError
from nodescope.core.paths import data_dir as default_data_dir
from nodescope.core.sample import Sample
from nodescope.core.validate import make_sample

#: Planetoid names as users type them -> PyG's dataset name (its folder under the data dir).
PLANETOID = {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}
LABEL_NAMES = {
    "cora": [
        "Case_Based",
        "Genetic_Algorithms",
        "Neural_Networks",
        "Probabilistic_Methods",
        "Reinforcement_Learning",
        "Rule_Learning",
        "Theory",
    ],
    "citeseer": ["Agents", "AI", "DB", "IR", "ML", "HCI"],
    "pubmed": ["Diabetes Experimental", "Diabetes Type 1", "Diabetes Type 2"],
}
_PARTS = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
_RAW_URL = "https://github.com/kimiyoung/planetoid/raw/master/data"

# (module, name) pairs the raw files are built from; numpy 2 moved numpy.core to numpy._core.
_ALLOWED = {
    ("numpy", "dtype"): ("numpy", "dtype"),
    ("numpy", "ndarray"): ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("scipy.sparse.csr", "csr_matrix"): ("scipy.sparse", "csr_matrix"),
    ("scipy.sparse._csr", "csr_matrix"): ("scipy.sparse", "csr_matrix"),
    ("collections", "defaultdict"): ("collections", "defaultdict"),
    ("builtins", "list"): ("builtins", "list"),
    ("__builtin__", "list"): ("builtins", "list"),
    ("builtins", "dict"): ("builtins", "dict"),
}


class _PlanetoidUnpickler(pickle.Unpickler):
    """Rebuilds only numpy arrays, scipy CSR matrices and dicts of lists."""

    def find_class(self, module: str, name: str) -> object:
        target = _ALLOWED.get((module, name))
        if target is None:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return getattr(importlib.import_module(target[0]), target[1])


def _read_part(path: Path) -> object:
    if path.name.endswith("test.index"):
        return np.loadtxt(path, dtype=np.int64).reshape(-1)
    return _PlanetoidUnpickler(io.BytesIO(path.read_bytes()), encoding="latin1").load()


def _dense(a: object) -> torch.Tensor:
    arr = a.toarray() if hasattr(a, "toarray") else np.asarray(a)
    return torch.from_numpy(np.asarray(arr, dtype=np.float32))


def find_raw_dir(name: str, root: Path) -> Path | None:
    """The folder holding ``ind.<name>.*`` under ``root``: PyG's ``<root>/<Name>/raw`` or ``root`` itself."""
    for folder in (root / PLANETOID[name] / "raw", root / name / "raw", root):
        if all((folder / f"ind.{name}.{p}").is_file() for p in _PARTS):
            return folder
    return None


def _download(name: str, root: Path) -> Path:
    """Fetch the raw files into PyG's layout (needs the network)."""
    from torch_geometric.data import download_url

    raw = root / PLANETOID[name] / "raw"
    try:
        for part in _PARTS:
            download_url(f"{_RAW_URL}/ind.{name}.{part}", str(raw), log=False)
    except Exception as exc:  # any network failure: offline, DNS, HTTP error
        raise LoadError(
            f"{PLANETOID[name]} is not in {root} and could not be downloaded ({type(exc).__name__}); "
            f"put PyG's raw files ind.{name}.* in {raw} or set NODESCOPE_DATA_DIR."
        ) from exc
    return raw


def load_planetoid(name: str, data_dir: Path | str | None = None, *, download: bool = True) -> Sample:
    """Load a Planetoid graph with its public split.

    Args:
        name: ``cora``, ``citeseer`` or ``pubmed`` (any case).
        data_dir: folder with PyG's raw layout (``<dir>/Cora/raw/ind.cora.x`` ...) or the
            ``ind.*`` files directly; default ``NODESCOPE_DATA_DIR`` or the user data dir.
        download: fetch the raw files when they are missing (needs the network).

    Returns:
        A graph sample with bag-of-words features, 'train/val/test' masks and labels.
    """
    key = name.lower()
    if key not in PLANETOID:
        raise LoadError(f"Unknown Planetoid dataset '{name}'; choose one of {', '.join(PLANETOID)}.")
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    raw = find_raw_dir(key, root)
    if raw is None:
        if not download:
            raise LoadError(f"{PLANETOID[key]} raw files (ind.{key}.*) not found under {root}.")
        raw = _download(key, root)
    try:
        x, tx, allx, y, ty, ally, graph, test_index = (_read_part(raw / f"ind.{key}.{p}") for p in _PARTS)
    except (pickle.UnpicklingError, EOFError, ValueError, OSError, AttributeError, TypeError) as exc:
        raise LoadError(
            f"{PLANETOID[key]} raw files in {raw} are corrupt or not Planetoid files ({exc})."
        ) from exc
    x, tx, allx, y, ty, ally = (_dense(a) for a in (x, tx, allx, y, ty, ally))
    test_index = torch.from_numpy(test_index)
    sorted_test = test_index.sort().values
    if key == "citeseer":
        # CiteSeer has isolated test nodes missing from tx/ty: pad them with zero rows (as PyG does).
        span = int(test_index.max() - test_index.min()) + 1
        tx_ext, ty_ext = torch.zeros(span, tx.shape[1]), torch.zeros(span, ty.shape[1])
        tx_ext[sorted_test - test_index.min()] = tx
        ty_ext[sorted_test - test_index.min()] = ty
        tx, ty = tx_ext, ty_ext
    feats = torch.cat([allx, tx])
    feats[test_index] = feats[sorted_test]
    labels = torch.cat([ally, ty]).argmax(1)
    labels[test_index] = labels[sorted_test]
    n = labels.shape[0]
    edge_index = edge_index_from_dict(graph, num_nodes=n)
    return make_sample(
        kind="graph",
        name=PLANETOID[key],
        source=f"planetoid:{key}",
        num_nodes=n,
        edge_index=edge_index,
        x=feats,
        feature_names=[f"word {i}" for i in range(feats.shape[1])],
        y=labels,
        label_names=LABEL_NAMES[key],
        extra={
            "train_mask": index_to_mask(torch.arange(y.shape[0]), n),
            "val_mask": index_to_mask(torch.arange(y.shape[0], y.shape[0] + 500), n),
            "test_mask": index_to_mask(test_index, n),
        },
    )
