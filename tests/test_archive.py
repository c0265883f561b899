"""The archive on real SQLite files: round trips, de-duplication, versions, export, search,
verify, stats and the CLI's error handling."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from archive import (
    Archive,
    ArchiveError,
    ArchiveItem,
    Capture,
    DocumentKey,
    Redirect,
    SchemaError,
)
from archive import cli as archive_cli
from harvester import cli as harvester_cli
from harvester.result import (
    Attachment,
    Charset,
    CleanResult,
    Metadata,
    Quality,
    Table,
)

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "export.schema.json"
T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)

REPORT_TEXT = (
    "某县人民政府2023年政府信息公开工作年度报告\n"
    "一、总体情况\n"
    "本年度我县持续推进政务公开。\n"
    "二、主动公开政府信息情况\n"
    "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n"
    "规章 | 0 | 0 | 0\n"
)


def make_capture(crawl_id: str, url: str, body: bytes | None = b"<html>x</html>", **kw) -> Capture:
    """A capture with every field set to something other than its default."""
    fields = dict(
        crawl_id=crawl_id,
        url=url,
        outcome="ok",
        reason="200 text/html",
        fetched_at=T0,
        final_url=url.replace("http://", "https://"),
        redirects=[Redirect(url, 301), {"url": url.replace("x.gov", "y.gov"), "status": 302}],
        method="GET",
        status=200,
        request_headers={"User-Agent": "harvester-test", "Accept": "text/html"},
        response_headers=[
            (b"Content-Type", b"text/html; charset=gb2312"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Content-Disposition", "attachment; filename=年报.pdf".encode()),
        ],
        duration=0.25,
        referrer="http://www.x.gov.cn/col/col1/index.html",
        hop_path="LLA",
        seed="http://www.x.gov.cn/",
        body=body,
        truncated=True,
        charset_declared="gb2312",
        charset_detected="gb18030",
        charset_used="gb18030",
    )
    fields.update(kw)
    return Capture(**fields)


def make_clean(url: str, text: str = REPORT_TEXT, kind: str = "report", **kw) -> CleanResult:
    fields = dict(
        url=url,
        source_type="html",
        kind=kind,
        reason="title matches 年报",
        text=text,
        tables=[
            Table(
                rows=[["信息内容", "本年制发件数", ""], ["规章", "0", "0"]],
                spans=[[0, 1, 1, 2]],
                caption="第二十条第（一）项",
            )
        ],
        metadata=Metadata(
            title="某县人民政府2023年政府信息公开工作年度报告",
            agency="某县人民政府办公室",
            year=2023,
            published="2024-01-15",
            index_no="000000000/2024-00001",
            doc_no="",
            site_name="某县人民政府",
            site_id="3300000001",
            column="政府信息公开年报",
            extra={"主题分类": "综合政务"},
        ),
        attachments=[Attachment(url=url + ".pdf", name="年报.pdf", extension="pdf")],
        charset=Charset("gb2312", "gb2312", "gb18030", "gb18030", 0),
        quality=Quality(sections=["一", "二"], tables=1, characters=len(text), warnings=["x"]),
        extractor="trafilatura/2.3.1 tables=grid",
    )
    fields.update(kw)
    return CleanResult(**fields)


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "harvest.db") as opened:
        yield opened


@pytest.fixture
def crawl_id(archive: Archive) -> str:
    return archive.start_run({"DOWNLOAD_DELAY": 1, "seeds": ["http://www.x.gov.cn/"]})


def report_item(crawl_id: str, n: int = 1, text: str = REPORT_TEXT, body: bytes | None = None):
    url = f"http://www.x.gov.cn/art/2024/1/15/art_1_{n}.html"
    capture = make_capture(crawl_id, url, body=body or f"<html>{text}</html>".encode())
    return ArchiveItem(capture, make_clean(url, text), DocumentKey("x.gov.cn", url))


def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


# -- captures and bodies ---------------------------------------------------------------------


def test_every_capture_field_round_trips(archive: Archive, crawl_id: str) -> None:
    ok = make_capture(crawl_id, "http://www.x.gov.cn/a.html", body="正文".encode("gb18030"))
    failed = Capture(
        crawl_id,
        "http://www.x.gov.cn/b.html",
        "error",
        reason="DNS lookup failed",
        fetched_at="2024-03-01T16:30:00+08:00",
    )
    written = archive.write_batch([ok, failed])
    assert [w.capture_id for w in written] == [1, 2]

    back = archive.capture(1)
    assert back == ok
    assert back.fetched_at == "2024-03-01T08:30:00.000000Z"
    assert back.redirects[1] == Redirect("http://www.y.gov.cn/a.html", 302)
    assert ("Set-Cookie", "b=2") in back.response_headers  # repeated headers kept
    assert back.response_headers[3] == ("Content-Disposition", "attachment; filename=年报.pdf")
    assert back.body_sha256 == ok.body_sha256 and back.body_size == 4
    row = archive.db["captures"].get(1)
    assert row["content_type"] == "text/html; charset=gb2312"
    assert row["body_sha256"] == ok.body_sha256 and row["truncated"] == 1

    back_failed = archive.capture(2)
    assert back_failed == failed
    assert back_failed.body is None and back_failed.status is None
    assert back_failed.fetched_at == "2024-03-01T08:30:00.000000Z"  # converted to UTC


def test_capture_input_is_checked() -> None:
    with pytest.raises(ValueError, match="outcome"):
        Capture("run", "http://x", "fine")
    with pytest.raises(ValueError, match="time zone"):
        Capture("run", "http://x", "ok", fetched_at=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="crawl_id"):
        Capture("", "http://x", "ok")


def test_unknown_run_is_refused(archive: Archive) -> None:
    with pytest.raises(ValueError, match="unknown crawl run"):
        archive.write_batch([Capture("nope", "http://x", "ok")])


def test_same_body_twice_is_one_blob(archive: Archive, crawl_id: str) -> None:
    body = ("<html>" + "政府信息公开" * 2000 + "</html>").encode()
    first = make_capture(crawl_id, "http://www.x.gov.cn/a.html", body=body)
    second = make_capture(crawl_id, "http://www.x.gov.cn/mirror.html", body=body)
    archive.write_batch([first, second])  # twice in one batch
    archive.write_batch([make_capture(crawl_id, "http://www.x.gov.cn/c.html", body=body)])
    assert archive.db["bodies"].count == 1
    assert archive.db["captures"].count == 3
    (blob,) = archive.db["bodies"].rows
    assert blob["size"] == len(body) and blob["compression"] == "zlib"
    assert blob["stored_size"] < len(body) / 10  # compressed
    assert archive.body(first.body_sha256) == body
    stats = archive.stats()
    assert stats["body_bytes_captured"] == 3 * len(body)
    assert stats["body_bytes_unique"] == len(body)


def test_incompressible_body_is_stored_as_is(archive: Archive, crawl_id: str) -> None:
    import os

    body = os.urandom(4096)
    capture = make_capture(crawl_id, "http://www.x.gov.cn/a.pdf", body=body)
    archive.write_batch([capture])
    assert archive.db["bodies"].get(capture.body_sha256)["compression"] == "identity"
    assert archive.body(capture.body_sha256) == body


def test_zstd_bodies(tmp_path: Path) -> None:
    pytest.importorskip("backports.zstd")
    with Archive(tmp_path / "z.db", compression="zstd") as archive:
        run = archive.start_run()
        body = b"<p>" * 5000
        archive.write_batch([make_capture(run, "http://www.x.gov.cn/a", body=body)])
        sha = archive.capture(1).body_sha256
        assert archive.db["bodies"].get(sha)["compression"] == "zstd"
        assert archive.body(sha) == body
        assert archive.verify() == []


# -- documents and versions ------------------------------------------------------------------


def test_clean_result_round_trips(archive: Archive, crawl_id: str) -> None:
    item = report_item(crawl_id)
    (written,) = archive.write_batch([item])
    assert (written.document_id, written.version, written.new_version) == (1, 1, True)
    assert archive.clean_result(1) == item.clean
    assert archive.clean_result(1, version=1) == item.clean
    doc = archive.document(1)
    assert (doc["portal"], doc["url"], doc["first_capture_id"]) == ("x.gov.cn", item.capture.url, 1)


def test_changed_text_makes_version_2_and_keeps_version_1(archive: Archive, crawl_id: str) -> None:
    first = report_item(crawl_id)
    archive.write_batch([first])
    # Same text from another fetch (new body, new extractor): no new version, but a sighting.
    same = report_item(crawl_id, body=b"<html>re-fetched, other markup</html>")
    same.clean.extractor = "trafilatura/2.4"
    (w,) = archive.write_batch([same])
    assert (w.document_id, w.version, w.new_version) == (1, 1, False)

    changed_text = REPORT_TEXT + "六、其他需要报告的事项\n无。\n"
    (w2,) = archive.write_batch([report_item(crawl_id, text=changed_text)])
    assert (w2.document_id, w2.version, w2.new_version) == (1, 2, True)

    assert archive.clean_result(1, 1) == first.clean  # version 1 intact
    assert archive.clean_result(1, 1).text == REPORT_TEXT
    assert archive.clean_result(1).text == changed_text
    versions = archive.document(1)["versions"]
    assert [(v["version"], v["capture_id"], v["sightings"]) for v in versions] == [
        (1, 1, 2),
        (2, 3, 1),
    ]
    assert archive.db["documents"].count == 1


def test_nothing_is_overwritten_or_deleted(archive: Archive, crawl_id: str) -> None:
    archive.write_batch([report_item(crawl_id)])
    for sql in (
        "UPDATE captures SET status = 500",
        "DELETE FROM captures",
        "UPDATE bodies SET data = x'00'",
        "DELETE FROM bodies",
        "UPDATE document_versions SET text = 'x'",
        "DELETE FROM document_versions",
        "UPDATE documents SET url = 'x'",
        "DELETE FROM documents",
        "DELETE FROM document_captures",
        "UPDATE crawl_runs SET settings = '{}'",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            archive.db.execute(sql)
    assert archive.verify() == []


def test_only_real_reports_become_documents(archive: Archive, crawl_id: str) -> None:
    url = "http://www.x.gov.cn/a.html"
    blocked = make_capture(crawl_id, url, outcome="blocked", status=412, body=b"$_ts=1")
    with pytest.raises(ValueError, match="cannot become a document"):
        ArchiveItem(blocked, make_clean(url))
    with pytest.raises(ValueError, match="body"):
        ArchiveItem(make_capture(crawl_id, url, body=None), make_clean(url))
    # A capture cleaned as blocked/empty is archived as a capture only.
    written = archive.write_batch(
        [
            ArchiveItem(blocked, make_clean(url, text="", kind="blocked")),
            ArchiveItem(make_capture(crawl_id, url), make_clean(url, text="", kind="empty")),
            ArchiveItem(make_capture(crawl_id, url + "?n"), make_clean(url + "?n", kind="not_report")),
        ]
    )
    assert [w.document_id for w in written] == [None, None, 1]
    assert archive.db["captures"].count == 3
    assert archive.clean_result(1).kind == "not_report"


def test_default_document_key_is_seed_host_and_url(archive: Archive, crawl_id: str) -> None:
    url = "http://www.x.gov.cn/a.html"
    archive.write_batch([ArchiveItem(make_capture(crawl_id, url), make_clean(url))])
    doc = archive.document(1)
    assert (doc["portal"], doc["url"], doc["parent_url"]) == ("www.x.gov.cn", url, None)


def test_run_start_and_finish(archive: Archive) -> None:
    run = archive.start_run({"DOWNLOAD_DELAY": 1, "odd": object()}, software_version="test 1")
    archive.write_batch(
        [
            make_capture(run, "http://www.x.gov.cn/a"),
            make_capture(run, "http://www.x.gov.cn/b", outcome="gone", status=404, body=None),
            make_capture(run, "http://www.x.gov.cn/c", outcome="robots_denied", body=None),
        ]
    )
    counts = archive.finish_run(run)
    assert counts["ok"] == 1 and counts["gone"] == 1 and counts["robots_denied"] == 1
    stored = archive.run(run)
    assert stored["counts"] == counts and stored["status"] == "finished"
    assert stored["settings"]["DOWNLOAD_DELAY"] == 1 and stored["finished_at"] > stored["started_at"]
    assert stored["software_version"] == "test 1"
    with pytest.raises(ValueError, match="already exists"):
        archive.start_run(crawl_id=run)


# -- export ----------------------------------------------------------------------------------


def test_export_validates_against_the_schema(archive: Archive, crawl_id: str) -> None:
    page = report_item(crawl_id, 1)
    pdf_url = "http://www.x.gov.cn/P020240115.pdf"
    attachment = ArchiveItem(
        make_capture(crawl_id, pdf_url, body=b"%PDF-1.7 ..."),
        make_clean(pdf_url, source_type="pdf", metadata=Metadata(title="附件", year=None)),
        DocumentKey("x.gov.cn", pdf_url, parent_url=page.capture.url),
    )
    archive.write_batch([page, attachment])
    archive.write_batch([report_item(crawl_id, 1, text=REPORT_TEXT + "更正\n")])

    records = list(archive.export(all_versions=True))
    assert len(records) == 3
    validator = schema_validator()
    for record in records:
        validator.validate(record)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    for record in records:  # every exported field is documented in the schema
        assert set(record) <= set(schema["properties"])

    v1, v2, pdf = records
    assert (v1["document_id"], v1["version"], v1["latest"]) == (1, 1, False)
    assert (v2["document_id"], v2["version"], v2["latest"]) == (1, 2, True)
    assert v1["text"] == REPORT_TEXT and v1["year"] == 2023 and isinstance(v1["year"], int)
    import hashlib

    assert v1["text_sha256"] == hashlib.sha256(REPORT_TEXT.encode()).hexdigest()
    assert v1["source_sha256"] == page.capture.body_sha256
    assert v1["final_url"] == page.capture.final_url and v1["url"] == page.capture.url
    assert v1["fetched_at"] == "2024-03-01T08:30:00.000000Z" and v1["crawl_id"] == crawl_id
    assert v1["extractor"] == "trafilatura/2.3.1 tables=grid" and v1["kind"] == "report"
    assert v1["published"] == "2024-01-15" and v1["agency"] == "某县人民政府办公室"
    assert v1["tables"][0]["rows"][0] == ["信息内容", "本年制发件数", ""]
    assert (pdf["parent_url"], pdf["source_type"], pdf["year"]) == (page.capture.url, "pdf", None)

    latest = list(archive.export())
    assert [(r["document_id"], r["version"]) for r in latest] == [(1, 2), (2, 1)]


def test_export_since_and_kind(archive: Archive, crawl_id: str) -> None:
    old = report_item(crawl_id, 1)
    new = report_item(crawl_id, 2)
    new.capture = make_capture(crawl_id, new.capture.url, fetched_at=T0 + timedelta(days=30))
    other = ArchiveItem(
        make_capture(crawl_id, "http://www.x.gov.cn/n.html", fetched_at=T0 + timedelta(days=30)),
        make_clean("http://www.x.gov.cn/n.html", kind="not_report", text="关于编制年报的通知"),
    )
    archive.write_batch([old, new, other])
    assert [r["document_id"] for r in archive.export(since="2024-03-15")] == [2]
    assert [r["document_id"] for r in archive.export(since="2024-03-15", kind=None)] == [2, 3]
    assert [r["document_id"] for r in archive.export(since=T0)] == [1, 2]
    assert [r["kind"] for r in archive.export(kind="not_report")] == ["not_report"]
    with pytest.raises(ArchiveError, match="bad date"):
        list(archive.export(since="last tuesday"))


# -- search ----------------------------------------------------------------------------------


def test_search_chinese_long_and_two_character_queries(archive: Archive, crawl_id: str) -> None:
    archive.write_batch(
        [
            report_item(crawl_id, 1),
            report_item(crawl_id, 2, text="某区2022年信息公开年报\n一、总体情况\n"),
            report_item(crawl_id, 3, text="Annual REPORT on open government information"),
        ]
    )
    hits = archive.search("总体情况")
    assert {h["document_id"] for h in hits} == {1, 2} and hits[0]["method"] == "fts"
    assert "总体情况" in hits[0]["snippet"]
    # Two characters: below the trigram's reach, answered by instr() on the base table.
    two = archive.search("年报")
    assert [h["document_id"] for h in two] == [2] and two[0]["method"] == "instr"
    assert [h["document_id"] for h in archive.search("年报 总体情况")] == [2]
    assert [h["document_id"] for h in archive.search("report")] == [3]  # case-insensitive
    assert [h["document_id"] for h in archive.search("re")] == [3]
    assert archive.search("不存在的内容") == []
    assert archive.search('"引号') == []  # FTS syntax in the query is not interpreted
    with pytest.raises(ArchiveError):
        archive.search("   ")


def test_search_latest_versions_unless_asked(archive: Archive, crawl_id: str) -> None:
    archive.write_batch([report_item(crawl_id, 1, text="旧的文本内容")])
    archive.write_batch([report_item(crawl_id, 1, text="新的文本内容")])
    assert archive.search("旧的文本") == []
    assert [h["version"] for h in archive.search("旧的文本", all_versions=True)] == [1]
    assert [h["version"] for h in archive.search("文本内容", all_versions=True)] == [1, 2]


# -- verify and stats ------------------------------------------------------------------------


def _tamper(path: Path, *statements: str) -> None:
    # A separate connection with the append-only triggers dropped, as damage from outside would.
    conn = sqlite3.connect(path, isolation_level=None)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    conn.execute("BEGIN")
    for name in names:
        if name.endswith(("_no_update", "_no_delete")):
            conn.execute(f"DROP TRIGGER {name}")
    for sql in statements:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()


def test_verify_finds_damage(tmp_path: Path) -> None:
    path = tmp_path / "harvest.db"
    with Archive(path) as archive:
        run = archive.start_run()
        archive.write_batch([report_item(run, 1), report_item(run, 2, text="第二份年度报告的正文")])
        assert archive.verify() == []
    import zlib

    _tamper(
        path,
        f"UPDATE bodies SET data = x'{zlib.compress(b'evil').hex()}' WHERE rowid = 1",
        "PRAGMA foreign_keys = OFF",
        "UPDATE captures SET body_sha256 = 'feed' WHERE capture_id = 2",
        # Change the text behind the index's back (triggers off): FTS and hash both disagree.
        "DROP TRIGGER document_versions_au",
        "UPDATE document_versions SET text = '篡改过的文本' WHERE version_id = 1",
    )
    with Archive(path, create=False) as archive:
        problems = archive.verify()
    text = "\n".join(problems)
    assert "does not match its SHA-256" in text
    assert "foreign key: captures row 2" in text
    assert "text does not match text_sha256" in text
    assert "search index" in text


def test_verify_finds_unindexed_versions(tmp_path: Path) -> None:
    path = tmp_path / "harvest.db"
    with Archive(path) as archive:
        run = archive.start_run()
        archive.write_batch([report_item(run, 1)])
    _tamper(path, "DELETE FROM document_versions_fts")
    with Archive(path, create=False) as archive:
        assert any("not indexed" in p for p in archive.verify())


def test_stats(archive: Archive, crawl_id: str) -> None:
    archive.write_batch(
        [report_item(crawl_id, 1), make_capture(crawl_id, "http://www.x.gov.cn/z", outcome="error")]
    )
    stats = archive.stats()
    assert stats["outcomes"]["ok"] == 1 and stats["outcomes"]["error"] == 1
    assert stats["captures"] == 2 and stats["documents"] == 1 and stats["versions"] == 1
    assert stats["documents_by_kind"] == {"report": 1}
    assert stats["file_bytes"]["db"] > 0 and stats["database_bytes"] > 0
    assert set(stats["outcomes"]) == {
        "ok", "not_modified", "blocked", "error", "robots_denied", "gone"
    }  # fmt: skip


# -- opening ---------------------------------------------------------------------------------


def test_open_errors(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no such archive"):
        Archive(tmp_path / "missing.db", create=False)
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive(tmp_path / "no" / "dir" / "h.db")
    with pytest.raises(ArchiveError, match="directory"):
        Archive(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(ArchiveError, match="not a usable SQLite archive"):
        Archive(junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(SchemaError, match="not a harvester archive"):
        Archive(other)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(ArchiveError, match="empty"):
        Archive(empty, create=False)


def test_wal_and_foreign_keys_on(archive: Archive) -> None:
    assert archive.db.journal_mode == "wal"
    assert archive.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# -- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]):
    """Run ``harvester …`` in-process with only the archive commands registered."""
    monkeypatch.setattr(harvester_cli, "_registrars", lambda: [archive_cli.register])

    def run(*argv: str) -> tuple[int, str, str]:
        code = harvester_cli.main(list(argv))
        out, err = capsysbinary.readouterr()
        return code, out.decode("utf-8"), err.decode("utf-8")

    return run


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "harvest.db"
    with Archive(path) as archive:
        run = archive.start_run()
        archive.write_batch([report_item(run, 1), report_item(run, 2, text="另一份年报的正文内容")])
        archive.write_batch([report_item(run, 1, text=REPORT_TEXT + "补充\n")])
        archive.write_batch([make_capture(run, "http://www.x.gov.cn/e", outcome="error", body=None)])
    return path


def test_cli_export(cli, filled: Path) -> None:
    code, out, _ = cli("export", "--db", str(filled))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["document_id"], r["version"]) for r in records] == [(1, 2), (2, 1)]
    validator = schema_validator()
    for record in records:
        validator.validate(record)
    code, out, _ = cli("export", "--db", str(filled), "--all-versions")
    assert len(out.splitlines()) == 3
    code, out, _ = cli("export", "--db", str(filled), "--since", "2099-01-01")
    assert (code, out) == (0, "")
    code, _, err = cli("export", "--db", str(filled), "--since", "soon")
    assert code == 2 and err.startswith("harvester: bad date") and len(err.splitlines()) == 1


def test_cli_verify_stats_search(cli, filled: Path) -> None:
    code, out, _ = cli("verify", "--db", str(filled))
    assert code == 0 and out.startswith("ok:")
    code, out, _ = cli("stats", "--db", str(filled))
    assert code == 0 and "documents    2" in out and "error" in out
    code, out, _ = cli("stats", "--db", str(filled), "--json")
    assert json.loads(out)["versions"] == 3
    code, out, _ = cli("search", "--db", str(filled), "年报")
    assert code == 0 and "另一份年报" in out
    code, out, _ = cli("search", "--db", str(filled), "--json", "总体情况")
    assert [json.loads(line)["document_id"] for line in out.splitlines()] == [1]

    import zlib

    _tamper(filled, f"UPDATE bodies SET data = x'{zlib.compress(b'x').hex()}' WHERE rowid = 1")
    code, out, err = cli("verify", "--db", str(filled))
    assert code == 1 and "does not match its SHA-256" in out and "problem(s)" in err


@pytest.mark.parametrize("command", ["export", "verify", "stats", "search"])
def test_cli_bad_archives_exit_2(cli, tmp_path: Path, command: str) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 512)
    newer = tmp_path / "newer.db"
    Archive(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    extra = ["q"] if command == "search" else []
    for path, message in (
        (tmp_path / "missing.db", "no such archive"),
        (junk, "not a usable SQLite archive"),
        (newer, "newer than this harvester knows"),
        (tmp_path, "is a directory"),
    ):
        code, out, err = cli(command, "--db", str(path), *extra)
        assert code == 2, (path, err)
        assert err.startswith("harvester: ") and message in err
        assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "missing.db").exists()  # never created by a read command


def test_console_script_end_to_end(filled: Path) -> None:
    """The real ``harvester`` entry point, as downstream tools call it."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent

    def harvester(*argv: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "harvester", *argv]
        return subprocess.run(command, cwd=root, capture_output=True, timeout=60)

    done = harvester("export", "--db", str(filled), "--since", "2024")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    validator = schema_validator()
    for line in lines:
        validator.validate(json.loads(line))
    assert len(lines) == 2
    assert harvester("verify", "--db", str(filled)).returncode == 0
    bad = harvester("stats", "--db", str(filled.parent / "typo.db"))
    assert bad.returncode == 2
    assert bad.stderr.decode().strip() == f"harvester: {filled.parent / 'typo.db'}: no such archive"
