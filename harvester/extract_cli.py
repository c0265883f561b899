"""``harvester extract PATH [--url URL] [--json]``: clean a saved page or attachment."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harvester.cli import CommandError
from harvester.result import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="print the clean text of a saved page or attachment",
        description="Clean a saved HTML page (or PDF/DOCX/DOC/WPS attachment) and print its "
        "clean text, or the whole result as JSON.",
    )
    parser.add_argument("path", type=Path, help="the saved file")
    parser.add_argument("--url", help="the URL it was fetched from (default: file:// URL of PATH)")
    parser.add_argument("--charset", help="the charset the server declared (Content-Type header)")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harvester.clean import clean

    path: Path = args.path
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    if path.is_dir():
        raise CommandError(f"{path}: is a directory, not a saved page")
    try:
        body = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot read: {error.strerror}") from None
    headers = {"Content-Type": f"text/html; charset={args.charset}"} if args.charset else None
    url = args.url or path.resolve().as_uri()
    try:
        result = clean(body, url, headers)
    except InputError as error:
        raise CommandError(f"{path}: {error}") from None
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(result.text + "\n")
    return 0
