"""viz/pipeline_view.py: the Gantt chart of one epoch and the run's other figures."""

from nodescope.viz.pipeline_view import (
    gantt_figure,
    stage_memory_figure,
    staleness_figure,
    training_curves_figure,
)

# two stages, two chunks: stage 1 waits for stage 0's first forward (a bubble), epochs 1 and 2
TIMELINE = [
    (1, 0, 0, "fwd", 10.0, 10.1), (1, 0, 1, "fwd", 10.1, 10.2), (1, 1, 0, "fwd", 10.1, 10.2),
    (1, 1, 1, "fwd", 10.2, 10.3), (1, 1, 1, "bwd", 10.3, 10.4), (1, 1, 0, "bwd", 10.4, 10.5),
    (1, 0, 1, "bwd", 10.4, 10.5), (1, 0, 0, "bwd", 10.5, 10.6), (1, 0, -1, "eval", 10.6, 10.7),
    (2, 0, 0, "fwd", 20.0, 20.1),
]  # fmt: skip


def test_gantt_draws_one_bar_per_chunk_and_pass_of_the_epoch_from_its_start():
    fig = gantt_figure(TIMELINE, 1, stages=2, title="epoch 1")
    bars = {t.name: t for t in fig.data}
    assert set(bars) == {"forward", "backward", "evaluation (full graph)"}
    forward = bars["forward"]
    assert list(forward.text) == ["0", "1", "0", "1"]
    assert list(forward.y) == ["stage 0", "stage 0", "stage 1", "stage 1"]
    assert forward.base[0] == 0.0 and abs(forward.base[2] - 100.0) < 1e-6  # stage 1 starts after a bubble
    assert abs(forward.x[0] - 100.0) < 1e-6  # milliseconds
    assert list(bars["evaluation (full graph)"].text) == [""]
    assert list(fig.layout.yaxis.categoryarray) == ["stage 1", "stage 0"]  # stage 0 on top


def test_gantt_of_another_epoch_holds_only_its_entries():
    fig = gantt_figure(TIMELINE, 2, stages=2)
    assert [t.name for t in fig.data] == ["forward"] and list(fig.data[0].base) == [0.0]


def test_memory_staleness_and_training_figures_take_the_run_arrays():
    memory = stage_memory_figure([300.0, 250.0], [10.0, 12.0])
    assert list(memory.data[0].x) == ["stage 0", "stage 1"] and list(memory.data[1].y) == [10.0, 12.0]
    staleness = staleness_figure([1.0, 0.0, 1.0])
    assert list(staleness.data[0].x) == [1, 2, 3]
    history = [{"epoch": 1, "train_acc": 0.5, "val_acc": 0.4, "test_acc": 0.3, "val_loss": 1.2}]
    curves = training_curves_figure(history)
    assert [t.name for t in curves.data][-1] == "validation loss" and curves.data[-1].yaxis == "y2"
