"""The ``nodescope`` command line: one entry point, one subcommand per task (see core/commands/).

Bad input prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from core.commands import COMMANDS
from core.errors import LoadError

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nodescope", description="Interactive visual exploration of graph neural networks."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"core.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LoadError as exc:
        print(f"nodescope: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
