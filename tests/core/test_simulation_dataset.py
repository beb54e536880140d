"""core.simulation.dataset: deterministic samples, disjoint seeds, unseen shape families held out."""

import numpy as np
import pytest

from nodescope.core.simulation.dataset import (
    SPLITS,
    TRAIN_FAMILIES,
    UNSEEN_FAMILIES,
    DatasetConfig,
    generate,
    make_sample,
    sample_seed,
)

SMALL = DatasetConfig(steps=6, vertices=(300, 600))


@pytest.mark.parametrize("equation", ["heat", "wave"])
def test_samples_are_deterministic_by_seed(equation):
    a = make_sample("train", 2, equation=equation, seed=7, config=SMALL)
    b = make_sample("train", 2, equation=equation, seed=7, config=SMALL)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.pos, b.pos)
    assert (a.seed, a.coefficient) == (b.seed, b.coefficient)
    other = make_sample("train", 2, equation=equation, seed=8, config=SMALL)
    assert other.seed != a.seed and other.coefficient != a.coefficient
    # A sample does not depend on how many others the split holds.
    np.testing.assert_array_equal(
        generate("train", 3, equation=equation, seed=7, config=SMALL)[2].states, a.states
    )


def test_split_seeds_are_disjoint_and_unseen_families_never_train():
    seeds = {
        split: {sample_seed(0, split, eq, i) for eq in ("heat", "wave") for i in range(500)}
        for split in SPLITS
    }
    for i, s in enumerate(SPLITS):
        assert len(seeds[s]) == 1000
        for t in SPLITS[i + 1 :]:
            assert not seeds[s] & seeds[t], (s, t)
    assert not set(TRAIN_FAMILIES) & set(UNSEEN_FAMILIES)
    held_in = [
        s for split in ("train", "val", "test") for s in generate(split, 6, equation="heat", config=SMALL)
    ]
    unseen = generate("unseen", 6, equation="heat", config=SMALL)
    assert {s.family for s in held_in} == set(TRAIN_FAMILIES)
    assert {s.family for s in unseen} == set(UNSEEN_FAMILIES)
    assert not {s.shape for s in held_in} & {s.shape for s in unseen}
    assert {s.shape for s in unseen} >= {"torus", "airplane", "ant", "nut"}


@pytest.mark.parametrize("equation", ["heat", "wave"])
def test_sample_contents(equation):
    for sample in generate("unseen", 4, equation=equation, config=SMALL) + generate(
        "train", 3, equation=equation, config=SMALL
    ):
        v = len(sample.pos)
        assert sample.states.shape == (SMALL.steps + 1, v) and sample.states.dtype == np.float32
        assert np.isfinite(sample.states).all() and np.abs(sample.states).max() > 0.1
        assert sample.faces.shape[1] == 3 and sample.faces.max() < v
        assert np.linalg.norm(sample.pos, axis=1).max() == pytest.approx(1.0)
        low, high = SMALL.diffusivity if equation == "heat" else SMALL.speed
        assert low <= sample.coefficient <= high
        # Dirichlet vertices hold their values; open meshes (plate, airplane) have them.
        np.testing.assert_array_equal(sample.states[-1, sample.fixed], sample.states[0, sample.fixed])
        if sample.shape in ("plate", "airplane"):
            assert sample.fixed.any()
        if sample.family in TRAIN_FAMILIES:
            assert 0.6 * SMALL.vertices[0] <= v <= 1.4 * SMALL.vertices[1]
        if equation == "wave":
            assert not sample.source.any()
        assert not np.allclose(sample.states[-1], sample.states[0])  # the field moves
