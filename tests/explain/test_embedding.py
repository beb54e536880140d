"""PCA and UMAP embeddings: shapes, degenerate features, cluster separation, progress."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nodescope.explain.embedding import pca_2d, standardize, umap_2d


def two_clusters(n: int = 300, f: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(size=(n, f)) + 3.0 * y[:, None]
    return x, y


def separable_along(coords: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of the nearest-centroid rule in the 2D coordinates."""
    c0, c1 = coords[y == 0].mean(0), coords[y == 1].mean(0)
    pred = np.linalg.norm(coords - c1, axis=1) < np.linalg.norm(coords - c0, axis=1)
    return float((pred == y.astype(bool)).mean())


def test_pca_shape_dtype_and_separation() -> None:
    x, y = two_clusters()
    out = pca_2d(x)
    assert out.shape == (300, 2) and out.dtype == np.float32
    assert separable_along(out[:, :1], y) == 1.0  # the first component splits the clusters


def test_pca_single_feature_pads_a_zero_column() -> None:
    x = np.arange(10.0)[:, None] * 5 + 2
    out = pca_2d(x)
    assert out.shape == (10, 2)
    np.testing.assert_array_equal(out[:, 1], 0.0)
    assert abs(np.corrcoef(out[:, 0], x[:, 0])[0, 1]) == pytest.approx(1.0, abs=1e-6)
    assert pca_2d(np.arange(10.0)).shape == (10, 2)  # 1-D input = one feature


def test_pca_constant_and_missing_features_give_finite_output() -> None:
    rng = np.random.default_rng(0)
    x = np.c_[np.full(50, 7.0), rng.normal(size=50), np.full(50, 1e6), rng.normal(size=50)]
    x[3, 1] = np.nan
    x[5, 3] = np.inf
    out = pca_2d(x)
    assert np.isfinite(out).all() and np.abs(out).max() > 0
    s = standardize(x)
    np.testing.assert_array_equal(s[:, [0, 2]], 0.0)  # constant columns carry nothing
    np.testing.assert_allclose(s[:, [1, 3]].std(0), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(pca_2d(np.ones((8, 4))), 0.0)  # nothing to project


def test_pca_tiny_inputs() -> None:
    assert pca_2d(np.ones((1, 3))).shape == (1, 2)
    assert pca_2d(np.zeros((0, 3))).shape == (0, 2)
    assert np.isfinite(pca_2d(np.array([[0.0, 1.0], [1.0, 0.0]]))).all()


def test_umap_tiny_input_falls_back_to_pca() -> None:
    calls: list[tuple[float, str]] = []
    out = umap_2d(np.eye(3), on_progress=lambda f, m: calls.append((f, m)))
    assert out.shape == (3, 2) and out.dtype == np.float32
    assert calls[-1] == (1.0, "done")


def test_umap_separates_two_clusters_and_reports_progress() -> None:
    # The first fit in a process compiles numba code: ~20-40 s once, then fast.
    x, y = two_clusters(300, 60)  # F > 50: PCA to 50 dims first
    calls: list[tuple[float, str]] = []
    out = umap_2d(x, seed=0, on_progress=lambda f, m: calls.append((f, m)))
    assert out.shape == (300, 2) and out.dtype == np.float32 and np.isfinite(out).all()
    assert separable_along(out, y) == 1.0
    # the clusters are apart, not merely on either side of a line
    gap = np.linalg.norm(out[y == 0].mean(0) - out[y == 1].mean(0))
    assert gap > 3 * max(out[y == 0].std(0).max(), out[y == 1].std(0).max())
    assert [m for _, m in calls] == ["reducing", "nearest neighbors", "optimizing", "done"]
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    np.testing.assert_array_equal(out, umap_2d(x, seed=0))  # deterministic for a seed


def test_explain_does_not_import_viz() -> None:
    code = "import sys, explain.embedding\nbad = [m for m in sys.modules if m.split('.')[0] in ('viz', 'app', 'streamlit')]\nassert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_pca_of_one_hot_features() -> None:
    # Equal eigenvalues (karate's one-hot member ids): LAPACK's partial eigh returned no vectors.
    out = pca_2d(np.eye(34))
    assert out.shape == (34, 2) and np.isfinite(out).all() and np.abs(out).max() > 0


@pytest.mark.parametrize("shape", [(300, 5), (60, 900), (800, 700)])
def test_pca_matches_the_exact_svd(shape) -> None:
    # Both paths (eigh of the small side, ARPACK svds from a fixed start) give the exact top two
    # axes, also on a flat spectrum where scikit-learn's randomized solver was off by ~50 %.
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape) @ rng.normal(size=(shape[1], shape[1]))
    a = standardize(x).astype(np.float64)
    _, _, vt = np.linalg.svd(a, full_matrices=False)
    exact = a @ vt[:2].T
    ours = pca_2d(x)
    np.testing.assert_allclose(np.abs(ours), np.abs(exact), atol=1e-3 * np.abs(exact).max())
    np.testing.assert_array_equal(ours, pca_2d(x))  # deterministic, signs included
