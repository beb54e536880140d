"""``nodescope explain``: a CSV row per node, a fidelity JSON beside it, a summary line; bad input exits 2."""

import json

import pandas as pd
import pytest

from nodescope.cli.main import main
from nodescope.core.checkpoint import save_checkpoint
from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.training import settings_for, train, with_split


def test_xnode_on_every_node_trains_when_no_weights_exist(tmp_path, capsys):
    out = tmp_path / "sbm.csv"
    assert (
        main(["explain", "--dataset", "sbm", "--model", "xnode-gcn", "--method", "xnode", "--out", str(out)])
        == 0
    )
    err = capsys.readouterr().err
    assert "training one now" in err and "fidelity over 50 nodes" in err  # no shipped weights for sbm
    table = pd.read_csv(out)
    assert list(table["node"]) == list(range(600))
    for column in [
        "predicted",
        "confidence",
        "true_label",
        "split",
        "degree",
        "label agreement",
        "feature saliency",
        "degree contribution",
        "top_features",
        "top_edges",
        "text",
    ]:
        assert column in table.columns
    assert table["text"].str.startswith("Predicted ").all()
    assert set(table["split"]) == {"train", "val", "test"}
    summary = json.loads((tmp_path / "sbm.fidelity.json").read_text())
    assert summary["method"] == "xnode" and summary["nodes"] == 50 and summary["alpha1"] == 0.1
    assert 0 <= summary["fid_plus"] <= 1 and 0 <= summary["characterization"] <= 1


def test_given_weights_chosen_nodes_and_ground_truth(tmp_path, capsys):
    sample = load("ba-shapes")
    data = with_split(sample.data, seed=0)
    config = MODELS["gcn"].config(sample.data.num_features, sample.num_classes)
    save_checkpoint(train(config, data, settings_for("gcn", max_epochs=30)).model, tmp_path / "w", info={})
    out = tmp_path / "deep" / "ba.csv"
    motif = [i for i in range(sample.num_nodes) if int(sample.data.y[i]) > 0][:3]
    args = [
        "explain",
        "--dataset",
        "ba-shapes",
        "--model",
        "gcn",
        "--method",
        "saliency",
        "--weights",
        str(tmp_path / "w.safetensors"),
        "--nodes",
        ",".join(map(str, motif)),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    assert "Explaining the weights in" in capsys.readouterr().err
    table = pd.read_csv(out)
    assert list(table["node"]) == motif and table["top_edges"].str.contains("→").all()
    summary = json.loads((tmp_path / "deep" / "ba.fidelity.json").read_text())
    assert summary["nodes"] == 3 and {"precision", "recall", "auroc"} <= set(summary)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "karate", "--model", "no-such-model", "--method", "ig"], "Unknown model"),
        (["--dataset", "karate", "--model", "gcn", "--method", "xnode"], "X-Node models only"),
        (["--dataset", "karate", "--model", "gcn", "--method", "attention"], "no attention"),
        (
            ["--dataset", "karate", "--model", "gcn", "--method", "ig", "--nodes", "3,99"],
            "99 is not a node id",
        ),
        (["--dataset", "karate", "--model", "gcn", "--method", "ig", "--nodes", "a,b"], "comma-separated"),
        (["--dataset", "airplane", "--model", "gcn", "--method", "ig"], "no node labels"),
        (["--dataset", "no-such-graph", "--model", "gcn", "--method", "ig"], "No such file or built-in"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    assert main(["explain", *args, "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()


def test_counterfactual_column_on_request(tmp_path, capsys):
    out = tmp_path / "karate.csv"
    args = ["explain", "--dataset", "karate", "--model", "xnode-gcn", "--method", "xnode", "--nodes", "0,5"]
    assert main([*args, "--fidelity-nodes", "0", "--out", str(out)]) == 0
    assert "counterfactual" not in pd.read_csv(out).columns  # off by default: it costs time per node
    assert main([*args, "--fidelity-nodes", "0", "--counterfactual", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert table["counterfactual"].str.startswith("What would change it: ").all()
    assert (
        table["counterfactual"].str.contains("checked by running the model|tried flips the prediction").all()
    )
