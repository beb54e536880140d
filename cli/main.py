"""The ``nodescope`` command line: one entry point, one subcommand per module of this package.

Bad input prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys

from nodescope.cli import (
    app,
    attention,
    explain,
    export,
    forecast,
    info,
    lift,
    oversmooth,
    panorama,
    register,
    report,
    resample,
    reviews,
    segment,
    simulate,
    train,
)
from nodescope.core.errors import LoadError

# The order here is the order of ``nodescope --help``.
COMMANDS = (
    info, train, oversmooth, explain, attention, register, resample, forecast, simulate, segment, lift, panorama, export,
    report, reviews, app,
)  # fmt: skip

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """The ``nodescope`` parser, with one subcommand per module of :data:`COMMANDS`, in that order."""
    parser = argparse.ArgumentParser(
        prog="nodescope", description="Interactive visual exploration of graph neural networks."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``nodescope`` command line (the console script's entry point).

    A :class:`~core.errors.LoadError` is printed as one line on stderr.

    Args:
        argv: the arguments after the program name; None reads ``sys.argv``.

    Returns:
        The exit status: the subcommand's (0 on success), :data:`EXIT_BAD_INPUT` for bad input,
        130 when interrupted.
    """
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
