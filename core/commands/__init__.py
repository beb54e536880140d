"""One module per ``nodescope`` subcommand.

Each module has ``register(subparsers)``, which adds its parser and sets ``func`` to a
``run(args) -> int``. Modules import heavy libraries (torch, PyG) inside ``run`` so that
``nodescope --help`` stays fast.
"""

# The order here is the order of ``nodescope --help``.
COMMANDS: tuple[str, ...] = ("info", "train", "oversmooth", "explain", "attention", "register", "app")
