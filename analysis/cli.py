"""Command-line interface: `python -m analysis COMMAND ...`.

Each command lives in the module that does the work; that module exposes
``register_cli(subparsers)`` which adds its sub-parser and sets ``func`` to a handler
taking the parsed ``argparse.Namespace`` and returning an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from analysis import __version__
from analysis.errors import AnalysisError

# Modules that contribute sub-commands, in the order they appear in `--help`.
COMMAND_MODULES = (
    "analysis.datasets",  # fetch-data
    "analysis.ingest",  # ingest
    "analysis.pipeline",  # analyze
    "analysis.validation",  # codesheet / validate
    "analysis.render",  # report
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Study news coverage of armed conflict: ingest raw articles, analyse them, render reports.",
        epilog="Run `python -m analysis COMMAND --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; no partial output was written", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for the traceback and please report it)",
            file=sys.stderr,
        )
        return 1
