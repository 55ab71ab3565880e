"""Command-line interface: `python -m analysis COMMAND ...`.

Each command lives in the module that does the work; that module exposes
``register_cli(subparsers)`` which adds its sub-parser and sets ``func`` to a handler
taking the parsed ``argparse.Namespace`` and returning an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys

from analysis import __version__
from analysis.errors import AnalysisError

# Every sub-command, in the order of `--help`: (command, the module that does the work, one line of help). Only the
# module of the command being run is imported (it adds the full sub-parser with `register_cli`), so that
# `python -m analysis --help` starts in a moment.
COMMANDS = (
    ("fetch-data", "analysis.datasets", "fetch the default corpus (FA-KES) into data/raw, checksum-verified"),
    ("ingest", "analysis.ingest", "raw article files -> canonical corpus (parquet)"),
    ("analyze", "analysis.pipeline", "run the per-article analysis once and write tidy tables"),
    ("codesheet", "analysis.validation", "draw a stratified sample and write a coding sheet (CSV) for human coders"),
    ("validate", "analysis.validation", "agreement between coders and precision/recall/F1 of the automated measures"),
    ("report", "analysis.render", "render report notebooks to HTML and PDF (papermill + nbconvert + WeasyPrint)"),
)
COMMAND_MODULES = tuple(dict.fromkeys(module for _, module, _ in COMMANDS))


def _command_of(argv: list[str]) -> str | None:
    """The sub-command named in ``argv`` (the first word that is a command), or None."""
    names = {name for name, _, _ in COMMANDS}
    return next((a for a in argv if a in names), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the module of the command it names is imported (all of them without)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Study news coverage of armed conflict: ingest raw articles, analyse them, render reports.",
        epilog="Run `python -m analysis COMMAND --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    command = _command_of(argv) if argv is not None else None
    wanted = (
        set(COMMAND_MODULES) if argv is None else {m for n, m, _ in COMMANDS if n == command}
    )  # the modules to import
    done: set[str] = set()
    for name, module, help_text in COMMANDS:
        if module in wanted:
            if module not in done:
                importlib.import_module(module).register_cli(sub)
                done.add(module)
        else:
            sub.add_parser(name, help=help_text, add_help=False)  # listed in --help; replaced when it is run
    return parser


def _on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def _terminate_like_interrupt() -> None:
    """SIGTERM (``kill``, a batch scheduler's time limit) unwinds like Ctrl-C: staged outputs are removed, nothing is
    half-installed (see analysis.outputs)."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _on_sigterm)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["analyze"]:  # its workers' forkserver starts before the command modules are imported
        from analysis.forkserver import start_early

        start_early(argv[1:])
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _terminate_like_interrupt()
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        from analysis.outputs import InterruptedAfterCommit

        if isinstance(exc, InterruptedAfterCommit):
            print("interrupted: the outputs had just been installed and are complete", file=sys.stderr)
            return 130
        print(
            "interrupted: the outputs of this run were discarded; complete outputs of earlier runs are unchanged",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for the traceback and please report it)",
            file=sys.stderr,
        )
        return 1
