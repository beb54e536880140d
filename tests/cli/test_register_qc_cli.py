"""QC flags of ``nodescope register --batch``: the reference subject is within its ranges, a bad registration is not."""

import csv

import numpy as np
from nibabel.freesurfer import read_morph_data, write_morph_data

from nodescope.cli.main import main
from nodescope.cli.register_batch import CSV_NAME


def test_the_reference_subject_is_unflagged_and_a_scrambled_sulc_is_flagged(shared_data, tmp_path, capsys):
    reference = shared_data / "sugar-sub-001"
    root = tmp_path / "subjects"
    (root / "reference").mkdir(parents=True)
    (root / "reference" / "surf").symlink_to(reference / "surf")
    surf = root / "scrambled" / "surf"
    surf.mkdir(parents=True)
    (surf / "lh.sphere").symlink_to(reference / "surf" / "lh.sphere")
    sulc = read_morph_data(str(reference / "surf" / "lh.sulc"))
    write_morph_data(str(surf / "lh.sulc"), np.random.default_rng(0).permutation(sulc))
    out = tmp_path / "out"
    assert main(["register", "--batch", str(root), "--hemi", "lh", "--out", str(out)]) == 0
    with (out / CSV_NAME).open() as f:
        rows = {r["subject"]: r for r in csv.DictReader(f)}
    assert rows["reference"]["flags"] == "", rows["reference"]
    flags = rows["scrambled"]["flags"].split("; ")
    assert any(f.startswith("correlation ") and " < " in f for f in flags), flags
    assert any(f.startswith("rigid_score ") for f in flags), flags
    assert rows["scrambled"]["warning"].startswith("poor rigid match")
