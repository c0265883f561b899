"""Item pipelines: clean what the spider left uncleaned, then archive in batches.

Both are thin: the work is ``harvester.clean`` and ``archive.Archive.write_batch``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from archive import Archive, ArchiveItem, FrontierChanges
from harvester.cleaning_pool import CleaningPool
from harvester.items import FetchedItem

log = logging.getLogger(__name__)


class CleanPipeline:
    """Cleans the items the spider could not clean itself (``item.clean``), off the reactor: in
    the spider's cleaning workers, or in a thread for a spider without them."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler)

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, FetchedItem) and item.clean and item.result is None:
            cleaner = getattr(self.crawler.spider, "cleaner", None) or CleaningPool(0)
            await cleaner.clean(item)
        return item


class ArchivePipeline:
    """Writes items to the SQLite archive, one transaction per batch, in a worker thread."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.batch_size = self.settings.getint("HARVESTER_BATCH_SIZE", 50)
        # A kill loses at most this much work: what was not committed is fetched again on resume.
        self.flush_seconds = self.settings.getfloat("HARVESTER_FLUSH_SECONDS", 5.0)
        self.last_flush = time.monotonic()
        self.pending: list[ArchiveItem] = []
        self.done: list[str] = []
        self.archive: Archive | None = None
        self.crawl_id = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        self.archive = Archive(self.settings.get("HARVESTER_DB", "harvest.db"))
        interesting = {k: self.settings.get(k) for k in self.settings.getlist("HARVESTER_RECORDED_SETTINGS")}
        if self.settings.getbool("HARVESTER_RESUME"):
            self.crawl_id = spider.crawl_id  # the interrupted run goes on under its own id
        else:
            self.crawl_id = self.archive.start_run(interesting, crawl_id=spider.crawl_id)
        log.info("archive %s, crawl run %s", self.archive.path, self.crawl_id)

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchedItem):
            return item
        result = item.result
        archived = ArchiveItem(item.capture, result, item.document)
        if not archived.makes_document:  # still keyed: a 304 or a 404 of a known document counts
            archived = ArchiveItem(item.capture, None, item.document)
        self.pending.append(archived)
        self.stats.inc_value(f"harvester/outcome/{item.capture.outcome}")
        if result is not None:
            self.stats.inc_value(f"harvester/kind/{result.kind}")
            if result.kind == "report" and item.capture.outcome == "ok":
                self.stats.inc_value("harvester/reports")
        if item.frontier_fp:
            self.done.append(item.frontier_fp)
        if len(self.pending) >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            await self.flush()
        return item

    async def flush(self) -> None:
        """One transaction: the pending captures, the requests scheduled since the last flush,
        and the done marks of the requests those captures complete."""
        frontier = getattr(self.crawler, "harvester_frontier", None)
        changes = frontier.drain() if frontier is not None else FrontierChanges()
        changes.done.extend((self.crawl_id, fingerprint) for fingerprint in self.done)
        batch, self.pending, self.done = self.pending, [], []
        self.last_flush = time.monotonic()
        if (batch or changes) and self.archive is not None:
            written = await asyncio.to_thread(self.archive.write_batch, batch, changes)
            self.stats.inc_value("harvester/new_versions", sum(1 for w in written if w.new_version))

    async def close_spider(self, spider: Spider | None = None) -> None:
        if self.archive is None:
            return
        await self.flush()
        reason = self.stats.get_value("finish_reason") or "finished"
        counts = self.archive.finish_run(self.crawl_id, "finished" if reason == "finished" else reason)
        self.stats.set_value("harvester/run_counts", counts)
        self.archive.close()
