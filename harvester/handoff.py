"""Hand report versions to parsers, exactly once per parser name + version, with a ledger.

    harvester handoff --parser standard-tables [--db PATH]
    harvester handoff --parser my-parser --command "python my_parser.py" [--parser-version 2]

A parser is a Python entry point of the group ``harvester.parsers`` (a callable taking one export
record — docs/export.schema.json — and returning JSON-able data) or an external command fed the
record as one JSON line on stdin and answering JSON on stdout. Each report version not yet handled
successfully by that parser name + version is handed over; every attempt goes to the ledger with
its result or error. Transient failures (:class:`TransientError`, timeouts, OS errors; for a
command: exit code 75, EX_TEMPFAIL) are retried with exponential backoff; a version that still
fails is recorded as failed, blocks nothing, and is tried again by the next hand-off.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from archive.models import utc_timestamp

log = logging.getLogger(__name__)
GROUP = "harvester.parsers"
EX_TEMPFAIL = 75


class TransientError(Exception):
    """A failure worth retrying (a busy service, a timeout): parsers raise it to ask for a retry."""


class ParserError(Exception):
    """A parser that cannot be found or started: one line, exit code 2."""


@dataclass
class Parser:
    name: str
    version: str
    call: Callable[[dict[str, Any]], Any]


def available_parsers() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def entry_point_parser(name: str) -> Parser:
    found = available_parsers()
    if name not in found:
        known = ", ".join(sorted(found)) or "none installed"
        raise ParserError(f"no parser {name!r} in the {GROUP} entry points (known: {known})")
    entry = found[name]
    function = entry.load()
    # The parser's own version if it declares one, else its distribution's: a new parser
    # release sees every version again, an unchanged one never does.
    version = str(getattr(function, "version", None) or (entry.dist.version if entry.dist else "0"))
    return Parser(name, version, function)


def command_parser(name: str, command: str, version: str, timeout: float) -> Parser:
    argv = shlex.split(command)
    if not argv:
        raise ParserError("--command is empty")

    def call(record: dict[str, Any]) -> Any:
        try:
            done = subprocess.run(argv, input=json.dumps(record, ensure_ascii=False) + "\n",
                                  capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError:
            raise ParserError(f"--command: {argv[0]}: not found") from None
        except subprocess.TimeoutExpired:
            raise TransientError(f"no answer within {timeout:g} s") from None
        if done.returncode == EX_TEMPFAIL:
            raise TransientError(done.stderr.strip()[-500:] or "exit code 75 (temporary failure)")
        if done.returncode != 0:
            raise RuntimeError(f"exit code {done.returncode}: {done.stderr.strip()[-500:]}")
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise RuntimeError(f"answer is not JSON: {done.stdout[:200]!r}") from None

    return Parser(name, version, call)


@dataclass
class Summary:
    handed: int = 0
    ok: int = 0
    failed: int = 0
    tries: int = 0


def hand_off(archive: Any, parser: Parser, *, retries: int = 3, limit: int | None = None,
             batch: int = 50) -> Summary:
    """Hand every pending report version to ``parser``; write each attempt to the ledger."""
    summary = Summary()
    # Only the ids are held: a first hand-off over a historical corpus is millions of texts.
    pending = archive.pending_handoff(parser.name, parser.version)
    if limit is not None:
        pending = pending[:limit]
    retrying = Retrying(
        retry=retry_if_exception_type((TransientError, TimeoutError, OSError)),
        wait=wait_exponential_jitter(multiplier=0.1, max=5, jitter=0.1),
        stop=stop_after_attempt(retries),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    )
    attempts: list[dict[str, Any]] = []
    for record in _records(archive, pending, batch):
        started = utc_timestamp()
        tries = 0
        try:
            for attempt in retrying:
                with attempt:
                    tries += 1
                    result = parser.call(record)
            status, payload, error = "ok", json.dumps(result, ensure_ascii=False), None
        except ParserError:
            raise
        except Exception as failure:  # a parser's bug must not stop the hand-off of the others
            status, payload, error = "failed", None, f"{type(failure).__name__}: {failure}"[:2000]
        attempts.append({
            "parser": parser.name, "parser_version": parser.version,
            "version_id": record["version_id"], "status": status, "tries": tries,
            "result": payload, "error": error, "started_at": started, "finished_at": utc_timestamp(),
        })
        summary.handed += 1
        summary.tries += tries
        summary.ok += status == "ok"
        summary.failed += status == "failed"
        if len(attempts) >= batch:
            archive.record_handoff(attempts)
            attempts = []
    archive.record_handoff(attempts)
    return summary


def _records(archive: Any, version_ids: list[int], batch: int) -> Iterator[dict[str, Any]]:
    for start in range(0, len(version_ids), batch):
        yield from archive.export(all_versions=True, version_ids=version_ids[start:start + batch])


def register(subparsers: argparse._SubParsersAction) -> None:
    from archive.cli import DEFAULT_DB

    parser = subparsers.add_parser(
        "handoff", help="hand new and changed report versions to a parser, exactly once",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"archive file (default {DEFAULT_DB})")
    parser.add_argument("--parser", required=True, help=f"parser name (an entry point of {GROUP}, "
                        "or the name under which --command is recorded)")
    parser.add_argument("--command", help="run this command per version instead: export JSON line on "
                        "stdin, JSON on stdout; exit code 75 asks for a retry")
    parser.add_argument("--parser-version", default="1", help="version recorded for --command (default 1)")
    parser.add_argument("--retries", type=int, default=3, help="calls per version before it is failed")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per --command call")
    parser.add_argument("--limit", type=int, help="hand at most this many versions")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archive.cli import open_archive
    from harvester.cli import CommandError

    if args.retries < 1:
        raise CommandError("--retries must be at least 1")
    try:
        chosen = (command_parser(args.parser, args.command, args.parser_version, args.timeout)
                  if args.command else entry_point_parser(args.parser))
        with open_archive(args.db) as archive:
            summary = hand_off(archive, chosen, retries=args.retries, limit=args.limit)
            failures = archive.db.execute(
                "SELECT h.version_id, h.error FROM handoff_ledger h WHERE h.parser = ? AND h.parser_version = ? "
                "AND h.status = 'failed' AND NOT EXISTS (SELECT 1 FROM handoff_ledger o WHERE "
                "o.version_id = h.version_id AND o.parser = h.parser AND o.parser_version = h.parser_version "
                "AND o.status = 'ok') GROUP BY h.version_id ORDER BY h.version_id LIMIT 10",
                [chosen.name, chosen.version],
            ).fetchall()
    except ParserError as error:
        raise CommandError(str(error)) from None
    print(f"{chosen.name} {chosen.version}: {summary.handed} versions handed over, {summary.ok} ok, "
          f"{summary.failed} failed ({summary.tries} calls)")
    for version_id, error in failures:
        print(f"  still failing: version {version_id}: {error[:160]}")
    return 1 if summary.failed else 0
