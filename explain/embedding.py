"""2D embeddings of node features or hidden representations: PCA (instant) and UMAP (seconds).

Both take an (N, F) array and return (N, 2) float32 coordinates, one row per node.
Columns are standardized first (zero mean, unit variance; constant columns become zero)
so that no single large-valued feature dominates. Non-finite entries are replaced by
their column's mean (0 after standardizing).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

#: UMAP first reduces wider inputs to this many principal components (speed, less noise).
UMAP_PCA_DIMS = 50
#: UMAP's own threshold: below it, exact nearest neighbors are cheap.
EXACT_KNN_BELOW = 4096

Progress = Callable[[float, str], None]


def standardize(x: np.ndarray) -> np.ndarray:
    """(N, F) float32 copy with zero-mean, unit-variance columns; constant columns become 0.

    A 1-D input is treated as one feature. Non-finite entries become the column mean.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"expected an (N, F) array, got shape {a.shape}")
    a = a.copy()
    bad = ~np.isfinite(a)
    if bad.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: mean is NaN
            col_mean = np.nanmean(np.where(bad, np.nan, a), axis=0)
        a[bad] = np.nan_to_num(col_mean, nan=0.0)[np.nonzero(bad)[1]]
    if not len(a):
        return a.astype(np.float32)
    magnitude = np.abs(a).max(0)
    a -= a.mean(0)
    std = a.std(0)
    # Constant columns (std 0, or rounding noise relative to their magnitude) carry no
    # information: dividing by inf zeroes them instead of blowing the noise up.
    a /= np.where(std > 1e-9 * magnitude, std, np.inf)
    return a.astype(np.float32)


def pca_2d(x: np.ndarray) -> np.ndarray:
    """First two principal components of the standardized features.

    Computed without scikit-learn, whose 0.6 s import was on the app's first paint: NumPy's
    ``eigh`` of the covariance when there are at most :data:`SMALL_SIDE` features, else SciPy's
    ARPACK truncated SVD ``svds`` from a fixed start vector (SciPy is loaded already).

    Args:
        x: (N, F) features (F may be 1; a 1-D array counts as F = 1).

    Returns:
        (N, 2) float32. With fewer than two informative directions (F == 1, constant
        columns, N < 3) the missing coordinates are 0. Signs are deterministic: each
        component's largest loading is positive (scikit-learn's convention).
    """
    a = standardize(x).astype(np.float64)
    n, f = a.shape
    out = np.zeros((n, 2), np.float32)
    k = min(2, n - 1, f)
    if k < 1 or not np.any(a):
        return out
    components = _principal_axes(a, k)  # (F, k)
    peaks = components[np.abs(components).argmax(0), np.arange(k)]
    components *= np.where(peaks < 0, -1.0, 1.0)
    out[:, :k] = a @ components
    return out


#: Up to this many columns (or rows), PCA diagonalises the F x F (or N x N) matrix directly.
SMALL_SIDE = 512


def _principal_axes(a: np.ndarray, k: int) -> np.ndarray:
    """(F, k) the top-``k`` right singular vectors of the centered (N, F) ``a``, largest first."""
    n, f = a.shape
    if f <= SMALL_SIDE or min(n, f) <= k + 1:
        # A full symmetric eigendecomposition of the small side: LAPACK's partial one (eigh with
        # subset_by_index) returned no vectors at all on equal eigenvalues (one-hot features).
        if f <= n or f <= SMALL_SIDE:
            _, vecs = np.linalg.eigh(a.T @ a)
            return vecs[:, ::-1][:, :k].copy()
        vals, u = np.linalg.eigh(a @ a.T)
        vals, u = vals[::-1][:k], u[:, ::-1][:, :k]
        return a.T @ u / np.sqrt(np.maximum(vals, 1e-300))
    from scipy.sparse.linalg import svds

    v0 = np.full(min(n, f), 1.0 / np.sqrt(min(n, f)))  # a fixed start: the same axes every run
    _, sing, vt = svds(a, k=k, v0=v0)
    return vt[np.argsort(-sing)].T.copy()


def umap_2d(
    x: np.ndarray, *, seed: int = 0, n_neighbors: int = 15, on_progress: Progress | None = None
) -> np.ndarray:
    """UMAP embedding of the standardized features (PCA to 50 dims first when F > 50).

    Deterministic for a seed (UMAP then runs single-threaded). The first call in a process
    pays numba's compilation: about 18 s to import umap, and up to a minute for the first
    fit above 4096 points.

    Args:
        x: (N, F) features.
        seed: random seed for the neighbor search and the optimization.
        n_neighbors: neighborhood size (local vs global structure); capped at N - 1.
        on_progress: called as ``on_progress(fraction, message)`` with fraction in [0, 1]
            at each stage: 'reducing', 'nearest neighbors', 'optimizing', 'done'.

    Returns:
        (N, 2) float32. Fewer than 4 points fall back to :func:`pca_2d`.
    """
    report = on_progress or (lambda fraction, message: None)
    report(0.0, "reducing")
    a = standardize(x)
    n, f = a.shape
    if n < 4:
        report(1.0, "done")
        return pca_2d(a)
    if f > UMAP_PCA_DIMS:
        from sklearn.decomposition import PCA

        a = PCA(n_components=min(UMAP_PCA_DIMS, n), random_state=seed).fit_transform(a).astype(np.float32)

    report(0.1, "nearest neighbors")
    import umap  # slow first import (numba): keep it out of module import time
    from umap.umap_ import nearest_neighbors

    k = max(2, min(n_neighbors, n - 1))
    if n < EXACT_KNN_BELOW:
        from sklearn.neighbors import NearestNeighbors

        # UMAP's own small-data path is exact too; the point itself is its first neighbor.
        dists, idx = NearestNeighbors(n_neighbors=k).fit(a).kneighbors(a)
        knn = (idx, dists.astype(np.float32), None)
    else:
        knn = nearest_neighbors(a, k, "euclidean", {}, False, np.random.RandomState(seed), n_jobs=1)

    report(0.4, "optimizing")
    with warnings.catch_warnings():
        # "knn_search_index is not an NNDescent object": we never call transform().
        warnings.simplefilter("ignore", UserWarning)
        reducer = umap.UMAP(n_neighbors=k, n_components=2, random_state=seed, n_jobs=1, precomputed_knn=knn)
        y = reducer.fit_transform(a)
    report(1.0, "done")
    return np.asarray(y, dtype=np.float32)
