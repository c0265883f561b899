"""Attachment bodies for the test-bed portals: PDF and DOCX renderings of a
:class:`~harvester.testbed.reports.Report`, a tiny PNG, and an oversized file streamed in chunks.

Why generated here rather than copied from ``tests/fixtures/documents``: the package must serve
the test bed without the tests folder, and the fixture files describe one fixed report while the
portals need the report each page announces. Everything is deterministic (no timestamps, no
random ids), so a body's ETag never changes between runs.

- PDF: a hand-written PDF 1.4 file (no reportlab at run time). Text uses a non-embedded CID font
  (``STSong-Light``, Adobe-GB1) with ``Identity-H`` codes equal to the Unicode code points and a
  ``ToUnicode`` map, so text extractors read exact Unicode; widths are given (CJK 1000, ASCII 500)
  so extracted positions are exact. Paragraph lines are justified to the right margin (as Word
  exports are) so re-flow joins them; tables are ruled cell rectangles with merged cells drawn as
  one rectangle, which is what pdfplumber's table finder reads. Viewers show the CJK glyphs only
  with a CID-keyed font available; extraction is what the test bed is for.
- DOCX: python-docx (a runtime dependency); merged cells via ``cell.merge`` (gridSpan/vMerge).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from harvester.testbed.reports import Heading, Image, Para, Report, Table
from harvester.textutil import normalize_space

# --------------------------------------------------------------------------------------------
# PDF

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 72.0, 72.0, 80.0
BODY_SIZE, TITLE_SIZE, CELL_SIZE = 12.0, 18.0, 8.0
LEADING = 1.6  # line height / font size for body text
CELL_PAD = 3.0


def _char_width(ch: str) -> float:
    """Advance in 1/1000 em: ASCII is half width, everything else full width (CID font DW)."""
    return 500.0 if ord(ch) < 0x7F else 1000.0


def _text_width(text: str, size: float) -> float:
    return sum(_char_width(ch) for ch in text) * size / 1000.0


def _breakable(text: str, i: int) -> bool:
    """May a line break fall before ``text[i]``? Never inside a Latin word or number, because
    extractors glue such a split back with a space."""
    a, b = text[i - 1], text[i]
    if a == " " or b == " ":  # a space at a line end is lost by extractors: never wrap there
        return False
    return not (a.isascii() and b.isascii() and (a.isalnum() or a in ".,%-/")
                and (b.isalnum() or b in ".,%-/"))


def _wrap(text: str, width: float, size: float, first_indent: float = 0.0) -> list[str]:
    """Greedy line breaking at allowed positions; a run that cannot be broken may overflow."""
    lines: list[str] = []
    start, used, last_break = 0, first_indent, -1
    limit = width
    i = 0
    while i < len(text):
        w = _char_width(text[i]) * size / 1000.0
        if i > start and _breakable(text, i):
            last_break = i
        if used + w > limit + 0.01 and i > start:
            cut = last_break if last_break > start else i
            lines.append(text[start:cut])
            start, used, last_break = cut, 0.0, -1
            i = cut
            continue
        used += w
        i += 1
    if start < len(text):
        lines.append(text[start:])
    return lines


@dataclass
class _PdfText:
    x: float
    y: float  # baseline, PDF coordinates (origin bottom-left)
    size: float
    text: str
    char_space: float = 0.0


class _PdfLayout:
    """Pages of positioned text lines and ruled rectangles."""

    def __init__(self) -> None:
        self.pages: list[tuple[list[_PdfText], list[tuple[float, float, float, float]]]] = []
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(([], []))
        self.y = PAGE_H - MARGIN_TOP

    def room(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self.new_page()

    def text(self, item: _PdfText) -> None:
        self.pages[-1][0].append(item)

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        self.pages[-1][1].append((x, y, w, h))


def _layout_paragraph(layout: _PdfLayout, text: str, size: float, indent_chars: float = 2.0) -> None:
    width = PAGE_W - 2 * MARGIN_X
    indent = indent_chars * size
    lines = _wrap(text, width, size, indent)
    for n, line in enumerate(lines):
        layout.room(size * LEADING)
        layout.y -= size * LEADING
        x = MARGIN_X + (indent if n == 0 else 0.0)
        space = 0.0
        if n < len(lines) - 1 and len(line) > 1:  # justify: a full line ends at the margin
            gap = MARGIN_X + width - x - _text_width(line, size)
            space = max(0.0, gap / (len(line) - 1))
        layout.text(_PdfText(x, layout.y, size, line, space))


def _layout_title(layout: _PdfLayout, title: str) -> None:
    width = PAGE_W - 2 * MARGIN_X
    for line in _wrap(title, width * 0.85, TITLE_SIZE):
        layout.y -= TITLE_SIZE * 1.5
        x = (PAGE_W - _text_width(line, TITLE_SIZE)) / 2
        layout.text(_PdfText(x, layout.y, TITLE_SIZE, line))
    layout.y -= TITLE_SIZE * 0.8


def _column_widths(table: Table, ncols: int, width: float) -> list[float]:
    natural = [20.0] * ncols
    placed = _placed_cells(table)
    for _r, c, _rs, cs, text in placed:
        if cs == 1:
            longest = max((_text_width(part, CELL_SIZE) for part in text.split("\n")), default=0)
            natural[c] = max(natural[c], min(longest + 2 * CELL_PAD, 150.0))
    total = sum(natural)
    if total > width:
        # Shrink wide (text) columns first; number columns keep their natural width.
        numeric = [all(_is_number(t) for (_r, cc, _rs, cs, t) in placed if cc == c and cs == 1)
                   for c in range(ncols)]
        fixed = sum(w for w, num in zip(natural, numeric, strict=True) if num)
        flexible = total - fixed
        scale = max(0.2, (width - fixed) / flexible) if flexible else 1.0
        natural = [w if num else w * scale for w, num in zip(natural, numeric, strict=True)]
    elif total < width:
        scale = width / total
        natural = [w * scale for w in natural]
    return natural


def _is_number(text: str) -> bool:
    stripped = text.replace(",", "").replace(".", "").replace("-", "")
    return stripped.isdigit() or not text.strip()


def _placed_cells(table: Table) -> list[tuple[int, int, int, int, str]]:
    """(row, col, rowspan, colspan, text) for every cell, columns resolved across rowspans."""
    taken: set[tuple[int, int]] = set()
    out: list[tuple[int, int, int, int, str]] = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            out.append((r, c, cell.rowspan, cell.colspan, cell.text))
            c += cell.colspan
    return out


def _layout_table(layout: _PdfLayout, table: Table) -> None:
    width = PAGE_W - 2 * MARGIN_X
    ncols = len(table.grid()[0])
    nrows = len(table.rows)
    widths = _column_widths(table, ncols, width)
    xs = [MARGIN_X]
    for w in widths:
        xs.append(xs[-1] + w)
    line_h = CELL_SIZE * 1.35
    placed = []
    heights = [line_h + 2 * CELL_PAD] * nrows
    for r, c, rs, cs, text in _placed_cells_wrapped(table, xs):
        placed.append((r, c, rs, cs, text))
        need = len(text) * line_h + 2 * CELL_PAD
        if rs == 1:
            heights[r] = max(heights[r], need)
    for r, _c, rs, _cs, text in placed:  # a tall merged cell stretches its last row
        if rs > 1:
            need = len(text) * line_h + 2 * CELL_PAD
            have = sum(heights[r:r + rs])
            if need > have:
                heights[r + rs - 1] += need - have
    total = sum(heights)
    layout.y -= 6
    layout.room(total)
    top = layout.y
    ys = [top]
    for h in heights:
        ys.append(ys[-1] - h)
    for r, c, rs, cs, lines in placed:
        x0, x1 = xs[c], xs[c + cs]
        y0, y1 = ys[r], ys[r + rs]
        layout.rect(x0, y1, x1 - x0, y0 - y1)
        block_h = len(lines) * line_h
        y = (y0 + y1) / 2 + block_h / 2
        for line in lines:
            y -= line_h
            x = (x0 + x1 - _text_width(line, CELL_SIZE)) / 2
            layout.text(_PdfText(x, y + (line_h - CELL_SIZE) / 2 + 1, CELL_SIZE, line))
    layout.y = ys[-1] - 10


def _placed_cells_wrapped(table: Table, xs: list[float]) -> Iterator[tuple[int, int, int, int, list[str]]]:
    for r, c, rs, cs, text in _placed_cells(table):
        inner = xs[c + cs] - xs[c] - 2 * CELL_PAD
        lines: list[str] = []
        for part in text.split("\n"):
            part = normalize_space(part)
            if part:
                lines.extend(_wrap(part, inner, CELL_SIZE))
        yield r, c, rs, cs, lines


def _hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text)


def report_pdf(report: Report) -> bytes:
    """The report as a text PDF: title, headings, paragraphs, ruled tables, page numbers.
    Images are left out (a PDF export would show them; they are not text)."""
    layout = _PdfLayout()
    _layout_title(layout, report.title)
    for block in report.blocks:
        if isinstance(block, Heading):
            layout.y -= 4
            _layout_paragraph(layout, normalize_space(block.text), BODY_SIZE)
        elif isinstance(block, Para):
            _layout_paragraph(layout, normalize_space(block.text), BODY_SIZE)
        elif isinstance(block, Table):
            _layout_table(layout, block)
        elif isinstance(block, Image):
            continue
    for number, (texts, _rects) in enumerate(layout.pages, start=1):
        label = f"- {number} -"
        texts.append(_PdfText((PAGE_W - _text_width(label, 10)) / 2, 40, 10.0, label))
    return _write_pdf(layout)


def _write_pdf(layout: _PdfLayout) -> bytes:
    used = sorted({ord(ch) for texts, _ in layout.pages for t in texts for ch in t.text})
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # placeholders filled below
    pages_obj = add(b"")
    bf = []
    for i in range(0, len(used), 100):
        chunk = used[i:i + 100]
        bf.append(f"{len(chunk)} beginbfchar\n" + "\n".join(f"<{u:04X}> <{u:04X}>" for u in chunk)
                  + "\nendbfchar")
    cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(bf)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode()
    tounicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    descriptor = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
                     b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
                     b"/CapHeight 880 /StemV 93 >>")
    ascii_widths = " ".join("500" for _ in range(0x20, 0x7F))
    cidfont = add(("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light "
                   "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                   f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [32 [{ascii_widths}]] "
                   "/CIDToGIDMap /Identity >>").encode())
    font = add((f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
                f"/DescendantFonts [{cidfont} 0 R] /ToUnicode {tounicode} 0 R >>").encode())
    page_ids = []
    for texts, rects in layout.pages:
        ops = ["0.5 w"]
        ops += [f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re S" for x, y, w, h in rects]
        for t in texts:
            ops.append(f"BT /F1 {t.size:g} Tf {t.char_space:.4f} Tc {t.x:.2f} {t.y:.2f} Td "
                       f"<{_hex(t.text)}> Tj ET")
        stream = zlib.compress("\n".join(ops).encode("ascii"), 9)
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
                      + b"\nendstream")
        page_ids.append(add((f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {PAGE_W:g} "
                             f"{PAGE_H:g}] /Resources << /Font << /F1 {font} 0 R >> >> "
                             f"/Contents {content} 0 R >>").encode()))
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects[pages_obj - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, catalog, xref))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# DOCX


def report_docx(report: Report) -> bytes:
    """The report as a Word document; fixed core properties so the bytes are reproducible."""
    import datetime as dt

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.author = report.agency
    props.title = report.title
    stamp = dt.datetime(report.published.year, report.published.month, report.published.day, 9, 0)
    props.created = props.modified = stamp
    props.last_modified_by = report.agency
    props.revision = 1
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report.title)
    run.bold = True
    run.font.size = Pt(18)
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_paragraph().add_run(block.text).bold = True
        elif isinstance(block, Para):
            document.add_paragraph(block.text)
        elif isinstance(block, Table):
            _docx_table(document, block)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_times(out.getvalue())


def _docx_table(document: object, table: Table) -> None:
    grid = table.grid()
    ncols, nrows = len(grid[0]), len(grid)
    word_table = document.add_table(rows=nrows, cols=ncols)  # type: ignore[attr-defined]
    word_table.style = "Table Grid"
    for r, c, rs, cs, text in _placed_cells(table):
        cell = word_table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(word_table.cell(r + rs - 1, c + cs - 1))
        cell.text = text  # "\n" becomes a line break inside the cell


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the zip with a fixed timestamp on every member (python-docx stamps 'now')."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Images and oversized files


def png(width: int = 40, height: int = 20, shade: int = 200) -> bytes:
    """A small grey PNG (for <img> tags and the 图片版 report)."""
    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


BIG_CHUNK = 64 * 1024


def big_file_chunks(size: int) -> Iterator[bytes]:
    """``size`` bytes starting like a PDF, produced chunk by chunk (never held in memory)."""
    head = b"%PDF-1.4\n% oversized test-bed attachment\n"
    filler = (b"% " + b"0123456789abcdef" * 4 + b"\n") * (BIG_CHUNK // 67 + 1)
    sent = 0
    first = True
    while sent < size:
        piece = (head + filler)[:BIG_CHUNK] if first else filler[:BIG_CHUNK]
        first = False
        piece = piece[: size - sent]
        sent += len(piece)
        yield piece
