"""Find a page's body and turn it into lines.

Two renderings of the same region are made. ``render_dom`` walks the DOM itself: every block is a
line, every data table a span-aware grid, nothing is judged. ``render_trafilatura`` lets
trafilatura drop what it considers boilerplate inside the region, with each data table swapped for
a placeholder paragraph first (so its rows come back from our grid, not from trafilatura's table
serialisation, which merges <br>/<p> cell content). The caller keeps trafilatura's output unless
it lost text or tables that the region had (see ``harvester.clean``).
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import dataclass

import trafilatura
from lxml import html as lxml_html

from harvester.result import Table
from harvester.tables import is_layout_table, own_rows, table_grid
from harvester.textutil import normalize_space

#: Known CMS body containers, most specific first: (attribute, value).
CONTAINERS: tuple[tuple[str, str], ...] = (
    ("class", "TRS_Editor"),
    ("class", "TRS_UEDITOR"),
    ("id", "UCAP-CONTENT"),
    ("id", "zoom"),
    ("id", "Zoom"),
    ("class", "article-content"),
    ("class", "pages_content"),
    ("class", "Custom_UnionStyle"),
    ("class", "article_con"),
    ("class", "detail-content"),
    ("class", "xxgk_content"),
)
_CONTAINER_XPATHS = tuple(
    lxml_html.etree.XPath(
        f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {value} ')]"
        if attribute == "class"
        else f"//*[@id='{value}']"
    )
    for attribute, value in CONTAINERS
)
MIN_CONTAINER_CHARS = 1  # a township body or "请见附件" is short, and still the body

_SKIP = {"script", "style", "noscript", "iframe", "select", "button", "input", "textarea",
         "object", "embed", "svg", "img", "map", "video", "audio", "template", "head", "title",
         "meta", "link"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "section",
           "article", "blockquote", "pre", "center", "dl", "dt", "dd", "form", "header", "footer",
           "nav", "aside", "hr", "address", "figure", "figcaption", "main", "body", "table"}
_LIST_LIKE = {"ul", "ol", "dl", "nav", "aside", "div", "section", "menu"}
#: Share of a block's text inside links above which the block is a link list, not body text.
LINK_DENSITY = 0.6
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_INFO_LABELS = re.compile(r"索\s*引\s*号|主题分类|发布机构|发文机关|成文日期|生成日期|发布日期|文\s*号|有\s*效\s*性")
_PLACEHOLDER = "HARVESTERTABLE{:04d}X"
_PLACEHOLDER_RE = re.compile(r"HARVESTERTABLE(\d{4})X")


@dataclass
class Line:
    text: str
    table_row: bool = False  # table rows are never chrome-filtered or re-normalised


@dataclass
class Region:
    element: lxml_html.HtmlElement
    how: str  # "container:.TRS_Editor", "density", "page"


def find_container(doc: lxml_html.HtmlElement) -> Region | None:
    """The first known CMS container (in priority order) that holds some text."""
    for (attribute, value), xpath in zip(CONTAINERS, _CONTAINER_XPATHS, strict=True):
        # An image-only body (（图片版）) is still the body: it holds the report, as pictures.
        lengths = {el: _text_length(el) for el in xpath(doc)}
        candidates = [el for el, length in lengths.items()
                      if length >= MIN_CONTAINER_CHARS or el.find(".//img") is not None]
        if candidates:
            best = max(candidates, key=lengths.__getitem__)
            marker = "." if attribute == "class" else "#"
            return Region(best, f"container:{marker}{value}")
    return None


def _text_length(element: lxml_html.HtmlElement) -> int:
    return len(normalize_space(element.text_content()))


def unwrap_layout_tables(doc: lxml_html.HtmlElement) -> int:
    """Turn tables used for page layout into divs so that only data tables remain tables."""
    count = 0
    for table in list(doc.iter("table")):
        if table.tag != "table" or not is_layout_table(table):
            continue
        for row in own_rows(table):
            for cell in row:
                if cell.tag in ("td", "th"):
                    cell.tag = "div"
            row.tag = "div"
        for section in table:
            if section.tag in ("tbody", "thead", "tfoot"):
                section.tag = "div"
        table.tag = "div"
        count += 1
    return count


def find_dense_region(doc: lxml_html.HtmlElement) -> Region:
    """The element that directly holds the most paragraph text (readability-style scoring)."""
    scores: dict[lxml_html.HtmlElement, float] = defaultdict(float)
    for block in doc.iter("p", "table", "div", "td", "li", "h1", "h2", "h3", "span", "font"):
        if block.tag in ("div", "td", "span", "font") and _has_block_child(block):
            continue
        text = normalize_space(block.text_content())
        if len(text) < 8:
            continue
        links = sum(len(normalize_space(a.text_content())) for a in block.iter("a"))
        if links > 0.5 * len(text):
            continue
        parent = block.getparent()
        if parent is None:
            continue
        scores[parent] += len(text)
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] += len(text) / 2
    if not scores:
        body = doc.find("body")
        return Region(body if body is not None else doc, "page")
    best = max(scores, key=scores.__getitem__)
    return Region(best, "density")


def _has_block_child(element: lxml_html.HtmlElement) -> bool:
    return any(isinstance(child.tag, str) and child.tag in _BLOCKS for child in element)


def is_info_table(table: lxml_html.HtmlElement) -> bool:
    """The 信息公开 info box drawn as a table (索引号, 发布机构, …): metadata, not body."""
    labels = {match.replace(" ", "") for match in _INFO_LABELS.findall(table.text_content())}
    return len(labels) >= 3 and len(normalize_space(table.text_content())) < 600


def _link_dense(element: lxml_html.HtmlElement) -> bool:
    """A list of links (related articles, navigation, pager): not report text."""
    links = element.findall(".//a")
    if len(links) < 2:
        return False
    text = len(normalize_space(element.text_content()))
    linked = sum(len(normalize_space(link.text_content())) for link in links)
    return text > 0 and linked / text >= LINK_DENSITY


def _hidden(element: lxml_html.HtmlElement) -> bool:
    # Hacked pages hide injected spam with inline styles; hidden text is never body text.
    return bool(_HIDDEN.search(element.get("style") or "")) or element.get("hidden") is not None


def data_tables(region: lxml_html.HtmlElement) -> dict[lxml_html.HtmlElement, Table | None]:
    """The grid of every outermost table of the region, computed once for both renderings;
    None for tables that are not body data (the info box, hidden tables, empty ones). Tables
    nested in a cell are read as that cell's text."""
    grids: dict[lxml_html.HtmlElement, Table | None] = {}
    for table in region.iter("table"):
        if _nested(table, region):
            continue
        grid = None if is_info_table(table) or _hidden(table) else table_grid(table)
        grids[table] = grid if grid is not None and grid.rows else None
    return grids


def _table_lines(grid: Table) -> list[Line]:
    caption = [Line(grid.caption)] if grid.caption else []
    return caption + [Line(row, table_row=True) for row in grid.lines()]


def render_dom(
    region: lxml_html.HtmlElement, grids: dict[lxml_html.HtmlElement, Table | None]
) -> tuple[list[Line], list[Table]]:
    """Every block of the region as a line; data tables (``grids``) as grid rows."""
    lines: list[Line] = []
    tables: list[Table] = []
    buffer: list[str] = []

    def flush() -> None:
        text = normalize_space("".join(buffer))
        buffer.clear()
        if text:
            lines.append(Line(text))

    def walk(element: lxml_html.HtmlElement) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP or _hidden(element):
            return
        if tag == "br":
            flush()
            return
        if tag == "table":
            flush()
            grid = grids.get(element)
            if grid is not None:
                tables.append(grid)
                lines.extend(_table_lines(grid))
            return
        block = tag in _BLOCKS
        if element is not region and tag in _LIST_LIKE and _link_dense(element):
            return
        if block:
            flush()
        if element.text:
            buffer.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                buffer.append(child.tail)
        if block:
            flush()

    walk(region)
    flush()
    return lines, tables


def render_trafilatura(
    region: lxml_html.HtmlElement, grids: dict[lxml_html.HtmlElement, Table | None]
) -> tuple[list[Line], list[Table]] | None:
    """trafilatura's view of the region, data tables restored from our grids; None if empty."""
    working = copy.deepcopy(region)
    tables: list[Table] = []
    # A deep copy has the same tables in the same document order as the region.
    for original, table in zip(list(region.iter("table")), list(working.iter("table")), strict=True):
        if original not in grids:
            continue
        grid = grids[original]
        if grid is None:
            _drop(table)
            continue
        parent = table.getparent()
        placeholder = lxml_html.Element("p")
        placeholder.text = _PLACEHOLDER.format(len(tables))
        placeholder.tail = table.tail
        parent.replace(table, placeholder)
        tables.append(grid)
    for element in list(working.iter()):
        if isinstance(element.tag, str) and _hidden(element) and element.getparent() is not None:
            _drop(element)
    wrapper = lxml_html.Element("html")
    body = lxml_html.etree.SubElement(wrapper, "body")
    body.append(working)
    text = trafilatura.extract(
        wrapper,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        favor_recall=True,
        fast=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:
        return None
    lines: list[Line] = []
    used: list[Table] = []
    for raw in text.splitlines():
        match = _PLACEHOLDER_RE.fullmatch(raw.strip())
        if match:
            grid = tables[int(match.group(1))]
            used.append(grid)
            lines.extend(_table_lines(grid))
            continue
        line = normalize_space(raw)
        if line:
            lines.append(Line(line))
    return lines, used


def _nested(table: lxml_html.HtmlElement, region: lxml_html.HtmlElement) -> bool:
    """A table inside another table of the region (a region may itself sit in layout tables)."""
    for ancestor in table.iterancestors():
        if ancestor is region:
            return False
        if ancestor.tag == "table":
            return True
    return False


def _drop(element: lxml_html.HtmlElement) -> None:
    """Remove an element but keep its tail text in the tree."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
