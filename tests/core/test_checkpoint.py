"""Checkpoints: safetensors + JSON round trip, and every bad file refused with one line, never unpickled."""

import dataclasses
import json
import pickle

import pytest
import torch

from nodescope.core.checkpoint import (
    check_compatible,
    dataset_key,
    load_checkpoint,
    read_info,
    save_checkpoint,
    shipped_checkpoint,
    shipped_weights,
)
from nodescope.core.errors import LoadError
from nodescope.core.loaders import load
from nodescope.core.models import MODELS, build


@pytest.fixture(scope="module")
def karate():
    return load("karate")


@pytest.fixture
def saved(tmp_path, karate):
    torch.manual_seed(0)
    model = build(MODELS["gat"].config(34, 4)).eval()
    path = tmp_path / "ckpt" / "karate-gat"
    save_checkpoint(model, path, info={"dataset": "karate", "test_acc": 0.75})
    return model, path


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg
    return msg


@pytest.mark.parametrize("key", ["gcn", "gat", "gatv2"])
def test_round_trip_gives_identical_predictions(tmp_path, karate, key):
    torch.manual_seed(1)
    model = build(MODELS[key].config(34, 4)).eval()
    save_checkpoint(model, tmp_path / key, info={"test_acc": 0.5})
    loaded, info = load_checkpoint(tmp_path / f"{key}.safetensors")
    assert type(loaded) is type(model) and loaded.config == model.config and not loaded.training
    assert info["test_acc"] == 0.5 and info["config"]["model"] == key
    assert torch.equal(loaded.predict(karate.data).cpu(), model.predict(karate.data))


def test_json_records_config_hash_and_versions(saved):
    _, path = saved
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["format"] == "nodescope-checkpoint" and record["dataset"] == "karate"
    assert record["config"]["in_dim"] == 34 and len(record["weights_sha256"]) == 64
    assert {"torch", "torch_geometric", "safetensors"} <= set(record["versions"])


def test_missing_files_are_load_errors(saved):
    _, path = saved
    path.with_suffix(".safetensors").unlink()
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "No weights" in one_line(exc)
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path.parent / "nothing")
    assert "missing" in one_line(exc)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"format": "other"}', "\udcff"])
def test_bad_json_is_a_load_error(saved, text):
    _, path = saved
    path.with_suffix(".json").write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    one_line(exc)


def edit_json(path, **changes):
    meta = path.with_suffix(".json")
    record = json.loads(meta.read_text())
    for key, value in changes.items():
        if value is None:
            record.pop(key)
        else:
            record[key] = value
    meta.write_text(json.dumps(record))


def test_truncated_weights_are_refused_by_hash_and_by_safetensors(saved):
    _, path = saved
    weights = path.with_suffix(".safetensors")
    weights.write_bytes(weights.read_bytes()[:-100])
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "SHA-256" in one_line(exc)
    edit_json(path, weights_sha256=None)  # without the hash, safetensors itself must refuse it
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "not a valid safetensors file" in one_line(exc)


def test_corrupt_header_is_refused(saved):
    _, path = saved
    weights = path.with_suffix(".safetensors")
    blob = bytearray(weights.read_bytes())
    blob[8:20] = b"\x00" * 12  # inside the JSON header
    weights.write_bytes(bytes(blob))
    edit_json(path, weights_sha256=None)
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    one_line(exc)


class _Boom:
    def __reduce__(self):
        return (print, ("unpickled!",))


def test_a_pickle_renamed_safetensors_is_never_unpickled(saved, monkeypatch, capsys):
    _, path = saved
    path.with_suffix(".safetensors").write_bytes(pickle.dumps({"w": _Boom()}))
    edit_json(path, weights_sha256=None)

    def forbidden(*args, **kwargs):
        raise AssertionError("something tried to unpickle")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "not a valid safetensors file" in one_line(exc)
    assert "unpickled!" not in capsys.readouterr().out


def test_shapes_that_do_not_fit_the_config_are_refused(saved):
    _, path = saved
    record = json.loads(path.with_suffix(".json").read_text())
    edit_json(path, config={**record["config"], "hidden": 16})
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "shape" in one_line(exc)


def test_weights_of_another_model_are_refused(saved):
    _, path = saved
    record = json.loads(path.with_suffix(".json").read_text())
    edit_json(path, config={**record["config"], "model": "gcn", "hidden": 16})
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "does not fit a gcn model" in one_line(exc)


@pytest.mark.parametrize(
    "config",
    [
        {"model": "no-such-model", "in_dim": 34, "out_dim": 4},
        {"model": "gat", "in_dim": 34, "out_dim": 4, "color": "red"},
        {"model": "gat", "in_dim": 34},
        "gat",
    ],
)
def test_unknown_model_or_bad_config_is_a_load_error(saved, config):
    _, path = saved
    edit_json(path, config=config)
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "bad model config" in one_line(exc)
    with pytest.raises(LoadError):
        read_info(path)


def test_newer_format_version_is_refused(saved):
    _, path = saved
    edit_json(path, version=99)
    with pytest.raises(LoadError) as exc:
        load_checkpoint(path)
    assert "Update Nodescope" in one_line(exc)


def test_check_compatible(saved, karate):
    model, path = saved
    check_compatible(model, karate)
    check_compatible(read_info(path), karate)
    with pytest.raises(LoadError) as exc:
        check_compatible(model, load("sbm"))
    assert "expect 34 node features and 4 classes" in one_line(exc)


def test_shipped_checkpoint_refuses_odd_names():
    assert shipped_checkpoint("", "gat") is None
    assert shipped_checkpoint("../../etc", "gat") is None
    assert shipped_checkpoint("karate", "no-such-model") is None


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("builtin:karate", "karate"),
        ("builtin:fsaverage5-left", "fsaverage5-left"),
        ("planetoid:cora", "cora"),
        ("/data/My Graph.csv", "my-graph"),
        ("relative/karate.edgelist", "karate"),
        ("upload:Road network.gml", "road-network"),
        ("upload:", "graph"),
    ],
)
def test_dataset_key_names_built_ins_by_name_and_files_by_stem(karate, source, key):
    assert dataset_key(dataclasses.replace(karate, source=source)) == key


def test_shipped_weights_only_for_built_in_and_planetoid_samples(karate):
    assert shipped_weights(karate, "gat") == shipped_checkpoint("karate", "gat") is not None
    as_file = dataclasses.replace(karate, source="/tmp/karate.csv")  # same key, not the built-in graph
    assert dataset_key(as_file) == "karate" and shipped_weights(as_file, "gat") is None


def test_normalize_features_option_survives_the_round_trip(tmp_path, karate):
    torch.manual_seed(2)
    config = MODELS["gcn"].config(34, 4, options={"normalize_features": True})
    model = build(config).eval()
    data = karate.data.clone()
    data.x = data.x * torch.arange(1, 35, dtype=torch.float32)[:, None]  # rows that do not sum to 1
    save_checkpoint(model, tmp_path / "norm", info={})
    loaded, _ = load_checkpoint(tmp_path / "norm")
    assert loaded.config.options["normalize_features"] is True
    assert torch.allclose(loaded.predict(data), model.predict(karate.data))  # one-hot rows after scaling
    plain = build(MODELS["gcn"].config(34, 4)).eval()
    plain.load_state_dict(model.state_dict())
    assert not torch.allclose(plain.predict(data), model.predict(data))
