"""The archive's SQLite schema as a list of numbered migrations.

``PRAGMA user_version`` holds the number of the last migration applied; ``PRAGMA application_id``
marks the file as a harvester archive so that some other SQLite file is never "migrated" by
mistake. To change the schema, append a :class:`Migration` to :data:`MIGRATIONS` (never edit an
applied one) and add a test that upgrades a file built by the previous version. Each migration
runs in its own ``BEGIN IMMEDIATE`` transaction together with its ``user_version`` bump, so a
crash leaves the file at the old or the new version, never in between.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

#: "NBAR" (年报 archive): written into the SQLite header by migration 1.
APPLICATION_ID = 0x4E424152

#: Capture outcomes known to the schema, with what they mean. Kept in the ``outcomes`` table so
#: that ``captures.outcome`` is checked by a foreign key and a new outcome is one INSERT away.
OUTCOMES: dict[str, str] = {
    "ok": "a response was received and its body stored",
    "not_modified": "the server answered 304 to a conditional request",
    "blocked": "a WAF or anti-bot page (e.g. 瑞数 412) answered instead of the content",
    "error": "no usable response: DNS, TCP, TLS, timeout, 5xx, …",
    "robots_denied": "robots.txt forbids the URL; nothing was fetched",
    "gone": "the page no longer exists (404/410 or a meta-refresh to the column)",
}


class ArchiveError(Exception):
    """An expected failure opening or reading an archive: reported as one line."""


class SchemaError(ArchiveError):
    """The file cannot be used with this code (not an archive, or a newer schema)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


def _run_script(db: Database, script: str) -> None:
    """Execute a multi-statement script inside the caller's transaction.

    ``sqlite3.executescript`` would COMMIT the migration's open transaction first, losing both
    its atomicity and the write lock that keeps two processes from migrating at once.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip().strip(";").strip():
                db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement.strip()[:80]}")


def _append_only(db: Database, table: str, *, updatable: Sequence[str] | None = None) -> None:
    # Captures, bodies and versions are evidence: nothing may rewrite or remove them. Triggers
    # make that a property of the file, not just of this code. ``updatable`` lists the columns a
    # table may still change (None: no column may); deletes are always refused.
    db.execute(
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
    )
    if updatable is None:
        db.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
        )
    else:
        frozen = [c.name for c in db[table].columns if c.name not in updatable]
        db.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(frozen)} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table}: identity columns are read-only'); END"
        )


def _v1_initial(db: Database) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    _run_script(db,
        """
        CREATE TABLE schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        );
        CREATE TABLE outcomes (
            name TEXT PRIMARY KEY,
            description TEXT NOT NULL
        );
        CREATE TABLE crawl_runs (
            crawl_id TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            software_version TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',  -- JSON object
            counts TEXT                            -- JSON {outcome: n}, set by finish_run
        );
        -- One row per distinct body (content-addressed); ``size`` is the raw length.
        CREATE TABLE bodies (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            compression TEXT NOT NULL,  -- 'zlib', 'zstd' or 'identity'
            stored_size INTEGER NOT NULL,
            data BLOB NOT NULL,
            first_seen TEXT NOT NULL
        );
        -- One row per HTTP exchange (or attempt), failed ones included.
        CREATE TABLE captures (
            capture_id INTEGER PRIMARY KEY,
            crawl_id TEXT NOT NULL REFERENCES crawl_runs(crawl_id),
            seed TEXT,
            url TEXT NOT NULL,                        -- as requested
            final_url TEXT NOT NULL,                  -- after redirects
            redirects TEXT NOT NULL DEFAULT '[]',     -- JSON [{url, status}] hop by hop
            method TEXT NOT NULL DEFAULT 'GET',
            status INTEGER,                           -- NULL when no response at all
            request_headers TEXT NOT NULL DEFAULT '[]',   -- JSON [[name, value]], order kept
            response_headers TEXT NOT NULL DEFAULT '[]',
            content_type TEXT,
            fetched_at TEXT NOT NULL,                 -- ISO 8601 UTC, fixed width
            duration REAL,                            -- seconds
            referrer TEXT,
            hop_path TEXT NOT NULL DEFAULT '',
            body_sha256 TEXT REFERENCES bodies(sha256),
            body_size INTEGER,
            truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
            charset_declared TEXT,
            charset_detected TEXT,
            charset_used TEXT,
            outcome TEXT NOT NULL REFERENCES outcomes(name),
            reason TEXT NOT NULL DEFAULT '',
            archived_at TEXT NOT NULL,
            CHECK ((body_sha256 IS NULL) = (body_size IS NULL))
        );
        -- One row per report identity; attachments point at the page that listed them.
        CREATE TABLE documents (
            document_id INTEGER PRIMARY KEY,
            portal TEXT NOT NULL,
            url TEXT NOT NULL,
            parent_url TEXT,
            first_capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
            created_at TEXT NOT NULL,
            UNIQUE (portal, url)
        );
        -- A new row only when a document's clean text changes.
        CREATE TABLE document_versions (
            version_id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(document_id),
            version INTEGER NOT NULL CHECK (version >= 1),
            capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
            archived_at TEXT NOT NULL,
            clean_url TEXT NOT NULL,          -- CleanResult.url
            source_type TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',   -- copies of metadata fields, for queries
            agency TEXT NOT NULL DEFAULT '',
            year INTEGER,
            published TEXT,
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            tables TEXT NOT NULL DEFAULT '[]',       -- JSON, CleanResult.tables
            metadata TEXT NOT NULL DEFAULT '{}',     -- JSON, CleanResult.metadata
            attachments TEXT NOT NULL DEFAULT '[]',  -- JSON
            quality TEXT NOT NULL DEFAULT '{}',      -- JSON
            charset TEXT NOT NULL DEFAULT '{}',      -- JSON
            extractor TEXT NOT NULL DEFAULT '',
            UNIQUE (document_id, version)
        );
        -- Every capture that yielded a document, and the version its text matched: when a
        -- version was first and last seen, and by which crawls.
        CREATE TABLE document_captures (
            capture_id INTEGER PRIMARY KEY REFERENCES captures(capture_id),
            document_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            FOREIGN KEY (document_id, version) REFERENCES document_versions(document_id, version)
        );
        """
    )
    db["outcomes"].insert_all(
        [{"name": k, "description": v} for k, v in OUTCOMES.items()], pk="name"
    )
    db["captures"].create_index(["crawl_id", "outcome"])
    db["captures"].create_index(["url"])
    db["captures"].create_index(["final_url"])
    db["captures"].create_index(["body_sha256"])
    db["captures"].create_index(["fetched_at"])
    db["document_versions"].create_index(["capture_id"])
    db["document_versions"].create_index(["kind"])
    db["document_captures"].create_index(["document_id", "version"])
    # External-content FTS5 over the versions, kept in sync by sqlite-utils' triggers. The
    # trigram tokenizer is what makes Chinese searchable without a word segmenter.
    db["document_versions"].enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)
    _append_only(db, "bodies")
    _append_only(db, "captures")
    _append_only(db, "document_versions")
    _append_only(db, "document_captures")
    _append_only(db, "documents", updatable=["parent_url"])
    _append_only(db, "crawl_runs", updatable=["finished_at", "status", "counts"])


#: The schema's history. Append only; the list index + 1 must equal ``version``.
def _v2_recrawl(db: Database) -> None:
    _run_script(db,
        """
        -- The crawl frontier, written in the same transactions as the captures: a request is
        -- 'done' exactly when its capture is committed, so a crawl killed at any moment resumes
        -- with every request that was due and nothing twice. Working state, not evidence: rows
        -- change state, and the frontier of a finished run may be pruned.
        CREATE TABLE frontier (
            crawl_id TEXT NOT NULL REFERENCES crawl_runs(crawl_id),
            fingerprint TEXT NOT NULL,            -- Scrapy request fingerprint (hex)
            request TEXT NOT NULL,                -- JSON: url, method, body, priority, meta
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
            enqueued_at TEXT NOT NULL,
            done_at TEXT,
            PRIMARY KEY (crawl_id, fingerprint)
        ) WITHOUT ROWID;
        CREATE INDEX frontier_pending ON frontier (crawl_id, state);
        -- What happened to a document besides new versions: 'gone' when its URL stopped
        -- answering, 'back' when it answered again. Documents are never deleted.
        CREATE TABLE document_events (
            event_id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(document_id),
            event TEXT NOT NULL CHECK (event IN ('gone', 'back')),
            capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
            at TEXT NOT NULL
        );
        CREATE INDEX document_events_document ON document_events (document_id, event_id);
        -- Where each capture's records are in the WARC files written during the crawl.
        ALTER TABLE captures ADD COLUMN warc_file TEXT;
        ALTER TABLE captures ADD COLUMN warc_offset INTEGER;
        ALTER TABLE captures ADD COLUMN warc_length INTEGER;
        CREATE INDEX IF NOT EXISTS captures_final_url ON captures (final_url, capture_id);
        -- Hand-off of report versions to parsers: every attempt, its result or its error. A
        -- version is handed to a parser name+version until one attempt succeeds, then never again.
        CREATE TABLE handoff_ledger (
            attempt_id INTEGER PRIMARY KEY,
            parser TEXT NOT NULL,
            parser_version TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES document_versions(version_id),
            status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
            tries INTEGER NOT NULL DEFAULT 1,        -- calls made in this attempt (retries)
            result TEXT,                             -- the parser's JSON output
            error TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX handoff_once ON handoff_ledger (parser, parser_version, version_id)
            WHERE status = 'ok';
        CREATE INDEX handoff_by_version ON handoff_ledger (version_id);
        -- The completeness record of each report version per parser (its latest successful
        -- hand-off): sections found, tables found, consistency rules passed.
        CREATE VIEW version_completeness AS
            SELECT h.version_id, h.parser, h.parser_version,
                   json_extract(h.result, '$.completeness.sections_found') AS sections_found,
                   json_extract(h.result, '$.completeness.tables_found') AS tables_found,
                   json_extract(h.result, '$.completeness.rules_passed') AS rules_passed,
                   json_extract(h.result, '$.completeness.rules_total') AS rules_total,
                   json_extract(h.result, '$.completeness.complete') AS complete
            FROM handoff_ledger h
            WHERE h.status = 'ok' AND json_extract(h.result, '$.completeness') IS NOT NULL;
        -- robots.txt as last fetched per host, so that frequent re-crawls need not fetch it
        -- again within a day (working state: replaced on each fetch).
        CREATE TABLE robots_cache (
            netloc TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            status INTEGER,
            body BLOB NOT NULL
        );
        """
    )
    _append_only(db, "document_events")
    _append_only(db, "handoff_ledger")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1_initial),
    Migration(2, "frontier, document events, WARC pointers, hand-off ledger, robots cache", _v2_recrawl),
)

#: The schema version this code writes and understands.
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def check_archive(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Return the file's schema version; raise :class:`SchemaError` if the file is not ours.

    A file with no tables and no version is a fresh archive (version 0).
    """
    version = schema_version(db)
    app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    if app_id != APPLICATION_ID and (app_id != 0 or version != 0 or db.table_names()):
        raise SchemaError("not a harvester archive (some other SQLite database)")
    if version > migrations[-1].version:
        raise SchemaError(
            f"archive schema version {version} is newer than this harvester knows "
            f"({migrations[-1].version}); upgrade the harvester"
        )
    return version


def migrate(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied.

    Safe with several processes opening the same new file at once: the version is re-read after
    ``BEGIN IMMEDIATE`` takes the write lock, so each migration runs exactly once.
    """
    for index, migration in enumerate(migrations, start=1):
        if migration.version != index:
            raise ValueError(f"migration {migration.name!r} should be version {index}")
    applied: list[int] = []
    if check_archive(db, migrations) == migrations[-1].version:
        return applied
    conn = db.conn
    for migration in migrations:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = check_archive(db, migrations)
            if current >= migration.version:
                conn.execute("ROLLBACK")
                continue
            migration.apply(db)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.name, datetime.now(UTC).isoformat()],
            )
            conn.execute(f"PRAGMA user_version = {migration.version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def is_locked_error(error: BaseException) -> bool:
    """True for the transient errors another writer causes (retry them)."""
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error)
    )
