"""Crash safety and concurrency with real processes: SIGKILL in the middle of a batch, two
writers on one file, and tenacity's retry when the file stays locked."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from archive import Archive
from archive.schema import LATEST_VERSION

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

ROOT = Path(__file__).resolve().parent.parent
BATCH = 40

# The writer child: batch b, item i has a unique URL, body and text derived from (tag, b, i) so
# the parent can check every committed item field by field. With KILL_AT set, a trace callback
# stops the child half-way through that batch's inserts, inside the open transaction.
WRITER = textwrap.dedent(
    """
    import sys, time
    from archive import Archive, ArchiveItem, Capture, DocumentKey
    from harvester.result import CleanResult, Metadata

    path, tag, batches, kill_at, busy, shared = sys.argv[1:7]
    batches, kill_at, busy, shared = int(batches), int(kill_at), float(busy), shared == "1"
    archive = Archive(path, busy_timeout=busy)
    run = archive.start_run({"tag": tag})
    state = {"batch": -1, "n": 0}

    def trace(sql):
        if state["batch"] == kill_at and sql.startswith("INSERT INTO captures"):
            state["n"] += 1
            if state["n"] == BATCH // 2:
                print(f"mid {state['batch']}", flush=True)
                time.sleep(60)

    archive.db.conn.set_trace_callback(trace)

    def item(b, i):
        key = f"{tag}/{b}/{i}"
        # Shared mode: both writers report the same documents with the same text.
        doc = f"shared/{b}/{i}" if shared else key
        url = f"http://www.x.gov.cn/{doc}.html"
        text = f"{doc} 政府信息公开工作年度报告 一、总体情况"
        body = (f"<html>{key}</html>" + "政务公开" * 500).encode()
        capture = Capture(run, url, "ok", status=200, body=body, fetched_at=1_700_000_000 + b)
        clean = CleanResult(url=url, source_type="html", kind="report", reason="test",
                            text=text, metadata=Metadata(title=doc, year=2023))
        return ArchiveItem(capture, clean, DocumentKey("x", url))

    for b in range(batches):
        state["batch"], state["n"] = b, 0
        archive.write_batch([item(b, i) for i in range(BATCH)])
        print(f"committed {b}", flush=True)
    archive.finish_run(run)
    archive.close()
    print("done", flush=True)
    """
).replace("BATCH", str(BATCH))


def spawn(path: Path, tag: str, batches: int, kill_at: int = -1, busy: float = 10.0,
          shared: bool = False) -> subprocess.Popen[str]:  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(batches), str(kill_at), str(busy),
         "1" if shared else "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def assert_batches_intact(archive: Archive, tag: str, batches: range) -> None:
    for b in batches:
        for i in range(BATCH):
            key = f"{tag}/{b}/{i}"
            url = f"http://www.x.gov.cn/{key}.html"
            body = (f"<html>{key}</html>" + "政务公开" * 500).encode()
            row = archive.db.execute("SELECT capture_id FROM captures WHERE url = ?", [url])
            (capture_id,) = row.fetchone()
            capture = archive.capture(capture_id)
            assert capture.body == body and capture.body_sha256 == hashlib.sha256(body).hexdigest()
            document_id = archive.find_document("x", url)
            assert document_id is not None
            clean = archive.clean_result(document_id, 1)
            assert clean.text == f"{key} 政府信息公开工作年度报告 一、总体情况"


def urls_like(archive: Archive, prefix: str) -> int:
    sql = "SELECT count(*) FROM captures WHERE url LIKE ?"
    return archive.db.execute(sql, [f"http://www.x.gov.cn/{prefix}%"]).fetchone()[0]


def test_sigkill_in_the_middle_of_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "harvest.db"
    child = spawn(path, "k", batches=10, kill_at=3)
    assert child.stdout is not None
    lines = []
    for line in child.stdout:
        lines.append(line.strip())
        if line.startswith("mid"):
            break
    assert lines == ["committed 0", "committed 1", "committed 2", "mid 3"], child.stderr
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert Path(f"{path}-wal").exists()  # the half-written batch is sitting in the WAL

    with Archive(path, create=False) as archive:
        assert archive.verify() == []
        assert archive.db["captures"].count == 3 * BATCH
        assert archive.db["documents"].count == 3 * BATCH
        assert urls_like(archive, "k/3/") == 0  # the killed batch: nothing of it
        assert_batches_intact(archive, "k", range(3))


def test_sigkill_at_a_random_moment(tmp_path: Path) -> None:
    path = tmp_path / "harvest.db"
    child = spawn(path, "r", batches=10_000)
    assert child.stdout is not None
    committed = -1
    for line in child.stdout:
        if line.startswith("committed"):
            committed = int(line.split()[1])
            if committed == 5:
                break
    time.sleep(0.05 + (os.getpid() % 7) / 100)  # somewhere in a later batch
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    printed = committed + 1 + sum(1 for line in child.stdout if line.startswith("committed"))

    with Archive(path, create=False) as archive:
        assert archive.verify() == []
        count = archive.db["captures"].count
        # Whole batches only; the one whose commit raced the kill may or may not be there.
        assert count % BATCH == 0 and count // BATCH in (printed, printed + 1)
        assert_batches_intact(archive, "r", range(printed))


def test_two_writer_processes_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "harvest.db"  # not created yet: both processes create and migrate it
    # A tiny busy timeout in one writer forces tenacity's retries, not just SQLite's waiting.
    writers = [
        spawn(path, "a", batches=12, busy=0.001, shared=True),
        spawn(path, "b", batches=12, busy=5.0, shared=True),
    ]
    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.strip().endswith("done")
        assert "Traceback" not in err

    with Archive(path, create=False) as archive:
        assert archive.verify() == []
        assert archive.db["crawl_runs"].count == 2
        assert archive.db["captures"].count == 2 * 12 * BATCH
        # Same documents, same text from both writers: one document and one version each.
        assert archive.db["documents"].count == 12 * BATCH
        assert archive.db["document_versions"].count == 12 * BATCH
        assert archive.db["document_captures"].count == 2 * 12 * BATCH
        assert archive.db["schema_migrations"].count == LATEST_VERSION  # each applied once
        runs = list(archive.db["crawl_runs"].rows)
        assert all(run["counts"] and run["status"] == "finished" for run in runs)


def test_locked_write_is_retried_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "harvest.db"
    with Archive(path, busy_timeout=0.02) as archive:
        run = archive.start_run()
        blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock…
        threading.Timer(0.4, blocker.execute, ["COMMIT"]).start()  # …for 0.4 s
        from archive import Capture

        with caplog.at_level(logging.WARNING, logger="archive.store"):
            (written,) = archive.write_batch([Capture(run, "http://www.x.gov.cn/", "ok")])
        assert written.capture_id == 1
        assert any("database is locked" in r.getMessage() for r in caplog.records)
        blocker.close()


def test_lock_that_never_clears_gives_up(tmp_path: Path) -> None:
    path = tmp_path / "harvest.db"
    with Archive(path, busy_timeout=0.01, retry_for=0.3) as archive:
        run = archive.start_run()
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        from archive import Capture

        with pytest.raises(sqlite3.OperationalError, match="locked"):
            archive.write_batch([Capture(run, "http://www.x.gov.cn/", "ok")])
        blocker.execute("ROLLBACK")
        blocker.close()
        assert archive.db["captures"].count == 0
        assert not archive.db.conn.in_transaction
