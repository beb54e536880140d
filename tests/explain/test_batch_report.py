"""The sections of ``nodescope report`` as data: the pages' numbers, and ``n/a`` with a reason where one does not apply."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import nodescope
from nodescope.core.checkpoint import shipped_weights
from nodescope.core.registration.subjects import fixed_subject, synthetic
from nodescope.core.training import with_split
from nodescope.explain import batch_report as br


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def karate():
    return nodescope.load("karate")


@pytest.fixture(scope="module")
def data(karate):
    return with_split(karate.data, seed=0)


def test_accuracy_is_the_shipped_records(karate, data):
    section = br.accuracy_section(nodescope.model(karate, "gat"), data)
    record = json.loads(shipped_weights(karate, "gat").with_suffix(".json").read_text())
    acc = dict(zip(section.table["split"], section.table["accuracy"], strict=True))
    assert acc["test"] == pytest.approx(record["test_acc"]) and acc["train"] == pytest.approx(
        record["train_acc"]
    )
    assert section.table["nodes"].sum() == karate.num_nodes  # karate: every node in one split
    assert f"{record['test_acc']:.1%}" in section.sentences[0]


def test_attention_grid_has_a_cell_per_head_and_says_n_a_without_attention(karate, data):
    section = br.attention_section(nodescope.model(karate, "gat"), data)
    grid = section.arrays["entropy_norm"]
    assert grid.shape == (2, 8) and np.isnan(grid[1, 1:]).all() and not np.isnan(grid[0]).any()
    assert ((grid[~np.isnan(grid)] > 0) & (grid[~np.isnan(grid)] <= 1)).all()
    assert len(section.table) == 9 and section.table["head"].min() == 1  # 1-based, as the page
    gcn = br.attention_section(nodescope.model(karate, "gcn"), data)
    assert not gcn.applies and gcn.sentences == ("n/a: GCN has no attention.",)


def test_constant_features_give_the_near_uniform_sentence(karate, data):
    flat = data.clone()
    flat.x = torch.ones_like(flat.x)  # every neighbor looks the same: attention is exactly uniform
    section = br.attention_section(nodescope.model(karate, "gat"), flat)
    assert section.arrays["entropy_norm"][0] == pytest.approx(1.0, abs=1e-6)
    assert any("near uniform" in s for s in section.sentences)


def test_fidelity_of_no_node_is_n_a(karate, data):
    section = br.fidelity_section(karate, data, nodescope.model(karate, "gcn"), "saliency", nodes=0)
    assert not section.applies and section.sentences[0].startswith("n/a")


def test_oversmoothing_reads_the_shipped_sweep(karate):
    section = br.oversmoothing_section(br.page_sweeps(karate))
    assert section.arrays["depth"] == 64
    assert all(len(c) == 65 for c in section.arrays["curves"].values())
    assert "depth 2" in section.table.columns and "GCN" in section.table["model"].tolist()


def test_registration_section_has_the_three_spheres_and_the_qc():
    moving = synthetic(seed=1, magnitude_deg=5.0)
    reg = nodescope.register(moving, rigid_only=True)
    section = br.registration_section(reg.moving, fixed_subject("fsaverage5", "lh"), reg.result)
    assert section.table["sphere"].tolist() == ["native (before)", "rigid", "registered"]
    corr = section.table["sulc correlation"].to_numpy()
    assert corr[2] > corr[0] and not math.isnan(corr[2])
    assert any("reference ranges" in s for s in section.sentences)  # the QC verdict


def test_a_probability_change_is_worded_by_its_sign_never_as_a_negative_drop():
    assert br._change(0.256, None, "it") == "lowers it by 0.256"
    assert br._change(-0.001, None, "it") == "raises it by 0.001"  # not "lowers it by -0.001"
    assert "n/a" in br._change(None, "no node explained", "it")
