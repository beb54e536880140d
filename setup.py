"""Packaging: the repository's layer folders install as one package, ``nodescope``.

The product's design fixes the folders at the top of the repository (``core/``, ``explain/``,
``viz/``, ``app/``, ``cli/``); installing must still add a single import name. The repository
root is therefore the ``nodescope`` package (``package_dir={"nodescope": "."}``): its
``__init__.py`` is the public Python API, ``core/`` installs as ``nodescope.core`` and so on.
The wheel keeps the repository's relative layout, so ``assets/`` sits where the code expects it.
Everything else about the project is declared in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

#: The layer folders that become ``nodescope.<layer>``; tests, examples and benchmarks do not install.
LAYERS = ("core", "explain", "viz", "app", "cli")

SUBPACKAGES = find_packages(include=[pattern for layer in LAYERS for pattern in (layer, f"{layer}.*")])

setup(
    package_dir={"nodescope": "."},
    packages=["nodescope", *(f"nodescope.{name}" for name in SUBPACKAGES)],
    package_data={
        "nodescope": [
            "assets/models/*.json",
            "assets/models/*/*.json",
            "assets/models/*/*.safetensors",
            "assets/registration/*.json",
            "assets/registration/*.safetensors",
            "assets/sweeps/*.json",
        ],
        "nodescope.app": ["views/*.py"],
        "nodescope.app.plotly_view": ["frontend/*.js"],
    },
)
