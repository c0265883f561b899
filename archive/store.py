"""The archive: one SQLite file of captures, content-addressed bodies and versioned documents.

Writes come in batches, one ``BEGIN IMMEDIATE`` transaction per batch: SQLite's WAL makes a batch
visible whole or not at all, so a killed process loses at most the batch it was writing. The
CPU work (hashing, compressing) happens before the write lock is taken so that concurrent writers
hold it only for the inserts; ``database is locked`` is retried with tenacity around the whole
transaction, after SQLite's own busy timeout has run out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

from harvester.result import CleanResult

from .models import ArchiveItem, Capture, FrontierChanges, Redirect, Written, utc_timestamp
from .schema import (
    LATEST_VERSION,
    OUTCOMES,
    ArchiveError,
    check_archive,
    is_locked_error,
    migrate,
    schema_version,
)

log = logging.getLogger(__name__)

#: Codecs a body may be stored with; ``identity`` when compressing would not save anything.
CODECS = ("zlib", "zstd", "identity")

_FTS = "document_versions_fts"

# Columns of the export, in output order; see docs/export.schema.json.
_EXPORT_SQL = """
SELECT v.document_id, v.version, v.version_id, d.url, c.final_url, d.parent_url, d.portal, v.source_type,
       v.title, v.agency, v.year, v.published, v.text, v.text_sha256,
       c.body_sha256 AS source_sha256, c.fetched_at, c.crawl_id, v.extractor, v.kind, v.reason,
       v.capture_id, v.archived_at,
       v.version = (SELECT max(l.version) FROM document_versions l
                    WHERE l.document_id = v.document_id) AS latest,
       v.tables, v.metadata, v.attachments, v.quality, v.charset
FROM document_versions v
JOIN documents d ON d.document_id = v.document_id
JOIN captures c ON c.capture_id = v.capture_id
"""
_EXPORT_JSON = ("tables", "metadata", "attachments", "quality", "charset")


def _zstd() -> Any:
    try:
        from compression import zstd  # Python ≥ 3.14
    except ImportError:
        try:
            from backports import zstd
        except ImportError as error:
            raise ArchiveError("zstd needs Python 3.14 or the backports.zstd package") from error
    return zstd


def compress(data: bytes, codec: str = "zlib", level: int | None = None) -> tuple[str, bytes]:
    """Compress a body; fall back to ``identity`` for data that does not shrink (PDF, JPEG)."""
    if codec == "zlib":
        packed = zlib.compress(data, 6 if level is None else level)
    elif codec == "zstd":
        packed = _zstd().compress(data, 3 if level is None else level)
    elif codec == "identity":
        return codec, data
    else:
        raise ValueError(f"unknown compression {codec!r}; one of {CODECS}")
    return (codec, packed) if len(packed) < len(data) else ("identity", data)


def decompress(codec: str, data: bytes) -> bytes:
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "zstd":
        return _zstd().decompress(data)
    if codec == "identity":
        return bytes(data)
    raise ValueError(f"unknown compression {codec!r}")


def _json(value: Any) -> str:
    # ensure_ascii=False: Chinese stays readable in the file and costs a third of the bytes.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=repr)


def since_timestamp(value: str | date | datetime) -> str:
    """``--since`` bound as a stored-timestamp string. Dates and naive times are taken as UTC;
    ``YYYY`` and ``YYYY-MM`` mean the first day of that year or month."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}(-\d{2})?", text):
            text += "-01-01" if len(text) == 4 else "-01"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as error:
            raise ArchiveError(
                f"bad date {value!r}: use YYYY-MM-DD or an ISO 8601 date-time"
            ) from error
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return utc_timestamp(value)


class Archive:
    """An archive file, opened (and created and migrated, unless ``create=False``).

    ``db`` is the underlying :class:`sqlite_utils.Database`, for ad-hoc reads. Writes are
    serialised by a lock, so one ``Archive`` may be shared by the crawler's threads.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        busy_timeout: float = 10.0,
        retry_for: float = 120.0,
        compression: str = "zlib",
        compression_level: int | None = None,
        synchronous: str = "FULL",
    ) -> None:
        if compression not in CODECS:
            raise ValueError(f"unknown compression {compression!r}; one of {CODECS}")
        if compression == "zstd":
            _zstd()
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown synchronous mode {synchronous!r}")
        self.path = Path(path)
        self.compression = compression
        self.compression_level = compression_level
        self._lock = threading.RLock()
        self._known_runs: set[str] = set()
        # SQLite's busy timeout absorbs short waits; tenacity takes over when it runs out, with
        # jittered exponential backoff so that two blocked writers do not retry in lockstep.
        self._retrying = Retrying(
            retry=retry_if_exception(is_locked_error),
            wait=wait_exponential_jitter(multiplier=0.05, max=2.0, jitter=0.1),
            stop=stop_after_delay(retry_for),
            before_sleep=before_sleep_log(log, logging.WARNING),
            reraise=True,
        )
        if self.path.is_dir():
            raise ArchiveError(f"{self.path}: is a directory, not an archive file")
        if not self.path.exists():
            if not create:
                raise ArchiveError(f"{self.path}: no such archive")
            if not self.path.parent.is_dir():
                raise ArchiveError(f"{self.path}: directory {self.path.parent} does not exist")
        try:
            conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise ArchiveError(f"{self.path}: cannot open ({error})") from error
        try:
            self.db = Database(conn, execute_plugins=False)
            # Touching the schema is what fails on a file that is not SQLite at all. Another
            # process creating the same file may hold it locked for a moment: retried.
            version = self._retrying(check_archive, self.db)
            if version == 0 and not create:
                raise ArchiveError(f"{self.path}: empty file, not a harvester archive")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            if version < LATEST_VERSION:
                self._retrying(self._set_wal)
                self._retrying(migrate, self.db)
            elif self.db.journal_mode != "wal":
                self._retrying(self._set_wal)
        except ArchiveError:
            conn.close()
            raise
        except sqlite3.DatabaseError as error:
            conn.close()
            raise ArchiveError(f"{self.path}: not a usable SQLite archive ({error})") from error

    def _set_wal(self) -> None:
        # Readers (export, Datasette) never block the writer and vice versa.
        self.db.enable_wal()

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self, work: Any, *args: Any) -> Any:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction, retried whole while locked.

        IMMEDIATE takes the write lock up front: a deferred transaction that reads first can
        fail instantly with SQLITE_BUSY when another writer commits in between.
        """

        def attempt() -> Any:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(*args)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

        with self._lock:
            return self._retrying(attempt)

    # -- crawl runs ----------------------------------------------------------------------------

    def start_run(
        self,
        settings: Mapping[str, Any] | None = None,
        *,
        software_version: str | None = None,
        crawl_id: str | None = None,
    ) -> str:
        """Record the start of a crawl run; return its id (sortable by start time)."""
        import secrets

        from harvester import __version__

        started = utc_timestamp()
        if crawl_id is None:
            crawl_id = f"{started[:19].replace('-', '').replace(':', '')}Z-{secrets.token_hex(4)}"
        row = (
            crawl_id,
            started,
            software_version or f"nianbao-harvester {__version__}",
            _json(dict(settings or {})),
        )

        def work() -> None:
            self.db.conn.execute(
                "INSERT INTO crawl_runs (crawl_id, started_at, software_version, settings) "
                "VALUES (?, ?, ?, ?)",
                row,
            )

        try:
            self._transaction(work)
        except sqlite3.IntegrityError as error:
            raise ValueError(f"crawl run {crawl_id!r} already exists") from error
        self._known_runs.add(crawl_id)
        return crawl_id

    def finish_run(self, crawl_id: str, status: str = "finished") -> dict[str, int]:
        """Record the end of a run with its capture counts by outcome; return the counts."""

        def work() -> dict[str, int]:
            conn = self.db.conn
            if conn.execute(
                "SELECT 1 FROM crawl_runs WHERE crawl_id = ?", [crawl_id]
            ).fetchone() is None:
                raise ValueError(f"no crawl run {crawl_id!r}")
            counts = dict.fromkeys(OUTCOMES, 0)
            counts.update(
                conn.execute(
                    "SELECT outcome, count(*) FROM captures WHERE crawl_id = ? GROUP BY outcome",
                    [crawl_id],
                ).fetchall()
            )
            conn.execute(
                "UPDATE crawl_runs SET finished_at = ?, status = ?, counts = ? WHERE crawl_id = ?",
                [utc_timestamp(), status, _json(counts), crawl_id],
            )
            return counts

        return self._transaction(work)

    def run(self, crawl_id: str) -> dict[str, Any]:
        row = self._row("SELECT * FROM crawl_runs WHERE crawl_id = ?", [crawl_id])
        if row is None:
            raise KeyError(crawl_id)
        row["settings"] = json.loads(row["settings"])
        row["counts"] = json.loads(row["counts"]) if row["counts"] else None
        return row

    # -- writing -------------------------------------------------------------------------------

    def write(self, item: ArchiveItem | Capture) -> Written:
        """Write one item in its own transaction (slow: prefer :meth:`write_batch`)."""
        return self.write_batch([item])[0]

    def write_batch(
        self, items: Iterable[ArchiveItem | Capture], frontier: FrontierChanges | None = None
    ) -> list[Written]:
        """Write a batch in one transaction: all of it is committed, or none of it.

        Returns, item by item, the capture id and the document version the item maps to.
        ``frontier`` rows are written in the same transaction, so that a request is marked done
        exactly when its capture is stored. Raises ``ValueError`` for an item that refers to an
        unknown crawl run.
        """
        batch = [i if isinstance(i, ArchiveItem) else ArchiveItem(i) for i in items]
        if not batch and not frontier:
            return []
        self._check_runs({item.capture.crawl_id for item in batch})
        prepared = self._prepare(batch)
        return self._transaction(self._insert, *prepared, batch, frontier or FrontierChanges())

    def _check_runs(self, crawl_ids: set[str]) -> None:
        for crawl_id in crawl_ids - self._known_runs:
            found = self.db.execute(
                "SELECT 1 FROM crawl_runs WHERE crawl_id = ?", [crawl_id]
            ).fetchone()
            if found is None:
                raise ValueError(f"unknown crawl run {crawl_id!r}: call start_run() first")
            self._known_runs.add(crawl_id)

    def _prepare(
        self, batch: list[ArchiveItem]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[dict[str, Any] | None]]:
        """Everything that needs CPU but no lock: hashes, compression, JSON."""
        now = utc_timestamp()
        hashes = [
            hashlib.sha256(item.capture.body).hexdigest() if item.capture.body is not None else None
            for item in batch
        ]
        wanted = {h: item.capture.body for h, item in zip(hashes, batch, strict=True) if h}
        # Bodies already stored cost nothing: skip compressing them. A body another writer
        # stores meanwhile is caught by INSERT OR IGNORE.
        present: set[str] = set()
        keys = list(wanted)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            present.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT sha256 FROM bodies WHERE sha256 IN ({marks})", chunk
                ).fetchall()
            )
        body_rows = []
        for sha, data in wanted.items():
            if sha in present or data is None:
                continue
            codec, packed = compress(data, self.compression, self.compression_level)
            body_rows.append((sha, len(data), codec, len(packed), packed, now))
        capture_rows = []
        version_rows: list[dict[str, Any] | None] = []
        for item, sha in zip(batch, hashes, strict=True):
            c = item.capture
            capture_rows.append(
                (
                    c.crawl_id, c.seed, c.url, c.final_url,
                    _json([[r.url, r.status] for r in c.redirects]),
                    c.method, c.status, _json(c.request_headers), _json(c.response_headers),
                    c.content_type, c.fetched_at, c.duration, c.referrer, c.hop_path,
                    sha, c.body_size, int(c.truncated),
                    c.charset_declared, c.charset_detected, c.charset_used,
                    c.outcome, c.reason, now, c.warc_file, c.warc_offset, c.warc_length,
                )
            )  # fmt: skip
            version_rows.append(self._version_row(item, now) if item.makes_document else None)
        return body_rows, capture_rows, version_rows

    @staticmethod
    def _version_row(item: ArchiveItem, now: str) -> dict[str, Any]:
        clean = item.clean
        assert clean is not None and item.document is not None
        data = clean.to_dict()
        meta = clean.metadata
        year = meta.year
        if not isinstance(year, int) or isinstance(year, bool):
            try:
                year = int(str(year)) if year is not None else None
            except ValueError:
                year = None
        return {
            "portal": item.document.portal,
            "url": item.document.url,
            "parent_url": item.document.parent_url,
            "archived_at": now,
            "clean_url": clean.url,
            "source_type": clean.source_type,
            "kind": clean.kind,
            "reason": clean.reason,
            "title": meta.title or "",
            "agency": meta.agency or "",
            "year": year,
            "published": meta.published or None,
            "text": clean.text,
            "text_sha256": hashlib.sha256(clean.text.encode("utf-8")).hexdigest(),
            "tables": _json(data["tables"]),
            "metadata": _json(data["metadata"]),
            "attachments": _json(data["attachments"]),
            "quality": _json(data["quality"]),
            "charset": _json(data["charset"]),
            "extractor": clean.extractor,
        }

    def _insert(
        self,
        body_rows: list[tuple[Any, ...]],
        capture_rows: list[tuple[Any, ...]],
        version_rows: list[dict[str, Any] | None],
        batch: list[ArchiveItem],
        frontier: FrontierChanges,
    ) -> list[Written]:
        conn = self.db.conn
        conn.executemany(
            "INSERT OR IGNORE INTO bodies (sha256, size, compression, stored_size, data, "
            "first_seen) VALUES (?, ?, ?, ?, ?, ?)",
            body_rows,
        )
        written = []
        for row, version, item in zip(capture_rows, version_rows, batch, strict=True):
            cursor = conn.execute(
                "INSERT INTO captures (crawl_id, seed, url, final_url, redirects, method, status, "
                "request_headers, response_headers, content_type, fetched_at, duration, "
                "referrer, hop_path, body_sha256, body_size, truncated, charset_declared, "
                "charset_detected, charset_used, outcome, reason, archived_at, warc_file, "
                "warc_offset, warc_length) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            capture_id = int(cursor.lastrowid or 0)
            if version is not None:
                written.append(self._add_version(capture_id, version))
                self._event_if_changed(written[-1].document_id, "back", capture_id, version["archived_at"])
            else:
                written.append(Written(capture_id))
                self._unversioned_sighting(item, capture_id, row[-4])
        if frontier.added:
            conn.executemany(
                "INSERT OR IGNORE INTO frontier (crawl_id, fingerprint, request, enqueued_at) "
                "VALUES (?, ?, ?, ?)",
                frontier.added,
            )
        if frontier.done:
            now = utc_timestamp()
            conn.executemany(
                "UPDATE frontier SET state = 'done', done_at = ? WHERE crawl_id = ? AND fingerprint = ?",
                [(now, crawl_id, fingerprint) for crawl_id, fingerprint in frontier.done],
            )
        return written

    def _unversioned_sighting(self, item: ArchiveItem, capture_id: int, now: str) -> None:
        """A known document answered 304 (a sighting of its latest version) or is gone."""
        key = item.document
        outcome = item.capture.outcome
        if key is None or outcome not in ("not_modified", "gone"):
            return
        found = self.db.conn.execute(
            "SELECT d.document_id, max(v.version) FROM documents d JOIN document_versions v "
            "USING (document_id) WHERE d.portal = ? AND d.url = ?",
            [key.portal, key.url],
        ).fetchone()
        if found is None or found[0] is None:
            return
        document_id, version = found
        if outcome == "not_modified":
            self.db.conn.execute(
                "INSERT INTO document_captures (capture_id, document_id, version) VALUES (?, ?, ?)",
                [capture_id, document_id, version],
            )
        else:
            self._event_if_changed(document_id, "gone", capture_id, now)

    def _event_if_changed(self, document_id: int | None, event: str, capture_id: int, now: str) -> None:
        """Record 'gone' when a document stops answering and 'back' when it answers again."""
        if document_id is None:
            return
        last = self.db.conn.execute(
            "SELECT event FROM document_events WHERE document_id = ? ORDER BY event_id DESC LIMIT 1",
            [document_id],
        ).fetchone()
        current = last[0] if last else "back"
        if current != event:
            self.db.conn.execute(
                "INSERT INTO document_events (document_id, event, capture_id, at) VALUES (?, ?, ?, ?)",
                [document_id, event, capture_id, now],
            )

    def _add_version(self, capture_id: int, v: dict[str, Any]) -> Written:
        conn = self.db.conn
        found = conn.execute(
            "SELECT document_id FROM documents WHERE portal = ? AND url = ?", [v["portal"], v["url"]]
        ).fetchone()
        if found is None:
            cursor = conn.execute(
                "INSERT INTO documents (portal, url, parent_url, first_capture_id, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [v["portal"], v["url"], v["parent_url"], capture_id, v["archived_at"]],
            )
            document_id = int(cursor.lastrowid or 0)
            latest = None
        else:
            document_id = found[0]
            latest = conn.execute(
                "SELECT version, text_sha256 FROM document_versions WHERE document_id = ? "
                "ORDER BY version DESC LIMIT 1",
                [document_id],
            ).fetchone()
        # Versions follow the clean text only: same text (even re-extracted or re-fetched)
        # means the same version.
        if latest is not None and latest[1] == v["text_sha256"]:
            number, new_version = latest[0], False
        else:
            number, new_version = (1 if latest is None else latest[0] + 1), True
        if new_version:
            self._insert_version(document_id, number, capture_id, v)
        # Every sighting is kept: which captures confirmed which version, and when.
        conn.execute(
            "INSERT INTO document_captures (capture_id, document_id, version) VALUES (?, ?, ?)",
            [capture_id, document_id, number],
        )
        return Written(capture_id, document_id, number, new_version=new_version)

    def _insert_version(
        self, document_id: int, number: int, capture_id: int, v: dict[str, Any]
    ) -> None:
        self.db.conn.execute(
            "INSERT INTO document_versions (document_id, version, capture_id, archived_at, "
            "clean_url, source_type, kind, reason, title, agency, year, published, text, "
            "text_sha256, tables, metadata, attachments, quality, charset, extractor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                document_id, number, capture_id, v["archived_at"], v["clean_url"],
                v["source_type"], v["kind"], v["reason"], v["title"], v["agency"], v["year"],
                v["published"], v["text"], v["text_sha256"], v["tables"], v["metadata"],
                v["attachments"], v["quality"], v["charset"], v["extractor"],
            ],
        )  # fmt: skip

    # -- reading -------------------------------------------------------------------------------

    def unfinished_run(self) -> str | None:
        """The latest crawl run that never finished (killed or stopped): the one to resume."""
        row = self.db.execute(
            "SELECT crawl_id, status FROM crawl_runs ORDER BY started_at DESC, crawl_id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row and row[1] != "finished" else None

    def frontier(self, crawl_id: str, state: str | None = None) -> list[tuple[str, str, str]]:
        """(fingerprint, state, request JSON) of a run's frontier, in the order enqueued."""
        sql = "SELECT fingerprint, state, request FROM frontier WHERE crawl_id = ?"
        params: list[Any] = [crawl_id]
        if state:
            sql += " AND state = ?"
            params.append(state)
        return [tuple(row) for row in self.db.execute(sql + " ORDER BY enqueued_at", params).fetchall()]

    def validators(self, url: str) -> dict[str, str] | None:
        """ETag / Last-Modified of the latest ``ok`` capture of ``url``, with its body's hash."""
        row = self.db.execute(
            "SELECT response_headers, body_sha256, fetched_at, warc_file, warc_offset FROM captures "
            "WHERE final_url = ? AND outcome = 'ok' "
            "ORDER BY capture_id DESC LIMIT 1",
            [url],
        ).fetchone()
        if row is None:
            return None
        found = {"body_sha256": row[1], "fetched_at": row[2]}
        if row[3] is not None:
            from .warc import record_id_at

            found["warc_record_id"] = record_id_at(row[3], row[4])
        for name, value in json.loads(row[0]):
            if name.lower() in ("etag", "last-modified"):
                found[name.lower()] = value
        return found

    def cached_robots(self, netloc: str, max_age_hours: float) -> bytes | None:
        """The robots.txt of ``netloc`` if it was fetched less than ``max_age_hours`` ago."""
        row = self.db.execute("SELECT fetched_at, body FROM robots_cache WHERE netloc = ?", [netloc]).fetchone()
        if row is None:
            return None
        age = datetime.now(UTC) - datetime.fromisoformat(row[0].replace("Z", "+00:00"))
        return bytes(row[1]) if age.total_seconds() < max_age_hours * 3600 else None

    def cache_robots(self, netloc: str, status: int, body: bytes) -> None:
        def work() -> None:
            self.db.conn.execute(
                "INSERT OR REPLACE INTO robots_cache (netloc, fetched_at, status, body) VALUES (?, ?, ?, ?)",
                [netloc, utc_timestamp(), status, body],
            )

        self._transaction(work)

    def confirmed_at(self, url: str) -> str | None:
        """When ``url`` last answered with content or a 304 (its content confirmed), or None."""
        row = self.db.execute(
            "SELECT max(fetched_at) FROM captures WHERE final_url = ? AND outcome IN ('ok', 'not_modified')",
            [url],
        ).fetchone()
        return row[0] if row else None

    def documents_of(self, portals: Iterable[str]) -> list[dict[str, Any]]:
        """The documents of these portals (not gone), for revisiting what discovery missed."""
        portals = list(portals)
        if not portals:
            return []
        marks = ",".join("?" * len(portals))
        rows = self.db.execute(
            f"SELECT document_id, portal, url, parent_url FROM documents WHERE portal IN ({marks}) "
            "AND coalesce((SELECT event FROM document_events e WHERE e.document_id = documents.document_id "
            "ORDER BY event_id DESC LIMIT 1), 'back') != 'gone' ORDER BY document_id",
            portals,
        ).fetchall()
        return [dict(zip(("document_id", "portal", "url", "parent_url"), row, strict=True)) for row in rows]

    def _row(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        cursor = self.db.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row, strict=True))

    def body(self, sha256: str) -> bytes:
        """The raw body with this SHA-256 (``KeyError`` if not stored)."""
        row = self.db.execute(
            "SELECT compression, data FROM bodies WHERE sha256 = ?", [sha256]
        ).fetchone()
        if row is None:
            raise KeyError(sha256)
        return decompress(row[0], row[1])

    def capture(self, capture_id: int) -> Capture:
        """A capture as written, body included."""
        row = self._row("SELECT * FROM captures WHERE capture_id = ?", [capture_id])
        if row is None:
            raise KeyError(capture_id)
        return Capture(
            crawl_id=row["crawl_id"],
            url=row["url"],
            outcome=row["outcome"],
            reason=row["reason"],
            fetched_at=row["fetched_at"],
            final_url=row["final_url"],
            redirects=[Redirect(u, s) for u, s in json.loads(row["redirects"])],
            method=row["method"],
            status=row["status"],
            request_headers=[tuple(h) for h in json.loads(row["request_headers"])],
            response_headers=[tuple(h) for h in json.loads(row["response_headers"])],
            duration=row["duration"],
            referrer=row["referrer"],
            hop_path=row["hop_path"],
            seed=row["seed"],
            body=self.body(row["body_sha256"]) if row["body_sha256"] else None,
            truncated=bool(row["truncated"]),
            charset_declared=row["charset_declared"],
            charset_detected=row["charset_detected"],
            charset_used=row["charset_used"],
        )

    def document(self, document_id: int) -> dict[str, Any]:
        """A document's identity and the list of its versions (without their text)."""
        row = self._row("SELECT * FROM documents WHERE document_id = ?", [document_id])
        if row is None:
            raise KeyError(document_id)
        # Per version: the capture it came from, and how often / until when it was seen again.
        row["versions"] = list(
            self.db.query(
                "SELECT v.version, v.capture_id, v.archived_at, v.kind, v.text_sha256, "
                "v.extractor, count(s.capture_id) AS sightings, max(c.fetched_at) AS last_seen "
                "FROM document_versions v "
                "LEFT JOIN document_captures s "
                "ON s.document_id = v.document_id AND s.version = v.version "
                "LEFT JOIN captures c ON c.capture_id = s.capture_id "
                "WHERE v.document_id = ? GROUP BY v.version ORDER BY v.version",
                [document_id],
            )
        )
        return row

    def find_document(self, portal: str, url: str) -> int | None:
        row = self.db.execute(
            "SELECT document_id FROM documents WHERE portal = ? AND url = ?", [portal, url]
        ).fetchone()
        return None if row is None else int(row[0])

    def clean_result(self, document_id: int, version: int | None = None) -> CleanResult:
        """A stored version (default: the latest) as the :class:`CleanResult` it came from."""
        sql = "SELECT * FROM document_versions WHERE document_id = ?"
        params: list[Any] = [document_id]
        if version is None:
            sql += " ORDER BY version DESC LIMIT 1"
        else:
            sql += " AND version = ?"
            params.append(version)
        row = self._row(sql, params)
        if row is None:
            raise KeyError((document_id, version))
        return CleanResult.from_dict(
            {
                "url": row["clean_url"],
                "source_type": row["source_type"],
                "kind": row["kind"],
                "reason": row["reason"],
                "text": row["text"],
                "tables": json.loads(row["tables"]),
                "metadata": json.loads(row["metadata"]),
                "attachments": json.loads(row["attachments"]),
                "charset": json.loads(row["charset"]),
                "quality": json.loads(row["quality"]),
                "extractor": row["extractor"],
            }
        )

    def export(
        self,
        since: str | date | datetime | None = None,
        all_versions: bool = False,
        kind: str | None = "report",
        version_ids: Sequence[int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Document versions as export records (docs/export.schema.json), by document and version.

        Latest version of each document unless ``all_versions``; ``since`` keeps versions whose
        capture was fetched at or after it; ``kind=None`` keeps every kind; ``version_ids`` keeps
        those versions only.
        """
        where, params = [], []
        if version_ids is not None:
            where.append(f"v.version_id IN ({','.join('?' * len(version_ids))})")
            params.extend(version_ids)
        if not all_versions:
            where.append(
                "v.version = (SELECT max(l.version) FROM document_versions l "
                "WHERE l.document_id = v.document_id)"
            )
        if since is not None:
            where.append("c.fetched_at >= ?")
            params.append(since_timestamp(since))
        if kind is not None:
            where.append("v.kind = ?")
            params.append(kind)
        sql = _EXPORT_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY v.document_id, v.version"
        cursor = self.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            record["latest"] = bool(record["latest"])
            for name in _EXPORT_JSON:
                record[name] = json.loads(record[name])
            yield record

    def pending_handoff(self, parser: str, parser_version: str) -> list[int]:
        """Ids of the report versions this parser name + version has not handled successfully."""
        rows = self.db.execute(
            "SELECT v.version_id FROM document_versions v WHERE v.kind = 'report' AND NOT EXISTS "
            "(SELECT 1 FROM handoff_ledger h WHERE h.version_id = v.version_id AND h.parser = ? "
            "AND h.parser_version = ? AND h.status = 'ok') ORDER BY v.document_id, v.version",
            [parser, parser_version],
        )
        return [row[0] for row in rows]

    def record_handoff(self, attempts: list[dict[str, Any]]) -> None:
        """Append hand-off attempts to the ledger (one transaction). A second success for the
        same parser, version and document version is refused by the ledger's unique index."""

        def work() -> None:
            self.db.conn.executemany(
                "INSERT INTO handoff_ledger (parser, parser_version, version_id, status, tries, "
                "result, error, started_at, finished_at) VALUES (:parser, :parser_version, "
                ":version_id, :status, :tries, :result, :error, :started_at, :finished_at)",
                attempts,
            )

        if attempts:
            self._transaction(work)

    def search(
        self, query: str, *, limit: int = 20, all_versions: bool = False
    ) -> list[dict[str, Any]]:
        """Versions whose title or text contains every whitespace-separated term of ``query``.

        Terms of three characters or more go through the FTS5 trigram index; shorter ones (年报)
        cannot, and are matched with ``instr()`` on the base table instead — never with LIKE on
        the FTS table, which returns nothing on SQLite 3.40. Matching is substring matching,
        ASCII case-insensitive.
        """
        terms = query.split()
        if not terms:
            raise ArchiveError("empty search query")
        long_terms = [t for t in terms if len(t) >= 3]
        short_terms = [t for t in terms if len(t) < 3]
        where, params = [], []
        order = "v.document_id, v.version"
        source = "document_versions v"
        if long_terms:
            source = f"{_FTS} f JOIN document_versions v ON v.version_id = f.rowid"
            where.append(f"{_FTS} MATCH ?")
            params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
            order = "f.rank"
        for term in short_terms:
            where.append("(instr(lower(v.title), lower(?)) OR instr(lower(v.text), lower(?)))")
            params += [term, term]
        if not all_versions:
            where.append(
                "v.version = (SELECT max(l.version) FROM document_versions l "
                "WHERE l.document_id = v.document_id)"
            )
        sql = (
            "SELECT v.document_id, v.version, v.version_id, d.url, v.title, v.agency, v.year, v.kind, v.text "
            f"FROM {source} JOIN documents d ON d.document_id = v.document_id "
            f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
        )
        params.append(int(limit))
        results = []
        for row in self.db.query(sql, params):
            text = row.pop("text")
            row["snippet"] = _snippet(text, terms[0])
            row["method"] = "fts" if long_terms else "instr"
            results.append(row)
        return results

    # -- checking ------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts by outcome, documents, versions, runs and storage sizes."""
        q = self.db.execute
        outcomes = dict.fromkeys(OUTCOMES, 0)
        outcomes.update(q("SELECT outcome, count(*) FROM captures GROUP BY outcome").fetchall())
        captured = q("SELECT count(*), coalesce(sum(body_size), 0) FROM captures").fetchone()
        bodies = q(
            "SELECT count(*), coalesce(sum(size), 0), coalesce(sum(stored_size), 0) FROM bodies"
        ).fetchone()
        kinds = dict(
            q(
                "SELECT v.kind, count(*) FROM document_versions v WHERE v.version = "
                "(SELECT max(l.version) FROM document_versions l "
                "WHERE l.document_id = v.document_id) GROUP BY v.kind"
            ).fetchall()
        )
        page_size = q("PRAGMA page_size").fetchone()[0]
        page_count = q("PRAGMA page_count").fetchone()[0]
        files = {
            name: Path(f"{self.path}{suffix}").stat().st_size
            for name, suffix in (("db", ""), ("wal", "-wal"))
            if Path(f"{self.path}{suffix}").exists()
        }
        return {
            "path": str(self.path),
            "schema_version": schema_version(self.db),
            "runs": q("SELECT count(*) FROM crawl_runs").fetchone()[0],
            "captures": captured[0],
            "outcomes": outcomes,
            "documents": q("SELECT count(*) FROM documents").fetchone()[0],
            "versions": q("SELECT count(*) FROM document_versions").fetchone()[0],
            "documents_by_kind": kinds,
            "bodies": bodies[0],
            "body_bytes_captured": captured[1],  # what storing every body raw would cost
            "body_bytes_unique": bodies[1],  # after de-duplication
            "body_bytes_stored": bodies[2],  # after compression
            "database_bytes": page_size * page_count,
            "file_bytes": files,
        }

    def verify(self) -> list[str]:
        """Check everything that can be checked; return the problems found (empty: all well).

        Recomputes every body's SHA-256 and size and every version's text hash, runs SQLite's
        integrity and foreign-key checks, and checks that the full-text index matches the text.
        """
        problems: list[str] = []
        q = self.db.execute
        for (message,) in q("PRAGMA integrity_check").fetchall():
            if message != "ok":
                problems.append(f"integrity: {message}")
        for table, rowid, parent, _ in q("PRAGMA foreign_key_check").fetchall():
            problems.append(f"foreign key: {table} row {rowid} points to a missing {parent} row")
        version = schema_version(self.db)
        recorded = q("SELECT max(version) FROM schema_migrations").fetchone()[0]
        if version != LATEST_VERSION or recorded != version:
            problems.append(
                f"schema: user_version {version}, migrations table {recorded}, "
                f"code {LATEST_VERSION}"
            )
        for sha, size, codec, stored_size, data in q(
            "SELECT sha256, size, compression, stored_size, data FROM bodies"
        ):
            try:
                raw = decompress(codec, data)
            except Exception as error:  # any codec failure is damage to report, not to raise
                problems.append(f"body {sha}: cannot decompress ({codec}): {error}")
                continue
            if hashlib.sha256(raw).hexdigest() != sha:
                problems.append(f"body {sha}: content does not match its SHA-256")
            if len(raw) != size or len(data) != stored_size:
                problems.append(f"body {sha}: size {len(raw)}/{len(data)} != {size}/{stored_size}")
        for capture_id, size, stored in q(
            "SELECT c.capture_id, c.body_size, b.size FROM captures c "
            "JOIN bodies b ON b.sha256 = c.body_sha256 WHERE c.body_size != b.size"
        ):
            problems.append(f"capture {capture_id}: body_size {size} != stored body size {stored}")
        for document_id, number, text, text_sha in q(
            "SELECT document_id, version, text, text_sha256 FROM document_versions"
        ):
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != text_sha:
                problems.append(f"document {document_id} v{number}: text does not match text_sha256")
        for document_id, count, top in q(
            "SELECT d.document_id, count(v.version_id), max(v.version) FROM documents d "
            "LEFT JOIN document_versions v ON v.document_id = d.document_id "
            "GROUP BY d.document_id HAVING count(v.version_id) != coalesce(max(v.version), -1)"
        ):
            problems.append(f"document {document_id}: {count} versions, numbered up to {top}")
        for capture_id, outcome in q(
            "SELECT c.capture_id, c.outcome FROM document_versions v "
            "JOIN captures c ON c.capture_id = v.capture_id "
            "WHERE c.outcome != 'ok' OR c.body_sha256 IS NULL"
        ):
            problems.append(f"capture {capture_id}: a {outcome!r} capture became a document")
        for document_id, number in q(
            "SELECT v.document_id, v.version FROM document_versions v WHERE NOT EXISTS "
            "(SELECT 1 FROM document_captures s WHERE s.capture_id = v.capture_id "
            "AND s.document_id = v.document_id AND s.version = v.version)"
        ):
            problems.append(f"document {document_id} v{number}: its capture is not recorded")
        problems.extend(self._verify_fts())
        return problems

    def _verify_fts(self) -> list[str]:
        q = self.db.execute
        problems = []
        indexed = q(f"SELECT count(*) FROM {_FTS}_docsize").fetchone()[0]
        rows = q("SELECT count(*) FROM document_versions").fetchone()[0]
        if indexed != rows:
            problems.append(f"search index: {indexed} rows indexed, {rows} versions stored")
        missing = q(
            f"SELECT count(*) FROM document_versions v WHERE NOT EXISTS "
            f"(SELECT 1 FROM {_FTS}_docsize s WHERE s.id = v.version_id)"
        ).fetchone()[0]
        if missing:
            problems.append(f"search index: {missing} versions not indexed")
        try:
            # rank=1: also compare the index with the external content table (the text).
            self.db.conn.execute(f"INSERT INTO {_FTS} ({_FTS}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as error:
            problems.append(f"search index: out of sync with the text ({error})")
        return problems


def _snippet(text: str, term: str, width: int = 40) -> str:
    at = text.lower().find(term.lower())
    if at < 0:
        return text[: 2 * width].replace("\n", " ")
    start = max(0, at - width)
    end = at + len(term) + width
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return prefix + text[start:end].replace("\n", " ") + suffix
