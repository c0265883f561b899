"""One crawl per archive: an exclusive lock on ``ARCHIVE.lock``.

``flock`` is released by the kernel when the holder dies, even by SIGKILL, so a killed crawl
never leaves a stale lock behind; the file's text (pid, start time) only explains who holds it.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


class LockedError(Exception):
    """Another process holds the archive's lock."""


class ArchiveLock:
    def __init__(self, archive: Path) -> None:
        self.path = archive.with_name(archive.name + ".lock")
        self.handle: IO[str] | None = None

    def acquire(self) -> ArchiveLock:
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise LockedError(f"{holder} is crawling into this archive") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"crawl pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        self.handle = handle
        return self

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
