"""A live progress line while crawling and a summary at the end (a Scrapy extension).

On a terminal: one rich status line, refreshed each second: pages, reports, blocked, errors,
queue. Elsewhere (cron, CI, logs) it stays silent and Scrapy's LogStats and stats dump speak.
The summary is returned by :func:`summary` for the CLI to print.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def counts(stats: dict[str, Any]) -> dict[str, int]:
    """The figures the progress line and the summary show, from Scrapy's stats."""
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "reports": int(stats.get("harvester/reports", 0)),
        "new versions": int(stats.get("harvester/new_versions", 0)),
        "blocked": int(stats.get("harvester/outcome/blocked", 0)),
        "gone": int(stats.get("harvester/outcome/gone", 0)),
        "robots denied": int(stats.get("harvester/outcome/robots_denied", 0)),
        "errors": int(stats.get("harvester/outcome/error", 0)),
    }


def summary(stats: dict[str, Any], archive_reports: int | None = None) -> str:
    """The end-of-run summary; ``archive_reports``: reports the whole archive holds now."""
    figures = counts(stats)
    run = stats.get("harvester/run_counts") or {}
    held = f"; the archive holds {archive_reports} reports" if archive_reports is not None else ""
    lines = [
        f"crawl finished ({stats.get('finish_reason', 'unknown')}): "
        f"{figures['reports']} reports archived ({figures['new versions']} new versions) "
        f"from {figures['pages']} pages{held}",
        "captures by outcome: " + ", ".join(f"{k} {v}" for k, v in run.items()) if run else "",
    ]
    return "\n".join(line for line in lines if line)


class Progress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.live = None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        mode = crawler.settings.get("HARVESTER_PROGRESS", "auto")
        if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        from rich.console import Console
        from rich.live import Live

        self.live = Live(self.render(), console=Console(stderr=True), transient=True,
                         refresh_per_second=2)
        self.live.start()
        self.loop = task.LoopingCall(self.update)
        self.loop.start(1.0, now=False)

    def render(self) -> str:
        figures = counts(self.crawler.stats.get_stats())
        queue = 0
        engine = self.crawler.engine
        scheduler = getattr(getattr(engine, "_slot", None) or getattr(engine, "slot", None), "scheduler", None)
        if scheduler is not None and hasattr(scheduler, "__len__"):
            queue = len(scheduler)
        return ("crawling: " + " · ".join(f"{k} {v}" for k, v in figures.items() if k != "new versions")
                + f" · queue {queue}")

    def update(self) -> None:
        if self.live is not None:
            self.live.update(self.render())

    def closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.stop()
