"""The training scripts' results files: read back what was written, stamped with the machine."""

from __future__ import annotations

from pathlib import Path

from nodescope.core.results import markdown_table, mean_std, read_results, seeds_phrase, write_results


def test_missing_file_gives_the_empty_record(tmp_path: Path) -> None:
    assert read_results(tmp_path / "none.json", {"models": {}}) == {"models": {}}


def test_written_results_read_back_with_machine_and_time(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "results.json"
    write_results(path, {"models": {"mlp": 1.5}})
    back = read_results(path, {})
    assert back["models"] == {"mlp": 1.5}
    assert back["machine"]["cpu_count"] >= 1 and "torch" in back["machine"]
    assert back["updated"][:2] == "20"


def test_markdown_table_lines_up_header_rule_and_rows():
    text = markdown_table(["model", "acc."], [["GCN", mean_std({"mean": 0.8123, "std": 0.004}, scale=100)]])
    assert text.splitlines() == ["| model | acc. |", "|---|---|", "| GCN | 81.2 ± 0.4 |"]


def test_seeds_phrase_names_the_count_only_when_every_entry_agrees():
    assert seeds_phrase([3, 3]) == "3 seeds"
    assert seeds_phrase([3, 5]) == "several seeds"
