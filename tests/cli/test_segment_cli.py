"""``nodescope segment``: the NPZ's documented arrays, one-line refusals (exit 2)."""

import numpy as np
import pytest

from nodescope.cli.main import main
from nodescope.core.segmentation import PART_NAMES


def test_segment_writes_a_part_per_face(tmp_path, capsys):
    out = tmp_path / "parts.npz"
    assert main(["segment", "ant", "--out", str(out)]) == 0
    assert "faces segmented by dual-gat" in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as z:
        assert set(z.files) == {"pos", "face", "part", "part_names", "confidence", "model"}
        pos, face, part = z["pos"], z["face"], z["part"]
        assert pos.shape[1] == 3 and face.shape[1] == 3 and face.max() < len(pos)
        assert part.shape == (len(face),) and part.dtype == np.int64
        assert part.min() >= 0 and part.max() < len(PART_NAMES)
        assert z["part_names"].tolist() == list(PART_NAMES)
        assert ((z["confidence"] > 0) & (z["confidence"] <= 1)).all()
        assert str(z["model"]) == "dual-gat"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-mesh"], "neither a mesh file nor a built-in mesh"),
        (["ant", "--model", "pointnet"], "Unknown segmenter"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    assert main(["segment", *args, "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodescope: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "x.npz").exists()


def test_a_broken_mesh_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "broken.ply"
    bad.write_bytes(b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nend_header\n1\n")
    assert main(["segment", str(bad), "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodescope: ") and err.count("\n") == 1
