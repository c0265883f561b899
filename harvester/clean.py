"""The cleaning chain: a fetched document's bytes + URL → :class:`CleanResult`.

decode → parse → find the body region (known CMS container, else unwrap layout tables and take
the densest block) → metadata, info box and attachments from the DOM → render the region twice
(trafilatura with our table grids, and a plain DOM walk) → anchored chrome filter → guard: keep
trafilatura's lines unless they lost text or tables the region had → title first → classify.
Pure functions of the input: no Scrapy, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from harvester import __version__
from harvester.body import (
    Line,
    data_tables,
    find_container,
    find_dense_region,
    render_dom,
    render_trafilatura,
    unwrap_layout_tables,
)
from harvester.chrome import strip_chrome
from harvester.classify import classify, detect_challenge, is_report_title, quality_of
from harvester.decoding import decode
from harvester.metadata import ATTACHMENT_PREFIX, attachments, looks_like_title, read_metadata
from harvester.result import Attachment, CleanResult, InputError
from harvester.textutil import normalize_space

_HTML_SIGNS = re.compile(r"<\s*(?:html|head|body|div|p|table|meta|title|script)\b", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DOCUMENT_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
#: Share of the region's text trafilatura may drop before the DOM rendering is used instead.
MAX_LOST_SHARE = 0.01
TRAFILATURA_OPTIONS = "include_tables,favor_recall,fast,no_comments"


def clean(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    status: int | None = None,
) -> CleanResult:
    """Clean one fetched document. HTML pages are handled here; PDF/DOCX/DOC/WPS attachments go
    to :mod:`harvester.documents`. Raises :class:`InputError` for input that is neither."""
    looks_html = bool(_HTML_SIGNS.search(body[:4096].decode("latin-1")))
    # The bytes decide; the URL only for bodies that are not HTML (portals serve error pages and
    # HTML exports at .doc URLs).
    if body.startswith(_DOCUMENT_MAGIC) or (_is_document_url(url) and not looks_html):
        from harvester.documents import clean_document

        return clean_document(body, url)
    return clean_html(body, url, headers, status=status)


def _is_document_url(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith((".pdf", ".docx", ".doc", ".wps"))


def clean_html(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    status: int | None = None,
) -> CleanResult:
    decoded = decode(body, headers)
    html = _XML_DECLARATION.sub("", decoded.text, count=1)
    if not body.strip():
        return CleanResult(url, "html", "empty", "no content", charset=decoded.charset,
                           extractor=_extractor("none"))
    if not _HTML_SIGNS.search(html[:65536]):
        raise InputError("input does not look like HTML (no html/body/div/p/table tags)")
    challenge = detect_challenge(html, status)
    if challenge:
        return CleanResult(url, "html", "blocked", challenge, charset=decoded.charset,
                           extractor=_extractor("none"))
    try:
        doc = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError) as error:
        raise InputError(f"cannot parse HTML: {error}") from None

    base = doc.find(".//base")
    base_url = base.get("href") if base is not None and base.get("href") else url
    found_attachments = attachments(doc, base_url)
    region = find_container(doc)
    warnings: list[str] = []
    if region is None:
        if unwrap_layout_tables(doc):
            warnings.append("no known body container; layout tables unwrapped")
        region = find_dense_region(doc)
    metadata = read_metadata(doc)

    grids = data_tables(region.element)
    dom_lines, dom_tables = render_dom(region.element, grids)
    dom_lines, removed = _strip(dom_lines)
    lines, tables, used = dom_lines, dom_tables, "dom"
    rendered = render_trafilatura(region.element, grids)
    if rendered is not None:
        traf_lines, traf_tables = rendered
        traf_lines = _only_region_lines(_strip(traf_lines)[0], dom_lines)
        lost = _lost_share(dom_lines, traf_lines)
        if len(traf_tables) == len(dom_tables) and lost <= MAX_LOST_SHARE:
            lines, tables, used = traf_lines, traf_tables, "trafilatura"
        else:
            warnings.append(
                f"trafilatura lost {lost:.1%} of the text and "
                f"{len(dom_tables) - len(traf_tables)} table(s); DOM rendering used"
            )
    lines = _without_attachment_links(lines, found_attachments)
    if removed:
        warnings.append("chrome removed: " + ", ".join(f"{k}×{v}" for k, v in sorted(removed.items())))

    title = metadata.title or _title_from_lines(lines)
    metadata.title = title
    text_lines = [title] + _without_title(lines, title) if title else [line.text for line in lines]
    text = "\n".join(text_lines)
    kind, reason = classify(title, text)
    quality = quality_of(text, tables, warnings)
    # Only a known body container says the images are the body; elsewhere they are logos.
    if kind == "empty" and region.how.startswith("container") and region.element.xpath(".//img"):
        quality.needs_ocr = True
        if is_report_title(title):
            kind, reason = "report", "image-only report (图片版): its text needs OCR"
        else:
            reason = "body holds images but no text: needs OCR"
    return CleanResult(
        url=url,
        source_type="html",
        kind=kind,
        reason=reason,
        text=text,
        tables=tables,
        metadata=metadata,
        attachments=found_attachments,
        charset=decoded.charset,
        quality=quality,
        extractor=_extractor(f"{region.how}; {used}"),
    )


def _strip(lines: list[Line]) -> tuple[list[Line], dict[str, int]]:
    """Chrome filter on text lines; table rows pass untouched."""
    return strip_chrome(lines, lambda line: None if line.table_row else line.text)


def _without_attachment_links(lines: list[Line], found: list[Attachment]) -> list[Line]:
    """Drop the lines that only name an attachment (they are in ``attachments``), and a bare
    附件： heading left above them."""
    names = {a.name for a in found if a.name}
    names.discard("")
    return [
        line for line in lines
        if line.table_row or (ATTACHMENT_PREFIX.sub("", line.text) not in names
                              and line.text.rstrip("：:") not in ("附件", "相关附件"))
    ]


def _only_region_lines(candidate: list[Line], reference: list[Line]) -> list[Line]:
    """trafilatura's lines that the DOM rendering also has: trafilatura may judge a line to be
    boilerplate, but what it keeps that the DOM rendering dropped (link lists) stays dropped.
    Its "- " list bullets are undone so both renderings agree on list items."""
    known = {line.text for line in reference if not line.table_row}
    kept = []
    for line in candidate:
        if line.table_row:
            kept.append(line)
            continue
        text = line.text[2:] if line.text.startswith("- ") and line.text[2:] in known else line.text
        if text in known:
            kept.append(Line(text))
    return kept


def _lost_share(reference: list[Line], candidate: list[Line]) -> float:
    """Share of the reference's text characters whose line is missing from the candidate."""
    joined = "\n".join(line.text for line in candidate)
    total = lost = 0
    for line in reference:
        if line.table_row:
            continue
        total += len(line.text)
        if line.text not in joined:
            lost += len(line.text)
    return lost / total if total else 0.0


def _title_from_lines(lines: list[Line]) -> str:
    for line in lines[:5]:
        if not line.table_row and looks_like_title(line.text):
            return line.text
    return ""


def _without_title(lines: list[Line], title: str) -> list[str]:
    """Body lines, minus a repetition of the title among the first few."""
    squeezed = normalize_space(title).replace(" ", "")
    texts = [line.text for line in lines]
    for index, line in enumerate(lines[:5]):
        if not line.table_row and line.text.replace(" ", "") == squeezed:
            return texts[:index] + texts[index + 1:]
    return texts


def _extractor(detail: str) -> str:
    return (
        f"harvester.clean {__version__} ({detail}); trafilatura {trafilatura.__version__} "
        f"[{TRAFILATURA_OPTIONS}]"
    )


def merge_parts(first: CleanResult, parts: list[CleanResult]) -> CleanResult:
    """One report from an article split over several pages (TRS ``t…_1.html``): the first page's
    result with the later pages' body lines (their repeated title dropped) and tables appended."""
    lines = first.text.splitlines()
    tables = list(first.tables)
    for part in parts:
        part_lines = part.text.splitlines()
        if part_lines and first.metadata.title and part_lines[0] == first.metadata.title:
            part_lines = part_lines[1:]
        lines.extend(part_lines)
        tables.extend(part.tables)
    text = "\n".join(lines)
    kind, reason = classify(first.metadata.title, text)
    quality = quality_of(text, tables, [*first.quality.warnings, f"merged {len(parts) + 1} article pages"])
    return replace(first, text=text, tables=tables, kind=kind, reason=reason, quality=quality)
