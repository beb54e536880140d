"""``nodescope info`` on a skeleton: the motion line."""

from nodescope.cli.main import main


def test_info_summarizes_a_skeleton(capsys):
    assert main(["info", "skeleton-walk"]) == 0
    out = capsys.readouterr().out
    assert "(skeleton, from builtin:skeleton-walk)" in out
    assert "motion    66 frames at 30 fps: 3D joints (m), 2D keypoints (px), focal" in out
