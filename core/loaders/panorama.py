"""Equirectangular panoramas as spherical graphs: one node per icosphere vertex.

Each vertex of an icosphere (level 5: 10,242 nodes) takes the color of the image at its
direction (bilinear, wrapping around in longitude), and the icosphere's triangles give the
edges. Directions and pixels follow :mod:`core.geometry.sphere`: the image center looks
along +X, longitude grows to the right, the top row is the north pole (+Z).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from nodescope.core.errors import LoadError
from nodescope.core.geometry.icosphere import MAX_LEVEL, icosphere, icosphere_edges
from nodescope.core.geometry.sphere import latlon_to_pixel, xyz_to_latlon
from nodescope.core.loaders.registry import Builtin, FileReader
from nodescope.core.loaders.room import render_room
from nodescope.core.sample import Sample
from nodescope.core.uploads import uploaded_files
from nodescope.core.validate import make_sample

#: Largest image accepted; bigger ones would take seconds to decode for no gain at level <= 7.
MAX_WIDTH, MAX_HEIGHT = 8192, 4096
MIN_HEIGHT = 16
DEFAULT_LEVEL = 5
FEATURE_NAMES = ["r", "g", "b", "lat", "lon"]


def sample_bilinear(grid: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear samples of an (H, W) or (H, W, C) grid at continuous pixel coordinates.

    Wraps around horizontally (longitude) and clamps vertically (the poles). Returns
    (N,) or (N, C) float64.
    """
    from scipy.ndimage import map_coordinates  # here: ~0.1 s to import, off the app's start-up

    g = np.asarray(grid, dtype=np.float64)
    # One wrapped column on each side makes the seam at lon = +-180 interpolate across.
    g = np.concatenate([g[:, -1:], g, g[:, :1]], axis=1)
    coords = np.stack([v, u + 1.0])
    if g.ndim == 2:
        return map_coordinates(g, coords, order=1, mode="nearest")
    return np.stack(
        [map_coordinates(g[..., c], coords, order=1, mode="nearest") for c in range(g.shape[2])], 1
    )


def sample_at_directions(grid: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Bilinear samples of an equirectangular (H, W) or (H, W, C) grid at (N, 3) unit directions.

    Directions follow :mod:`core.geometry.sphere` (z up, the image center along +X). Returns
    (N,) or (N, C) float64 in the grid's units (divide uint8 colors by 255 for [0, 1]).
    """
    sph = xyz_to_latlon(np.asarray(directions, np.float64))
    h, w = np.shape(grid)[:2]
    u, v = latlon_to_pixel(sph[:, 0], sph[:, 1], w, h)
    return sample_bilinear(grid, u, v)


def panorama_to_sample(
    image: np.ndarray,
    *,
    name: str,
    source: str,
    level: int = DEFAULT_LEVEL,
    pixel_maps: dict[str, np.ndarray] | None = None,
    label_names: list[str] | None = None,
    notices: list[str] | None = None,
) -> Sample:
    """Resample an equirectangular image onto an icosphere graph.

    Args:
        image: (H, W, 3) uint8 equirectangular image, W = 2 H.
        name: the sample's display name.
        source: where it came from (a file path, or ``builtin:<name>``).
        level: icosphere subdivision level 0..7; ``10 * 4**level + 2`` nodes.
        pixel_maps: optional per-pixel (H, W) maps aligned with ``image``: ``label``
            (integer class ids; becomes ``data.y`` by nearest pixel, ids outside
            ``label_names`` become -1) and ``depth`` (metres; becomes ``data.depth`` (N,)
            float32 by bilinear sampling).
        label_names: class names for ``label``.
        notices: messages for the user to carry on the sample.

    Returns:
        A ``panorama`` :class:`Sample`: ``x`` (N, 5) = r, g, b in [0, 1], lat, lon in
        degrees; ``pos`` (N, 3) unit vectors; ``sph`` (N, 2) degrees; ``face`` (3, T);
        edges of the icosphere in both directions.
    """
    img = np.asarray(image)
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise LoadError(
            f"A panorama must be an RGB image of 8-bit colors (H x W x 3 uint8); "
            f"got an array of shape {img.shape} and type {img.dtype}."
        )
    if not isinstance(level, (int, np.integer)) or not 0 <= level <= MAX_LEVEL:
        raise LoadError(f"The icosphere level must be a whole number from 0 to {MAX_LEVEL}; got {level!r}.")
    h, w = img.shape[:2]
    maps = {k: np.asarray(m) for k, m in (pixel_maps or {}).items()}
    for key, m in maps.items():
        if m.shape != (h, w):
            raise LoadError(
                f"The '{key}' map is {m.shape[1::-1]} pixels but the image is {(w, h)}; they must match."
            )
    vertices, faces = icosphere(level)
    sph = xyz_to_latlon(vertices)
    u, v = latlon_to_pixel(sph[:, 0], sph[:, 1], w, h)
    rgb = sample_bilinear(img, u, v) / 255.0
    x = np.concatenate([rgb, sph], axis=1).astype(np.float32)
    extra: dict[str, torch.Tensor] = {
        "pos": torch.from_numpy(vertices.astype(np.float32)),
        "sph": torch.from_numpy(sph.astype(np.float32)),
        "face": torch.from_numpy(faces.T.copy()),
    }
    units: dict[str, str] = {}
    y = None
    if "label" in maps:
        lab = maps["label"]
        if not np.issubdtype(lab.dtype, np.integer):
            raise LoadError(f"The 'label' map must hold integer class ids; it holds {lab.dtype} values.")
        # Nearest pixel: integer coordinates are pixel centers, so round; wrap columns, clamp rows.
        iu = np.floor(u + 0.5).astype(np.int64) % w
        iv = np.clip(np.floor(v + 0.5).astype(np.int64), 0, h - 1)
        y = lab[iv, iu].astype(np.int64)
        if label_names is not None:
            y[(y < 0) | (y >= len(label_names))] = -1
    if "depth" in maps:
        depth = maps["depth"].astype(np.float64)
        if not np.isfinite(depth).all():
            raise LoadError("The 'depth' map contains NaN or infinite values; fill them and load again.")
        extra["depth"] = torch.from_numpy(sample_bilinear(depth, u, v).astype(np.float32))
        units["depth"] = "m"
    return make_sample(
        kind="panorama",
        name=name,
        source=source,
        num_nodes=len(vertices),
        edge_index=icosphere_edges(faces, len(vertices)),
        x=x,
        feature_names=list(FEATURE_NAMES),
        y=y,
        extra=extra,
        label_names=list(label_names) if label_names is not None and y is not None else None,
        image=img,
        pixel_maps=maps,
        units=units,
        notices=list(notices or []),
    )


def with_level(sample: Sample, level: int) -> Sample:
    """The same panorama resampled on another icosphere level (the sample itself when unchanged).

    Args:
        sample: a ``panorama`` sample that kept its ``image`` (and ``pixel_maps``).
        level: icosphere subdivision level 0..7.
    """
    if sample.kind != "panorama" or sample.image is None:
        raise LoadError(f"'{sample.name}' is not a panorama with its image, so it cannot be resampled.")
    if isinstance(level, (int, np.integer)) and sample.num_nodes == 10 * 4**level + 2:
        return sample
    return panorama_to_sample(
        sample.image,
        name=sample.name,
        source=sample.source,
        level=level,
        pixel_maps=sample.pixel_maps,
        label_names=sample.label_names,
        notices=sample.notices,
    )


def read_image(path: Path) -> np.ndarray:
    """Decode a PNG/JPEG panorama into (H, W, 3) uint8.

    Raises:
        LoadError: one line naming the file, for a missing, empty, corrupt or non-image file,
            one larger than :data:`MAX_WIDTH` x :data:`MAX_HEIGHT` (or a decompression bomb),
            one that is not 2:1 (+-1 pixel) or under :data:`MIN_HEIGHT` rows, or a one-channel
            data map.
    """
    label = f"'{path.name}'"
    try:
        size = path.stat().st_size
    except OSError as err:
        raise LoadError(f"Cannot read {label}: {err.strerror or err}.") from None
    if size == 0:
        raise LoadError(f"{label} is empty (0 bytes); choose a PNG or JPEG panorama.")
    try:
        # Pillow only warns below its hard limit; an enormous image must be refused, not decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w > MAX_WIDTH or h > MAX_HEIGHT:
                    raise LoadError(
                        f"{label} is {w}x{h} pixels; panoramas up to {MAX_WIDTH}x{MAX_HEIGHT} are accepted, "
                        "so scale it down first."
                    )
                if abs(w - 2 * h) > 1:
                    raise LoadError(
                        f"{label} is {w}x{h} pixels, not an equirectangular panorama: the width must be twice "
                        "the height (e.g. 2048x1024)."
                    )
                if h < MIN_HEIGHT:
                    raise LoadError(
                        f"{label} is only {w}x{h} pixels; a panorama needs at least {2 * MIN_HEIGHT}x{MIN_HEIGHT}."
                    )
                if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                    raise LoadError(
                        f"{label} holds one {im.mode} channel (a depth or data map?), not colors; "
                        "choose an 8-bit RGB or grayscale panorama."
                    )
                im.load()
                rgb = im.convert("RGB")
    except LoadError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise LoadError(
            f"{label} declares an enormous image (a possible decompression bomb); "
            f"panoramas up to {MAX_WIDTH}x{MAX_HEIGHT} are accepted."
        ) from None
    except UnidentifiedImageError:
        raise LoadError(f"{label} is not an image Pillow can read; choose a PNG or JPEG panorama.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        # Pillow reports truncated and damaged data as OSError/SyntaxError with its own wording.
        raise LoadError(
            f"{label} is corrupt or truncated and cannot be decoded ({err}); re-export it."
        ) from None
    return np.asarray(rgb, dtype=np.uint8)


def read_uploaded_image(name: str, blob: bytes, max_bytes: int | None) -> np.ndarray:
    """Decode an uploaded panorama's bytes into (H, W, 3) uint8, with :func:`read_image`'s checks.

    Args:
        name: the file's name as uploaded (only its cleaned last part is used, in messages).
        blob: the file's bytes.
        max_bytes: the upload limit (None: no limit).

    Raises:
        LoadError: one line: over the limit, or any of :func:`read_image`'s refusals.
    """
    with uploaded_files([(name, blob)], max_bytes=max_bytes, prefix="nodescope-panorama-") as (path,):
        return read_image(path)


def read_panorama(path: Path, companions: list[Path], level: int = DEFAULT_LEVEL) -> Sample:
    """Read a PNG or JPEG equirectangular panorama into a spherical graph.

    Args:
        path: the image; it must be W = 2 H (+-1 pixel), at most 8192x4096.
        companions: not used by panoramas; any given are reported in the sample's notices.
        level: icosphere level of the graph (default 5, 10,242 nodes).
    """
    path = Path(path)
    image = read_image(path)
    notices = (
        [f"Ignored {len(companions)} extra file(s): a panorama takes no companion files."]
        if companions
        else []
    )
    return panorama_to_sample(image, name=path.stem, source=str(path), level=level, notices=notices)


def load_room(level: int = DEFAULT_LEVEL, seed: int = 0) -> Sample:
    """The procedural room (1024x512) with per-node depth (m) and floor/wall/ceiling/object labels."""
    r = render_room(1024, 512, seed=seed)
    return panorama_to_sample(
        r.image,
        name="Indoor room",
        source="builtin:room",
        level=level,
        pixel_maps={"label": r.label, "depth": r.depth},
        label_names=r.label_names,
    )


def earth_texture_path() -> Path:
    """Pyvista's shipped Earth daymap (2048x1024 JPEG), found on disk; never downloaded."""
    import pyvista.examples  # local: pyvista is slow to import and only this builtin needs it

    return Path(pyvista.examples.__file__).parent / "2k_earth_daymap.jpg"


def load_earth(level: int = DEFAULT_LEVEL) -> Sample:
    """The Earth daymap shipped with pyvista as a panorama graph."""
    path = earth_texture_path()
    if not path.is_file():
        raise LoadError(f"pyvista's Earth texture is missing at {path}; reinstall pyvista.")
    return panorama_to_sample(read_image(path), name="Earth", source="builtin:earth", level=level)


BUILTINS = [
    Builtin(
        key="room",
        kind="panorama",
        title="Indoor room (procedural)",
        description="A rendered room panorama with exact per-node depth and floor/wall/ceiling/object labels.",
        load=load_room,
    ),
    Builtin(
        key="earth",
        kind="panorama",
        title="Earth (daymap)",
        description="The Earth daymap texture that ships with pyvista: continents and oceans on the sphere.",
        load=load_earth,
    ),
]

READERS = [FileReader("panorama", (".png", ".jpg", ".jpeg"), read_panorama)]
