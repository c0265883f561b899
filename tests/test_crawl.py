"""End to end: crawl the test-bed portals into a real SQLite archive with the real CLI, then check
the archive against the test bed's manifest and the server's own request log."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.evaluation import score_page, summarize
from harvester.testbed.demo import write_seeds
from harvester.testbed.server import start_testbed

CRAWL_TIMEOUT = 300


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    directory = tmp_path_factory.mktemp("crawl")
    testbed = start_testbed(directory / "testbed", slow_seconds=0.5, fail_first=2)
    try:
        seeds = write_seeds(testbed.manifest, directory / "seeds.csv")
        db = directory / "harvest.db"
        done = subprocess.run(
            [sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds), "--db", str(db),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "HARVESTER_PROGRESS=off"],
            capture_output=True, text=True, timeout=CRAWL_TIMEOUT,
        )
        requests = testbed.requests()
    finally:
        testbed.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    yield {"manifest": testbed.manifest, "db": connection, "requests": requests, "stdout": done.stdout,
           "log": (db.with_name("harvester.log")).read_text(encoding="utf-8")}
    connection.close()


def latest_versions(db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    rows = db.execute(
        "SELECT d.url, d.parent_url, v.* FROM documents d JOIN document_versions v USING (document_id) "
        "WHERE v.version = (SELECT max(version) FROM document_versions WHERE document_id = d.document_id)"
    ).fetchall()
    return {row["url"]: row for row in rows}


def test_every_report_archived_with_clean_text(crawl):
    reports = [r for r in crawl["manifest"]["reports"] if r["kind"] == "report"]
    archived = latest_versions(crawl["db"])
    missing = [r["url"] for r in reports if r["url"] not in archived or archived[r["url"]]["kind"] != "report"]
    assert not missing, missing
    recall = (len(reports) - len(missing)) / len(reports)
    assert recall == 1.0
    scores = []
    for report in reports:
        row = archived[report["url"]]
        expected = {"kind": "report", "title": report["title"], "text": report["expected_text"],
                    "year": report["year"],
                    "published": report["published"] if report["source_type"] == "html" else None,
                    "paragraphs": [line for line in report["expected_text"].splitlines()[1:] if " | " not in line],
                    "table_rows": [[line for line in report["expected_text"].splitlines() if " | " in line]]}
        scores.append(score_page(report["url"], expected, row["text"], year=row["year"],
                                 published=row["published"]))
    summary = summarize(scores)
    bad = {s.name: (s.paragraphs, s.table_rows, s.chrome, s.extra_lines) for s in scores
           if s.chrome or s.paragraphs[0] < s.paragraphs[1] or s.table_rows[0] < s.table_rows[1]
           or s.extra_lines[0]}
    assert summary.pages_with_chrome == 0, bad
    assert summary.paragraph_recall >= 0.99 and summary.table_rows_intact >= 0.99, bad
    assert summary.line_precision >= 0.99 and summary.title_first == 1.0, bad
    assert summary.year_correct == 1.0 and summary.date_correct == 1.0


def test_nothing_else_archived_as_a_report(crawl):
    report_urls = {r["url"] for r in crawl["manifest"]["reports"]}
    archived = latest_versions(crawl["db"])
    extra = [url for url, row in archived.items() if row["kind"] == "report" and url not in report_urls]
    assert extra == []
    not_reports = {s["url"] for s in crawl["manifest"]["specials"] if s["kind"] == "not_report"}
    assert not_reports and all(archived[url]["kind"] == "not_report" for url in not_reports)


def special(crawl, kind: str) -> list[dict]:
    found = [s for s in crawl["manifest"]["specials"] if s["kind"] == kind]
    assert found, kind
    return found


def captures_of(crawl, url: str) -> list[sqlite3.Row]:
    return crawl["db"].execute("SELECT * FROM captures WHERE url = ? OR final_url = ?", [url, url]).fetchall()


def test_waf_challenge_recorded_as_blocked_never_a_document(crawl):
    for page in special(crawl, "blocked"):
        rows = captures_of(crawl, page["url"])
        assert rows and {row["outcome"] for row in rows} == {"blocked"}
        assert crawl["db"].execute("SELECT 1 FROM documents WHERE url = ?", [page["url"]]).fetchone() is None


def test_robots_txt_respected(crawl):
    requested = [(r["host"], r["path"]) for r in crawl["requests"]]
    for page in special(crawl, "robots_disallowed"):
        path = "/" + page["url"].split("/", 3)[3]
        assert all(p != path for _, p in requested), path
        assert {row["outcome"] for row in captures_of(crawl, page["url"])} == {"robots_denied"}
    hosts = {host for host, _ in requested}
    for host in hosts:
        first = next(p for h, p in requested if h == host)
        assert first == "/robots.txt", (host, first)


def test_no_request_leaves_the_scope(crawl):
    in_scope = {a for portal in crawl["manifest"]["portals"] for a in portal["scope_addresses"]}
    requested_hosts = {r["host"] for r in crawl["requests"]}
    assert requested_hosts <= in_scope, requested_hosts - in_scope
    spam = {a for a, h in crawl["manifest"]["hosts"].items() if h["role"] == "spam_mirror"}
    assert spam and not (requested_hosts & spam)


def test_crawler_trap_is_bounded_and_user_agent_honest(crawl):
    trap = special(crawl, "trap")[0]
    trap_path = "/" + trap["url"].split("/", 3)[3].split("?", 1)[0]
    assert sum(1 for r in crawl["requests"] if r["path"].startswith(trap_path)) <= 50
    agents = {r["user_agent"] for r in crawl["requests"]}
    assert len(agents) == 1 and agents.pop().startswith("nianbao-harvester/")


def test_transient_503_retried_then_archived(crawl):
    page = special(crawl, "transient_503")[0]
    path = "/" + page["url"].split("/", 3)[3]
    statuses = [r["status"] for r in crawl["requests"] if r["path"] == path]
    assert statuses[:2] == [503, 503] and statuses[-1] == 200
    assert latest_versions(crawl["db"])[page["url"]]["kind"] == "report"


def test_attachment_only_reports_archived_from_the_attachment(crawl):
    archived = latest_versions(crawl["db"])
    attachment_reports = [r for r in crawl["manifest"]["reports"] if r["source_type"] in ("pdf", "docx")]
    assert attachment_reports
    for report in attachment_reports:
        row = archived[report["url"]]
        assert row["source_type"] == report["source_type"] and row["kind"] == "report"
        assert row["parent_url"] == report["page_url"]


def test_failures_are_captures_with_outcomes(crawl):
    gone = special(crawl, "gone")[0]
    assert {row["outcome"] for row in captures_of(crawl, gone["url"])} == {"gone"}
    loop = special(crawl, "redirect_loop")[0]
    rows = captures_of(crawl, loop["url"])
    assert rows and rows[0]["outcome"] == "error" and "redirect loop" in rows[0]["reason"]
    big = special(crawl, "oversized")[0]
    rows = captures_of(crawl, big["url"])
    assert rows and rows[0]["outcome"] == "error" and "max size" in rows[0]["reason"]
    chain = special(crawl, "redirect_chain")[0]
    rows = captures_of(crawl, chain["url"])
    assert rows and json.loads(rows[0]["redirects"]) and rows[0]["final_url"] == chain["final_url"]


def test_provenance_and_summary(crawl):
    row = crawl["db"].execute(
        "SELECT c.* FROM captures c JOIN documents d ON d.first_capture_id = c.capture_id LIMIT 1").fetchone()
    assert row["seed"] and row["hop_path"].startswith("L") and row["referrer"]
    reports = sum(1 for r in latest_versions(crawl["db"]).values() if r["kind"] == "report")
    assert f"{reports} reports archived" in crawl["stdout"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harvester", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


@pytest.mark.parametrize(("content", "message"), [
    ("name,url\n新华,http://127.0.0.11/\n坏行,ftp://x\n", "seeds.csv:3: 'ftp://x' is not an http(s) URL"),
    ("name\n新华\n", "header must name the columns name, url"),
    ("name,url,colour\n新华,http://127.0.0.11/,red\n", "unknown column(s) colour"),
])
def test_bad_seed_file_is_one_line_exit_2(tmp_path, content, message):
    (tmp_path / "seeds.csv").write_text(content, encoding="utf-8")
    done = run_cli("crawl", "--seeds", str(tmp_path / "seeds.csv"), "--db", str(tmp_path / "h.db"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "h.db").exists()


def test_standard_tables_rules_pass_on_every_2019_and_2021_report(crawl, tmp_path):
    db_path = crawl["db"].execute("PRAGMA database_list").fetchone()[2]
    done = subprocess.run([sys.executable, "-m", "harvester", "handoff", "--db", db_path,
                           "--parser", "standard-tables"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    formatted = {r["url"]: r["table_format"] for r in crawl["manifest"]["reports"]
                 if r.get("table_format") in ("2019", "2021")}
    assert formatted
    results = {}
    for url, result in crawl["db"].execute(
            "SELECT d.url, h.result FROM handoff_ledger h JOIN document_versions v USING (version_id) "
            "JOIN documents d USING (document_id) WHERE h.status = 'ok'"):
        results[url] = json.loads(result)
    for url, table_format in formatted.items():
        parsed = results[url]
        assert parsed["format"] == table_format, url
        completeness = parsed["completeness"]
        assert completeness["complete"] and completeness["rules_passed"] == completeness["rules_total"] > 0, url
    # The same completeness records, as the archive's view shows them to SQL users.
    complete = crawl["db"].execute(
        "SELECT count(*) FROM version_completeness WHERE parser = 'standard-tables' AND complete "
        "AND rules_passed = rules_total AND sections_found >= 5").fetchone()[0]
    assert complete >= len(formatted)
