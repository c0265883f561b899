"""Downloader middlewares of the harvester."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
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
    """Scrapy's robots.txt middleware, fixed for requests that wait while robots.txt downloads.

    Scrapy 2.19 awaits the host's shared Deferred with ``maybe_deferred_to_future``, which hands
    the parser to the first waiter and ``None`` — "no robots.txt, allow all" — to every later one:
    the third and further requests to a host fetched at once ignore its Disallow rules. Each
    waiter gets its own Deferred here, fed with the parser and passing it on down the chain.
    """

    async def robot_parser(self, request: Request) -> Any:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()

            def relay(parser: Any) -> Any:
                waiter.callback(parser)
                return parser  # the next waiter gets the parser too

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
