"""Archive commands of the ``harvester`` CLI: ``export``, ``verify``, ``stats``, ``search``.

Each mirrors one :class:`archive.Archive` method. None of them creates an archive: a mistyped
``--db`` is an error (exit 2), not a new empty file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .schema import ArchiveError
from .store import Archive

DEFAULT_DB = "harvest.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    def add(name: str, help: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help, description=help)
        parser.add_argument(
            "--db", default=DEFAULT_DB, metavar="PATH", help=f"archive file (default {DEFAULT_DB})"
        )
        return parser

    export = add("export", "write report versions as JSON Lines (docs/export.schema.json)")
    export.add_argument(
        "--since",
        metavar="DATE",
        help="only versions fetched at or after DATE (YYYY-MM-DD or ISO date-time; UTC)",
    )
    export.add_argument(
        "--all-versions", action="store_true", help="every version, not only the latest"
    )
    export.add_argument(
        "--kind",
        default="report",
        choices=["report", "not_report", "any"],
        help="document kind to export (default report)",
    )
    export.set_defaults(handler=_export)

    verify = add("verify", "check body hashes, foreign keys and the search index; exit 1 if bad")
    verify.set_defaults(handler=_verify)

    stats = add("stats", "counts by outcome, documents, versions and storage size")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=_stats)

    search = add("search", "full-text search of the clean text (Chinese-aware)")
    search.add_argument("query", metavar="QUERY", help="terms, all required; substring match")
    search.add_argument("--limit", type=int, default=20, help="at most this many hits (20)")
    search.add_argument("--all-versions", action="store_true", help="search old versions too")
    search.add_argument("--json", action="store_true", help="one JSON object per hit")
    search.set_defaults(handler=_search)


@contextmanager
def open_archive(path: str) -> Iterator[Archive]:
    from harvester.cli import CommandError

    try:
        archive = Archive(path, create=False)
    except ArchiveError as error:
        raise CommandError(str(error)) from None
    try:
        yield archive
    except ArchiveError as error:
        raise CommandError(str(error)) from None
    finally:
        archive.close()


def _out(line: str) -> None:
    # JSON Lines are UTF-8 whatever the locale says.
    sys.stdout.buffer.write(line.encode("utf-8") + b"\n")


def _export(args: argparse.Namespace) -> int:
    from .store import since_timestamp

    with open_archive(args.db) as archive:
        since = since_timestamp(args.since) if args.since else None
        kind = None if args.kind == "any" else args.kind
        for record in archive.export(since=since, all_versions=args.all_versions, kind=kind):
            _out(json.dumps(record, ensure_ascii=False))
        sys.stdout.flush()
    return 0


def _verify(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        problems = archive.verify()
        if problems:
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s) in {args.db}", file=sys.stderr)
            return 1
        stats = archive.stats()
    print(
        f"ok: {stats['bodies']} bodies, {stats['captures']} captures, "
        f"{stats['documents']} documents, {stats['versions']} versions verified"
    )
    return 0


def _stats(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        stats = archive.stats()
    if args.json:
        _out(json.dumps(stats, ensure_ascii=False))
        return 0
    print(f"archive      {stats['path']} (schema v{stats['schema_version']})")
    print(f"runs         {stats['runs']}")
    print(f"captures     {stats['captures']}")
    for outcome, count in stats["outcomes"].items():
        print(f"  {outcome:<15}{count}")
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(stats["documents_by_kind"].items()))
    print(f"documents    {stats['documents']}" + (f" ({kinds})" if kinds else ""))
    print(f"versions     {stats['versions']}")
    print(f"bodies       {stats['bodies']} unique")
    print(f"  captured   {_size(stats['body_bytes_captured'])}")
    print(f"  unique     {_size(stats['body_bytes_unique'])}")
    print(f"  stored     {_size(stats['body_bytes_stored'])} (compressed)")
    files = ", ".join(f"{name} {_size(n)}" for name, n in stats["file_bytes"].items())
    print(f"on disk      {files}")
    return 0


def _search(args: argparse.Namespace) -> int:
    from harvester.cli import CommandError

    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    with open_archive(args.db) as archive:
        hits = archive.search(args.query, limit=args.limit, all_versions=args.all_versions)
    for hit in hits:
        if args.json:
            _out(json.dumps(hit, ensure_ascii=False))
        else:
            year = hit["year"] if hit["year"] is not None else "-"
            _out(f"{hit['document_id']}\tv{hit['version']}\t{year}\t{hit['title']}\t{hit['url']}")
            _out(f"\t{hit['snippet']}")
    if not hits:
        print("no matches", file=sys.stderr)
    return 0


def _size(n: Any) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
