"""Downloader middlewares of the harvester."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, with two changes so that every request ends in a capture:

    - a redirect back to a URL already in the chain is a loop: the request fails at once with
      "redirect loop: A → B → A" (recorded as an ``error`` capture) instead of bouncing until
      REDIRECT_MAX_TIMES;
    - the redirect target bypasses the duplicate filter: otherwise a redirect to a page fetched
      before is dropped silently and the redirecting URL leaves no trace in the archive.
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise IgnoreRequest("redirect loop: " + " → ".join([*chain, redirected.url]))
        redirected = super()._redirect(redirected, request, reason)
        redirected.dont_filter = True
        return redirected


class WaitingRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fixed for requests that wait while robots.txt downloads,
    and reading robots.txt from the archive when a crawl fetched it in the last day.

    Scrapy 2.19 awaits the host's shared Deferred with ``maybe_deferred_to_future``, which hands
    the parser to the first waiter and ``None`` — "no robots.txt, allow all" — to every later one:
    the third and further requests to a host fetched at once ignore its Disallow rules. Each
    waiter gets its own Deferred here, fed with the parser and passing it on down the chain.
    """

    archive: Any = None

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            cached = self._cached(netloc)
            if cached is not None:
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, cached)
                self.crawler.stats.inc_value("robotstxt/from_archive")
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()

            def relay(parser: Any) -> Any:
                waiter.callback(parser)
                return parser  # the next waiter gets the parser too

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Any, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        archive = self._archive()
        if archive is not None and response.status < 500:
            archive.cache_robots(netloc, response.status, response.body if response.status < 400 else b"")

    def _cached(self, netloc: str) -> bytes | None:
        """robots.txt from the archive, when a recent crawl fetched it (HARVESTER_ROBOTS_HOURS)."""
        hours = self.crawler.settings.getfloat("HARVESTER_ROBOTS_HOURS", 24.0)
        archive = self._archive()
        return archive.cached_robots(netloc, hours) if archive is not None and hours > 0 else None

    def _archive(self) -> Any:
        if self.archive is None:
            from pathlib import Path

            from archive import Archive

            db = self.crawler.settings.get("HARVESTER_DB")
            if db and Path(db).exists():
                self.archive = Archive(db, create=False)
        return self.archive
