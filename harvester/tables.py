"""HTML tables as span-aware grids.

The downstream parser reads a table row by row and gives up on a table whose number count does not
match its template, so every cell must keep its column: a cell's text goes to the top-left position
of its colspan × rowspan block and the positions it covers stay empty.
"""

from __future__ import annotations

from lxml import html as lxml_html

from harvester.result import Table
from harvester.textutil import normalize_space

_MAX_SPAN = 200  # a typo such as colspan="1000" must not blow up the grid
_SKIP_TAGS = {"script", "style", "noscript", "template"}
_BREAKS = {"br", "p", "div", "li"}


def _span(cell: lxml_html.HtmlElement, attribute: str) -> int:
    value = (cell.get(attribute) or "1").strip().rstrip(";")
    try:
        return min(max(int(float(value)), 0), _MAX_SPAN)
    except ValueError:
        return 1


def own_rows(table: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The table's own <tr> elements, in order, not those of tables nested in its cells."""
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child if row.tag == "tr")
    return rows


def cell_text(cell: lxml_html.HtmlElement) -> str:
    """A cell's text on one line; a literal separator inside a cell becomes a full-width bar."""
    parts: list[str] = []
    for node in cell.iter():
        if not isinstance(node.tag, str) or node.tag in _SKIP_TAGS:
            if node is not cell and node.tail:
                parts.append(node.tail)
            continue
        if node.tag in _BREAKS:  # a line break inside a cell is layout; keep words apart
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        if node is not cell and node.tail:
            parts.append(node.tail)
    return normalize_space("".join(parts)).replace("|", "｜")


def table_grid(table: lxml_html.HtmlElement) -> Table:
    """The grid of one <table>: rows × columns after expanding colspan/rowspan."""
    trs = own_rows(table)
    grid: list[list[str | None]] = [[] for _ in trs]
    spans: list[list[int]] = []
    for r, tr in enumerate(trs):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            row = grid[r]
            while c < len(row) and row[c] is not None:
                c += 1
            colspan = _span(cell, "colspan") or 1
            rowspan = _span(cell, "rowspan")
            if rowspan == 0:  # HTML: spans to the end of the table section
                rowspan = len(trs) - r
            rowspan = min(rowspan, len(trs) - r)
            text = cell_text(cell)
            for dr in range(rowspan):
                target = grid[r + dr]
                needed = c + colspan
                if len(target) < needed:
                    target.extend([None] * (needed - len(target)))
                for dc in range(colspan):
                    target[c + dc] = text if (dr == 0 and dc == 0) else ""
            if colspan > 1 or rowspan > 1:
                spans.append([r, c, rowspan, colspan])
            c += colspan
    width = max((len(row) for row in grid), default=0)
    rows = [[cell or "" for cell in row] + [""] * (width - len(row)) for row in grid]
    # Rows with no text at all are Word-paste spacing, not data; renumber spans accordingly.
    keep = [i for i, row in enumerate(rows) if any(rows[i])]
    new_index = {old: new for new, old in enumerate(keep)}
    spans = [[new_index[s[0]], *s[1:]] for s in spans if s[0] in new_index]
    caption = table.find("caption")
    return Table(rows=[rows[i] for i in keep], spans=spans,
                 caption=cell_text(caption) if caption is not None else "")


def is_layout_table(table: lxml_html.HtmlElement) -> bool:
    """True for tables used as page layout rather than data (nested tables, block content)."""
    if table.xpath(".//table"):
        return True
    rows = own_rows(table)
    cells = [[c for c in row if c.tag in ("td", "th")] for row in rows]
    if all(len(row) <= 1 and all(_span(c, "colspan") <= 1 for c in row) for row in cells):
        return True  # one column: a box around content (header bar, footer, body), not data
    width = (table.get("width") or "").strip().rstrip("px")
    if width.isdigit() and int(width) >= 900 and table.xpath(".//div|.//ul|.//form"):
        return True
    return bool(table.xpath(".//div[.//p or .//div]|.//ul[count(li) > 2]|.//form|.//iframe"))
