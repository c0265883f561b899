"""Metadata from a portal page's DOM: <meta> tags, the 信息公开 info box, title, dates, attachments.

Dates are parsed here rather than by htmldate, which reads 2020年01月15日 as 2020-01-01. The
report year comes from the title only: reports are posted late and reposted.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import html as lxml_html

from harvester.result import Attachment, Metadata
from harvester.textutil import SPACE_CHARS, normalize_space, parse_date, report_year

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "rar")
_ATTACHMENT_URL = re.compile(
    r"[\"']([^\"'\s<>]+\.(?:" + "|".join(ATTACHMENT_EXTENSIONS) + r"))(?:[?#][^\"'\s<>]*)?[\"']",
    re.I,
)

#: "附件：", "附件2：", "相关附件 " before an attachment's name in link texts and body lines.
ATTACHMENT_PREFIX = re.compile(r"^(?:相关)?附件\s*\d*\s*[:：.、]?\s*")

# Info-box labels as printed (after removing padding) → Metadata field or extra key.
_INFO_FIELDS = {
    "索引号": "index_no",
    "文号": "doc_no",
    "发文字号": "doc_no",
    "发布机构": "agency",
    "发文机关": "agency",
    "发文机构": "agency",
    "信息来源": "source",
    "来源": "source",
    "发布日期": "published",
    "发布时间": "published",
    "成文日期": "written",
    "生成日期": "written",
    "主题分类": "topic",
    "有效性": "validity",
    "标题": "info_title",
    "名称": "info_title",
}
_LABELS = sorted(_INFO_FIELDS, key=len, reverse=True)
_LABEL_RE = "|".join(_LABELS)
# "label：value" runs inside one text line; a value ends where the next label starts.
_INFO_PAIR = re.compile(rf"({_LABEL_RE})\s*[:：]\s*(.*?)\s*(?=(?:{_LABEL_RE})\s*[:：]|$)")
_LABEL_ONLY = re.compile(rf"^({_LABEL_RE})\s*[:：]?$")
_LABEL_START = re.compile(rf"^(?:{_LABEL_RE})\s*[:：]")
# A label as it may stand in raw text, padded inside with the spaces normalize_space removes
# ("索 引 号"): elements without one are skipped before the costlier normalisation.
_LABEL_RAW = re.compile("|".join(f"[{SPACE_CHARS}]*".join(label) for label in _LABELS))
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\s-\s|—{1,2}|–|\s\|\s|｜|::)\s*")
_NOTICE_WORDS = re.compile(r"报告|年报|通知|要点|公告|意见|办法|说明|函")


def meta_tags(doc: lxml_html.HtmlElement) -> dict[str, str]:
    """<meta name=… content=…> pairs, names as written (SiteName, ArticleTitle, PubDate, …)."""
    tags: dict[str, str] = {}
    for meta in doc.iter("meta"):
        name = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if name and content and name not in tags:
            tags[name] = normalize_space(content)
    return tags


def _meta(tags: dict[str, str], *names: str) -> str:
    lowered = {key.lower(): value for key, value in tags.items()}
    for name in names:
        if lowered.get(name.lower()):
            return lowered[name.lower()]
    return ""


def info_box(doc: lxml_html.HtmlElement) -> dict[str, str]:
    """Label → value pairs of the info box. The first occurrence of a label wins: the box comes
    before the body, and a density-picked body region may contain it."""
    found: dict[str, str] = {}
    for element in doc.iter("td", "th", "li", "span", "p", "div", "dt", "dd", "b", "strong",
                            "label", "em", "font"):
        raw = element.text_content()
        if not _LABEL_RAW.search(raw):
            continue
        text = normalize_space(raw)
        if not text or len(text) > 400:
            continue
        label = _LABEL_ONLY.match(text)
        if label:  # label and value in sibling cells: <td>索引号：</td><td>…</td>
            sibling = element.getnext()
            value = normalize_space(sibling.text_content()) if sibling is not None else ""
            if not value and element.tail:
                value = normalize_space(element.tail)
            if value and not _LABEL_START.match(value):  # an empty value: the next label follows
                found.setdefault(label.group(1), value)
            continue
        for key, value in _INFO_PAIR.findall(text):
            if value:
                found.setdefault(key, value)
    return found


def clean_title(raw: str) -> str:
    """A page title without the site suffix ("…年度报告_某某区人民政府" → "…年度报告")."""
    raw = normalize_space(raw)
    parts = [part for part in _TITLE_SEPARATORS.split(raw) if part]
    if len(parts) <= 1:
        return raw
    for part in parts:
        if _NOTICE_WORDS.search(part) or report_year(part):
            return part
    return max(parts, key=len)


def looks_like_title(text: str) -> bool:
    """A document title names a year or a document type (报告, 通知, 要点, …)."""
    return 6 <= len(text) <= 120 and bool(_NOTICE_WORDS.search(text) or report_year(text))


def page_title(doc: lxml_html.HtmlElement, tags: dict[str, str], info: dict[str, str]) -> str:
    """The first title-like candidate: ArticleTitle, info-box 标题, <h1>/.title, <title>."""
    candidates = [_meta(tags, "ArticleTitle", "og:title"), info.get("标题", "")]
    for element in doc.xpath("//h1|//*[contains(@class,'title') or contains(@id,'title')]"):
        candidates.append(normalize_space(element.text_content()))
    title = doc.find(".//title")
    candidates.append(title.text_content() if title is not None else "")
    cleaned = [clean_title(candidate) for candidate in candidates if candidate]
    return next((c for c in cleaned if looks_like_title(c)), "")


def read_metadata(doc: lxml_html.HtmlElement) -> Metadata:
    """Metadata of a page: <meta> tags, info box, title, dates."""
    tags = meta_tags(doc)
    info = info_box(doc)
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    for label, value in info.items():
        key = _INFO_FIELDS[label]
        if key in Metadata.__dataclass_fields__:
            fields.setdefault(key, value)
        else:
            extra.setdefault(key, value)
    title = page_title(doc, tags, info)
    published = (
        parse_date(fields.pop("published", ""))
        or parse_date(_meta(tags, "PubDate", "pubdate", "publishdate", "firstpublishedtime"))
        or _date_near_label(normalize_space(doc.text_content()))
    )
    agency = (
        fields.pop("agency", "")
        or _meta(tags, "ContentSource", "source")
        or extra.get("source", "")
    )
    for key, value in tags.items():
        extra.setdefault(f"meta:{key}", value)
    return Metadata(
        title=title,
        agency=agency,
        year=report_year(title),
        published=published,
        index_no=fields.get("index_no", ""),
        doc_no=fields.get("doc_no", ""),
        site_name=_meta(tags, "SiteName"),
        site_id=_meta(tags, "SiteIDCode", "SiteIdCode"),
        column=_meta(tags, "ColumnName"),
        extra=extra,
    )


_PUBLISHED_LINE = re.compile(r"(?:发布日期|发布时间|发表时间|日期)\s*[:：]\s*(.{6,24})")


def _date_near_label(text: str) -> str | None:
    for match in _PUBLISHED_LINE.finditer(text):
        date = parse_date(match.group(1))
        if date:
            return date
    return None


def attachments(doc: lxml_html.HtmlElement, base_url: str) -> list[Attachment]:
    """Links to attachment files with their names, including links that inline scripts write
    (``document.write('<a href=…>')``) and download proxies (``downfile.jsp?filename=x.pdf``)."""
    found: dict[str, Attachment] = {}

    def add(href: str, name: str) -> None:
        extension = _extension(href) or _extension_of_name(name)
        if extension:
            url = urljoin(base_url, href.strip())
            name = ATTACHMENT_PREFIX.sub("", normalize_space(name)) or _file_name(url)
            found.setdefault(url, Attachment(url=url, name=name, extension=extension))

    for link in doc.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "mailto:", "#")):
            add(href, link.text_content() or link.get("title") or "")
    for script in doc.iter("script"):
        code = script.text or ""
        for href, name in _SCRIPT_LINK.findall(code):
            add(href, re.sub(r"<[^>]+>", "", name))
        for href in _ATTACHMENT_URL.findall(code):
            add(href, "")
    return list(found.values())


_SCRIPT_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*[\\]?[\"']([^\"'\\]+)[\\]?[\"'][^>]*>(.*?)</a>", re.I | re.S)


def _extension(href: str) -> str | None:
    """Attachment extension from a URL path, or from a file name in its query string."""
    parts = urlsplit(href)
    candidates = [parts.path] + [value for _, value in parse_qsl(parts.query)]
    for candidate in candidates:
        extension = _extension_of_name(candidate)
        if extension:
            return extension
    return None


def _extension_of_name(name: str) -> str | None:
    tail = name.strip().rsplit("/", 1)[-1].lower()
    extension = tail.rsplit(".", 1)[-1] if "." in tail else ""
    return extension if extension in ATTACHMENT_EXTENSIONS else None


def _file_name(url: str) -> str:
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query):
        if _extension_of_name(value):
            return unquote(value.rsplit("/", 1)[-1])
    return unquote(parts.path.rsplit("/", 1)[-1])
