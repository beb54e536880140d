"""``nodescope simulate``: the NPZ's documented arrays, a repaired file, one-line refusals (exit 2)."""

import numpy as np
import pytest
import pyvista as pv

from nodescope.cli.main import main
from nodescope.core.simulation import surface
from nodescope.core.simulation.solve import simulate


def test_builtin_mesh_writes_the_documented_arrays(tmp_path, capsys):
    out = tmp_path / "run.npz"
    assert (
        main(["simulate", "torus", "--equation", "heat", "--steps", "5", "--seed", "3", "--out", str(out)])
        == 0
    )
    with np.load(out, allow_pickle=False) as f:
        d = {k: f[k] for k in f.files}
    assert set(d) == {"pos", "face", "dt", "coefficient", "equation", "fixed", "initial", "truth"}
    v = len(d["pos"])
    assert d["pos"].shape == (v, 3) and d["face"].shape[1] == 3 and d["face"].max() == v - 1
    assert d["initial"].shape == (v,) and d["truth"].shape == (6, v) and d["fixed"].shape == (v,)
    assert d["dt"].shape == () and float(d["coefficient"]) == 1.0 and str(d["equation"]) == "heat"
    np.testing.assert_array_equal(d["truth"][0], d["initial"])
    # The states are the solver's: another tool reproduces them from the file alone.
    again = simulate(
        d["pos"],
        d["face"],
        equation="heat",
        initial=d["initial"],
        steps=5,
        dt=float(d["dt"]),
        coefficient=1.0,
    )
    np.testing.assert_allclose(d["truth"], again, atol=1e-12)
    assert "5 steps" in capsys.readouterr().out


def test_initial_field_dt_and_coefficient_are_used(tmp_path):
    field_path, out = tmp_path / "u0.npy", tmp_path / "run.npz"
    np.save(field_path, np.linspace(-1, 1, 486))
    args = ["simulate", "ant", "--equation", "wave", "--steps", "3", "--dt", "0.5", "--coefficient", "2"]
    assert main([*args, "--initial", str(field_path), "--out", str(out)]) == 0
    with np.load(out) as d:
        np.testing.assert_array_equal(d["initial"], np.linspace(-1, 1, 486))
        assert float(d["dt"]) == 0.5 and float(d["coefficient"]) == 2.0 and d["truth"].shape == (4, 486)


def test_open_mesh_file_is_repaired_with_a_notice_and_written_repaired(tmp_path, capsys):
    plane = pv.Plane(i_resolution=6, j_resolution=6).triangulate()
    faces = np.vstack([plane.regular_faces, [[0, 0, 1]]])  # a degenerate triangle
    path = tmp_path / "plate.ply"
    pv.PolyData.from_regular_faces(np.asarray(plane.points), faces).save(path)
    out = tmp_path / "run.npz"
    assert main(["simulate", str(path), "--equation", "heat", "--steps", "2", "--out", str(out)]) == 0
    assert "notice: Dropped 1 degenerate" in capsys.readouterr().err
    with np.load(out) as d:
        assert d["face"].shape == (72, 3) and d["fixed"].sum() == 24  # the square's boundary
        np.testing.assert_array_equal(d["truth"][:, d["fixed"]], np.tile(d["initial"][d["fixed"]], (3, 1)))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "gcn"], "Unknown model"),
        (["--steps", "0"], "at least 1"),
        (["--initial", "short.npy"], "holds 3 values but the mesh"),
        (["--initial", "nan.npy"], "NaN"),
        (["--initial", "missing.npy"], "No such file"),
        (["--dt", "-1"], "positive"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    np.save("short.npy", np.zeros(3))
    np.save("nan.npy", np.full(486, np.nan))
    args = ["simulate", "ant", "--equation", "heat", "--steps", "2", "--out", "x.npz"]
    steps_at = args.index("--steps")
    if "--steps" in extra:
        del args[steps_at : steps_at + 2]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodescope: ") and err.count("\n") == 1 and message in err


def test_refuses_non_meshes_big_meshes_and_unrepairable_ones(tmp_path, capsys, monkeypatch):
    def run(mesh: str) -> str:
        assert (
            main(["simulate", mesh, "--equation", "heat", "--steps", "1", "--out", str(tmp_path / "x.npz")])
            == 2
        )
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        return err

    edges = tmp_path / "g.csv"
    edges.write_text("source,target\n0,1\n1,2\n")
    assert "without triangles" in run(str(edges))
    fan = tmp_path / "fan.ply"  # eight triangles on one edge
    points = np.vstack([[[0, 0, 0], [1, 0, 0]], [[0.5, np.cos(a), np.sin(a)] for a in np.linspace(0, 6, 8)]])
    pv.PolyData.from_regular_faces(points.astype(float), np.array([[0, 1, k] for k in range(2, 10)])).save(
        fan
    )
    assert "non-manifold" in run(str(fan))
    monkeypatch.setattr(surface, "MAX_VERTICES", 400)
    assert "over the limit of 400" in run("ant")
    assert not (tmp_path / "x.npz").exists()
