"""The ``harvester`` command line.

Each command lives beside the code it drives and registers itself here through a
``register(subparsers)`` function; a command's handler returns the exit code. Expected failures
raise :class:`CommandError` and become one ``harvester: …`` line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


class CommandError(Exception):
    """An expected failure (bad path, bad input): reported as one line, exit code 2."""


def _registrars() -> list[Callable[[argparse._SubParsersAction], None]]:
    from archive import cli as archive_cli
    from archive import coverage_cli, history_cli
    from harvester import crawl_cli, extract_cli, handoff
    from harvester.testbed import cli as testbed_cli

    return [crawl_cli.register, history_cli.register, extract_cli.register, archive_cli.register,
            coverage_cli.register, handoff.register, testbed_cli.register]


def build_parser() -> argparse.ArgumentParser:
    from harvester import __version__

    parser = argparse.ArgumentParser(
        prog="harvester",
        description="Harvest 政府信息公开工作年度报告 from government portals into a SQLite archive.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in _registrars():
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CommandError as error:
        print(f"harvester: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("harvester: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
