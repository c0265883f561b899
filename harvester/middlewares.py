"""Downloader middlewares of the harvester."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest


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
