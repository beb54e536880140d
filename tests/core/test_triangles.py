"""Triangle orientation: one signed volume for numpy and torch inputs."""

import doctest

import numpy as np
import torch

from nodescope.core.geometry import triangles
from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.triangles import signed_volumes


def test_docstring_example_runs():
    assert doctest.testmod(triangles, raise_on_error=True).attempted >= 1


def test_signed_volumes_are_the_triple_product_for_numpy_and_torch_alike():
    ico = icosphere_level(2)
    v, f = ico.vertices, ico.faces
    expected = np.einsum("ij,ij->i", np.cross(v[f[:, 0]].double(), v[f[:, 1]].double()), v[f[:, 2]].double())
    from_torch = signed_volumes(v.clone().requires_grad_(), f)  # a tensor that needs grad is fine too
    np.testing.assert_allclose(from_torch, expected, rtol=1e-12)
    np.testing.assert_array_equal(signed_volumes(v.numpy(), f.numpy()), from_torch)
    assert from_torch.dtype == np.float64 and (from_torch > 0).all()  # outward faces
    assert (signed_volumes(v * torch.tensor([-1.0, 1.0, 1.0]), f) < 0).all()  # a mirror flips them
