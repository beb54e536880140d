"""The ``nodescope`` command: one module per subcommand, the entry point in :mod:`nodescope.cli.main`.

Each subcommand module has ``register(subparsers)``, which adds its parser and sets ``func`` to a
``run(args) -> int``. Modules import heavy libraries (torch, PyG) inside ``run`` so that
``nodescope --help`` stays fast. What several commands share lives in :mod:`nodescope.cli.common`
(model, sample, weights and node-list checks) and :mod:`nodescope.cli.progress` (the progress
bar); a command never imports another.
"""
