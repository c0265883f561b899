"""The hand-off ledger: exactly once per parser name+version, transient failures retried, failures
kept and retried later, never blocking the other versions. Real archive, real commands."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import harvester
from archive import Archive, ArchiveItem, Capture, DocumentKey

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


@pytest.fixture
def archive_path(tmp_path) -> Path:
    """An archive with the corpus reports (a few), as the crawler would have written them."""
    path = tmp_path / "harvest.db"
    with Archive(path) as archive:
        run = archive.start_run()
        items = []
        for expected_path in sorted(CORPUS.glob("*.json"))[:8]:
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            body = expected_path.with_suffix(".html").read_bytes()
            result = harvester.clean(body, expected["url"], expected["headers"], status=expected.get("status"))
            capture = Capture(run, expected["url"], "ok", status=200, body=body)
            items.append(ArchiveItem(capture, result, DocumentKey("127.0.0.11", expected["url"])))
        archive.write_batch(items)
        archive.finish_run(run)
    return path


def handoff(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harvester", "handoff", "--db", str(path), *args],
                          capture_output=True, text=True, timeout=120)


def ledger(path: Path) -> list[dict]:
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM handoff_ledger ORDER BY attempt_id")]


def reports(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM document_versions WHERE kind = 'report'").fetchone()[0]


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "parser.py"
    path.write_text("import json, sys, pathlib\nrecord = json.loads(sys.stdin.readline())\n" + body,
                    encoding="utf-8")
    return f"{sys.executable} {path}"


def test_standard_tables_exactly_once_then_again_for_a_new_parser_version(archive_path, tmp_path):
    first = handoff(archive_path, "--parser", "standard-tables")
    assert first.returncode == 0, first.stderr
    count = reports(archive_path)
    assert count >= 5 and f"{count} versions handed over, {count} ok" in first.stdout
    rows = ledger(archive_path)
    assert len(rows) == count and all(row["status"] == "ok" for row in rows)
    result = json.loads(rows[0]["result"])
    assert result["parser"] == "standard-tables" and "completeness" in result
    again = handoff(archive_path, "--parser", "standard-tables")
    assert "0 versions handed over" in again.stdout and len(ledger(archive_path)) == count
    # The ledger refuses a second success for the same parser, version and document version.
    with sqlite3.connect(archive_path) as connection, pytest.raises(sqlite3.IntegrityError):
        connection.execute("INSERT INTO handoff_ledger (parser, parser_version, version_id, status, "
                           "started_at, finished_at) SELECT parser, parser_version, version_id, 'ok', "
                           "started_at, finished_at FROM handoff_ledger LIMIT 1")
    command = script(tmp_path, "print(json.dumps({'chars': len(record['text'])}))")
    v2 = handoff(archive_path, "--parser", "standard-tables", "--command", command, "--parser-version", "2")
    assert f"{count} versions handed over, {count} ok" in v2.stdout


def test_new_versions_only_are_handed_over(archive_path, tmp_path):
    command = script(tmp_path, "print(json.dumps({'id': record['version_id']}))")
    handoff(archive_path, "--parser", "lengths", "--command", command)
    with Archive(archive_path) as archive:
        record = next(archive.export())
        run = archive.start_run()
        changed = harvester.clean(("<html><body><div class='TRS_Editor'><p>" + record["title"] +
                                   "</p><p>一、总体情况</p><p>" + "修订后的内容。" * 20 +
                                   "</p></div></body></html>").encode(), record["url"])
        changed.metadata.title = record["title"]
        archive.write_batch([ArchiveItem(Capture(run, record["url"], "ok", status=200, body=b"v2"),
                                         changed, DocumentKey(record["portal"], record["url"]))])
    done = handoff(archive_path, "--parser", "lengths", "--command", command)
    assert "1 versions handed over, 1 ok" in done.stdout


def test_transient_failures_are_retried(archive_path, tmp_path):
    counter = tmp_path / "calls"
    # Fails with EX_TEMPFAIL (75) on every first call for a version, then answers.
    command = script(tmp_path, f"""
p = pathlib.Path({str(counter)!r} + str(record['version_id']))
n = int(p.read_text()) if p.exists() else 0
p.write_text(str(n + 1))
if n == 0:
    sys.exit(75)
print(json.dumps({{'ok': True}}))
""")
    done = handoff(archive_path, "--parser", "flaky", "--command", command)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = ledger(archive_path)
    assert rows and all(row["status"] == "ok" and row["tries"] == 2 for row in rows)


def test_failures_are_kept_do_not_block_others_and_are_retried_next_time(archive_path, tmp_path):
    broken = tmp_path / "broken"
    broken.write_text("yes")
    command = script(tmp_path, f"""
if record['version_id'] % 2 and pathlib.Path({str(broken)!r}).read_text() == 'yes':
    sys.exit(3)
print(json.dumps({{'ok': True}}))
""")
    first = handoff(archive_path, "--parser", "half", "--command", command, "--retries", "2")
    assert first.returncode == 1 and "still failing" in first.stdout
    rows = ledger(archive_path)
    failed = {row["version_id"] for row in rows if row["status"] == "failed"}
    succeeded = {row["version_id"] for row in rows if row["status"] == "ok"}
    assert failed and succeeded and not (failed & succeeded)
    assert all("exit code 3" in row["error"] for row in rows if row["status"] == "failed")
    broken.write_text("fixed")
    second = handoff(archive_path, "--parser", "half", "--command", command)
    assert second.returncode == 0 and f"{len(failed)} versions handed over, {len(failed)} ok" in second.stdout
    assert {r["version_id"] for r in ledger(archive_path) if r["status"] == "failed"} == failed  # kept


def test_unknown_parser_and_bad_archive_are_one_line_exit_2(archive_path, tmp_path):
    done = handoff(archive_path, "--parser", "no-such-parser")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "standard-tables" in done.stderr
    done = handoff(tmp_path / "missing.db", "--parser", "standard-tables")
    assert done.returncode == 2 and done.stderr.startswith("harvester: ")


def test_hand_off_in_chunks_covers_every_version_once(archive_path):
    from harvester.handoff import Parser, hand_off

    seen: list[int] = []
    with Archive(archive_path) as archive:
        summary = hand_off(archive, Parser("ids", "1", lambda record: seen.append(record["version_id"])),
                           batch=3)
        expected = archive.db.execute("SELECT version_id FROM document_versions WHERE kind = 'report' "
                                      "ORDER BY document_id, version").fetchall()
    assert len(expected) > 3  # more than one chunk
    assert seen == [version_id for (version_id,) in expected] and summary.ok == len(expected)
