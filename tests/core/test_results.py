"""The training scripts' results files: read back what was written, stamped with the machine."""

from __future__ import annotations

from pathlib import Path

from nodescope.core.results import read_results, write_results


def test_missing_file_gives_the_empty_record(tmp_path: Path) -> None:
    assert read_results(tmp_path / "none.json", {"models": {}}) == {"models": {}}


def test_written_results_read_back_with_machine_and_time(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "results.json"
    write_results(path, {"models": {"mlp": 1.5}})
    back = read_results(path, {})
    assert back["models"] == {"mlp": 1.5}
    assert back["machine"]["cpu_count"] >= 1 and "torch" in back["machine"]
    assert back["updated"][:2] == "20"
