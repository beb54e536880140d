"""Graph loaders: edge lists, networkx formats, built-ins, Planetoid."""

import shutil

import networkx as nx
import numpy as np
import pytest
import torch

from nodescope.core.errors import LoadError
from nodescope.core.loaders import BUILTINS, load
from nodescope.core.loaders.graphs import read_edge_list
from nodescope.core.loaders.planetoid import load_planetoid


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_edge_list_with_header_weights_features_and_labels(tmp_path):
    edges = write(tmp_path, "g.csv", "source,target,weight\n0,1,0.5\n1,2,2\n2,0,1\n2,3,1\n")
    feats = write(tmp_path, "feats.csv", "id,age,score\n0,30,1.5\n1,40,2.5\n2,50,3.5\n3,60,4.5\n")
    labels = write(tmp_path, "labels.csv", "id,label\n0,a\n1,b\n2,a\n")
    s = read_edge_list(edges, features=feats, labels=labels)
    assert (s.num_nodes, s.num_edges) == (4, 4)
    assert s.feature_names == ["age", "score"]
    assert s.data.x[3].tolist() == [60.0, 4.5]
    assert s.label_names == ["a", "b"] and s.data.y.tolist() == [0, 1, 0, -1]
    w = {
        tuple(e): float(v)
        for e, v in zip(s.data.edge_index.t().tolist(), s.data.edge_attr[:, 0], strict=True)
    }
    assert w[(0, 1)] == w[(1, 0)] == 0.5


def test_tsv_with_named_nodes_and_no_header(tmp_path):
    s = load(write(tmp_path, "names.tsv", "alice\tbob\nbob\tcarol\ncarol\talice\n"))
    assert s.node_names == ["alice", "bob", "carol"]
    assert s.feature_names == ["degree", "log degree"]
    assert s.data.x[:, 0].tolist() == [2.0, 2.0, 2.0]


def test_edge_list_cleaning_is_reported(tmp_path):
    s = load(write(tmp_path, "g.csv", "0,1\n0,1\n1,1\n1,2\n"))
    assert s.notices == ["Removed 1 self-loop(s).", "Removed 1 duplicate edge(s)."]
    assert s.num_edges == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("0\n1\n", "two columns"),
        ("0,1,heavy\n", "non-numeric"),
        ("0,1\n,2\n", "missing node id"),
    ],
)
def test_bad_edge_lists(tmp_path, text, message):
    with pytest.raises(LoadError, match=message):
        load(write(tmp_path, "bad.csv", text))


def test_features_with_nan_are_refused_and_table_only_nodes_kept(tmp_path):
    edges = write(tmp_path, "g.csv", "0,1\n1,2\n")
    with pytest.raises(LoadError, match="feature 'b' of node '1' is missing"):
        read_edge_list(edges, features=write(tmp_path, "f.csv", "id,a,b\n0,1,2\n1,1,nan\n2,0,0\n"))
    # a node only in the table is an isolated node; integer ids keep their numbers as names,
    # and the gap between 2 and 9 invents no node
    s = read_edge_list(edges, features=write(tmp_path, "f2.csv", "id,a\n0,1\n1,1\n2,3\n9,4\n"))
    assert s.num_nodes == 4 and s.node_names == ["0", "1", "2", "9"] and float(s.data.x[3, 0]) == 4.0
    assert not s.notices


def test_an_edge_to_a_node_the_feature_table_lacks_is_refused(tmp_path):
    # Issue 17: ids 0-3 in the table and an edge to 50 used to give 51 nodes, 47 of them phantoms.
    edges = write(tmp_path, "g.csv", "0,1\n1,2\n2,3\n3,50\n")
    table = write(tmp_path, "nodes.csv", "id,f1,f2,label\n0,1,2,a\n1,2,3,b\n2,3,4,a\n3,4,5,b\n")
    with pytest.raises(LoadError, match=r"1 node\(s\) that the node table nodes.csv lacks \('50'\)"):
        read_edge_list(edges, features=table)


def test_a_labels_table_may_leave_nodes_unlabeled_with_a_notice(tmp_path):
    edges = write(tmp_path, "g.csv", "0,1\n1,2\n")
    s = read_edge_list(edges, labels=write(tmp_path, "labels.csv", "id,label\n0,a\n2,b\n"))
    assert s.data.y.tolist() == [0, -1, 1]
    assert s.notices == ["1 of 3 nodes are not in labels.csv: they are unlabeled."]


def test_integer_ids_with_gaps_invent_no_nodes(tmp_path):
    s = read_edge_list(write(tmp_path, "g.csv", "1,2\n2,7\n"))
    assert s.num_nodes == 3 and s.node_names == ["1", "2", "7"]


def test_a_name_among_integer_ids_loads_with_a_notice(tmp_path):
    s = read_edge_list(write(tmp_path, "g.csv", "0,1\n1,2\n2,x7\n"))
    assert s.num_nodes == 4 and s.node_names == ["0", "1", "2", "x7"]
    assert len(s.notices) == 1 and "mix integers and names" in s.notices[0] and "'x7'" in s.notices[0]


def test_graphml_attribute_with_nan_is_left_out_with_a_notice(tmp_path):
    import networkx as nx

    g = nx.path_graph(4)
    for v in g:
        g.nodes[v]["score"] = float("nan") if v == 2 else float(v)
        g.nodes[v]["same"] = 1.0
        g.nodes[v]["size"] = float(v * v)
    nx.write_graphml(g, tmp_path / "g.graphml")
    s = load(tmp_path / "g.graphml")
    assert s.feature_names == ["size"]
    assert any("'score' is missing, NaN or not a number on 1 of 4 nodes (first: '2')" in n for n in s.notices)
    assert any("'same' is the same for every node" in n for n in s.notices)


def test_binary_file_named_csv(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    with pytest.raises(LoadError, match="not a text file"):
        load(p)


@pytest.mark.parametrize("fmt", ["graphml", "gml", "gexf"])
def test_networkx_formats_round_trip(tmp_path, fmt):
    g = nx.karate_club_graph()
    for v in g:
        g.nodes[v]["size"] = float(v % 5)
    path = tmp_path / f"karate.{fmt}"
    getattr(nx, f"write_{fmt}")(g, path)
    s = load(path)
    assert (s.num_nodes, s.num_edges) == (34, 78)
    assert "size" in s.feature_names
    assert s.label_names == ["Mr. Hi", "Officer"]  # the 'club' attribute
    assert set(s.data.y.tolist()) == {0, 1}


@pytest.mark.parametrize("fmt", ["graphml", "gml", "gexf"])
def test_corrupt_networkx_files(tmp_path, fmt):
    path = tmp_path / f"bad.{fmt}"
    path.write_text(
        "<graphml><graph><node id='a'/><edge source='a'" if fmt != "gml" else "graph [ node [ id 0 "
    )
    with pytest.raises(LoadError, match=f"not a valid {fmt.upper()} file"):
        load(path)


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(LoadError, match="Unsupported file type '.xyz'"):
        load(write(tmp_path, "a.xyz", "hello"))
    with pytest.raises(LoadError, match="No such file"):
        load(tmp_path / "nope.csv")
    with pytest.raises(LoadError, match="empty"):
        load(write(tmp_path, "zero.ply", ""))


@pytest.mark.parametrize("key", ["karate", "les-miserables", "ba-shapes", "sbm"])
def test_graph_builtins(key):
    s = BUILTINS[key].load()
    assert s.kind == "graph" and s.num_nodes > 0 and s.num_edges > 0
    assert torch.isfinite(s.data.x).all()
    assert s.data.y is not None and s.num_classes == len(s.label_names)


def test_ba_shapes_ground_truth_masks_align_with_edges():
    s = BUILTINS["ba-shapes"].load()
    d = s.data
    assert (d.num_nodes, d.y.unique().numel()) == (700, 4)
    assert int(d.node_mask_gt.sum()) == 400  # 80 houses x 5 nodes
    # a ground-truth edge joins two motif nodes, and every motif-internal edge is ground truth
    gt = d.edge_mask_gt.bool()
    both = d.node_mask_gt[d.edge_index[0]] & d.node_mask_gt[d.edge_index[1]]
    assert torch.equal(gt, both)
    assert int(gt.sum()) == 80 * 6 * 2  # 6 undirected edges per house, both directions


def test_karate_matches_networkx():
    s = BUILTINS["karate"].load()
    g = nx.karate_club_graph()
    assert {tuple(sorted(e)) for e in s.data.edge_index.t().tolist()} == {tuple(sorted(e)) for e in g.edges}


def test_planetoid_offline_gives_clear_message(tmp_path):
    with pytest.raises(LoadError, match="not in .* and could not be downloaded|raw files .* not found"):
        load_planetoid("cora", tmp_path, download=False)


def test_planetoid_refuses_pickles_with_code(tmp_path):
    import pickle

    for part in ("x", "tx", "allx", "y", "ty", "ally", "graph"):
        (tmp_path / f"ind.cora.{part}").write_bytes(pickle.dumps(np.zeros(2)))
    (tmp_path / "ind.cora.x").write_bytes(pickle.dumps(shutil.rmtree))  # would be callable code
    (tmp_path / "ind.cora.test.index").write_text("0\n")
    with pytest.raises(LoadError, match="refusing to load shutil.rmtree"):
        load_planetoid("cora", tmp_path, download=False)


@pytest.mark.parametrize(
    ("name", "nodes", "edges", "feats", "classes"),
    [("cora", 2708, 5278, 1433, 7), ("citeseer", 3327, 4552, 3703, 6)],
)
def test_planetoid_from_shared_data(shared_data, tmp_path, name, nodes, edges, feats, classes):
    # PyG's raw layout: <root>/<Name>/raw/ind.<name>.*
    raw = tmp_path / {"cora": "Cora", "citeseer": "CiteSeer"}[name] / "raw"
    raw.mkdir(parents=True)
    for f in (shared_data / "planetoid").glob(f"ind.{name}.*"):
        (raw / f.name).symlink_to(f)
    s = load(name, data_dir=tmp_path)
    assert (s.num_nodes, s.num_edges, s.data.x.shape[1], s.num_classes) == (nodes, edges, feats, classes)
    assert (int(s.data.train_mask.sum()), int(s.data.val_mask.sum()), int(s.data.test_mask.sum())) == (
        20 * classes,
        500,
        1000,
    )
    assert s.notices == []


def test_a_companion_table_changes_the_fingerprint(tmp_path):
    # Issue 17: adding a node table (id, f1, f2, label) to an uploaded edge list kept the
    # fingerprint (it covered shapes and edges only), so the app's cached node table and PCA
    # still showed degree / log degree for the new features.
    edges = write(tmp_path, "g.csv", "0,1\n1,2\n2,3\n")
    bare = read_edge_list(edges)
    table = write(tmp_path, "nodes.csv", "id,f1,f2,label\n0,1,5,a\n1,2,3,b\n2,3,4,a\n3,4,9,b\n")
    with_table = read_edge_list(edges, features=table)
    assert bare.data.x.shape == with_table.data.x.shape  # same shapes: the old key collided
    assert bare.fingerprint != with_table.fingerprint
    relabeled = read_edge_list(
        edges, features=write(tmp_path, "n2.csv", "id,f1,f2,label\n0,1,5,b\n1,2,3,b\n2,3,4,a\n3,4,9,b\n")
    )
    assert relabeled.fingerprint != with_table.fingerprint  # labels alone count too
    assert read_edge_list(edges, features=table).fingerprint == with_table.fingerprint  # and it is stable
