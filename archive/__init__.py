"""The harvest archive: captures, content-addressed bodies and versioned documents in SQLite.

    from archive import Archive, ArchiveItem, Capture, DocumentKey

    with Archive("harvest.db") as archive:
        crawl_id = archive.start_run({"DOWNLOAD_DELAY": 1})
        archive.write_batch([ArchiveItem(Capture(crawl_id, url, "ok", body=...), clean, key)])
        archive.finish_run(crawl_id)

See docs/archive.md for the schema, the API, the CLI and the export contract.
"""

from .models import DOCUMENT_KINDS, ArchiveItem, Capture, DocumentKey, FrontierChanges, Redirect, Written
from .schema import LATEST_VERSION, OUTCOMES, ArchiveError, SchemaError
from .store import Archive

__all__ = [
    "DOCUMENT_KINDS",
    "LATEST_VERSION",
    "OUTCOMES",
    "Archive",
    "ArchiveError",
    "ArchiveItem",
    "Capture",
    "DocumentKey",
    "FrontierChanges",
    "Redirect",
    "SchemaError",
    "Written",
]
