"""Find the links worth following on a portal page: pure functions, no Scrapy.

A page is fetched in a *role*: ``home`` (a seed or subsite root), ``nav`` (on the way to the 年报
column), ``list`` (a page of the 年报 column, or an API answer for one), ``detail`` (a candidate
report) or ``part`` (page 2…n of a long article). :func:`discover` returns the links to follow from
it, each with the role its target is fetched in and a hop code for provenance: ``L`` link, ``P``
pagination, ``X`` API/speculative request, ``A`` attachment.

Pagination kinds handled (DOMAIN.md): static pager links; TRS ``createPageHTML(count, current,
name, ext)`` whose later pages have no static link; Hanweb ``<datastore>`` records in
``<script type="text/xml">`` with further rows from ``POST dataproxy.jsp``; 集约化 pages whose later
pages come from a JSON API (``$.getJSON(url, {...})``) or ``?page=N``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from harvester.metadata import ATTACHMENT_EXTENSIONS
from harvester.textutil import normalize_space

Role = Literal["home", "nav", "list", "detail", "part", "attachment"]

COLUMN_TEXT = re.compile(r"(?:政府|政务)?信息公开(?:工作)?年(?:度)?报(?:告)?|年度报告|^年报$|信息公开年报")
COLUMN_PATH = re.compile(r"/(?:zfxxgknb|xxgknb|ndbg|gknb|nb)(?:/|_|$)", re.I)
NAV_TEXT = re.compile(r"政务公开|政府信息公开|信息公开目录|法定主动公开|主动公开|部门信息公开|部门|乡镇|街道|区县")
NAV_EXCLUDE = re.compile(r"指南|制度|依申请|申请公开|规定|意见箱|留言|新闻|图片|视频|服务|办事|互动")
REPORT_TITLE = re.compile(r"(?:19|20)\d{2}\s*年.{0,12}(?:年度报告|年报)")
REPORT_TEXT = re.compile(r"报告|年报|年度|工作要点|通知|函")
DETAIL_PATH = re.compile(r"/t\d{8}_\d+|/art_\d+_\d+|/content/|/\d{6}/|/art/\d{4}/", re.I)
NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|尾页|末页|>|>>|»|›)$")
PAGER_CLASS = re.compile(r"page|pager|fenye|pagination", re.I)

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)
_DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.S | re.I)
_CDATA_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_JPAGE_OPTION = {
    name: re.compile(rf"{name}\s*:\s*(\d+)")
    for name in ("totalRecord", "perPage", "groupSize")
}
_PROXY_URL = re.compile(r"proxyUrl\s*:\s*[\"']([^\"']+)[\"']")
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{([^}]*)\}")
_JS_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([\w./-]+))")
_GET_JSON = re.compile(r"getJSON\(\s*[\"']([^\"']+)[\"']\s*,\s*\{([^}]*)\}")
_JS_VAR = re.compile(r"\b(\w+)\s*=\s*(?:'([^']*)'|\"([^\"]*)\"|(\d+))")
_TOTAL = re.compile(r"\b(?:total|totalRecord|totalCount|recordCount)\s*[=:]\s*(\d+)", re.I)
_PAGE_PARAMETER = re.compile(r"[?&]page=(?:\d|[\"'+]|\$\{)")
_PAGE_SIZE = re.compile(r"\b(?:pageSize|perPage|page_size)\s*[=:]\s*(\d+)", re.I)


@dataclass(frozen=True)
class Link:
    url: str
    role: Role
    hop: str = "L"
    text: str = ""
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = field(default=())  # POST form fields, in order


def discover(url: str, html: str, role: Role) -> list[Link]:
    """The links to follow from a page fetched in ``role`` (deduplicated, document order)."""
    if role in ("detail", "part", "attachment"):
        # Article pagination only; attachments come from the cleaned result.
        return _dedupe(_created_pages(url, html, "part")) if role == "detail" else []
    stripped = html.lstrip()
    if stripped.startswith(("{", "[")):
        return _dedupe(_json_records(url, stripped))
    if stripped.startswith("<?xml") or stripped.startswith("<datastore"):
        return _dedupe(_datastore_records(url, html))
    try:
        doc = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    if role in ("home", "nav") and _is_column_page(doc):
        role = "list"  # reached through navigation, but the page says it is the 年报 column
    links: list[Link] = []
    links += _anchor_links(url, doc, in_column=role == "list")
    if role == "list":
        links += _created_pages(url, html, "list")
        links += _datastore_records(url, html)
        links += _dataproxy_requests(url, html)
        links += _api_requests(url, html)
    return _dedupe(links)


def _is_column_page(doc: lxml_html.HtmlElement) -> bool:
    """``<meta name="ColumnName" content="政府信息公开年报">`` (and variants) on a list page."""
    for meta in doc.iter("meta"):
        if (meta.get("name") or "").lower() == "columnname":
            name = normalize_space(meta.get("content") or "")
            return bool(COLUMN_TEXT.search(name)) and len(name) <= 20
    return False


def _dedupe(links: list[Link]) -> list[Link]:
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for link in links:
        key = (link.method, link.url, link.form)
        if key not in seen:
            seen.add(key)
            unique.append(link)
    return unique


def _anchor_links(url: str, doc: lxml_html.HtmlElement, in_column: bool) -> list[Link]:
    base = doc.find(".//base")
    base_url = base.get("href") if base is not None and base.get("href") else url
    here = urlsplit(url)
    links: list[Link] = []
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        target = urljoin(base_url, href).split("#", 1)[0]
        text = normalize_space(anchor.text_content()) or normalize_space(anchor.get("title") or "")
        role = _anchor_role(target, text, here, anchor, in_column)
        if role:
            links.append(Link(target, role, "P" if role == "list" and _is_pager(anchor, text) else "L", text))
    return links


def _anchor_role(target: str, text: str, here, anchor, in_column: bool) -> Role | None:
    parts = urlsplit(target)
    extension = parts.path.rsplit(".", 1)[-1].lower() if "." in parts.path.rsplit("/", 1)[-1] else ""
    if parts.hostname != here.hostname and parts.path in ("", "/", "/index.html", "/index.htm", "/index.shtml"):
        return "home"  # a subsite root (scope decides whether it may be visited)
    if REPORT_TITLE.search(text):
        # A titled report is a report wherever it is linked (home-page widgets, side lists):
        # column names carry no year, report titles do.
        return "detail"
    if COLUMN_TEXT.search(text) and len(text) <= 20:
        return "list"
    if in_column and _is_pager(anchor, text):
        return "list"
    if in_column and extension in ATTACHMENT_EXTENSIONS and REPORT_TEXT.search(text):
        return "attachment"
    if in_column and len(text) >= 8 and (REPORT_TEXT.search(text) or DETAIL_PATH.search(parts.path)):
        return "detail"
    if COLUMN_PATH.search(parts.path) and len(text) <= 20 and not NAV_EXCLUDE.search(text):
        return "list"
    if NAV_TEXT.search(text) and len(text) <= 12 and not NAV_EXCLUDE.search(text):
        return "nav"
    return None


def _is_pager(anchor: lxml_html.HtmlElement, text: str) -> bool:
    if NEXT_TEXT.match(text):
        return True
    if not text.isdigit():
        return False
    return any(PAGER_CLASS.search((el.get("class") or "") + " " + (el.get("id") or ""))
               for el in anchor.iterancestors())


def _created_pages(url: str, html: str, role: Role) -> list[Link]:
    """TRS ``createPageHTML(count, current, name, ext)``: pages name_1.ext … name_{count-1}.ext."""
    links = []
    for count, _current, name, ext in _CREATE_PAGE.findall(html):
        for index in range(1, min(int(count), 10_000)):
            links.append(Link(urljoin(url, f"{name}_{index}.{ext}"), role, "P"))
    return links


def _datastore_records(url: str, text: str) -> list[Link]:
    """Hanweb list rows: ``<record><![CDATA[<li><a href=…>title</a>…]]></record>``."""
    links = []
    for store in _DATASTORE.findall(text):
        for record in _RECORD.findall(store):
            for href, title in _CDATA_LINK.findall(record):
                title = normalize_space(re.sub(r"<[^>]+>", "", title))
                links.append(Link(urljoin(url, href), _listed_role(href), "L", title))
    return links


def _listed_role(href: str) -> Role:
    path = urlsplit(href).path.lower()
    return "attachment" if path.rsplit(".", 1)[-1] in ATTACHMENT_EXTENSIONS else "detail"


def _dataproxy_requests(url: str, html: str) -> list[Link]:
    """Hanweb jpage: the page holds the first group of rows; POST the proxy for the rest."""
    proxy = _PROXY_URL.search(html)
    params = _AJAX_PARAM.search(html)
    options = {name: int(m.group(1)) for name, rx in _JPAGE_OPTION.items() if (m := rx.search(html))}
    if not proxy or "totalRecord" not in options:
        return []
    per_page = options.get("perPage", 15)
    group = per_page * options.get("groupSize", 3)
    form = tuple((key, a or b or c) for key, a, b, c in _JS_PAIR.findall(params.group(1))) if params else ()
    links = []
    for start in range(group + 1, options["totalRecord"] + 1, group):
        query = urlencode({"startrecord": start, "endrecord": start + group - 1, "perpage": per_page})
        links.append(Link(urljoin(url, f"{proxy.group(1)}?{query}"), "list", "X", method="POST", form=form))
    return links


def _api_requests(url: str, html: str) -> list[Link]:
    """集约化 lists: later pages from ``$.getJSON(api, {…page: n…})``, else ``?page=N`` when the
    page itself uses that form. A count and a page size alone are no evidence: Hanweb's jpage
    prints them too, and its pages come from dataproxy.jsp (guessed URLs would be wasted)."""
    call = _GET_JSON.search(html)
    if call is None and not _PAGE_PARAMETER.search(html):
        return []
    total, size = _TOTAL.search(html), _PAGE_SIZE.search(html)
    if not total or not size or int(size.group(1)) <= 0:
        return []
    pages = -(-int(total.group(1)) // int(size.group(1)))
    variables = {name: a or b or c for name, a, b, c in _JS_VAR.findall(html)}
    links = []
    for page in range(2, min(pages, 10_000) + 1):
        if call:
            params = {}
            for key, a, b, c in _JS_PAIR.findall(call.group(2)):
                value = a or b or c
                params[key] = str(page) if key.lower() in ("page", "pageno", "pagenum", "pageindex") \
                    else variables.get(value, value)
            links.append(Link(urljoin(url, f"{call.group(1)}?{urlencode(params)}"), "list", "X"))
        else:
            links.append(Link(f"{url.split('?', 1)[0]}?page={page}", "list", "X"))
    return links


def _json_records(url: str, text: str) -> list[Link]:
    """Rows of a JSON list answer: any object with a ``url`` (or ``link``/``href``) and a title."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    links: list[Link] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            href = node.get("url") or node.get("link") or node.get("href")
            title = node.get("title") or node.get("name") or ""
            if isinstance(href, str) and isinstance(title, str) and href:
                links.append(Link(urljoin(url, href), _listed_role(href), "L", normalize_space(title)))
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return links
