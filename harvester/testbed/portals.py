"""The test-bed portal network: fake government portals on loopback addresses, their pages and
links, and the manifest of every report they hold.

:func:`build_network` returns a :class:`Network` for one port (links between hosts carry it);
:meth:`Network.handle` answers a :class:`Request` with a :class:`Response` (no sockets here, see
:mod:`harvester.testbed.server`). Everything is deterministic for a given ``(port, seed,
generation, options)``; ETags do not depend on the port.

Hosts (offsets from ``host_base``, default 127.0.0.11):

====  ===========================  =============================================================
+0    www.xinhua.gov.cn            TRS WCM portal (GBK), 政府信息公开年报 ``/zfxxgk/zfxxgknb/``,
                                   JS-only list pagination, article pagination, most traps
+1    fgw.xinhua.gov.cn            department subsite of +0 (reached from its 部门 list)
+2    www.dongjiang.gov.cn         大汉 Hanweb portal, ``/col/col1234/``, datastore XML + dataproxy
+3    www.nanshan.gov.cn           集约化 portal, ``…/ndbg/``, JSON list API, a 瑞数 412 page
+4    www.qingshan.gov.cn          small county portal, static pager, gov.cn/Word/plain/township
+8    www.xinhua-gov.com.cn        spam mirror: copied reports with injected titles (off scope)
====  ===========================  =============================================================

``generation`` models changes between crawls: generation ≥ 1 adds a report to the TRS column,
revises one Hanweb report (new ETag and Last-Modified) and removes one 集约化 report (404).
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

from harvester.testbed import attachments
from harvester.testbed.pages import (
    CHALLENGE_STATUS,
    DEFAULT_ENCODING,
    Attachment,
    Encoding,
    PageInfo,
    Site,
    page_encoding,
    render,
    render_challenge,
)
from harvester.testbed.reports import (
    Heading,
    Image,
    Para,
    Report,
    ReportSpec,
    make_document,
    make_report,
    rng_for,
)

MANIFEST_VERSION = 1
CST = timedelta(hours=8)

# What a crawler must do with each kind of special page (copied into the manifest).
EXPECT: dict[str, str] = {
    "report": "archive as a report; its text must equal expected_text",
    "not_report": "fetch and classify as not_report (a document in the 年报 column that is not a report)",
    "attachment_page": "detail page of an attachment-only report (详见附件): follow the attachment, "
                       "which is the report",
    "blocked": "瑞数 WAF challenge (HTTP 412, $_ts): record as blocked; never archive it as content; "
               "do not try to break it",
    "transient_503": "answers 503 to the first fail_first requests, then 200: retry; the report is also "
                     "listed in reports",
    "slow": "answers after slow_seconds: wait for it (timeout above the delay); the report is also "
            "listed in reports",
    "redirect_chain": "301 then 302 then 200: follow; archive the report under the final URL",
    "redirect_loop": "redirects forever between two URLs: stop at the redirect limit, record an error",
    "trap": "endless calendar (?date= links to the next day forever): do not follow without bound",
    "robots_disallowed": "Disallowed by robots.txt: must NOT be fetched",
    "offscope_spam": "spam mirror on a host outside the portal's scope: must NOT be fetched",
    "gone": "deleted report answered by a meta refresh to the column page: record as gone, no report",
    "oversized": "attachment of big_bytes streamed: stop at the crawler's size cap, record it as too "
                 "large, never hold it in memory",
    "image_only": "（图片版）report whose page is only an image: record as a report without text "
                  "(needs OCR)",
    "removed": "removed in this generation: answers 404 and is no longer listed",
}


# --------------------------------------------------------------------------------------------
# Requests, responses, resources


@dataclass
class Request:
    method: str  # GET | HEAD | POST
    address: str  # the local address the request arrived on: selects the host
    path: str  # without the query
    query: dict[str, list[str]] = field(default_factory=dict)
    form: dict[str, list[str]] = field(default_factory=dict)  # POST body (urlencoded)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names

    def param(self, name: str, default: str = "") -> str:
        """A parameter from the form or the query string (form first, as JSP's getParameter)."""
        values = self.form.get(name) or self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    chunks: Callable[[], Iterator[bytes]] | None = None  # streamed body (length in headers)
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Resource:
    """A page or file at one path. ``body`` may be a callable rendered on first use (DOCX)."""

    body: bytes | Callable[[], bytes]
    content_type: str
    modified: datetime
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fail_first: int = 0  # answer 503 to the first N requests
    stream_size: int | None = None  # stream attachments.big_file_chunks(stream_size)
    _cache: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        with self._lock:
            if self._cache is None:
                self._cache = self.body()
            return self._cache


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _published(d: date, hour: int = 9, minute: int = 30) -> datetime:
    """Publication time in China as an aware UTC datetime."""
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC) - CST


def _html_response(status: int, text: str, extra: dict[str, str] | None = None) -> Response:
    return Response(status, {"Content-Type": "text/html; charset=utf-8", **(extra or {})},
                    text.encode("utf-8"))


def not_found() -> Response:
    return _html_response(404, "<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
                               "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p>"
                               '<p><a href="/">返回首页</a></p></body></html>')


# --------------------------------------------------------------------------------------------
# Hosts and the network


@dataclass
class Host:
    address: str
    hostname: str  # the real-world host name this address stands for
    portal: str  # portal key ("" for the spam mirror)
    role: str  # portal | subsite | spam_mirror
    pages: dict[str, Resource] = field(default_factory=dict)
    routes: dict[str, Callable[[Request], Response]] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    slow_seconds: float = 2.0  # delay of the slow page
    fail_first: int = 2  # 503s before the transient page answers 200
    big_bytes: int = 60 * 1024 * 1024  # size of the oversized attachment
    latency_seconds: float = 0.0  # added to every answer: a round trip to a real portal


PORTAL_KEYS = ("trs", "hanweb", "jiyue", "county")
# Address offsets from host_base; the spam mirror sits apart from the portals.
OFFSETS = {"trs": 0, "trs-fgw": 1, "hanweb": 2, "jiyue": 3, "county": 4, "spam": 8}


def host_keys(portals: tuple[str, ...] | list[str] = PORTAL_KEYS) -> list[str]:
    """Host keys (see OFFSETS) of the chosen portals plus the spam mirror."""
    keys = [k for k in OFFSETS if k.split("-")[0] in portals]
    return [*keys, "spam"]


def addresses_for(host_base: str = "127.0.0.11") -> dict[str, str]:
    """Address of every host key, from the base address (must be loopback)."""
    base = ipaddress.IPv4Address(host_base)
    if not base.is_loopback:
        raise ValueError(f"test-bed addresses must be loopback (127.0.0.0/8), not {host_base}")
    if int(str(base).rsplit(".", 1)[1]) + max(OFFSETS.values()) > 254:
        raise ValueError(f"host base {host_base} leaves no room for {max(OFFSETS.values()) + 1} addresses")
    return {key: str(base + offset) for key, offset in OFFSETS.items()}


class Network:
    """All hosts of one test-bed generation and the manifest describing them."""

    def __init__(self, port: int, host_base: str, seed: int, generation: int, options: Options) -> None:
        self.port = port
        self.host_base = host_base
        self.seed = seed
        self.generation = generation
        self.options = options
        self.addresses = addresses_for(host_base)
        self.hosts: dict[str, Host] = {}
        self.reports: list[dict[str, Any]] = []
        self.specials: list[dict[str, Any]] = []
        self.portals: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self._counters: dict[tuple[str, str], int] = {}
        self._counter_lock = threading.Lock()

    def url(self, address: str, path: str) -> str:
        return f"http://{address}:{self.port}{path}"

    def add_host(self, key: str, hostname: str, portal: str, role: str) -> Host:
        host = Host(self.addresses[key], hostname, portal, role)
        self.hosts[host.address] = host
        return host

    def inherit_counters(self, other: Network) -> None:
        """Keep the 503 counters across a mutation (a page that recovered stays recovered)."""
        with other._counter_lock:
            self._counters = dict(other._counters)

    # ---- answering ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        host = self.hosts.get(request.address)
        if host is None:
            return _html_response(421, "<h1>421 Misdirected Request</h1>")
        if request.method not in ("GET", "HEAD", "POST"):
            return _html_response(405, "<h1>405 Method Not Allowed</h1>", {"Allow": "GET, HEAD, POST"})
        path = request.path or "/"
        route = host.routes.get(path)
        if route is not None:
            return route(request)
        resource = host.pages.get(path)
        if resource is None and path.endswith("/"):
            resource = host.pages.get(path + "index.html") or host.pages.get(path + "index.shtml")
        if resource is None and path.rsplit(".", 1)[-1].lower() in ("png", "jpg", "jpeg", "gif"):
            resource = _IMAGE  # every picture a page shows exists (logos, body images, 图片版)
        if resource is None:
            return not_found()
        if request.method == "POST":
            return _html_response(405, "<h1>405 Method Not Allowed</h1>", {"Allow": "GET, HEAD"})
        return self._serve(host, path, resource, request)

    def _serve(self, host: Host, path: str, resource: Resource, request: Request) -> Response:
        if resource.fail_first:
            with self._counter_lock:
                seen = self._counters.get((host.address, path), 0)
                self._counters[(host.address, path)] = seen + 1
            if seen < resource.fail_first:
                return _html_response(503, "<html><body><h1>503 Service Temporarily Unavailable</h1>"
                                           "<hr><center>nginx</center></body></html>")
        headers = {"Content-Type": resource.content_type, **resource.headers}
        if resource.status != 200:
            body = resource.payload()
            return Response(resource.status, {**headers, "Content-Length": str(len(body))}, body,
                            delay=resource.delay)
        if resource.stream_size is not None:
            size = resource.stream_size
            etag = f'"big-{size:x}"'
            body = b""
            chunks: Callable[[], Iterator[bytes]] | None = partial(attachments.big_file_chunks, size)
        else:
            body = resource.payload()
            # The port is in absolute links: leave it out so ETags survive a restart.
            digest = hashlib.sha1(body.replace(f":{self.port}".encode(), b":PORT")).hexdigest()
            etag = f'"{digest[:20]}"'
            size = len(body)
            chunks = None
        headers["ETag"] = etag
        headers["Last-Modified"] = http_date(resource.modified)
        if _not_modified(request.headers, etag, resource.modified):
            return Response(304, {"ETag": etag, "Last-Modified": headers["Last-Modified"]},
                            delay=resource.delay)
        headers["Content-Length"] = str(size)
        return Response(200, headers, body, chunks=chunks, delay=resource.delay)

    # ---- manifest -----------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        hosts = {
            h.address: {"hostname": h.hostname, "portal": h.portal, "role": h.role,
                        "base_url": self.url(h.address, "")}
            for h in sorted(self.hosts.values(), key=lambda h: ipaddress.IPv4Address(h.address))
        }
        return {
            "testbed": MANIFEST_VERSION,
            "seed": self.seed,
            "generation": self.generation,
            "port": self.port,
            "host_base": self.host_base,
            "options": {"slow_seconds": self.options.slow_seconds,
                        "latency_seconds": self.options.latency_seconds,
                        "fail_first": self.options.fail_first, "big_bytes": self.options.big_bytes},
            "hosts": hosts,
            "portals": self.portals,
            "reports": self.reports,
            "specials": self.specials,
            "changes": self.changes,
            "expect": EXPECT,
        }


def _not_modified(headers: Mapping[str, str], etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified.replace(microsecond=0) <= since
    return False


_IMAGE = Resource(attachments.png(), "image/png", datetime(2020, 1, 1, tzinfo=UTC))


# --------------------------------------------------------------------------------------------
# Portal building blocks


@dataclass
class Entry:
    """One row of a column list."""

    title: str
    path: str  # absolute path on the column's host (where the row links)
    published: date
    href: str = ""  # as written in the list (relative for TRS); default: path


@dataclass
class Column:
    name: str  # ColumnName
    path: str  # first list page
    entries: list[Entry] = field(default_factory=list)

    def sorted_entries(self) -> list[Entry]:
        return sorted(self.entries, key=lambda e: (e.published, e.path), reverse=True)

    def modified(self) -> datetime:
        return max((_published(e.published) for e in self.entries), default=_BASE_MODIFIED)


_BASE_MODIFIED = datetime(2024, 4, 1, 2, 0, tzinfo=UTC)


class Portal:
    """Helper for building one portal (and its subsites): pages, reports, manifest entries."""

    def __init__(self, net: Network, key: str, host: Host, site: Site, template: str,
                 list_encoding: Encoding, rng: random.Random) -> None:
        self.net = net
        self.key = key
        self.host = host
        self.site = site
        self.template = template
        self.encoding = list_encoding
        self.rng = rng
        self._doc = 0

    def url(self, path: str, host: Host | None = None) -> str:
        return self.net.url((host or self.host).address, path)

    def docid(self, base: int) -> int:
        """Increasing document ids with seed-dependent gaps (as a CMS hands them out)."""
        self._doc += self.rng.randint(3, 977)
        return base + self._doc

    # ---- pages ---------------------------------------------------------------------------------

    def add(self, path: str, resource: Resource, host: Host | None = None) -> None:
        (host or self.host).pages[path] = resource

    def add_html(self, path: str, text: str, modified: datetime, host: Host | None = None,
                 encoding: Encoding | None = None) -> None:
        enc = encoding or self.encoding
        body = text.encode(enc.codec, errors="xmlcharrefreplace")
        ctype = f"text/html; charset={enc.http}" if enc.http else "text/html"
        self.add(path, Resource(body, ctype, modified), host)

    def detail(self, path: str, report: Report, *, host: Host | None = None, site: Site | None = None,
               template: str | None = None, index: int = 0, **page_args: Any) -> tuple[PageInfo, bytes, str]:
        """Render a detail page; returns (page info, body, content type)."""
        host = host or self.host
        site = site or self.site
        template = template or self.template
        # Page details come from the path, not the portal's id sequence: adding or removing a page
        # in another generation must not move any other page's URL.
        local = rng_for(self.net.seed, host.address, path)
        info = PageInfo(site=site, url=self.url(path, host),
                        index_no=page_args.pop("index_no", f"{site.site_id}/{report.published.year}-"
                                                           f"{local.randint(1, 400):05d}"),
                        views=page_args.pop("views", local.randint(40, 4000)),
                        style=page_args.pop("style", index), **page_args)
        body, headers = render(template, report, info)
        return info, body, headers["Content-Type"]

    def add_report(self, listing: Column, path: str, report: Report, *, host: Host | None = None,
                   site: Site | None = None, template: str | None = None, index: int = 0,
                   list_path: str | None = None, modified: datetime | None = None, delay: float = 0.0,
                   fail_first: int = 0, note: str = "", **page_args: Any) -> dict[str, Any]:
        """A report served as an HTML detail page, listed in ``listing``."""
        host = host or self.host
        template = template or self.template
        info, body, ctype = self.detail(path, report, host=host, site=site, template=template,
                                        index=index, **page_args)
        self.add(path, Resource(body, ctype, modified or _published(report.published), delay=delay,
                                fail_first=fail_first), host)
        listing.entries.append(Entry(report.title, list_path or path, report.published))
        entry = self.report_entry(report, info.url, info.url, host, template, page_encoding(template, info))
        if note:
            entry["note"] = note
        self.net.reports.append(entry)
        return entry

    def report_entry(self, report: Report, url: str, page_url: str, host: Host, template: str,
                     encoding: Encoding | None, source_type: str = "html") -> dict[str, Any]:
        return {
            "id": f"{self.key}:{host.hostname}:{url.rsplit('/', 1)[-1]}",
            "portal": self.key,
            "host": host.address,
            "hostname": host.hostname,
            "url": url,
            "page_url": page_url,
            "pages": [url],
            "title": report.title,
            "year": report.year,
            "agency": report.agency,
            "published": report.published.isoformat(),
            "kind": "report",
            "source_type": source_type,
            "template": template,
            "charset": encoding.used if encoding and source_type == "html" else None,
            "table_format": report.table_format,
            "seed_body": report.seed,
            "expected_text": report.expected_text(),
        }

    def special(self, kind: str, url: str, title: str = "", **extra: Any) -> dict[str, Any]:
        entry = {"kind": kind, "portal": self.key, "url": url, "title": title, "expect": EXPECT[kind],
                 **extra}
        self.net.specials.append(entry)
        return entry

    # ---- chrome for the non-detail pages ------------------------------------------------------

    def meta(self, column: str = "") -> str:
        site = self.site
        tags = [("SiteName", site.name), ("SiteDomain", site.host), ("SiteIDCode", site.site_id)]
        if column:
            tags += [("ColumnName", column), ("ColumnType", "政府信息公开")]
        return "\n".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in tags)

    def shell(self, title: str, main: str, *, column: str = "", crumbs: tuple[tuple[str, str], ...] = (),
              nav: tuple[tuple[str, str], ...] = (), head: str = "", footer: str = "") -> str:
        """A portal page around ``main``: head with metas, nav, breadcrumb, footer."""
        enc = self.encoding
        charset = (f'<meta charset="{enc.meta}">' if enc.html5_meta else
                   f'<meta http-equiv="Content-Type" content="text/html; charset={enc.meta}">')
        crumb = " &gt; ".join(['<a href="/">首页</a>']
                              + [f'<a href="{h}">{html.escape(t)}</a>' for t, h in crumbs])
        links = "".join(f'<li><a href="{h}">{html.escape(t)}</a></li>' for t, h in nav)
        site = self.site
        page_title = f"{title}_{site.name}" if title != site.name else title
        return f"""<!DOCTYPE html>
<html>
<head>
{charset}
<title>{html.escape(page_title)}</title>
{self.meta(column)}
{head}</head>
<body>
<div class="top"><span>今天是：<script>document.write(new Date().toLocaleDateString());</script></span>
<a href="javascript:;">无障碍</a> <a href="javascript:;">长者版</a></div>
<div class="header"><img src="/images/logo.png" alt="logo.png"><h1>{html.escape(site.name)}</h1></div>
<ul class="nav">{links}</ul>
<div class="location">当前位置：{crumb}</div>
<div class="main">
{main}
</div>
<div class="footer">
{footer}
<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
<p>主办：{html.escape(site.sponsor)}　承办：{html.escape(site.organizer)}</p>
<p>网站标识码：{site.site_id}　{html.escape(site.icp)}　{html.escape(site.beian)}</p>
<p>技术支持：{html.escape(site.support)}</p>
</div>
</body>
</html>
"""


def _li(title: str, href: str, d: date | None = None, attrs: str = "") -> str:
    span = f"<span>{d.isoformat()}</span>" if d else ""
    return f'<li><a href="{html.escape(href)}" title="{html.escape(title)}"{attrs}>{html.escape(title)}</a>{span}</li>'


def _links(items: list[tuple[str, str]]) -> str:
    return "<ul>" + "".join(_li(t, h) for t, h in items) + "</ul>"


def _site(name: str, host: str, site_id: str, column: str, prov: str, code: str,
          support: str = "拓尔思信息技术股份有限公司") -> Site:
    short = name.removesuffix("人民政府")
    return Site(name=name, host=host, site_id=site_id, column=column,
                sponsor=f"{short}人民政府办公室", organizer=f"{short}数据资源管理局",
                icp=f"{prov}ICP备{code[:8]}号-1", beian=f"{prov}公网安备 {code}号", support=support)


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _restem(report: Report, old: str, new: str, agency: str | None = None) -> Report:
    """A document from another place made local: replace the place name in title and text."""
    blocks = [replace(b, text=b.text.replace(old, new)) if hasattr(b, "text") and not isinstance(b, Image)
              else b for b in report.blocks]
    return replace(report, title=report.title.replace(old, new), blocks=blocks,
                   agency=agency or report.agency.replace(old, new))


def _attachment_only(title: str, agency: str, published: date, key: str = "attach1") -> Report:
    """The 详见附件 shell page of an attachment-only report."""
    shell = make_document(key, published, agency=agency)
    return replace(shell, title=title)


# --------------------------------------------------------------------------------------------
# TRS portal (GBK, JS-only pagination) with its department subsite


TRS_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
  else document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
  for(var i=0; i<_nPageCount; i++){
    if(i == nCurrIndex) document.write("<span class=\\"current\\">" + (i+1) + "</span>&nbsp;");
    else if(i == 0) document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">1</a>&nbsp;");
    else document.write("<a href=\\"" + _sPageName + "_" + i + "." + _sPageExt + "\\">" + (i+1) + "</a>&nbsp;");
  }
}
</script>"""


def _trs_pager(count: int, current: int, name: str, ext: str) -> str:
    # TRS writes the pager with JS: pages 2..n have no static <a href>.
    return (f'<div class="page">{TRS_JS}\n<script type="text/javascript">\n'
            f"var currentPage = {current};//所在页从0开始\nvar countPage = {count}//共多少页\n"
            f'createPageHTML({count}, {current}, "{name}", "{ext}");\n</script></div>')


def _trs_list_pages(p: Portal, column: Column, per_page: int, sidebar: str, crumbs: tuple[tuple[str, str], ...],
                    host: Host | None = None, nav: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """index.html, index_1.html, … for a TRS column; returns their URLs."""
    entries = column.sorted_entries()
    count = max(1, -(-len(entries) // per_page))
    base = column.path.rsplit("/", 1)[0] + "/"
    urls = []
    for n in range(count):
        rows = []
        for e in entries[n * per_page:(n + 1) * per_page]:
            href = e.href or ("./" + e.path[len(base):] if e.path.startswith(base) else e.path)
            rows.append(_li(e.title, href, e.published, ' target="_blank"'))
        main = (f'<div class="side">{sidebar}</div>\n<div class="list-box"><h2>{html.escape(column.name)}</h2>\n'
                f'<ul class="list">\n' + "\n".join(rows) + "\n</ul>\n" + _trs_pager(count, n, "index", "html")
                + "</div>")
        path = base + ("index.html" if n == 0 else f"index_{n}.html")
        p.add_html(path, p.shell(column.name, main, column=column.name, crumbs=crumbs, nav=nav),
                   column.modified(), host)
        urls.append(p.url(path, host))
    return urls


def _split_report(report: Report, parts: int) -> list[Report]:
    """A long article cut into pages at heading boundaries (TRS article pagination)."""
    heads = [i for i, b in enumerate(report.blocks) if isinstance(b, Heading)]
    size = len(report.blocks) / parts
    cuts = [0]
    for k in range(1, parts):
        target = size * k
        cut = min((h for h in heads if h > cuts[-1]), key=lambda h: abs(h - target), default=None)
        if cut is None:
            break
        cuts.append(cut)
    cuts.append(len(report.blocks))
    return [replace(report, blocks=report.blocks[a:b]) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _inject(body: bytes, marker: bytes, snippet: str, codec: str) -> bytes:
    data = snippet.encode(codec, errors="xmlcharrefreplace")
    if marker in body:
        return body.replace(marker, data + marker, 1)
    return body.replace(b"</body>", data + b"</body>", 1)


def _build_trs(net: Network) -> None:
    o = net.options
    host = net.add_host("trs", "www.xinhua.gov.cn", "trs", "portal")
    sub = net.add_host("trs-fgw", "fgw.xinhua.gov.cn", "trs", "subsite")
    spam_addr = net.addresses["spam"]
    site = _site("新华市人民政府", "www.xinhua.gov.cn", "3405000001", "政府信息公开年报", "皖", "34050002000101")
    gbk = DEFAULT_ENCODING["trs"]
    p = Portal(net, "trs", host, site, "trs", gbk, random.Random(f"{net.seed}:trs"))
    col = Column("政府信息公开年报", "/zfxxgk/zfxxgknb/index.html")
    cdir = "/zfxxgk/zfxxgknb/"
    agency, stem = "新华市人民政府", "新华"

    def tpath(d: date, doc: int, ext: str = "html", base: str = cdir) -> str:
        return f"{base}{d:%Y%m}/t{d:%Y%m%d}_{doc}.{ext}"

    def spec(body: str, year: int, d: date, **kw: Any) -> Report:
        return make_report(ReportSpec(body, agency, year, d, stem=stem, **kw))

    # 2023: long report paginated over three pages (t…_doc.html, _1.html, _2.html), JS pager only.
    d = _d("2024-03-28")
    long_report = spec("seed_001", 2023, d, scale=3, thousands=True, signature=True)
    doc = p.docid(5_300_000)
    first = tpath(d, doc)
    parts = _split_report(long_report, 3)
    stem_name = first.rsplit("/", 1)[1].removesuffix(".html")
    page_urls = []
    for n, part in enumerate(parts):
        path = first if n == 0 else first.replace(".html", f"_{n}.html")
        _info, body, ctype = p.detail(path, part, index=n, index_no="11340500MB0001234X/2024-00031")
        pager = _trs_pager(len(parts), n, stem_name, "html")
        body = _inject(body, b'<div class="article-tools">', pager, "gbk")
        p.add(path, Resource(body, ctype, _published(d)))
        page_urls.append(p.url(path))
    col.entries.append(Entry(long_report.title, first, d))
    entry = p.report_entry(long_report, page_urls[0], page_urls[0], host, "trs", gbk)
    entry["pages"] = page_urls
    entry["note"] = ("article pagination: the text is split over pages; the later pages are linked only by "
                     "createPageHTML(); the expected text is the pages' bodies joined, title once")
    net.reports.append(entry)

    # 2022: a Word paste inside TRS_Editor.
    d = _d("2023-03-30")
    p.add_report(col, tpath(d, p.docid(5_200_000)), spec("seed_004", 2022, d, scale=2), template="wordpaste",
                 index=1, variant="trs", flags=frozenset({"empty_paragraphs", "word_spacer_row"}))
    # 2021: the slow page.
    d = _d("2022-03-29")
    path = tpath(d, p.docid(5_100_000))
    p.add_report(col, path, spec("seed_001", 2021, d), index=2, delay=o.slow_seconds, variant="TRS_UEDITOR")
    p.special("slow", p.url(path), f"{agency}2021年政府信息公开工作年度报告", delay_seconds=o.slow_seconds)
    # 2020: listed under its old .htm URL, which redirects 301 → 302 → the page.
    d = _d("2021-03-30")
    doc = p.docid(5_000_000)
    final = tpath(d, doc)
    old, hop = tpath(d, doc, "htm"), f"{cdir}jump.html?id={doc}"
    rep = spec("seed_004", 2020, d, blank_zeros=True)
    p.add_report(col, final, rep, index=3, list_path=old, variant="zoom", flags=frozenset({"chrome_in_body"}))
    hop_url = p.url(hop)  # the 301 gives an absolute Location, the 302 a root-relative one
    host.routes[old] = lambda _r, to=hop_url: _redirect(301, to)
    host.routes[f"{cdir}jump.html"] = _jump_route({str(doc): final})
    p.special("redirect_chain", p.url(old), rep.title, chain=[p.url(old), p.url(hop), p.url(final)],
              final_url=p.url(final))
    # 2019: attachment-only, the report is a PDF.
    d = _d("2020-03-31")
    doc = p.docid(4_900_000)
    path = tpath(d, doc)
    pdf_name = f"P0{d:%Y%m%d}{doc}{p.rng.randint(100000, 999999)}.pdf"
    pdf_report = spec("seed_001", 2019, d)
    shell = _attachment_only(pdf_report.title, agency, d)
    info, body, ctype = p.detail(path, shell, index=4, attachments=(
        Attachment(f"./{pdf_name}", f"附件：{pdf_report.title}.pdf"),))
    p.add(path, Resource(body, ctype, _published(d)))
    pdf_path = f"{cdir}{d:%Y%m}/{pdf_name}"
    p.add(pdf_path, Resource(attachments.report_pdf(pdf_report), "application/pdf", _published(d)))
    col.entries.append(Entry(shell.title, path, d))
    net.reports.append(p.report_entry(pdf_report, p.url(pdf_path), info.url, host, "trs", None, "pdf"))
    p.special("attachment_page", info.url, shell.title, attachment_url=p.url(pdf_path),
              expected_kind="empty", expected_text=shell.expected_text())
    # 2016-2018: pre-2019 statistics tables.
    for i, year in enumerate((2018, 2017, 2016)):
        d = _d(f"{year + 1}-03-2{i + 5}")
        p.add_report(col, tpath(d, p.docid(4_000_000 - 300_000 * i)), spec("synthetic_pre2019", year, d),
                     index=5 + i, variant=("TRS_Editor", "zoom", "TRS_UEDITOR")[i])
    # 2015: oversized scanned attachment.
    d = _d("2016-03-30")
    doc = p.docid(3_000_000)
    path = tpath(d, doc)
    title = f"{agency}2015年政府信息公开工作年度报告（扫描件）"
    big_name = f"P0{d:%Y%m%d}{doc}000001.pdf"
    info, body, ctype = p.detail(path, _attachment_only(title, agency, d), index=8,
                                 attachments=(Attachment(f"./{big_name}", f"附件：{title}.pdf"),))
    p.add(path, Resource(body, ctype, _published(d)))
    big_path = f"{cdir}{d:%Y%m}/{big_name}"
    p.add(big_path, Resource(b"", "application/pdf", _published(d), stream_size=o.big_bytes))
    col.entries.append(Entry(title, path, d))
    p.special("attachment_page", info.url, title, attachment_url=p.url(big_path), expected_kind="empty",
              expected_text=_attachment_only(title, agency, d).expected_text())
    p.special("oversized", p.url(big_path), title, size=o.big_bytes, linked_from=info.url)
    # 2014: deleted, meta refresh to the column.
    d = _d("2015-03-27")
    path = tpath(d, p.docid(2_900_000))
    title = f"{agency}2014年政府信息公开工作年度报告"
    p.add_html(path, _gone_page(col.path, gbk), _published(d))
    col.entries.append(Entry(title, path, d))
    p.special("gone", p.url(path), title, refresh_to=p.url(col.path))
    # 2013: redirect loop.
    d = _d("2014-03-26")
    doc = p.docid(2_800_000)
    a, b = tpath(d, doc), tpath(d, doc, "shtml")
    host.routes[a] = lambda _r, to=b: _redirect(301, to)
    host.routes[b] = lambda _r, to=a: _redirect(302, to)
    title = f"{agency}2013年政府信息公开工作年度报告"
    col.entries.append(Entry(title, a, d))
    p.special("redirect_loop", p.url(a), title, loop=[p.url(a), p.url(b)])
    # robots.txt forbids /zfxxgk/nbbak/: a draft copy the crawler must not fetch.
    d = _d("2024-03-20")
    path = tpath(d, p.docid(5_290_000), base="/zfxxgk/nbbak/")
    draft = replace(long_report, title=f"{long_report.title}（内部审核稿）")
    _info, body, ctype = p.detail(path, draft, index=9)
    p.add(path, Resource(body, ctype, _published(d)))
    col.entries.append(Entry(draft.title, path, d, href=f"../nbbak/{path.split('/nbbak/')[1]}"))
    p.special("robots_disallowed", p.url(path), draft.title, rule="Disallow: /zfxxgk/nbbak/")
    # Non-reports in the column.
    d = _d("2021-01-08")
    notice = _restem(make_document("notice", d), "蜀山", stem, agency="新华市人民政府办公室")
    _add_not_report(p, col, tpath(d, p.docid(4_800_000)), notice, index=10, doc_no="新政办秘〔2021〕2号")
    d = _d("2022-02-15")
    plan = _restem(make_document("plan", d), "颍泉", stem, agency="新华市人民政府办公室")
    _add_not_report(p, col, tpath(d, p.docid(5_150_000)), plan, index=11)
    if net.generation >= 1:
        d = _d("2025-03-20")
        # Its own id source, so that the ids of everything else stay the same across generations.
        path = tpath(d, 5_400_000 + random.Random(f"{net.seed}:trs:gen1").randint(1, 9999))
        entry = p.add_report(col, path, spec("seed_001", 2024, d), index=12)
        net.changes.append({"generation": 1, "change": "added", "url": entry["url"], "title": entry["title"]})

    # Department 生态环境局 on the portal host itself.
    eco_site = replace(site, column="年度报告")
    eco = Column("年度报告", "/zfxxgk/bmxxgk/sthjj/ndbg/index.html")
    for i, year in enumerate((2023, 2022, 2021)):
        d = _d(f"{year + 1}-01-2{i + 2}")
        rep = make_report(ReportSpec("synthetic_bureau", "新华市生态环境局", year, d, stem=stem, signature=True))
        p.add_report(eco, tpath(d, p.docid(6_000_000), base="/zfxxgk/bmxxgk/sthjj/ndbg/"), rep, site=eco_site,
                     template="wordpaste" if i == 1 else "trs", index=i, variant="trs" if i == 1 else "",
                     column="年度报告", crumbs=("政府信息公开", "部门信息公开", "新华市生态环境局", "年度报告"))

    # Department subsite fgw.xinhua.gov.cn (its own address, same registrable domain).
    fgw_site = _site("新华市发展和改革委员会", "fgw.xinhua.gov.cn", "3405000012", "政府信息公开年报", "皖",
                     "34050002000112")
    fp = Portal(net, "trs", sub, fgw_site, "trs", gbk, random.Random(f"{net.seed}:trs-fgw"))
    fcol = Column("政府信息公开年报", "/zfxxgk/ndbg/index.html")
    fagency = "新华市发展和改革委员会"
    for i, year in enumerate((2023, 2021, 2020)):
        d = _d(f"{year + 1}-01-1{i + 5}")
        rep = make_report(ReportSpec("synthetic_bureau", fagency, year, d, stem=stem))
        fp.add_report(fcol, tpath(d, fp.docid(700_000), base="/zfxxgk/ndbg/"), rep, index=i + 1,
                      variant="TRS_UEDITOR")
    d = _d("2023-01-18")
    doc = fp.docid(700_000)
    path = tpath(d, doc, base="/zfxxgk/ndbg/")
    docx_report = make_report(ReportSpec("synthetic_bureau", fagency, 2022, d, stem=stem))
    docx_name = f"P0{d:%Y%m%d}{doc}{fp.rng.randint(100000, 999999)}.docx"
    shell = _attachment_only(docx_report.title, fagency, d)
    info, body, ctype = fp.detail(path, shell, index=0, flags=frozenset({"attachments_in_script"}),
                                  attachments=(Attachment(f"./{docx_name}", f"附件：{docx_report.title}.docx"),))
    fp.add(path, Resource(body, ctype, _published(d)))
    docx_path = f"/zfxxgk/ndbg/{d:%Y%m}/{docx_name}"
    fp.add(docx_path, Resource(lambda r=docx_report: attachments.report_docx(r),
                               "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               _published(d)))
    fcol.entries.append(Entry(shell.title, path, d))
    net.reports.append(fp.report_entry(docx_report, fp.url(docx_path), info.url, sub, "trs", None, "docx"))
    fp.special("attachment_page", info.url, shell.title, attachment_url=fp.url(docx_path), expected_kind="empty",
               expected_text=shell.expected_text(), note="the attachment link is written by document.write()")
    fnav = (("首页", "/"), ("政府信息公开", "/zfxxgk/index.html"))
    fp.add_html("/", fp.shell(fgw_site.name, _links([("政府信息公开", "/zfxxgk/index.html"),
                                                     ("政府信息公开年报", fcol.path),
                                                     ("返回新华市人民政府", net.url(host.address, "/"))]),
                               nav=fnav), fcol.modified())
    fp.add_html("/zfxxgk/index.html", fp.shell("政府信息公开", _links([("政府信息公开年报", "ndbg/index.html")]),
                                               crumbs=(("政府信息公开", "./"),), nav=fnav), fcol.modified())
    fp_lists = _trs_list_pages(fp, fcol, 20, "", (("政府信息公开", "../"), (fcol.name, "./")), nav=fnav)

    # Portal pages: home → 政务公开 → 政府信息公开 → 法定主动公开内容 → 政府信息公开年报; 部门 list.
    nav = (("首页", "/"), ("政务公开", "/zwgk/index.html"), ("政府信息公开", "/zfxxgk/index.html"),
           ("互动交流", "/hdjl/index.html"))
    spam = net.url(spam_addr, "")
    modified = max(col.modified(), eco.modified())
    home_main = (_links([("政务公开", "/zwgk/index.html"), ("政府信息公开", "/zfxxgk/index.html")])
                 + '<div class="news"><h3>政务要闻</h3>'
                 + _links([("新华市召开政务公开工作推进会", "/zwdt/202404/t20240401_1.html")]) + "</div>")
    p.add_html("/", p.shell(site.name, home_main, nav=nav), modified)
    p.add_html("/zwgk/index.html", p.shell("政务公开", _links([("政府信息公开", "/zfxxgk/index.html"),
                                                              ("政策文件", "/zwgk/zcwj/index.html")]),
                                           crumbs=(("政务公开", "./"),), nav=nav), modified)
    p.add_html("/zfxxgk/index.html", p.shell("政府信息公开", _links([
        ("政府信息公开指南", "/zfxxgk/zfxxgkzn/index.html"), ("法定主动公开内容", "fdzdgknr/index.html"),
        ("政府信息公开年报", "zfxxgknb/index.html"), ("部门信息公开", "bmxxgk/index.html")]),
        crumbs=(("政府信息公开", "./"),), nav=nav), modified)
    p.add_html("/zfxxgk/fdzdgknr/index.html", p.shell("法定主动公开内容", _links([
        ("机构职能", "/zfxxgk/fdzdgknr/jgzn/index.html"), ("政府信息公开年报", "../zfxxgknb/index.html")]),
        column="法定主动公开内容", crumbs=(("政府信息公开", "../"), ("法定主动公开内容", "./")), nav=nav), modified)
    p.add_html("/zfxxgk/bmxxgk/index.html", p.shell("部门信息公开", _links([
        (fgw_site.name, net.url(sub.address, "/")), ("新华市生态环境局", "sthjj/ndbg/index.html")]),
        column="部门信息公开", crumbs=(("政府信息公开", "../"), ("部门信息公开", "./")), nav=nav), modified)
    sidebar = ("<h3>法定主动公开内容</h3>" + _links([("政府信息公开年报", "./index.html"),
                                                  ("部门信息公开", "../bmxxgk/index.html")])
               + '<h3>信息公开日历</h3><a href="/zfxxgk/rili/index.html?date=2024-01-01">2024年1月</a>'
               + "<h3>相关链接</h3>" + _links([
                   ("新华市2023年政府信息公开工作年度报告（全文）", f"{spam}/html/2024/0329/81234.html"),
                   ("政务公开专题", f"{spam}/")]))
    crumbs = (("政府信息公开", "../"), ("法定主动公开内容", "../fdzdgknr/"), (col.name, "./"))
    list_urls = _trs_list_pages(p, col, 5, sidebar, crumbs, nav=nav)
    _trs_list_pages(p, eco, 20, "", (("政府信息公开", "../../../"), ("部门信息公开", "../../"),
                                     ("新华市生态环境局", "../"), ("年度报告", "./")), nav=nav)
    host.routes["/zfxxgk/rili/index.html"] = _calendar_route(p)
    p.special("trap", p.url("/zfxxgk/rili/index.html?date=2024-01-01"), "信息公开日历",
              pattern="/zfxxgk/rili/index.html?date=YYYY-MM-DD")
    host.pages["/robots.txt"] = Resource(
        b"User-agent: *\nDisallow: /zfxxgk/nbbak/\nDisallow: /search/\n\nSitemap: /sitemap.xml\n",
        "text/plain", _BASE_MODIFIED)
    net.portals.append({
        "key": "trs", "name": site.name, "cms": "trs", "hostname": host.hostname, "address": host.address,
        "seed_url": p.url("/"), "charset": "gbk (declared gb2312)",
        "scope_addresses": [host.address, sub.address], "subsite_addresses": [sub.address],
        "offscope_addresses": [spam_addr],
        "hostnames": {host.address: host.hostname, sub.address: sub.hostname},
        "robots_txt": p.url("/robots.txt"),
        "columns": [
            {"name": col.name, "url": list_urls[0], "list_pages": list_urls,
             "pagination": "JS createPageHTML(count, current, \"index\", \"html\"): index_1.html… have no static link",
             "path": ["首页", "政务公开", "政府信息公开", "法定主动公开内容", col.name]},
            {"name": eco.name, "url": p.url(eco.path), "list_pages": [p.url(eco.path)], "pagination": "single page",
             "path": ["政府信息公开", "部门信息公开", "新华市生态环境局", eco.name]},
            {"name": fcol.name, "url": fp_lists[0], "list_pages": fp_lists, "pagination": "single page",
             "path": ["部门信息公开", fgw_site.name, "政府信息公开", fcol.name], "host": sub.address},
        ],
    })


def _add_not_report(p: Portal, column: Column, path: str, doc: Report, *, host: Host | None = None,
                    template: str | None = None, index: int = 0, **page_args: Any) -> None:
    info, body, ctype = p.detail(path, doc, host=host, template=template, index=index, **page_args)
    p.add(path, Resource(body, ctype, _published(doc.published)), host)
    column.entries.append(Entry(doc.title, path, doc.published))
    p.special("not_report", info.url, doc.title, expected_text=doc.expected_text())


def _redirect(status: int, location: str) -> Response:
    return _html_response(status, f'<html><body>Moved: <a href="{html.escape(location)}">here</a></body></html>',
                          {"Location": location})


def _jump_route(targets: dict[str, str]) -> Callable[[Request], Response]:
    """jump.html?id=N: the second hop of the redirect chain."""
    def route(request: Request) -> Response:
        target = targets.get(request.param("id"))
        return _redirect(302, target) if target else not_found()
    return route


def _gone_page(column_path: str, enc: Encoding) -> str:
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={enc.meta}">'
            f'<meta http-equiv="refresh" content="0;url={column_path}"><title>信息已删除</title></head>'
            f'<body><script>window.location.href="{column_path}";</script></body></html>')


def _calendar_route(p: Portal) -> Callable[[Request], Response]:
    """An endless calendar: every day links to the next (and previous) day."""
    def route(request: Request) -> Response:
        try:
            day = date.fromisoformat(request.param("date", "2024-01-01"))
        except ValueError:
            day = date(2024, 1, 1)
        prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
        main = (f'<div class="calendar"><h2>信息公开日历 {day.isoformat()}</h2>'
                f"<p>{day.year}年{day.month}月{day.day}日 暂无公开信息。</p>"
                f'<a href="index.html?date={prev_day.isoformat()}">前一天</a> '
                f'<a href="index.html?date={next_day.isoformat()}">后一天</a></div>')
        text = p.shell("信息公开日历", main, column="信息公开日历", crumbs=(("政府信息公开", "../"),))
        return Response(200, {"Content-Type": f"text/html; charset={p.encoding.http}"},
                        text.encode(p.encoding.codec, errors="xmlcharrefreplace"))
    return route


# --------------------------------------------------------------------------------------------
# Hanweb 大汉 portal: datastore XML in the page, more rows from POST dataproxy.jsp

HANWEB_COL, HANWEB_UNIT, HANWEB_WEBID = 1234, 5678, 12
HANWEB_PER_PAGE, HANWEB_GROUP_PAGES = 5, 3  # the page carries 3 pages of rows (15), as jpage does


def _hanweb_record(e: Entry) -> str:
    return (f'<record><![CDATA[<li><a href="{e.path}" target="_blank" title="{html.escape(e.title)}">'
            f"{html.escape(e.title)}</a><span>{e.published.isoformat()}</span></li>]]></record>")


def _hanweb_nextgroup(webname: str) -> str:
    query = urlencode({"page": 1, "appid": 1, "webid": HANWEB_WEBID, "path": "/", "columnid": HANWEB_COL,
                       "unitid": HANWEB_UNIT, "webname": webname, "permissiontype": 0})
    return f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?{query}"></a>]]></nextgroup>'


def _dataproxy_route(column: Column, webname: str) -> Callable[[Request], Response]:
    def route(request: Request) -> Response:
        rows: list[Entry] = []
        total = 0
        # Without the column's form fields the proxy answers an empty recordset, as the real one does.
        if (request.param("columnid") == str(HANWEB_COL) and request.param("unitid") == str(HANWEB_UNIT)
                and request.param("webid") == str(HANWEB_WEBID)):
            entries = column.sorted_entries()
            total = len(entries)
            try:
                start = max(1, int(request.param("startrecord", "1")))
                end = int(request.param("endrecord", str(start + HANWEB_PER_PAGE * HANWEB_GROUP_PAGES - 1)))
            except ValueError:
                return _html_response(400, "<h1>400 Bad Request</h1>")
            rows = entries[start - 1:max(start - 1, end)]
        per_page = max(1, int(request.param("perpage", str(HANWEB_PER_PAGE)) or HANWEB_PER_PAGE))
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n' + _hanweb_nextgroup(webname) + "\n"
               + "<recordset>\n" + "\n".join(_hanweb_record(e) for e in rows) + "\n</recordset>\n"
               + f"<totalrecord>{total}</totalrecord>\n<totalpage>{-(-total // per_page)}</totalpage>\n"
               + "</datastore>\n")
        return Response(200, {"Content-Type": "text/xml;charset=UTF-8"}, xml.encode("utf-8"))
    return route


def _hanweb_shell(p: Portal, title: str, main: str, column: str = "") -> str:
    """大汉 pages: everything inside 1000-px layout tables."""
    site = p.site
    nav = ('<a href="/">网站首页</a>　<a href="/col/col1233/index.html">政务公开</a>　'
           '<a href="/col/col1200/index.html">政府信息公开</a>')
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(title)}_{html.escape(site.name)}</title>
{p.meta(column)}
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
</head>
<body leftmargin="0" topmargin="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="30">今天是：<script>document.write(new Date().toLocaleDateString());</script></td></tr>
<tr><td><img src="/images/banner.jpg" alt="banner.jpg" width="1000" height="160"></td></tr>
<tr><td class="nav_bg">{nav}</td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td valign="top">
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td>
{main}
</td></tr></table>
</td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="foot">
<tr><td align="center">主办：{html.escape(site.sponsor)}　承办：{html.escape(site.organizer)}</td></tr>
<tr><td align="center">网站标识码：{site.site_id}　{html.escape(site.icp)}</td></tr>
<tr><td align="center">技术支持：大汉网络</td></tr>
</table>
</body>
</html>
"""


def _build_hanweb(net: Network) -> None:
    o = net.options
    host = net.add_host("hanweb", "www.dongjiang.gov.cn", "hanweb", "portal")
    site = _site("东江区人民政府", "www.dongjiang.gov.cn", "3412030003", "信息公开年报", "皖", "34120302000303",
                 "南京大汉网络有限公司")
    p = Portal(net, "hanweb", host, site, "hanweb", DEFAULT_ENCODING["hanweb"], random.Random(f"{net.seed}:hanweb"))
    col = Column("信息公开年报", f"/col/col{HANWEB_COL}/index.html")
    agency, stem = "东江区人民政府", "东江"
    crumbs = ("政务公开", "政府信息公开", "信息公开年报")

    def art(d: date) -> str:
        return f"/art/{d.year}/{d.month}/{d.day}/art_{HANWEB_COL}_{p.docid(56_000)}.html"

    revised_url = ""
    for i, year in enumerate(range(2023, 2015, -1)):
        d = _d(f"{year + 1}-0{1 + i % 3}-2{i % 9}")
        body = "synthetic_pre2019" if year < 2019 else ("seed_004" if year % 2 else "seed_001")
        rep = make_report(ReportSpec(body, agency, year, d, stem=stem, scale=2 + (year == 2022)))
        path = art(d)
        fail = o.fail_first if year == 2020 else 0
        modified = None
        if year == 2021 and net.generation >= 1:  # revised between crawls
            rep = replace(rep, blocks=[*rep.blocks, Para("（本报告于2024年4月10日更正第二部分数据。）")])
            modified = datetime(2024, 4, 10, 1, 0, tzinfo=UTC)
        entry = p.add_report(col, path, rep, index=i, fail_first=fail, modified=modified, crumbs=crumbs,
                             variant="td" if i % 3 == 1 else "",
                             flags=frozenset({"content_markers"}) if i % 2 else frozenset())
        if year == 2020:
            p.special("transient_503", entry["url"], rep.title, fail_first=o.fail_first)
        if year == 2021:
            revised_url = entry["url"]
    if net.generation >= 1:
        net.changes.append({"generation": 1, "change": "modified", "url": revised_url,
                            "title": f"{agency}2021年政府信息公开工作年度报告"})
    towns = (("t1", "东江区三河镇人民政府", 2021), ("t2", "东江区城关街道办事处", 2020),
             ("t3", "东江区高河镇人民政府", 2023), ("t4", "东江区柘皋镇人民政府", 2018))
    for i, (key, town, year) in enumerate(towns):
        d = _d(f"{year + 1}-01-1{i + 2}")
        rep = make_report(ReportSpec(f"township/{key}", town, year, d, scale=0))
        p.add_report(col, art(d), rep, index=i + 8, crumbs=crumbs, template="township" if i % 2 else None)
    for i, (dept, year) in enumerate((("东江区教育局", 2022), ("东江区财政局", 2023), ("东江区卫生健康委员会", 2021))):
        d = _d(f"{year + 1}-01-2{i + 3}")
        rep = make_report(ReportSpec("synthetic_bureau", dept, year, d, stem=stem, signature=True))
        p.add_report(col, art(d), rep, index=i + 12, crumbs=crumbs)
    # （图片版）: the page body is one picture.
    d = _d("2023-01-30")
    path = art(d)
    title = "东江区高河镇人民政府2022年政府信息公开工作年度报告（图片版）"
    image_report = Report(title=title, agency="东江区高河镇人民政府", year=2022, published=d, table_format="none",
                          blocks=[Image(alt=f"W0{d:%Y%m%d}5512340001.jpg")], seed="image-only")
    info, body, ctype = p.detail(path, image_report, index=15, crumbs=crumbs)
    p.add(path, Resource(body, ctype, _published(d)))
    col.entries.append(Entry(title, path, d))
    entry = p.report_entry(image_report, info.url, info.url, host, "hanweb", DEFAULT_ENCODING["hanweb"], "image")
    entry["needs_ocr"] = True
    net.reports.append(entry)
    p.special("image_only", info.url, title, expected_text=image_report.expected_text())
    # Non-reports.
    d = _d("2021-03-05")
    plan = _restem(make_document("plan", d), "颍泉", stem)
    _add_not_report(p, col, art(d), plan, index=16, crumbs=crumbs)
    d = _d("2023-06-12")
    letter = _restem(make_document("letter", d), "河西", stem)
    _add_not_report(p, col, art(d), letter, index=17, crumbs=crumbs)

    # The column page: rows of the first group inside <script type="text/xml">, the rest via dataproxy.
    entries = col.sorted_entries()
    group = HANWEB_PER_PAGE * HANWEB_GROUP_PAGES
    webname = site.name
    datastore = ('<script type="text/xml"><datastore>' + _hanweb_nextgroup(webname) + "<recordset>"
                 + "".join(_hanweb_record(e) for e in entries[:group]) + "</recordset></datastore></script>")
    jpage = (f"<script type=\"text/javascript\">$(document).ready(function(){{ $('#{HANWEB_UNIT}').jpage({{"
             f"dataStore: $('#{HANWEB_UNIT} script[type=\"text/xml\"]').html(), totalRecord: {len(entries)}, "
             f"perPage: {HANWEB_PER_PAGE}, groupSize: {HANWEB_GROUP_PAGES}, "
             f"proxyUrl: '/module/web/jpage/dataproxy.jsp', "
             f"ajaxParam: {{col: 1, appid: 1, webid: {HANWEB_WEBID}, path: '/', columnid: {HANWEB_COL}, "
             f"sourceContentType: 1, unitid: {HANWEB_UNIT}, webname: '{webname}', permissiontype: 0}}, "
             f"barPosition: 'bottom', pageBarTemplate: '共{{totalRecord}}条 {{first}}{{prev}}{{next}}{{last}}'"
             f"}}); }});</script>")
    main = (f'<table width="100%" border="0"><tr><td width="240" valign="top" class="left">'
            f'<table width="100%"><tr><td><a href="/col/col1210/index.html">法定主动公开内容</a></td></tr>'
            f'<tr><td><a href="/col/col{HANWEB_COL}/index.html">信息公开年报</a></td></tr></table></td>'
            f'<td valign="top"><table width="100%"><tr><td class="bt_link">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="/col/col1233/index.html">政务公开</a> &gt; <a href="/col/col1200/index.html">政府信息公开</a>'
            f' &gt; <a href="/col/col1210/index.html">法定主动公开内容</a> &gt; 信息公开年报</td></tr>'
            f'<tr><td><div id="{HANWEB_UNIT}">{datastore}</div>{jpage}</td></tr></table></td></tr></table>')
    p.add_html(col.path, _hanweb_shell(p, col.name, main, col.name), col.modified())
    host.routes["/module/web/jpage/dataproxy.jsp"] = _dataproxy_route(col, webname)
    spam = net.url(net.addresses["spam"], "/")
    for path, title, links in (
        ("/", site.name, [("政务公开", "/col/col1233/index.html"), ("政府信息公开", "/col/col1200/index.html"),
                          ("友情链接：新华政务资讯网", spam)]),
        ("/col/col1233/index.html", "政务公开", [("政府信息公开", "/col/col1200/index.html")]),
        ("/col/col1200/index.html", "政府信息公开", [("政府信息公开指南", "/col/col1201/index.html"),
                                                     ("法定主动公开内容", "/col/col1210/index.html"),
                                                     ("信息公开年报", col.path)]),
        ("/col/col1210/index.html", "法定主动公开内容", [("信息公开年报", col.path)]),
    ):
        main = "<table width=\"100%\">" + "".join(
            f'<tr><td><a href="{h}">{html.escape(t)}</a></td></tr>' for t, h in links) + "</table>"
        p.add_html(path, _hanweb_shell(p, title, main, title if path != "/" else ""), col.modified())
    net.portals.append({
        "key": "hanweb", "name": site.name, "cms": "hanweb", "hostname": host.hostname, "address": host.address,
        "seed_url": p.url("/"), "charset": "utf-8", "scope_addresses": [host.address], "subsite_addresses": [],
        "offscope_addresses": [net.addresses["spam"]], "hostnames": {host.address: host.hostname},
        "robots_txt": None,
        "columns": [{
            "name": col.name, "url": p.url(col.path), "list_pages": [p.url(col.path)],
            "pagination": (f"rows 1-{group} in <script type=\"text/xml\"><datastore>; more via POST "
                           f"/module/web/jpage/dataproxy.jsp?startrecord=N&endrecord=M&perpage={HANWEB_PER_PAGE} "
                           "with the nextgroup/ajaxParam form fields"),
            "dataproxy": {"url": p.url("/module/web/jpage/dataproxy.jsp"), "method": "POST",
                          "form": {"col": "1", "appid": "1", "webid": str(HANWEB_WEBID), "path": "/",
                                   "columnid": str(HANWEB_COL), "sourceContentType": "1",
                                   "unitid": str(HANWEB_UNIT), "webname": webname, "permissiontype": "0"},
                          "total": len(entries), "in_page": min(group, len(entries))},
            "path": ["首页", "政务公开", "政府信息公开", "法定主动公开内容", col.name]}],
    })


# --------------------------------------------------------------------------------------------
# 集约化 portal: static first page, JSON list API for the rest

JIYUE_COLUMN_ID, JIYUE_PER_PAGE = 4567, 6


def _jiyue_rows(entries: list[Entry]) -> str:
    return "\n".join(_li(e.title, e.path, e.published) for e in entries)


def _build_jiyue(net: Network) -> None:
    host = net.add_host("jiyue", "www.nanshan.gov.cn", "jiyue", "portal")
    site = _site("南山县人民政府", "www.nanshan.gov.cn", "3611230004", "年度报告", "赣", "36112302000404",
                 "江西省信息中心")
    p = Portal(net, "jiyue", host, site, "jiyue", DEFAULT_ENCODING["jiyue"], random.Random(f"{net.seed}:jiyue"))
    cdir = "/zwgk/zfxxgk/fdzdgknr/ndbg/"
    col = Column("年度报告", cdir + "index.html")
    agency, stem = "南山县人民政府", "南山"
    crumbs = ("政务公开", "政府信息公开", "法定主动公开内容", "年度报告")

    def post() -> str:
        return f"{cdir}content/post_{p.docid(3_100_000)}.html"

    for i, year in enumerate(range(2023, 2016, -1)):
        d = _d(f"{year + 1}-02-{10 + i}")
        body = "synthetic_pre2019" if year < 2019 else ("seed_001" if year % 2 else "seed_004")
        p.add_report(col, post(), make_report(ReportSpec(body, agency, year, d, stem=stem)), index=i, crumbs=crumbs,
                     variant="pages_content" if i % 2 else "")
    removed: dict[str, Any] | None = None
    for i, year in enumerate((2023, 2022, 2021)):
        d = _d(f"{year + 1}-01-2{i + 4}")
        rep = make_report(ReportSpec("synthetic_bureau", "南山县财政局", year, d, stem=stem, signature=True))
        path = post()
        if year == 2021 and net.generation >= 1:
            removed = {"generation": 1, "change": "removed", "url": p.url(path), "title": rep.title}
            continue
        p.add_report(col, path, rep, index=i + 7, crumbs=crumbs)
    if removed:
        net.changes.append(removed)
        p.special("removed", removed["url"], removed["title"])
    # Attachment-only DOCX report.
    d = _d("2023-01-31")
    path = post()
    dagency = "南山县医疗保障局"
    docx_report = make_report(ReportSpec("synthetic_bureau", dagency, 2022, d, stem=stem,
                                         title=f"{dagency}2022年度政府信息公开工作年度报告"))
    shell = _attachment_only(docx_report.title, dagency, d, "attach2")
    docx_path = f"/zwgk/zfxxgk/fdzdgknr/ndbg/content/attach/{d:%Y%m}/{p.docid(9_000_000)}.docx"
    info, body, ctype = p.detail(path, shell, index=10, crumbs=crumbs,
                                 attachments=(Attachment(docx_path, f"附件1：{docx_report.title}.docx"),))
    p.add(path, Resource(body, ctype, _published(d)))
    p.add(docx_path, Resource(lambda r=docx_report: attachments.report_docx(r),
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              _published(d)))
    col.entries.append(Entry(shell.title, path, d))
    net.reports.append(p.report_entry(docx_report, p.url(docx_path), info.url, host, "jiyue", None, "docx"))
    p.special("attachment_page", info.url, shell.title, attachment_url=p.url(docx_path), expected_kind="empty",
              expected_text=shell.expected_text())
    # 瑞数 412 on one listed page.
    d = _d("2024-01-26")
    path = post()
    title = "南山县自然资源局2023年政府信息公开工作年度报告"
    body, headers = render_challenge(p.url(path), 0)
    p.add(path, Resource(body, headers["Content-Type"], _published(d), status=CHALLENGE_STATUS,
                         headers={k: v for k, v in headers.items() if k != "Content-Type"}))
    col.entries.append(Entry(title, path, d))
    p.special("blocked", p.url(path), title, status=CHALLENGE_STATUS)
    d = _d("2020-12-28")
    notice = _restem(make_document("notice", d), "蜀山", stem, agency="南山县人民政府办公室")
    _add_not_report(p, col, post(), notice, index=11, crumbs=crumbs)

    entries = col.sorted_entries()
    pages = max(1, -(-len(entries) // JIYUE_PER_PAGE))

    def list_html(page: int) -> str:
        rows = _jiyue_rows(entries[(page - 1) * JIYUE_PER_PAGE:page * JIYUE_PER_PAGE])
        script = (f"<script>\nvar columnId = '{JIYUE_COLUMN_ID}', pageSize = {JIYUE_PER_PAGE}, "
                  f"total = {len(entries)}, current = {page};\n"
                  "function loadPage(n) {\n"
                  "  $.getJSON('/api/list', {columnId: columnId, page: n, pageSize: pageSize}, function (res) {\n"
                  "    var html = '';\n"
                  "    $.each(res.data, function (i, item) { html += '<li><a href=\"' + item.url + '\">' + "
                  "item.title + '</a><span>' + item.date + '</span></li>'; });\n"
                  "    $('#list ul').html(html);\n  });\n}\n"
                  "$('#pagination').pagination({total: total, pageSize: pageSize, current: current, "
                  "onPage: loadPage});\n</script>")
        main = ('<div class="left-menu"><a href="../index.html">法定主动公开内容</a>'
                '<a href="index.html">年度报告</a></div>'
                f'<div class="news-list" id="list" data-column-id="{JIYUE_COLUMN_ID}" data-page-size="{JIYUE_PER_PAGE}"'
                f' data-total="{len(entries)}"><h2>年度报告</h2><ul>\n{rows}\n</ul></div>'
                f'<div class="pagination" id="pagination"></div>\n{script}')
        return p.shell(col.name, main, column=col.name, crumbs=(("政务公开", "/zwgk/index.html"),
                       ("政府信息公开", "/zwgk/zfxxgk/index.html"), ("法定主动公开内容", "../index.html"),
                       ("年度报告", "index.html")), nav=_JIYUE_NAV,
                       head='<script src="/static/js/jquery.min.js"></script>\n'
                            '<script src="/static/js/pagination.js"></script>\n')

    p.add_html(col.path, list_html(1), col.modified())

    def page_route(request: Request) -> Response:  # index.html?page=N is rendered too
        try:
            n = int(request.param("page", "1") or 1)
        except ValueError:
            n = 1
        if not 1 <= n <= pages:
            return not_found()
        if n == 1:
            return net._serve(host, col.path, host.pages[col.path], request)
        text = list_html(n)
        return Response(200, {"Content-Type": "text/html; charset=utf-8"}, text.encode("utf-8"))

    def api_route(request: Request) -> Response:
        try:
            n = int(request.param("page", "1") or 1)
            size = int(request.param("pageSize", str(JIYUE_PER_PAGE)) or JIYUE_PER_PAGE)
        except ValueError:
            n, size = 1, JIYUE_PER_PAGE
        size = max(1, min(size, 50))
        ok = request.param("columnId") == str(JIYUE_COLUMN_ID)
        rows = entries[(n - 1) * size:n * size] if ok and n >= 1 else []
        data = {"code": 200, "total": len(entries) if ok else 0, "page": n, "pageSize": size,
                "totalPage": -(-len(entries) // size) if ok else 0,
                "data": [{"title": e.title, "url": e.path, "date": e.published.isoformat()} for e in rows]}
        return Response(200, {"Content-Type": "application/json;charset=UTF-8"},
                        json.dumps(data, ensure_ascii=False).encode("utf-8"))

    host.routes[col.path] = page_route
    host.routes["/api/list"] = api_route
    modified = col.modified()
    for path, title, links in (
        ("/", site.name, [("政务公开", "/zwgk/index.html"), ("政务服务", "/zwfw/index.html")]),
        ("/zwgk/index.html", "政务公开", [("政府信息公开", "/zwgk/zfxxgk/index.html")]),
        ("/zwgk/zfxxgk/index.html", "政府信息公开", [("政府信息公开指南", "/zwgk/zfxxgk/zn/index.html"),
                                                     ("法定主动公开内容", "/zwgk/zfxxgk/fdzdgknr/index.html")]),
        ("/zwgk/zfxxgk/fdzdgknr/index.html", "法定主动公开内容",
         [("年度报告", col.path), ("政策文件", "/zwgk/zfxxgk/fdzdgknr/zcwj/index.html")]),
    ):
        p.add_html(path, p.shell(title, _links(links), column=title if path != "/" else "", nav=_JIYUE_NAV), modified)
    host.pages["/robots.txt"] = Resource(b"User-agent: *\nAllow: /\nDisallow: /search/\n", "text/plain", _BASE_MODIFIED)
    net.portals.append({
        "key": "jiyue", "name": site.name, "cms": "jiyue", "hostname": host.hostname, "address": host.address,
        "seed_url": p.url("/"), "charset": "utf-8", "scope_addresses": [host.address], "subsite_addresses": [],
        "offscope_addresses": [], "hostnames": {host.address: host.hostname}, "robots_txt": p.url("/robots.txt"),
        "columns": [{
            "name": col.name, "url": p.url(col.path),
            "list_pages": [p.url(col.path)] + [p.url(f"{col.path}?page={n}") for n in range(2, pages + 1)],
            "pagination": (f"static first page; more from GET /api/list?columnId={JIYUE_COLUMN_ID}&page=N"
                           f"&pageSize={JIYUE_PER_PAGE} (JSON {{total, data:[{{title,url,date}}]}}) "
                           "or index.html?page=N"),
            "api": {"url": p.url("/api/list"), "params": {"columnId": str(JIYUE_COLUMN_ID), "page": "N",
                                                          "pageSize": str(JIYUE_PER_PAGE)},
                    "total": len(entries), "pages": pages},
            "path": ["首页", "政务公开", "政府信息公开", "法定主动公开内容", col.name]}],
    })


_JIYUE_NAV = (("首页", "/"), ("政务公开", "/zwgk/index.html"), ("政务服务", "/zwfw/index.html"))


# --------------------------------------------------------------------------------------------
# Small county portal: static pager, assorted templates, township reports


def _build_county(net: Network) -> None:
    host = net.add_host("county", "www.qingshan.gov.cn", "county", "portal")
    site = _site("青山县人民政府", "www.qingshan.gov.cn", "4209220005", "政务信息公开年度报告", "鄂", "42092202000505",
                 "武汉某某网络科技有限公司")
    p = Portal(net, "county", host, site, "govcn", DEFAULT_ENCODING["govcn"], random.Random(f"{net.seed}:county"))
    cdir = "/xxgk/xxgknb/"
    col = Column("政务信息公开年度报告", cdir + "index.shtml")
    agency, stem = "青山县人民政府", "青山"
    crumbs = ("政务公开", "政府信息公开", "政务信息公开年度报告")

    def path_for(d: date) -> str:
        return f"{cdir}{d:%Y%m}/{p.docid(880_000)}.shtml"

    layout = (("govcn", ""), ("wordpaste", "pages_content"), ("plain", ""), ("govcn", ""))
    for i, year in enumerate(range(2023, 2019, -1)):
        d = _d(f"{year + 1}-03-{15 + i}")
        template, variant = layout[i]
        flags = frozenset({"br_paragraphs"}) if template == "plain" else frozenset({"title_in_body"} if i == 3 else ())
        p.add_report(col, path_for(d), make_report(ReportSpec("seed_001", agency, year, d, stem=stem, scale=1)),
                     template=template, variant=variant, index=i, crumbs=crumbs, flags=flags)
    towns = (("seed_000", "青山县城关街道办事处", "城关", 2021), ("seed_002", "青山县东关街道办事处", "东关", 2023),
             ("seed_003", "青山县大溪镇人民政府", None, 2019), ("township/t3", "青山县高河镇人民政府", None, 2023))
    for i, (body, town, town_stem, year) in enumerate(towns):
        d = _d(f"{year + 1}-01-{16 + i}")
        rep = make_report(ReportSpec(body, town, year, d, stem=town_stem, scale=1 if i < 3 else 0))
        p.add_report(col, path_for(d), rep, template="township", index=i + 4, crumbs=crumbs)
    d = _d("2021-02-20")
    plan = _restem(make_document("plan", d), "颍泉", stem, agency="青山县人民政府办公室")
    _add_not_report(p, col, path_for(d), plan, index=9, crumbs=crumbs)

    entries = col.sorted_entries()
    per_page = 5
    count = max(1, -(-len(entries) // per_page))
    urls = []
    for n in range(1, count + 1):
        name = "index.shtml" if n == 1 else f"index_{n}.shtml"
        rows = "\n".join(_li(e.title, e.path, e.published) for e in entries[(n - 1) * per_page:n * per_page])
        links = []
        if n > 1:
            links.append(f'<a href="{"index.shtml" if n == 2 else f"index_{n - 1}.shtml"}">上一页</a>')
        if n < count:
            links.append(f'<a href="index_{n + 1}.shtml">下一页</a>')
        main = (f'<div class="list"><h2>{col.name}</h2><ul>\n{rows}\n</ul>'
                f'<div class="pager">共{len(entries)}条 第{n}/{count}页 {" ".join(links)}</div></div>')
        p.add_html(cdir + name, p.shell(col.name, main, column=col.name, nav=_COUNTY_NAV,
                                        crumbs=(("政务公开", "/xxgk/index.shtml"), (col.name, "index.shtml"))),
                   col.modified())
        urls.append(p.url(cdir + name))
    modified = col.modified()
    p.add_html("/", p.shell(site.name, _links([("政务公开", "/xxgk/index.shtml")]), nav=_COUNTY_NAV), modified)
    p.add_html("/xxgk/index.shtml", p.shell("政务公开", _links([
        ("政府信息公开指南", "/xxgk/xxgkzn/index.shtml"), ("政务信息公开年度报告", col.path)]),
        column="政务公开", nav=_COUNTY_NAV, crumbs=(("政务公开", "/xxgk/index.shtml"),)), modified)
    net.portals.append({
        "key": "county", "name": site.name, "cms": "plain", "hostname": host.hostname, "address": host.address,
        "seed_url": p.url("/"), "charset": "utf-8", "scope_addresses": [host.address], "subsite_addresses": [],
        "offscope_addresses": [], "hostnames": {host.address: host.hostname}, "robots_txt": None,
        "columns": [{"name": col.name, "url": urls[0], "list_pages": urls,
                     "pagination": "static 下一页 links: index_2.shtml …",
                     "path": ["首页", "政务公开", col.name]}],
    })


_COUNTY_NAV = (("首页", "/"), ("政务公开", "/xxgk/index.shtml"))


# --------------------------------------------------------------------------------------------
# Spam mirror (off scope)


def _build_spam(net: Network) -> None:
    host = net.add_host("spam", "www.xinhua-gov.com.cn", "", "spam_mirror")
    site = _site("新华政务资讯网", "www.xinhua-gov.com.cn", "", "政务公开", "粤", "44010602009999")
    p = Portal(net, "", host, site, "plain", DEFAULT_ENCODING["plain"], random.Random(f"{net.seed}:spam"))
    copies = (("seed_001", "新华市人民政府", 2023, "2024-03-29", "81234", "【开云体育】"),
              ("seed_004", "新华市人民政府", 2022, "2023-03-31", "77120", "澳门新葡京-"),
              ("seed_004", "东江区人民政府", 2021, "2022-02-23", "70001", "【皇冠体育官网】"))
    links = []
    for body, agency, year, day, num, prefix in copies:
        d = _d(day)
        rep = make_report(ReportSpec(body, agency, year, d, stem=agency[:2]))
        spam_title = f"{prefix}{rep.title}_最新入口"
        path = f"/html/{d:%Y}/{d:%m%d}/{num}.html"
        copy = replace(rep, title=spam_title)
        _info, page_body, ctype = p.detail(path, copy, index=int(num) % 4, flags=frozenset({"spam_footer"}))
        p.add(path, Resource(page_body, ctype, _published(d)))
        links.append((spam_title, path))
        p.special("offscope_spam", p.url(path), spam_title, copy_of=rep.title)
    p.add_html("/", p.shell(site.name, _links(links)), _BASE_MODIFIED)
    p.special("offscope_spam", p.url("/"), site.name)


# --------------------------------------------------------------------------------------------


BUILDERS: dict[str, Callable[[Network], None]] = {
    "trs": _build_trs, "hanweb": _build_hanweb, "jiyue": _build_jiyue, "county": _build_county,
}


def build_network(port: int, *, host_base: str = "127.0.0.11", seed: int = 0, generation: int = 0,
                  options: Options | None = None, portals: tuple[str, ...] | None = None) -> Network:
    """Every portal (or the chosen ones) plus the spam mirror, for links on ``port``."""
    net = Network(port, host_base, seed, generation, options or Options())
    chosen = portals or PORTAL_KEYS
    unknown = set(chosen) - set(PORTAL_KEYS)
    if unknown:
        raise ValueError(f"unknown portal(s): {', '.join(sorted(unknown))}; choose from {', '.join(PORTAL_KEYS)}")
    for key in PORTAL_KEYS:  # fixed order keeps docids and the manifest stable
        if key in chosen:
            BUILDERS[key](net)
    _build_spam(net)
    return net
