"""``harvester status`` (the last crawl runs, their counts and failures) and ``harvester diff``
(what changed between two versions of a document)."""

from __future__ import annotations

import argparse
import difflib
import json
import sys

from archive.cli import DEFAULT_DB, open_archive


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser(
        "status", help="the last crawl runs: when, how they ended, counts, failures",
        description="Show the last crawl runs of an archive with their counts by outcome, the new "
        "versions they archived and the most frequent failure reasons.",
    )
    status.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"archive file (default {DEFAULT_DB})")
    status.add_argument("--runs", type=int, default=5, help="how many runs (default 5)")
    status.set_defaults(handler=show_status)

    diff = subparsers.add_parser(
        "diff", help="what changed between versions of a document",
        description="Unified diff of a document's clean text between two versions (default: the "
        "last two).",
    )
    diff.add_argument("document_id", type=int)
    diff.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"archive file (default {DEFAULT_DB})")
    diff.add_argument("--from", dest="old", type=int, help="older version (default: the one before --to)")
    diff.add_argument("--to", dest="new", type=int, help="newer version (default: the latest)")
    diff.set_defaults(handler=show_diff)


def show_status(args: argparse.Namespace) -> int:
    from harvester.cli import CommandError

    if args.runs < 1:
        raise CommandError("--runs must be at least 1")
    with open_archive(args.db) as archive:
        runs = archive.db.execute(
            "SELECT crawl_id, started_at, finished_at, status, counts FROM crawl_runs "
            "ORDER BY started_at DESC, crawl_id DESC LIMIT ?", [args.runs]
        ).fetchall()
        if not runs:
            print(f"{args.db}: no crawl runs yet")
            return 0
        for crawl_id, started, finished, state, counts in runs:
            if counts is None:  # unfinished: count what is there
                counts = dict(archive.db.execute(
                    "SELECT outcome, count(*) FROM captures WHERE crawl_id = ? GROUP BY outcome", [crawl_id]
                ).fetchall())
            else:
                counts = json.loads(counts)
            versions = archive.db.execute(
                "SELECT count(*) FROM document_versions v JOIN captures c USING (capture_id) "
                "WHERE c.crawl_id = ?", [crawl_id]
            ).fetchone()[0]
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
            print(f"{crawl_id}  {state:<10} {started[:19]} → {(finished or 'not finished')[:19]}")
            print(f"    captures: {shown or 'none'}; new versions: {versions}")
            failures = archive.db.execute(
                "SELECT outcome, reason, count(*) AS n FROM captures WHERE crawl_id = ? AND outcome "
                "IN ('error', 'blocked') GROUP BY outcome, reason ORDER BY n DESC LIMIT 5", [crawl_id]
            ).fetchall()
            for outcome, reason, count in failures:
                print(f"    {count:>5} × {outcome}: {reason[:100]}")
        if runs[0][3] != "finished":
            print(f"the last run did not finish: `harvester crawl --db {args.db}` resumes it")
    return 0


def show_diff(args: argparse.Namespace) -> int:
    from harvester.cli import CommandError

    with open_archive(args.db) as archive:
        versions = archive.db.execute(
            "SELECT version, text, archived_at FROM document_versions WHERE document_id = ? ORDER BY version",
            [args.document_id],
        ).fetchall()
        if not versions:
            raise CommandError(f"{args.db}: no document {args.document_id}")
        by_number = {number: (text, at) for number, text, at in versions}
        new = args.new or versions[-1][0]
        old = args.old or new - 1
        if len(versions) == 1 and not (args.old or args.new):
            raise CommandError(f"document {args.document_id} has one version only: nothing to compare")
        for number in (old, new):
            if number not in by_number:
                known = ", ".join(str(v) for v in by_number)
                raise CommandError(f"document {args.document_id} has no version {number} (versions: {known})")
        if old >= new:
            raise CommandError("--from must be older than --to")
        (old_text, old_at), (new_text, new_at) = by_number[old], by_number[new]
        lines = difflib.unified_diff(
            old_text.splitlines(), new_text.splitlines(),
            f"document {args.document_id} version {old} ({old_at[:19]})",
            f"document {args.document_id} version {new} ({new_at[:19]})", lineterm="",
        )
        for line in lines:
            sys.stdout.write(line + "\n")
    return 0
