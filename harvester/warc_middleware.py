"""WARC output during the crawl: a downloader middleware for the exchanges, an item pipeline for
what is derived from them. Both share one :class:`archive.warc.WarcWriter` per crawler.

``WarcMiddleware`` sits above RedirectMiddleware (600) and HttpCompressionMiddleware (590) in
DOWNLOADER_MIDDLEWARES (650): ``process_response`` runs from the highest number down, so it sees
every response before a redirect replaces it or a gzip body is decoded — each hop, each retried
503 and robots.txt are recorded, bodies exactly as received. It leaves the pointer of the
response record in ``request.meta["warc"]`` for the spider's capture: ``file``, ``offset``,
``length``, ``record_id``, ``record_type``, ``url`` and ``date`` (the WARC-Date, in the format of
``Capture.fetched_at``). Every hop and retry of the request is appended to
``request.meta["warc_hops"]``, in order.

``WarcPipeline`` (after cleaning, before archiving) writes a ``metadata`` record for each capture
with a response record (seed, referrer, hop path, crawl id, redirect chain, outcome) and a
``conversion`` record of the clean text of each ``ok`` capture that was cleaned.

Settings: ``HARVESTER_WARC`` (``on``; ``off`` disables both), ``HARVESTER_WARC_DIR`` (default: a
``warc`` directory beside ``HARVESTER_DB``), ``HARVESTER_WARC_MAX_BYTES`` (rotation, default
1 GiB), ``HARVESTER_WARC_PREFIX`` (``nianbao``). The crawl's CDXJ index is written when the
spider closes.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.warc import DEFAULT_MAX_BYTES, RefersTo, WarcWriter, record_id_at
from harvester.items import FetchedItem

log = logging.getLogger(__name__)

#: ``request.meta`` keys set by the middleware.
META_KEY = "warc"
HOPS_KEY = "warc_hops"
#: ``request.meta`` key a spider may set on a conditional request: the earlier capture a 304
#: revalidates (an :class:`archive.warc.RefersTo`), for the revisit record's WARC-Refers-To*.
REFERS_TO_KEY = "warc_refers_to"


def warc_enabled(settings: Any) -> bool:
    return str(settings.get("HARVESTER_WARC", "on")).strip().lower() not in ("off", "false", "0", "no", "")


def warc_directory(settings: Any) -> Path:
    configured = settings.get("HARVESTER_WARC_DIR")
    if configured:
        return Path(configured)
    return Path(settings.get("HARVESTER_DB", "harvest.db")).parent / "warc"


class _Shared:
    """The writer of one crawler, opened on first use (the spider, with its crawl id, exists by
    then) and closed — CDXJ index included — on ``spider_closed``, which Scrapy sends after the
    pipelines have closed, so the last metadata records are in."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._writer: WarcWriter | None = None
        self._closed = False
        # A bound method of an object the registry keeps alive (signals hold weak references).
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def writer(self) -> WarcWriter:
        if self._writer is None:
            if self._closed:  # a straggler after close must not start a file nobody closes
                raise RuntimeError("the crawl's WARC writer is closed")
            settings = self.crawler.settings
            spider = self.crawler.spider
            crawl_id = getattr(spider, "crawl_id", None) or settings.get("HARVESTER_CRAWL_ID")
            if not crawl_id:
                from spiders.portal import new_crawl_id

                crawl_id = new_crawl_id()
            recorded = {name: settings.get(name) for name in settings.getlist("HARVESTER_RECORDED_SETTINGS")}
            info = {
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "settings": recorded,
            }
            self._writer = WarcWriter(
                warc_directory(settings), crawl_id,
                prefix=settings.get("HARVESTER_WARC_PREFIX") or "nianbao",
                max_bytes=settings.getint("HARVESTER_WARC_MAX_BYTES", DEFAULT_MAX_BYTES),
                info=info,
            )
            log.info("WARC files: %s/%s-%s-*.warc.gz", self._writer.directory, self._writer.prefix, crawl_id)
        return self._writer

    async def spider_closed(self, spider: Spider | None = None, reason: str = "") -> None:
        writer, self._writer = self._writer, None
        self._closed = True
        if writer is None:
            return
        # Indexing reads every file back: off the reactor thread.
        index = await asyncio.to_thread(writer.close)
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("harvester/warc/files", len(writer.files))
            for record_type, count in writer.counts.items():
                stats.set_value(f"harvester/warc/records/{record_type}", count)
        log.info("WARC: %d files, %s records, index %s", len(writer.files), writer.counts, index)


_shared: weakref.WeakKeyDictionary[Crawler, _Shared] = weakref.WeakKeyDictionary()


def shared_writer(crawler: Crawler) -> _Shared:
    """The crawler's writer holder (created on first call)."""
    holder = _shared.get(crawler)
    if holder is None:
        holder = _shared[crawler] = _Shared(crawler)
    return holder


#: Request headers left out of request records: proxy credentials (HttpProxyMiddleware puts them
#: on the request) go to the proxy, not the origin, and must not end up in an archive.
_UNRECORDED = frozenset({b"proxy-authorization"})


def _pairs(headers: Any) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, values in headers.items() if name.lower() not in _UNRECORDED
            for value in values]


class WarcMiddleware:
    """Records each raw exchange (see the module docstring for placement)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.shared = shared_writer(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMiddleware:
        if not warc_enabled(crawler.settings):
            raise NotConfigured("HARVESTER_WARC is off")
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        # A redirect or retry copies meta: the previous hop's pointer must not stay on a request
        # that then fails without a response of its own.
        request.meta.pop(META_KEY, None)

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Response:
        if "cached" in response.flags:  # HttpCache replays an earlier exchange; nothing went out
            return response
        writer = self.shared.writer
        # warcio hashes and gzips (level 9) in the calling thread: a 50 MB PDF would stall the
        # reactor for seconds, so write from a worker thread; the writer serialises records.
        exchange = await asyncio.to_thread(
            writer.write_exchange,
            url=response.url,
            method=request.method,
            request_headers=_pairs(request.headers),
            request_body=request.body or b"",
            status=response.status,
            response_headers=_pairs(response.headers),
            body=response.body,
            protocol=_protocol(response),
            ip_address=str(response.ip_address) if response.ip_address is not None else None,
            truncated="disconnect" if "dataloss" in response.flags else None,
            refers_to=_refers_to(request.meta.get(REFERS_TO_KEY)),
        )
        record = exchange.response
        pointer = {"file": record.filename, "offset": record.offset, "length": record.length,
                   "record_id": record.record_id, "record_type": record.record_type, "url": record.uri,
                   "date": record.date}
        request.meta[META_KEY] = pointer
        request.meta[HOPS_KEY] = [*request.meta.get(HOPS_KEY, []), pointer]
        return response


def _refers_to(value: Any) -> RefersTo | None:
    if value is None or isinstance(value, RefersTo):
        return value
    return RefersTo(uri=value["uri"], date=value.get("date"), record_id=value.get("record_id"))


def _protocol(response: Response) -> str:
    protocol = getattr(response, "protocol", None)
    # Twisted reports "HTTP/1.1"; HTTP/2 handlers say "h2", which is no HTTP/1 status line.
    return protocol if isinstance(protocol, str) and protocol.startswith("HTTP/") else "HTTP/1.1"


class WarcPipeline:
    """Writes the ``metadata`` and ``conversion`` records of each archived exchange."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.shared = shared_writer(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcPipeline:
        if not warc_enabled(crawler.settings):
            raise NotConfigured("HARVESTER_WARC is off")
        return cls(crawler)

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchedItem):
            return item
        capture = item.capture
        filename = getattr(capture, "warc_file", None)
        offset = getattr(capture, "warc_offset", None)
        if filename is None or offset is None:
            return item  # no response record (a failure, robots.txt refusal, or WARC off)
        response_id = record_id_at(filename, offset)
        uri = capture.final_url or capture.url
        result = item.result
        text = result.text if result is not None and capture.outcome == "ok" else ""
        await asyncio.to_thread(_write_derived, self.shared.writer, response_id, uri, _metadata_fields(item), text)
        return item


def _write_derived(writer: WarcWriter, response_id: str, uri: str, fields: list[tuple[str, Any]], text: str) -> None:
    writer.write_metadata(response_id, uri, fields)
    if text:
        writer.write_conversion(response_id, uri, text)


def _metadata_fields(item: FetchedItem) -> list[tuple[str, Any]]:
    """warc-fields of a capture; names follow Heritrix's metadata records where one exists."""
    capture = item.capture
    fields: list[tuple[str, Any]] = [
        ("isPartOf", capture.crawl_id),
        ("seed", capture.seed),
        ("via", capture.referrer),
        ("hopsFromSeed", capture.hop_path),
        ("requestedURI", capture.url),
    ]
    fields += [("redirect", f"{hop.status} {hop.url}") for hop in capture.redirects]
    fields += [
        ("fetchTimeMs", round(capture.duration * 1000) if capture.duration is not None else None),
        ("captureTime", capture.fetched_at),
        ("outcome", capture.outcome),
        ("reason", capture.reason),
        ("charset", capture.charset_used),
    ]
    if item.result is not None:
        fields.append(("kind", item.result.kind))
    return fields
