"""Schema migrations: fresh files, upgrades, failed upgrades, files newer than the code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive import Archive, ArchiveItem, Capture, SchemaError
from archive.schema import (
    APPLICATION_ID,
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    check_archive,
    migrate,
    schema_version,
)
from harvester.result import CleanResult


def _db(path: Path) -> Database:
    return Database(sqlite3.connect(path, isolation_level=None))


def test_fresh_archive_is_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    Archive(path).close()
    db = _db(path)
    assert schema_version(db) == LATEST_VERSION == len(MIGRATIONS)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    recorded = [r["version"] for r in db["schema_migrations"].rows]
    assert recorded == list(range(1, LATEST_VERSION + 1))
    assert {
        "crawl_runs",
        "outcomes",
        "bodies",
        "captures",
        "documents",
        "document_versions",
        "document_captures",
        "document_versions_fts",
    } <= set(db.table_names())
    assert "tokenize='trigram'" in db["document_versions_fts"].schema.replace('"', "'")
    assert {r["name"] for r in db["outcomes"].rows} == {
        "ok", "not_modified", "blocked", "error", "robots_denied", "gone"
    }  # fmt: skip
    # Reopening applies nothing.
    assert migrate(db) == []


def _add_example_columns(db: Database) -> None:
    # A stand-in for some future migration: two new columns on an existing table.
    db["captures"].add_column("example_note", str)
    db["captures"].add_column("example_rank", int)


def test_upgrade_applies_only_the_new_migration_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Archive(path) as archive:
        run = archive.start_run()
        url = "http://www.x.gov.cn/a.html"
        archive.write_batch(
            [
                ArchiveItem(
                    Capture(run, url, "ok", body=b"<html>a</html>"),
                    CleanResult(url=url, source_type="html", kind="report", reason="", text="年报"),
                )
            ]
        )
    newer = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "example columns", _add_example_columns))
    db = _db(path)
    assert migrate(db, newer) == [LATEST_VERSION + 1]
    assert schema_version(db) == LATEST_VERSION + 1
    assert {"example_note", "example_rank"} <= set(db["captures"].columns_dict)
    assert db["captures"].count == 1 and db["document_versions"].count == 1
    assert migrate(db, newer) == []
    # This code does not know version LATEST+1: it refuses the file rather than guess.
    db.close()
    with pytest.raises(SchemaError, match="newer than this harvester knows"):
        Archive(path)


def test_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    Archive(path).close()

    def half_done(db: Database) -> None:
        db["ledger"].create({"id": int}, pk="id")
        raise RuntimeError("crash in the middle of a migration")

    db = _db(path)
    with pytest.raises(RuntimeError):
        migrate(db, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "ledger", half_done)))
    assert schema_version(db) == LATEST_VERSION
    assert "ledger" not in db.table_names()
    assert not db.conn.in_transaction


def test_migration_numbers_must_follow_each_other(tmp_path: Path) -> None:
    db = _db(tmp_path / "h.db")
    with pytest.raises(ValueError, match="should be version"):
        migrate(db, (*MIGRATIONS, Migration(LATEST_VERSION + 2, "gap", _add_example_columns)))


def test_newer_and_foreign_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    Archive(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    with pytest.raises(SchemaError, match=f"version {LATEST_VERSION + 5} is newer"):
        Archive(path)

    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with pytest.raises(SchemaError, match="not a harvester archive"):
        check_archive(_db(foreign))


def test_a_version_1_archive_upgrades_to_the_frontier_schema_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    db = Database(sqlite3.connect(path, isolation_level=None))
    migrate(db, MIGRATIONS[:1])
    assert schema_version(db) == 1 and "frontier" not in db.table_names()
    db.close()
    with Archive(path) as archive:  # opening migrates
        assert schema_version(archive.db) == LATEST_VERSION >= 2
        assert {"frontier", "document_events"} <= set(archive.db.table_names())
        assert {"warc_file", "warc_offset", "warc_length"} <= set(archive.db["captures"].columns_dict)
        run = archive.start_run()
        archive.write_batch([Capture(run, "http://www.x.gov.cn/", "ok", body=b"x")])
        assert archive.verify() == []


def test_a_failing_script_statement_rolls_the_whole_migration_back(tmp_path: Path) -> None:
    from archive.schema import _run_script

    def broken(db: Database) -> None:
        _run_script(db, "CREATE TABLE first_half (a);\nCREATE TABLE broken (;\n")

    db = Database(sqlite3.connect(tmp_path / "h.db", isolation_level=None))
    migrate(db)
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", broken)))
    assert "first_half" not in db.table_names()  # executescript would have committed it
    assert schema_version(db) == LATEST_VERSION
