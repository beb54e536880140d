"""Uploaded files: cleaned names, one folder, a size limit, and no server path in messages."""

import pytest

from nodescope.core.errors import LoadError
from nodescope.core.uploads import safe_file_name, uploaded_files


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("lh.sphere", "lh.sphere"),
        ("../../etc/passwd", "passwd"),
        ("my scan (1).ply", "my_scan__1_.ply"),
        ("..", "upload"),
        ("", "upload"),
    ],
)
def test_names_are_cleaned_to_one_harmless_part(name, safe):
    assert safe_file_name(name) == safe


def test_files_are_written_in_order_and_a_taken_name_does_not_replace_the_first():
    with uploaded_files([("a b.txt", b"1"), ("lh.sulc", b"2"), ("dir/a b.txt", b"3")]) as paths:
        assert [p.read_bytes() for p in paths] == [b"1", b"2", b"3"]
        assert [p.name for p in paths] == ["a_b.txt", "lh.sulc", "a_b.txt"]
        assert paths[0].parent == paths[1].parent  # siblings stay siblings (readers look for them)
        folder = paths[0].parent
    assert not folder.exists()


def test_a_file_over_the_limit_is_refused_by_name():
    big = [("big.bin", bytes(2 << 20))]
    message = r"^big.bin is 2.0 MB; the upload limit is 1 MB\.$"
    with pytest.raises(LoadError, match=message), uploaded_files(big, max_bytes=1 << 20):
        pass


def test_errors_raised_inside_do_not_show_the_temporary_folder():
    with pytest.raises(LoadError) as err, uploaded_files([("lh.sphere", b"x")]) as (path,):
        raise LoadError(f"No such file: '{path}'.")
    assert str(err.value) == "No such file: 'lh.sphere'."
