"""Training loop: seeded reproducibility, early stopping, cancelling, splits."""

import pytest
import torch

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.training import TrainConfig, random_split, settings_for, train, with_split


@pytest.fixture(scope="module")
def sbm():
    s = load("sbm")
    return s, with_split(s.data, seed=0), MODELS["gcn"].config(s.data.num_features, s.num_classes)


def test_same_seed_same_model_and_history(sbm):
    _, data, config = sbm
    a = train(config, data, TrainConfig(max_epochs=15, seed=3))
    b = train(config, data, TrainConfig(max_epochs=15, seed=3))
    c = train(config, data, TrainConfig(max_epochs=15, seed=4))
    assert a.history == b.history
    assert all(torch.equal(v, b.model.state_dict()[k]) for k, v in a.model.state_dict().items())
    assert a.history != c.history


@pytest.mark.parametrize("criterion", ["val_loss", "val_acc"])
def test_early_stopping_stops_and_keeps_the_best_epoch(sbm, criterion):
    _, data, config = sbm
    result = train(config, data, TrainConfig(max_epochs=1000, patience=10, criterion=criterion, lr=0.05))
    assert result.epochs < 1000 and not result.cancelled
    hist = result.history
    kept = hist[result.best_epoch - 1]
    if criterion == "val_loss":
        assert kept["val_loss"] == min(r["val_loss"] for r in hist)
        assert result.epochs - result.best_epoch == 10
    else:
        best_acc = max(r["val_acc"] for r in hist)
        assert kept["val_acc"] == best_acc
        assert kept["val_loss"] == min(r["val_loss"] for r in hist if r["val_acc"] == best_acc)
        # Stopped only after 10 epochs in which neither val acc nor val loss beat its best.
        last = hist[-10:]
        before = hist[:-10]
        assert all(r["val_acc"] <= max(b["val_acc"] for b in before) for r in last)
        assert all(r["val_loss"] >= min(b["val_loss"] for b in before) for r in last)
    # The returned model carries the kept epoch's weights.
    assert result.val_acc == pytest.approx(kept["val_acc"])


def test_unknown_criterion_is_refused(sbm):
    _, data, config = sbm
    with pytest.raises(ValueError, match="criterion"):
        train(config, data, TrainConfig(max_epochs=2, criterion="train_loss"))


def test_progress_callback_sees_every_epoch_and_can_cancel(sbm):
    _, data, config = sbm
    seen = []

    def progress(epoch, total, row):
        seen.append((epoch, total, row["epoch"]))
        return epoch < 3

    result = train(config, data, TrainConfig(max_epochs=50), progress=progress)
    assert result.cancelled and result.epochs == 3
    assert seen == [(1, 50, 1), (2, 50, 2), (3, 50, 3)]


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_random_split_is_disjoint_and_covers_every_labeled_node(seed):
    y = torch.tensor([0] * 30 + [1] * 5 + [2] * 2 + [-1] * 4)
    train_m, val_m, test_m = random_split(y, seed=seed)
    assert not (train_m & val_m).any() and not (train_m & test_m).any() and not (val_m & test_m).any()
    assert torch.equal(train_m | val_m | test_m, y >= 0)
    per_class = torch.bincount(y[train_m], minlength=3).tolist()
    assert per_class == [15, 2, 1]  # min(20, half of the class)


def test_with_split_keeps_own_masks_and_needs_labels():
    cora_like = load("karate").data.clone()
    cora_like.val_mask = ~cora_like.train_mask
    cora_like.test_mask = ~cora_like.train_mask
    assert with_split(cora_like) is cora_like
    split = with_split(load("karate").data, seed=0)  # karate ships only a train mask
    assert not (split.train_mask & split.test_mask).any() and int(split.val_mask.sum()) > 0
    unlabeled = load("karate").data.clone()
    unlabeled.y = None
    with pytest.raises(ValueError, match="labels"):
        with_split(unlabeled)


def test_settings_follow_the_papers():
    assert settings_for("gat").lr == 0.005 and settings_for("gcn").lr == 0.01
    assert settings_for("gat", seed=4).seed == 4
