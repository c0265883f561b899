"""Which hosts a seed's crawl may visit, and how much of each.

A seed's scope is its own host, the hosts listed in its row, and hosts under the same registrable
domain (``fgw.example.gov.cn`` for ``www.example.gov.cn``) — never a look-alike such as
``www.example-gov.com.cn``, the spam mirrors DOMAIN.md warns about. IP-address hosts have no
registrable domain: only the exact address (and listed hosts) are in scope.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from spiders.seeds import Seed

# The public-suffix list ships with tldextract; never fetch it at run time: a crawl contacts
# only the hosts in its scope (and CI has no network).
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def use_bundled_suffix_list() -> None:
    """Make Scrapy's cookie middleware use the bundled public-suffix list too: by default it
    downloads the list from publicsuffix.org on the first cookie it sees."""
    from scrapy.downloadermiddlewares import cookies

    cookies._split_domain = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )
    # Both extractors build their suffix trie on first use (~0.1 s): do it now, before the crawl,
    # not on the reactor thread when the first cookie arrives mid-crawl.
    cookies._split_domain("example.gov.cn")
    _EXTRACT("example.gov.cn")


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """``example.gov.cn`` for ``www.example.gov.cn``; the host itself for an IP or a bare name."""
    host = host.lower().strip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    parts = _EXTRACT(host)
    return parts.top_domain_under_public_suffix or host


class Scope:
    """Host scope and per-host page budget for one seed."""

    def __init__(self, seed: Seed, host_budget: int) -> None:
        self.seed = seed
        self.hosts = {seed.host.lower(), *(h.lower() for h in seed.hosts)}
        self.domains = {registrable_domain(h) for h in self.hosts}
        self.host_budget = host_budget
        self.pages: Counter[str] = Counter()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        host = parts.hostname.lower()
        return host in self.hosts or registrable_domain(host) in self.domains

    def take(self, url: str) -> bool:
        """Count one page against its host's budget; False once the budget is spent."""
        host = (urlsplit(url).hostname or "").lower()
        if self.pages[host] >= self.host_budget:
            return False
        self.pages[host] += 1
        return True
