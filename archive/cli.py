"""Archive commands (export, verify, stats, search): filled in by the archive work."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    pass
