"""A crawl frontier that survives SIGKILL, kept in the archive itself.

Scrapy's JOBDIR is written only on a graceful stop. Here every request the scheduler accepts is
recorded (fingerprint + the request as JSON) and written to the archive's ``frontier`` table *in
the same transaction* as a batch of captures, and a request is marked done in the transaction
that stores its capture. Because the spider yields a page's follow-up requests before the page's
own item, a page is never marked done before its children are recorded. After a kill, the
requests still pending are exactly those whose capture was never committed: resuming fetches
them again, and nothing twice.

The hook is the duplicate filter (``DUPEFILTER_CLASS``): Scrapy consults it for every new request
that may be filtered, which is every request worth persisting. Requests with ``dont_filter``
(redirect hops, pages of an article being assembled, resumed requests) are continuations of a
request already recorded and are not recorded again.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter

from archive import Archive, FrontierChanges
from archive.models import utc_timestamp

#: Request meta the spider needs to continue from a persisted request.
PERSISTED_META = ("role", "hop_path", "parent", "nav_hops", "referrer", "depth", "previous_body")


class Frontier:
    """The frontier changes of one crawl run not yet written to the archive."""

    def __init__(self, crawl_id: str) -> None:
        self.crawl_id = crawl_id
        self.changes = FrontierChanges()

    def record(self, fingerprint: str, request: Request) -> None:
        self.changes.added.append((self.crawl_id, fingerprint, serialize(request), utc_timestamp()))

    def done(self, fingerprint: str) -> None:
        self.changes.done.append((self.crawl_id, fingerprint))

    def drain(self) -> FrontierChanges:
        changes, self.changes = self.changes, FrontierChanges()
        return changes


def serialize(request: Request) -> str:
    meta = {key: request.meta[key] for key in PERSISTED_META if key in request.meta}
    seed = request.meta.get("seed")
    return json.dumps(
        {
            "url": request.url,
            "method": request.method,
            "body": base64.b64encode(request.body).decode("ascii") if request.body else "",
            "content_type": (request.headers.get("Content-Type") or b"").decode("latin-1"),
            "priority": request.priority,
            "seed": getattr(seed, "url", None),
            "meta": meta,
        },
        ensure_ascii=False,
    )


def deserialize(data: str) -> dict[str, Any]:
    """The JSON of :func:`serialize`, with the body back as bytes."""
    request = json.loads(data)
    request["body"] = base64.b64decode(request["body"]) if request["body"] else b""
    return request


class FrontierDupeFilter(BaseDupeFilter):
    """A fingerprint duplicate filter that also records each new request in the frontier and,
    when resuming a run, knows every fingerprint that run already scheduled."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.fingerprinter = crawler.request_fingerprinter
        self.seen: set[str] = set()
        self.frontier: Frontier | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierDupeFilter:
        return cls(crawler)

    def open(self) -> None:
        crawl_id = getattr(self.crawler.spider, "crawl_id", None)
        if not crawl_id:
            return
        self.frontier = Frontier(crawl_id)
        self.crawler.harvester_frontier = self.frontier
        if self.crawler.settings.getbool("HARVESTER_RESUME"):
            with Archive(self.crawler.settings.get("HARVESTER_DB"), create=False) as archive:
                self.seen.update(fingerprint for fingerprint, _, _ in archive.frontier(crawl_id))

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.fingerprinter.fingerprint(request).hex()
        if fingerprint in self.seen:
            return True
        self.seen.add(fingerprint)
        request.meta["frontier_fp"] = fingerprint
        if self.frontier is not None:
            self.frontier.record(fingerprint, request)
        return False

    def log(self, request: Request, spider: Any) -> None:
        self.crawler.stats.inc_value("dupefilter/filtered")
