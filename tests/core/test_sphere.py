"""The spherical convention (lat/lon <-> xyz <-> equirectangular pixels) and the icosphere."""

from __future__ import annotations

import numpy as np
import pytest

from nodescope.core.geometry.icosphere import icosphere, icosphere_edges
from nodescope.core.geometry.sphere import latlon_to_pixel, latlon_to_xyz, pixel_to_latlon, xyz_to_latlon


@pytest.mark.parametrize(
    ("lat", "lon", "xyz"),
    [
        (0, 0, (1, 0, 0)),
        (0, 90, (0, 1, 0)),
        (0, -90, (0, -1, 0)),
        (0, 180, (-1, 0, 0)),
        (90, 37, (0, 0, 1)),
        (-90, 0, (0, 0, -1)),
    ],
)
def test_axes_follow_the_convention(lat: float, lon: float, xyz: tuple[int, int, int]) -> None:
    np.testing.assert_allclose(latlon_to_xyz(lat, lon), [xyz], atol=1e-12)


def test_latlon_xyz_round_trip() -> None:
    rng = np.random.default_rng(0)
    lat = rng.uniform(-89, 89, 1000)
    lon = rng.uniform(-179.9, 180, 1000)
    xyz = latlon_to_xyz(lat, lon)
    assert xyz.shape == (1000, 3)
    np.testing.assert_allclose(np.linalg.norm(xyz, axis=1), 1.0)
    np.testing.assert_allclose(xyz_to_latlon(xyz), np.stack([lat, lon], 1), atol=1e-9)


def test_xyz_to_latlon_normalizes_and_refuses_zero() -> None:
    v = np.array([[3.0, 3.0, 0.0], [0.0, -2.0, 2.0], [0.0, 0.0, -5.0]])
    np.testing.assert_allclose(xyz_to_latlon(v), [[0, 45], [45, -90], [-90, 0]], atol=1e-12)
    np.testing.assert_allclose(xyz_to_latlon([0.0, 0.0, 7.0]), [[90, 0]])
    with pytest.raises(ValueError):
        xyz_to_latlon([[0.0, 0.0, 0.0]])


def test_pixel_centers_and_image_edges() -> None:
    w, h = 1024, 512
    # The image center (between pixels 511 and 512) looks along +X; the edges are lon -180 / +180.
    lat, lon = pixel_to_latlon([w / 2 - 0.5, -0.5, w - 0.5], [h / 2 - 0.5, -0.5, h - 0.5], w, h)
    np.testing.assert_allclose(lon, [0, -180, 180])
    np.testing.assert_allclose(lat, [0, 90, -90])
    # Pixel (0, 0) is the top-left square: its center is half a pixel in.
    lat0, lon0 = pixel_to_latlon(0, 0, w, h)
    assert lon0 == pytest.approx(-180 + 180 / w)
    assert lat0 == pytest.approx(90 - 90 / h)
    # Longitude grows to the right, latitude falls downwards.
    lat, lon = pixel_to_latlon(np.arange(w), np.arange(w) % h, w, h)
    assert np.all(np.diff(lon) > 0)
    assert np.all(np.diff(lat[:h]) < 0)


def test_pixel_round_trip_and_longitude_wrap() -> None:
    w, h = 64, 32
    uu, vv = np.meshgrid(np.arange(w), np.arange(h))
    lat, lon = pixel_to_latlon(uu, vv, w, h)
    u, v = latlon_to_pixel(lat, lon, w, h)
    np.testing.assert_allclose(u, uu, atol=1e-9)
    np.testing.assert_allclose(v, vv, atol=1e-9)
    # lon +180 and -180 are the same meridian; lon 190 is lon -170.
    u180, _ = latlon_to_pixel(0, 180, w, h)
    um180, _ = latlon_to_pixel(0, -180, w, h)
    assert u180 == pytest.approx(um180) == pytest.approx(-0.5)
    np.testing.assert_allclose(latlon_to_pixel(10, 190, w, h), latlon_to_pixel(10, -170, w, h))


@pytest.mark.parametrize("level", range(6))
def test_icosphere_counts_and_topology(level: int) -> None:
    v, f = icosphere(level)
    assert v.shape == (10 * 4**level + 2, 3) and v.dtype == np.float64
    assert f.shape == (20 * 4**level, 3) and f.dtype == np.int64
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-12)
    e = icosphere_edges(f)
    assert e.shape[0] == 2 and e.dtype == np.int64
    # Closed genus-0 surface: V - E + F = 2 (E counted once); 12 vertices of degree 5, the rest 6.
    assert len(v) - e.shape[1] // 2 + len(f) == 2
    degree = np.bincount(e[0], minlength=len(v))
    assert (degree == 5).sum() == 12 and np.all((degree == 5) | (degree == 6))


@pytest.mark.parametrize("level", range(6))
def test_icosphere_faces_point_outward(level: int) -> None:
    v, f = icosphere(level)
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    normals = np.cross(b - a, c - a)
    assert np.all(np.einsum("ij,ij->i", normals, a + b + c) > 0)


def test_icosphere_edges_are_unique_and_symmetric() -> None:
    e = icosphere_edges(icosphere(2)[1])
    pairs = set(map(tuple, e.T.tolist()))
    assert len(pairs) == e.shape[1]
    assert all((j, i) in pairs for i, j in pairs)
    assert not np.any(e[0] == e[1])
    # Two triangles sharing a side: 5 unique sides, listed both ways.
    assert icosphere_edges(np.array([[0, 1, 2], [2, 1, 3]])).shape == (2, 10)


def test_icosphere_is_cached_read_only_and_checks_level() -> None:
    assert icosphere(3) is icosphere(3)
    v, f = icosphere(3)
    with pytest.raises(ValueError):
        v[0, 0] = 2.0
    with pytest.raises(ValueError):
        f[0, 0] = 1
    for bad in (-1, 8, 2.5):
        with pytest.raises(ValueError, match="level"):
            icosphere(bad)
