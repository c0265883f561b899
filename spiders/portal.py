"""The ``portal`` spider: from each seed, find the 年报 column, walk all its pages, fetch every
listed item and the attachments of reports, and hand every exchange to the pipelines.

    scrapy crawl portal -a seeds=seeds.csv        (or: harvester crawl --seeds seeds.csv)

Finding links is :mod:`spiders.discovery`; scope and budgets are :mod:`spiders.scope`; cleaning and
archiving happen in :mod:`harvester.pipelines`. Every request leaves a capture: responses of any
status, failures, robots.txt refusals.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import FormRequest, Request, Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure

from archive import Archive, Capture, DocumentKey
from harvester.cleaning_pool import cleaning_pool
from harvester.decoding import decode
from harvester.frontier import deserialize
from harvester.items import FetchedItem
from spiders.discovery import Link, Role, discover
from spiders.scope import Scope, use_bundled_suffix_list
from spiders.seeds import Seed, SeedError, load_seeds

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps")
_META_REFRESH = re.compile(
    rb"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[\"']?[^>]*content\s*=\s*[\"']?\s*\d+\s*;\s*url\s*=\s*([^\"'>\s]+)",
    re.I,
)
#: Below this many bytes a meta-refresh page is a redirect stub, not a page with content.
_STUB_SIZE = 4096


def user_agent(contact: str | None) -> str:
    """An honest User-Agent: who we are, our version, how to reach the operator."""
    from harvester import __version__

    reach = f"+{contact}; " if contact else ""
    return f"nianbao-harvester/{__version__} ({reach}archive of government open-information annual reports)"


def new_crawl_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def _headers(headers: Any) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


class PortalSpider(scrapy.Spider):
    name = "portal"
    custom_settings = {
        # Every status reaches the callback: a 412, 404 or 503 is a capture with an outcome.
        "HTTPERROR_ALLOW_ALL": True,
        # A deleted report answers with a meta refresh to its column: that is "gone", not a page
        # to follow, so the spider reads meta refreshes itself.
        "METAREFRESH_ENABLED": False,
    }

    def __init__(self, seeds: str | None = None, crawl_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.seeds: list[Seed] = load_seeds(seeds)
        except SeedError as error:
            raise ValueError(str(error)) from None
        self.crawl_id = crawl_id or new_crawl_id()
        self.scopes: dict[str, Scope] = {}
        self.requested: set[str] = set()  # URLs scheduled in this run (budgets, revisits)
        self.fresh_skipped: set[str] = set()  # URLs confirmed recently, not asked again
        self.archive: Archive | None = None  # read side: validators, stored bodies, documents
        self.revisited = False

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # The contact goes in the User-Agent unless the user set one explicitly (-s USER_AGENT=…).
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent(settings.get("HARVESTER_CONTACT")), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        kwargs.setdefault("seeds", crawler.settings.get("HARVESTER_SEEDS"))
        kwargs.setdefault("crawl_id", crawler.settings.get("HARVESTER_CRAWL_ID"))
        use_bundled_suffix_list()
        spider = super().from_crawler(crawler, *args, **kwargs)
        budget = crawler.settings.getint("HARVESTER_HOST_BUDGET", 2000)
        spider.scopes = {seed.url: Scope(seed, budget) for seed in spider.seeds}
        spider.nav_depth = crawler.settings.getint("HARVESTER_NAV_DEPTH", 4)
        spider.conditional = crawler.settings.getbool("HARVESTER_CONDITIONAL", True)
        spider.fresh_days = crawler.settings.getfloat("HARVESTER_FRESH_DAYS", 7.0)
        spider.cleaner = cleaning_pool(crawler.settings.getint("HARVESTER_CLEAN_WORKERS", 1))
        spider.revisit = crawler.settings.getbool("HARVESTER_REVISIT_KNOWN", True)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.closed_archive, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        db = self.settings.get("HARVESTER_DB")
        if db and Path(db).exists():
            self.archive = Archive(db, create=False)
        if self.settings.getbool("HARVESTER_RESUME") and self.archive is not None:
            pending = self.archive.frontier(self.crawl_id, state="pending")
            self.logger.info("resuming crawl run %s: %d requests pending", self.crawl_id, len(pending))
            for _fingerprint, _state, data in pending:
                request = self._resumed(deserialize(data), _fingerprint)
                if request is not None:
                    yield request
            return
        for seed in self.seeds:
            meta = {"seed": seed, "hop_path": "", "nav_hops": 0}
            for request in self._follow(meta, None, [Link(seed.url, "home", "")]):
                yield request

    def _resumed(self, data: dict[str, Any], fingerprint: str) -> Request | None:
        """A request of the interrupted run, as it was scheduled (its fingerprint is known)."""
        seed = next((s for s in self.seeds if s.url == data["seed"]), None)
        if seed is None:
            self.logger.warning("resume: %s belongs to seed %s, not in the seed list", data["url"], data["seed"])
            return None
        self.scopes[seed.url].take(data["url"])
        self.requested.add(data["url"])
        meta = {**data["meta"], "seed": seed, "frontier_fp": fingerprint}
        headers = {"Content-Type": data["content_type"]} if data.get("content_type") else {}
        if meta.get("referrer"):
            headers["Referer"] = meta["referrer"]
        headers.update(self._validators(data["url"], meta) if data["method"] == "GET" else {})
        return Request(data["url"], method=data["method"], body=data["body"] or None, headers=headers,
                       meta=meta, priority=data["priority"], callback=self.parse_page,
                       errback=self.failed, dont_filter=True)

    def closed_archive(self, spider: Any) -> None:
        self.cleaner.close()
        if self.archive is not None:
            self.archive.close()

    # -- requests --------------------------------------------------------------------------------

    def _request(self, seed: Seed, link: Link, hop_path: str, referrer: str | None,
                 parent: str | None = None, nav_hops: int = 0, **meta: Any) -> Request | None:
        scope = self.scopes[seed.url]
        if not scope.allows(link.url):
            self.crawler.stats.inc_value("harvester/offsite_skipped")
            return None
        key = link.url if link.method == "GET" else f"{link.url} {link.form}"
        if key in self.requested:
            if key in self.fresh_skipped:
                return None
            if link.role != "part":  # pages of an article are fetched again for each assembly
                # Linked again (navigation bars repeat on every page): Scrapy's duplicate filter
                # would drop it too, but only after a Request, an archive lookup and the middlewares.
                self.crawler.stats.inc_value("harvester/links_repeated")
                return None
        elif self._fresh(link, meta):
            self.fresh_skipped.add(key)  # confirmed recently: neither fetched nor revisited
            self.requested.add(key)
            self.crawler.stats.inc_value("harvester/fresh_skipped")
            return None
        elif not scope.take(link.url):
            self.crawler.stats.inc_value("harvester/budget_exhausted")
            return None
        else:
            self.requested.add(key)
        meta.update(seed=seed, role=link.role, hop_path=hop_path + link.hop, parent=parent,
                    nav_hops=nav_hops, referrer=referrer)
        headers = {"Referer": referrer} if referrer else {}
        if link.method == "GET" and link.role != "part":
            headers.update(self._validators(link.url, meta))
        # Pages that open the next level of discovery go first: on a host fetched one request at a
        # time, a list page queued behind report pages would delay everything it lists.
        priority = _PRIORITY.get(link.role, 0)
        if link.method == "POST":
            return FormRequest(link.url, formdata=list(link.form), callback=self.parse_page,
                               errback=self.failed, meta=meta, headers=headers, priority=priority)
        return Request(link.url, callback=self.parse_page, errback=self.failed, meta=meta,
                       headers=headers, priority=priority)

    def _fresh_stored_page(self, seed: Seed, link: Link) -> str | None:
        """The archived text of a home/navigation page confirmed within HARVESTER_FRESH_DAYS
        (marked as handled in this run), or None when it must be fetched."""
        if link.url in self.requested or not self.scopes[seed.url].allows(link.url):
            return None
        if not self._recently_confirmed(link.url):
            return None
        stored = self.archive.validators(link.url) if self.archive is not None else None
        text = self._stored_body(stored.get("body_sha256") if stored else None)
        if text is not None:
            self.requested.add(link.url)
            self.fresh_skipped.add(link.url)
            self.crawler.stats.inc_value("harvester/fresh_from_archive")
        return text

    def _recently_confirmed(self, url: str) -> bool:
        if self.fresh_days <= 0 or self.archive is None:
            return False
        confirmed = self.archive.confirmed_at(url)
        if confirmed is None:
            return False
        age = datetime.now(UTC) - datetime.fromisoformat(confirmed.replace("Z", "+00:00"))
        return age.total_seconds() < self.fresh_days * 86400

    def _fresh(self, link: Link, meta: dict[str, Any]) -> bool:
        """A report page or attachment — or a later page of a list whose first page answered
        304 — whose content was confirmed less than HARVESTER_FRESH_DAYS ago is not asked again:
        reports rarely change, and new ones appear on the (always revalidated) first list page."""
        if self.fresh_days <= 0 or self.archive is None or link.method != "GET":
            return False
        if link.role not in ("detail", "attachment") and not (link.hop in ("P", "X") and meta.get("unchanged_parent")):
            return False
        return self._recently_confirmed(link.url)

    def _validators(self, url: str, meta: dict[str, Any]) -> dict[str, str]:
        """Conditional-request headers from the last ``ok`` capture of ``url``; its body's hash
        goes in ``meta`` so that a 304 on a list page can be read from the archive."""
        if not self.conditional or self.archive is None:
            return {}
        stored = self.archive.validators(url)
        if not stored:
            return {}
        headers = {}
        if "etag" in stored:
            headers["If-None-Match"] = stored["etag"]
        if "last-modified" in stored:
            headers["If-Modified-Since"] = stored["last-modified"]
        if headers:
            meta["previous_body"] = stored["body_sha256"]
            # For the WARC revisit record of a 304: the capture it revalidates.
            meta["warc_refers_to"] = {"uri": url, "date": stored["fetched_at"],
                                      "record_id": stored.get("warc_record_id")}
        return headers

    def _follow(self, meta: dict[str, Any], referrer: str | None, links: list[Link],
                parent: str | None = None, unchanged_parent: bool = False) -> Iterator[Request]:
        for link in links:
            nav_hops = meta["nav_hops"] + 1 if link.role == "nav" else 0
            if link.role == "nav" and nav_hops > self.nav_depth:
                continue
            if link.role in ("home", "nav"):
                stored = self._fresh_stored_page(meta["seed"], link)
                if stored is not None:
                    # Navigation confirmed recently: follow its links from the archived copy.
                    inner = {**meta, "nav_hops": nav_hops, "hop_path": meta["hop_path"] + link.hop}
                    yield from self._follow(inner, link.url, discover(link.url, stored, link.role))
                    continue
            extra = {"unchanged_parent": True} if unchanged_parent else {}
            request = self._request(meta["seed"], link, meta["hop_path"], referrer,
                                    parent=parent, nav_hops=nav_hops, **extra)
            if request is not None:
                yield request

    # -- responses -------------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        # Order matters for crash safety: a page's follow-up requests are yielded before its own
        # item, so they are recorded in the frontier no later than the page is marked done.
        meta = response.meta
        role: Role = meta["role"]
        outcome, reason = self._outcome(response, role)
        capture = self._capture(response.request, outcome, reason, response=response)
        if role == "part":
            meta["assembly"].arrived(response.url, capture, response.body if outcome == "ok" else None)
            async for output in meta["assembly"].finish_if_complete(self):
                yield output
            return
        item = self._item(capture, response.request, self._document_key(response, role))
        if outcome == "not_modified" and role in ("home", "nav", "list"):
            # An unchanged list still lists its items: read the links from the stored body.
            body = self._stored_body(meta.get("previous_body"))
            if body is not None:
                links = discover(response.url, body, role)
                for request in self._follow(meta, response.url, links, unchanged_parent=True):
                    yield request
        if outcome != "ok":
            yield item
            return
        if role in ("detail", "attachment"):
            links = discover(response.url, self._text(response), role) if role == "detail" else []
            parts = [link for link in links if link.role == "part"]
            if not parts:
                async for output in self.cleaned(item, meta):
                    yield output
                return
            assembly = ArticleAssembly(item, meta, [link.url for link in parts])
            for link in parts:
                request = self._request(meta["seed"], link, meta["hop_path"], response.url,
                                        assembly=assembly)
                if request is None:
                    assembly.skipped(link.url)
                else:
                    request.dont_filter = True  # re-assembled on resume, never persisted alone
                    yield request
            async for output in assembly.finish_if_complete(self):
                yield output
            return
        redirect = _meta_refresh_target(response)
        links = [Link(redirect, role, "R")] if redirect else discover(response.url, self._text(response), role)
        for request in self._follow(meta, response.url, links):
            yield request
        yield item

    def _item(self, capture: Capture, request: Request, document: DocumentKey | None) -> FetchedItem:
        return FetchedItem(capture, document=document, frontier_fp=request.meta.get("frontier_fp"))

    def _stored_body(self, sha256: str | None) -> str | None:
        if not sha256 or self.archive is None:
            return None
        try:
            return decode(self.archive.body(sha256)).text
        except KeyError:
            return None

    async def cleaned(self, item: FetchedItem, meta: dict[str, Any]) -> AsyncIterator[Any]:
        """Clean a candidate document (in a worker process), follow the attachments of a report or
        of an attachment-only page (详见附件), then yield the item itself."""
        await self.cleaner.clean(item, _cleaning_priority(item, meta["role"]))
        result = item.result
        if result is not None and result.kind in ("report", "empty") and meta["role"] == "detail":
            links = [Link(a.url, "attachment", "A", a.name) for a in result.attachments
                     if a.extension in DOCUMENT_EXTENSIONS]
            for request in self._follow(meta, item.capture.final_url or item.capture.url, links,
                                        parent=item.capture.final_url or item.capture.url):
                yield request
        yield item

    def idle(self, spider: Any) -> None:
        """Once discovery is exhausted, revisit the known documents of these portals that it did
        not reach (unlisted, or moved): a conditional request tells unchanged from gone."""
        if self.revisited or not self.revisit or self.archive is None:
            return
        self.revisited = True
        by_portal = {seed.netloc: seed for seed in self.seeds}
        scheduled = 0
        for document in self.archive.documents_of(by_portal):
            if document["url"] in self.requested:
                continue
            role: Role = "attachment" if document["parent_url"] else "detail"
            seed = by_portal[document["portal"]]
            request = self._request(seed, Link(document["url"], role, "V"), "", None,
                                    parent=document["parent_url"])
            if request is not None:
                self.crawler.engine.crawl(request)
                scheduled += 1
        if scheduled:
            self.logger.info("revisiting %d known documents that discovery did not reach", scheduled)
            raise DontCloseSpider

    def _text(self, response: Response) -> str:
        if isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            return decode(response.body, {"Content-Type": content_type}).text
        return ""

    def _outcome(self, response: Response, role: Role) -> tuple[str, str]:
        status = response.status
        if status == 304:
            return "not_modified", "304 Not Modified"
        if status == 412:
            return "blocked", "HTTP 412 (WAF challenge)"
        if status in (404, 410):
            return "gone", f"HTTP {status}"
        if status >= 400:
            return "error", f"HTTP {status}"
        if role in ("detail", "part") and _meta_refresh_target(response):
            return "gone", "meta refresh instead of the page (deleted report)"
        if "dataloss" in response.flags:
            return "error", "incomplete body (data loss)"
        return "ok", f"HTTP {status}"

    def _document_key(self, response: Response, role: Role) -> DocumentKey | None:
        if role not in ("detail", "attachment"):
            return None
        seed: Seed = response.meta["seed"]
        # The final URL is the identity: the same report is often linked under several URLs.
        return DocumentKey(portal=seed.netloc, url=response.url, parent_url=response.meta.get("parent"))

    def _capture(self, request: Request, outcome: str, reason: str,
                 response: Response | None = None) -> Capture:
        meta = request.meta
        seed: Seed = meta["seed"]
        redirect_urls = meta.get("redirect_urls", [])
        redirect_statuses = meta.get("redirect_reasons", [])
        redirects = [(url, status if isinstance(status, int) else 0)
                     for url, status in zip(redirect_urls, redirect_statuses, strict=False)]
        # This request's own response record (WarcMiddleware), not one an earlier hop left in meta.
        warc = meta.get("warc")
        if warc is not None and warc.get("url") != request.url:
            warc = None
        return Capture(
            crawl_id=self.crawl_id,
            url=redirect_urls[0] if redirect_urls else request.url,
            outcome=outcome,
            reason=reason,
            final_url=response.url if response is not None else request.url,
            redirects=redirects,
            method=request.method,
            status=response.status if response is not None else None,
            request_headers=_headers(request.headers),
            response_headers=_headers(response.headers) if response is not None else [],
            duration=meta.get("download_latency"),
            referrer=meta.get("referrer"),
            hop_path=meta.get("hop_path", ""),
            seed=seed.url,
            body=response.body if response is not None else None,
            truncated="dataloss" in (response.flags if response is not None else []),
            fetched_at=warc["date"] if warc else None,
            warc_file=warc["file"] if warc else None,
            warc_offset=warc["offset"] if warc else None,
            warc_length=warc["length"] if warc else None,
        )

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            outcome, reason = "robots_denied", "forbidden by robots.txt"
        else:
            outcome, reason = "error", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        capture = self._capture(request, outcome, reason)
        self.crawler.stats.inc_value(f"harvester/failed/{outcome}")
        document = None
        if request.meta.get("role") in ("detail", "attachment"):
            document = DocumentKey(portal=request.meta["seed"].netloc, url=request.url,
                                   parent_url=request.meta.get("parent"))
        assembly = request.meta.get("assembly")
        if assembly is not None:
            assembly.arrived(request.url, capture, None)
            # An errback cannot await the cleaning: the pipeline cleans the article instead.
            yield from assembly.finish_without_cleaning()
            return
        yield self._item(capture, request, document)


#: Scheduling priority by role: pages that open the next level of discovery first.
_PRIORITY = {"list": 30, "nav": 25, "home": 25, "part": 20, "attachment": 15, "detail": 10}

# A link to a document file anywhere in the page's bytes: likely a report with attachments.
_DOCUMENT_LINK = re.compile(rb"\.(?:" + "|".join(DOCUMENT_EXTENSIONS).encode() + rb")\b", re.I)


def _cleaning_priority(item: FetchedItem, role: Role) -> int:
    """Attachments first, then pages that link documents (their attachments are fetched once
    they are cleaned), then the other pages: the crawl ends when the last of these is done."""
    if role == "attachment":
        return 0
    return 1 if _DOCUMENT_LINK.search(item.capture.body or b"") else 2


def _meta_refresh_target(response: Response) -> str | None:
    if len(response.body) > _STUB_SIZE:
        return None
    match = _META_REFRESH.search(response.body)
    if not match:
        return None
    target = urljoin(response.url, match.group(1).decode("latin-1").strip("'\""))
    return None if target == response.url else target


class ArticleAssembly:
    """The pages of one long article (TRS ``t…_1.html``): the report is cleaned once all parts
    have arrived (or failed), with their bodies appended in order."""

    def __init__(self, item: FetchedItem, meta: dict[str, Any], part_urls: list[str]) -> None:
        self.item = item
        self.meta = meta
        self.order = part_urls
        self.bodies: dict[str, bytes | None] = {}
        self.captures: list[Capture] = []
        self.done = False

    def arrived(self, url: str, capture: Capture, body: bytes | None) -> None:
        self.bodies[url] = body
        self.captures.append(capture)

    def skipped(self, url: str) -> None:
        self.bodies[url] = None

    def _complete(self) -> bool:
        if self.done or any(url not in self.bodies for url in self.order):
            return False
        self.done = True
        self.item.parts = [self.bodies[url] for url in self.order if self.bodies[url] is not None]
        return True

    async def finish_if_complete(self, spider: PortalSpider) -> AsyncIterator[Any]:
        if not self._complete():
            return
        for capture in self.captures:
            yield FetchedItem(capture)
        async for output in spider.cleaned(self.item, self.meta):
            yield output

    def finish_without_cleaning(self) -> Iterator[FetchedItem]:
        if not self._complete():
            return
        for capture in self.captures:
            yield FetchedItem(capture)
        self.item.clean = True
        yield self.item
