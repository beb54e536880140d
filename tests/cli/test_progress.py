"""The one progress bar of every command: stderr only, opened at the first report."""

from nodescope.cli.progress import FRACTION_FORMAT, Bar, iterate


def test_a_bar_that_never_reports_prints_nothing(capsys):
    with Bar("idle"):
        pass
    assert capsys.readouterr() == ("", "")


def test_every_callback_draws_on_stderr_and_leaves_stdout_alone(capsys):
    with Bar("gcn karate seed 0", unit="epoch", leave=True) as bar:
        for epoch in range(1, 4):
            bar.on_epoch(epoch, 3, {"val_acc": 0.5})
    with Bar("saliency karate", unit="node", leave=True) as bar:
        bar.on_count(2, 2)
    with Bar(leave=True, bar_format=FRACTION_FORMAT) as bar:
        bar.on_fraction(0.5, "gcn depth 2 seed 0")
        bar.on_fraction(1.0, "done")
    assert list(iterate(["a", "b"], "registering", unit="subject")) == ["a", "b"]
    out, err = capsys.readouterr()
    assert out == ""
    assert "gcn karate seed 0" in err and "3/3" in err and "val_acc=50.0%" in err
    assert "2/2" in err and "done" in err and "100%" in err and "registering" in err
