"""Time series loaders: text/CSV/NPZ, known graphs, bad input, the synthetic built-ins."""

import gzip

import numpy as np
import pytest

from nodescope.core.errors import LoadError
from nodescope.core.forecasting.synthetic import graph_var, road_diffusion
from nodescope.core.loaders import BUILTINS, load, load_series
from nodescope.core.loaders.timeseries import MAX_GAP, MIN_STEPS


def write(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text("\n".join(rows) + "\n")
    return p


def numbers(steps=12, series=3):
    return [",".join(f"{t + 0.1 * j:.1f}" for j in range(series)) for t in range(steps)]


# ---------------------------------------------------------------- formats
def test_lstnet_text_without_header_reads_rows_as_steps(tmp_path):
    s = load_series(write(tmp_path, "x.txt", numbers()))
    assert s.kind == "timeseries" and s.directed
    assert s.data.x.shape == (3, 12)  # nodes are series
    assert s.data.x[1, :3].tolist() == pytest.approx([0.1, 1.1, 2.1])
    assert s.node_names == ["series 0", "series 1", "series 2"]
    assert s.num_edges == 0 and s.notices == []
    assert s.feature_names[:2] == ["t0", "t1"] and s.units["time"] == "step"


def test_gzipped_text_reads_like_plain_text(tmp_path):
    plain = write(tmp_path, "x.txt", numbers())
    zipped = tmp_path / "x.txt.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert load_series(zipped).data.x.tolist() == load_series(plain).data.x.tolist()


def test_csv_header_names_series_and_a_date_column_gives_time_stamps(tmp_path):
    rows = ["date,north,south"] + [f"2024-01-{d:02d},{d},{2 * d}" for d in range(1, 13)]
    s = load_series(write(tmp_path, "x.csv", rows))
    assert s.node_names == ["north", "south"]
    assert str(s.time[0]) == "2024-01-01T00:00:00" and s.feature_names[0] == "2024-01-01T00:00"
    assert s.data.x[1, -1].item() == 24.0


def test_unsorted_time_stamps_are_sorted_with_a_notice(tmp_path):
    days = [3, 1, 2, *range(4, 13)]
    rows = ["time,a,b"] + [f"2024-01-{d:02d},{d},{d}" for d in days]
    s = load_series(write(tmp_path, "x.csv", rows))
    assert s.data.x[0, :3].tolist() == [1.0, 2.0, 3.0]
    assert any("sorted" in n for n in s.notices)


def test_npz_with_names_and_time(tmp_path):
    values = np.arange(24.0).reshape(12, 2)
    time = np.datetime64("2025-03-01T00:00") + np.arange(12) * np.timedelta64(1, "h")
    path = tmp_path / "x.npz"
    np.savez(path, values=values, names=np.array(["u", "v"]), time=time)
    s = load_series(path)
    assert s.node_names == ["u", "v"] and s.data.x[1].tolist() == values[:, 1].tolist()
    assert s.feature_names[1] == "2025-03-01T01:00"


def test_npz_holding_python_objects_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, values=np.array([[1, 2]] * 12, dtype=object))
    with pytest.raises(LoadError, match="Python objects"):
        load_series(path)


# ---------------------------------------------------------------- known graphs
def test_edge_list_graph_by_name_keeps_direction(tmp_path):
    rows = ["time,a,b,c"] + [f"2024-01-{d:02d},{d},{d},{d}" for d in range(1, 13)]
    series = write(tmp_path, "x.csv", rows)
    graph = write(tmp_path, "g.csv", ["source,target,weight", "a,b,0.5", "c,b,2"])
    s = load_series(series, graph=graph)
    edges = {tuple(e) for e in s.data.edge_index.t().tolist()}
    assert edges == {(0, 1), (2, 1)}  # a -> b and c -> b: b is driven by a and c
    assert sorted(s.data.edge_attr[:, 0].tolist()) == [0.5, 2.0]


def test_npy_adjacency_rows_are_incoming_edges(tmp_path):
    series = write(tmp_path, "x.txt", numbers())
    adjacency = np.zeros((3, 3))
    adjacency[2, 0] = 0.7  # row 2: series 2's incoming edge from series 0
    np.save(tmp_path / "a.npy", adjacency)
    s = load_series(series, graph=tmp_path / "a.npy")
    assert s.data.edge_index.t().tolist() == [[0, 2]]


@pytest.mark.parametrize(
    ("graph_rows", "message"),
    [(["a,zz"], "'zz' is neither a series name"), (["a,b,heavy"], "weight 'heavy' is not a finite number")],
)
def test_bad_edge_lists_are_refused(tmp_path, graph_rows, message):
    rows = ["a,b"] + numbers(series=2)
    with pytest.raises(LoadError, match=message):
        load_series(write(tmp_path, "x.csv", rows), graph=write(tmp_path, "g.csv", graph_rows))


def test_adjacency_of_the_wrong_size_is_refused(tmp_path):
    np.save(tmp_path / "a.npy", np.ones((4, 4)))
    with pytest.raises(LoadError, match=r"expected 3 x 3"):
        load_series(write(tmp_path, "x.txt", numbers()), graph=tmp_path / "a.npy")


# ---------------------------------------------------------------- bad input
def test_short_gaps_are_interpolated_with_a_notice(tmp_path):
    rows = numbers(series=2)
    rows[4] = "nan,4.1"
    rows[5] = ",5.1"
    s = load_series(write(tmp_path, "x.txt", rows))
    assert s.data.x[0, 3:7].tolist() == pytest.approx([3.0, 4.0, 5.0, 6.0])
    assert s.notices == [
        f"Filled 2 missing value(s) in 1 series by linear interpolation (gaps of at most {MAX_GAP} steps)."
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["1,2"] * 5 + ["1,2,3"] + ["1,2"] * 6, "line 6 has 3 values but line 1 has 2"),
        (["1,2"] * 5 + ["1,abc"] + ["1,2"] * 6, r"row 6, column 2: 'abc' is not a number"),
        (["1,2"] * 3 + ["nan,2"] * (MAX_GAP + 1) + ["1,2"] * 6, "4 missing values in a row"),
        (["1,inf"] * 12, "infinite"),
        (["1"] * 12, "1 series; a graph among series needs at least two"),
        (["1,2"] * (MIN_STEPS - 1), f"{MIN_STEPS - 1} time steps"),
        (["a,a"] + ["1,2"] * 12, "'a' appears twice"),
        (["time,a,b"] + ["2024-01-01,1,2"] * 12, "appears twice"),
        (["time,a,b"] + ["soon,1,2"] * 12, "'soon' is not a date"),
    ],
    ids=[
        "ragged",
        "non-numeric",
        "long-gap",
        "inf",
        "one-series",
        "too-short",
        "dup-name",
        "dup-time",
        "bad-date",
    ],
)
def test_bad_tables_are_refused_with_one_line(tmp_path, rows, message):
    with pytest.raises(LoadError, match=message) as err:
        load_series(write(tmp_path, "x.csv", rows))
    assert "\n" not in str(err.value) and str(tmp_path) not in str(err.value)


def test_empty_missing_and_folder_sources_are_refused(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(LoadError, match="empty"):
        load_series(tmp_path / "empty.txt")
    with pytest.raises(LoadError, match="No such file"):
        load_series(tmp_path / "nothere.txt")
    with pytest.raises(LoadError, match="is a folder"):
        load_series(tmp_path)


def test_a_constant_series_loads_with_a_notice(tmp_path):
    s = load_series(write(tmp_path, "x.txt", [f"{t},5" for t in range(12)]))
    assert s.notices == ["1 series never change (series 1): they carry no signal."]


# ---------------------------------------------------------------- built-ins
@pytest.mark.parametrize(("key", "make"), [("graph-var", graph_var), ("road-diffusion", road_diffusion)])
def test_builtins_carry_their_true_graph_with_rows_as_incoming_edges(key, make):
    assert BUILTINS[key].kind == "timeseries"
    s = load(key)
    made = make()
    assert s.data.x.shape == made.values.T.shape
    np.testing.assert_allclose(s.data.x.numpy(), made.values.T, rtol=1e-6, atol=1e-6)
    src, dst = s.data.edge_index.numpy()
    assert s.num_edges == int((made.adjacency > 0).sum())
    assert (made.adjacency[dst, src] > 0).all()
    assert load(key).fingerprint == s.fingerprint  # seeded: the same sample every time


def test_road_diffusion_has_five_minute_time_stamps():
    s = load("road-diffusion")
    assert s.units["time"] == "5 min"
    assert (np.diff(s.time) == np.timedelta64(300, "s")).all()


def test_graph_var_is_stationary_and_its_graph_is_identifiable():
    # A least-squares VAR(2) recovers the true parents: the graph is in the data to be learned.
    made = graph_var()
    x, n = made.values, made.values.shape[1]
    lagged = np.hstack([x[1:-1], x[:-2], np.ones((len(x) - 2, 1))])
    coef = np.linalg.lstsq(lagged, x[2:], rcond=None)[0]
    strength = (np.abs(coef[:n]) + np.abs(coef[n : 2 * n])).T
    off = ~np.eye(n, dtype=bool)
    true = made.adjacency[off] > 0
    on, not_on = strength[off][true], strength[off][~true]
    auroc = (on[:, None] > not_on[None, :]).mean()  # the chance a true edge outranks a non-edge
    assert auroc > 0.99
    assert np.abs(x).max() < 50


def test_a_builtin_with_a_separate_graph_is_refused(tmp_path):
    with pytest.raises(LoadError, match="its own known graph"):
        load_series("graph-var", graph=tmp_path / "a.npy")


def test_exchange_rate_loads_as_eight_series(shared_data):
    path = shared_data / "timeseries" / "exchange_rate.txt.gz"
    s = load_series(path)
    assert s.data.x.shape == (8, 7588) and s.notices == [] and s.num_edges == 0
    assert float(s.data.x.min()) == pytest.approx(0.0063, abs=1e-4)
