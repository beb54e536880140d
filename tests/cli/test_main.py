"""The nodescope command line."""

import json
import shutil
import subprocess
import sys

import pytest

from nodescope.cli.main import main
from tests.heavy_imports import heavy_modules_after


def test_info_json_summarizes_a_builtin(capsys):
    assert main(["info", "karate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "graph" and out["nodes"] == 34 and out["edges"] == 78
    assert out["features"] == [34, 34] and out["labels"]["classes"] == 4


def test_info_text_mentions_geometry(capsys):
    assert main(["info", "room", "--level", "3"]) == 0
    out = capsys.readouterr().out
    assert "panorama" in out and "642" in out and "image 1024x512" in out


@pytest.mark.parametrize(
    ("content", "name"), [(b"", "empty.csv"), (b"\x00\x01garbage", "mesh.ply"), (b"0\n", "one.csv")]
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodescope: ") and err.count("\n") == 1


def test_installed_entry_point_runs():
    exe = shutil.which("nodescope") or str(__import__("pathlib").Path(sys.executable).with_name("nodescope"))
    proc = subprocess.run([exe, "info", "no-such-thing"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip().startswith("nodescope: No such file or built-in") and proc.stderr.count("\n") == 1
    )


def test_info_on_the_real_freesurfer_sphere(shared_data, capsys):
    assert main(["info", str(shared_data / "sugar-sub-001/surf/lh.sphere"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "cortex" and out["nodes"] == 110_864 and out["geometry"]["faces"] == 221_724


def test_building_the_parser_loads_no_heavy_library():
    # Every nodescope command (`nodescope app` too) builds the whole parser first: a module-level
    # import of a model in one command's module (cli/panorama.py did) cost every command ~3.7 s.
    assert heavy_modules_after("from nodescope.cli.main import build_parser; build_parser()") == []


def test_the_panorama_help_states_the_default_camera_height():
    from nodescope.cli.main import build_parser
    from nodescope.core.models.panorama.single import DEFAULT_CAMERA_HEIGHT_M

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    option = next(a for a in sub.choices["panorama"]._actions if a.dest == "camera_height")
    assert f"default {DEFAULT_CAMERA_HEIGHT_M} m" in option.help
