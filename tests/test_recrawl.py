"""Recurring crawls on the test bed: SIGKILL and resume, conditional re-crawls, changed, added and
removed reports, the archive lock, status and diff — all through the real CLI and real files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harvester.testbed.demo import write_seeds
from harvester.testbed.server import start_testbed

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "HARVESTER_PROGRESS=off"]


def crawl_command(seeds: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds), "--db", str(db), *FAST, *extra]


def crawl(seeds: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(crawl_command(seeds, db, *extra), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def documents(db: Path) -> dict[str, tuple[str, int]]:
    """url → (kind of the latest version, number of versions)."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT d.url, (SELECT kind FROM document_versions WHERE document_id = d.document_id "
            "ORDER BY version DESC LIMIT 1), (SELECT count(*) FROM document_versions "
            "WHERE document_id = d.document_id) FROM documents d"
        ).fetchall()
    return {url: (kind, versions) for url, kind, versions in rows}


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def testbed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("recrawl")
    bed = start_testbed(directory / "testbed", slow_seconds=0.3, fail_first=0)
    seeds = write_seeds(bed.manifest, directory / "seeds.csv")
    reference = directory / "reference.db"
    crawl(seeds, reference)
    bed.first_crawl_requests = len(bed.requests())  # what a first crawl of the test bed costs
    yield bed, seeds, reference, directory
    bed.stop()


def test_sigkill_mid_crawl_then_resume_gives_the_same_documents(testbed):
    bed, seeds, reference, directory = testbed
    db = directory / "killed.db"
    # Slow the crawl down so that the kill lands in the middle of it.
    process = subprocess.Popen(crawl_command(seeds, db, "-s", "DOWNLOAD_DELAY=0.05",
                                             "-s", "HARVESTER_FLUSH_SECONDS=0.2"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        ready = db.exists() and query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'captures'")[0][0]
        if ready and query(db, "SELECT count(*) FROM captures")[0][0] >= 25:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    captured_before = query(db, "SELECT count(*) FROM captures")[0][0]
    pending = query(db, "SELECT count(*) FROM frontier WHERE state = 'pending'")[0][0]
    assert captured_before >= 25 and pending > 0  # killed mid-way, with work left
    assert query(db, "SELECT status FROM crawl_runs")[0][0] == "running"

    done = crawl(seeds, db)
    assert "resuming the interrupted crawl run" in done.stdout
    assert query(db, "SELECT count(*) FROM crawl_runs")[0][0] == 1
    assert query(db, "SELECT status FROM crawl_runs")[0][0] == "finished"
    assert query(db, "SELECT count(*) FROM frontier WHERE state = 'pending'")[0][0] == 0
    assert documents(db) == documents(reference)  # same documents, same kinds, one version each
    assert {versions for _, versions in documents(db).values()} == {1}
    # Nothing fetched twice: each request's capture was committed once.
    duplicated = query(db, "SELECT url, method, count(*) FROM captures WHERE outcome != 'error' "
                           "GROUP BY url, method, hop_path HAVING count(*) > 1")
    assert duplicated == []
    verify = subprocess.run([sys.executable, "-m", "harvester", "verify", "--db", str(db)],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout


def test_second_crawl_of_an_unchanged_portal_is_conditional_and_adds_no_version(testbed):
    bed, seeds, reference, directory = testbed
    before = documents(reference)
    first = bed.requests()
    crawl(seeds, reference, "-s", "HARVESTER_FRESH_DAYS=0")  # revalidate every known URL
    second = bed.requests()[len(first):]
    assert documents(reference) == before
    pages = [r for r in second if r["path"] != "/robots.txt"]
    conditional = [r for r in pages if r["if_none_match"] or r["if_modified_since"]]
    assert len(conditional) >= 0.8 * len(pages)
    assert sum(r["status"] == 304 for r in second) >= 30
    assert sum(r["bytes"] for r in second) < 0.1 * sum(r["bytes"] for r in first)
    run = query(reference, "SELECT crawl_id FROM crawl_runs ORDER BY started_at DESC LIMIT 1")[0][0]
    assert query(reference, "SELECT count(*) FROM captures WHERE crawl_id = ? AND outcome = 'not_modified'",
                 (run,))[0][0] >= 30
    assert query(reference, "SELECT count(*) FROM document_versions v JOIN captures c USING (capture_id) "
                            "WHERE c.crawl_id = ?", (run,))[0][0] == 0


def test_recently_confirmed_reports_are_not_asked_again(testbed):
    bed, seeds, reference, directory = testbed
    before = documents(reference)
    first_count = len(bed.requests())
    crawl(seeds, reference)  # default HARVESTER_FRESH_DAYS: everything was confirmed minutes ago
    again = bed.requests()[first_count:]
    report_paths = {"/" + url.split("/", 3)[3] for url in before}
    asked = [(r["host"], r["path"], r["status"]) for r in again if r["path"] in report_paths]
    assert not asked, asked  # no report page re-requested
    assert documents(reference) == before
    # robots.txt (cached a day) and home/navigation pages (read from the archive) are not asked
    # again either: what remains is the first page of each 年报 column, conditionally.
    assert not [r for r in again if r["path"] in ("/robots.txt", "/")]
    assert 0 < len(again) <= 0.10 * bed.first_crawl_requests  # the target
    # A blocked page has no confirmed copy: each crawl tries it again (and records the block).
    unconditional = [(r["path"], r["status"]) for r in again if r["status"] != 412
                     and not (r["if_none_match"] or r["if_modified_since"] or r["method"] == "POST")]
    assert not unconditional, unconditional


def test_changed_added_and_removed_reports(testbed):
    bed, seeds, reference, directory = testbed
    before = documents(reference)
    bed.mutate(1)
    try:
        crawl(seeds, reference, "-s", "HARVESTER_FRESH_DAYS=0")
    finally:
        bed.mutate(0)
    after = documents(reference)
    added = set(after) - set(before)
    assert len(added) == 1 and after[added.pop()][0] == "report"
    revised = [url for url in before if after[url][1] == before[url][1] + 1]
    assert len(revised) == 1
    document_id = query(reference, "SELECT document_id FROM documents WHERE url = ?", (revised[0],))[0][0]
    diff = subprocess.run([sys.executable, "-m", "harvester", "diff", str(document_id), "--db", str(reference)],
                          capture_output=True, text=True, timeout=60)
    assert diff.returncode == 0 and "version 1" in diff.stdout and "version 2" in diff.stdout
    assert any(line.startswith("+") and not line.startswith("+++") for line in diff.stdout.splitlines())
    gone = query(reference, "SELECT d.url FROM document_events e JOIN documents d USING (document_id) "
                            "WHERE e.event = 'gone'")
    assert len(gone) >= 1
    # Gone is an event, never a deletion: the document and its versions are all still there.
    assert set(before) <= set(after)


def test_a_second_crawl_on_a_locked_archive_says_so_and_exits_2(testbed, tmp_path):
    bed, seeds, reference, directory = testbed
    from harvester.lock import ArchiveLock

    db = tmp_path / "locked.db"
    with ArchiveLock(db):
        done = subprocess.run(crawl_command(seeds, db), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is crawling into this archive" in done.stderr
    assert not db.exists()


def test_status_shows_the_runs_and_their_failures(testbed):
    bed, seeds, reference, directory = testbed
    done = subprocess.run([sys.executable, "-m", "harvester", "status", "--db", str(reference)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    runs = query(reference, "SELECT crawl_id FROM crawl_runs")
    assert all(run in done.stdout for (run,) in runs[-3:])
    assert "redirect loop" in done.stdout and "blocked" in done.stdout
