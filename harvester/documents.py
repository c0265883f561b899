"""Clean report attachments (PDF, DOCX, DOC/WPS) into the same :class:`CleanResult` as HTML pages.

The text format is the one the shared report parser reads: the title on the first line, then one
line per paragraph, every table row on one line with its cells joined by ``" | "``. Tables are
span-aware grids: a merged cell keeps its text at its top-left position and ``""`` at the positions
it covers, so every row of a table has the same number of cells and numbers stay in their columns.

- PDF: pdfium reads each page into pdfplumber-shaped chars and ruling edges
  (:mod:`harvester.pdf_pages`), pdfplumber's own code finds the ruled tables and the text lines
  (pdfplumber/pdfminer.six reads the pages pdfium cannot be trusted with: rotated, unreadable,
  glyphs pdfium drops); text inside a table's box becomes that table's rows, everything else
  becomes paragraphs re-flowed from the wrapped lines; tables continued on the next page are
  joined. No text layer → ``needs_ocr``.
- DOCX: the body XML walked in document order (python-docx's ``paragraphs`` skips tables), with
  ``gridSpan``/``vMerge`` spans and Word's automatic list numbers (一、 （一） 1. …) rendered.
- DOC/WPS (OLE2, Word 97 binary): read natively from the piece table and the paragraph properties
  (cell/row marks, cell boundaries, vertical merges); if that fails, LibreOffice (→ DOCX) or
  antiword when installed.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import shutil
import statistics
import struct
import subprocess
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from harvester.classify import classify, quality_of
from harvester.result import (
    CleanResult,
    InputError,
    Metadata,
    Table,
)
from harvester.textutil import normalize_space, report_year

__all__ = ["clean_document", "sniff_type", "SUPPORTED_TYPES"]

SUPPORTED_TYPES = ("pdf", "docx", "doc", "wps")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# pdfminer logs a WARNING for every odd operator of a damaged content stream (thousands per
# file); what matters reaches the result as warnings or InputError.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - only in odd installs
        return "?"


def _one_line(prefix: str, error: BaseException) -> str:
    message = " ".join(str(error).split())[:200]
    return f"{prefix}: {type(error).__name__}: {message}" if message else f"{prefix}: {type(error).__name__}"


# --- intermediate form ---------------------------------------------------------------------------


@dataclass
class _Extracted:
    """What a format reader hands to :func:`_assemble`: blocks in document order."""

    blocks: list[str | Table] = field(default_factory=list)  # paragraphs (raw) and tables
    title: str | None = None  # set when the reader knows better than "first paragraph" (PDF)
    warnings: list[str] = field(default_factory=list)
    needs_ocr: bool = False
    extractor: str = ""


# --- type sniffing -------------------------------------------------------------------------------


def _extension(url: str) -> str:
    path = unquote(urlsplit(url).path)
    suffix = PurePosixPath(path).suffix.lower().lstrip(".")
    return suffix


_MIME_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/vnd.ms-works": "wps",
}


def _hint(url: str, source_type: str | None) -> str:
    """The declared type: ``source_type`` (an extension or a MIME type), else the URL's extension."""
    declared = (source_type or "").split(";")[0].strip().lower().lstrip(".")
    return _MIME_TYPES.get(declared, declared) or _extension(url)


def sniff_type(body: bytes, url: str = "", source_type: str | None = None) -> str:
    """The attachment type from its magic bytes; the hint or URL extension only break ties.

    Returns one of :data:`SUPPORTED_TYPES` or raises :class:`InputError`.
    """
    hint = _hint(url, source_type)
    head = body[:1024]
    if not body:
        raise InputError("empty attachment (0 bytes)")
    # Some servers put a few bytes (BOM, blank lines) before %PDF; readers accept 1 KB of junk.
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
            raise InputError(_one_line(f"corrupt ZIP container ({hint or 'zip'})", error)) from None
        if "word/document.xml" in names:
            return "docx"
        if any(name.startswith("xl/") for name in names):
            raise InputError("unsupported attachment type: spreadsheet (xlsx), not a report text")
        raise InputError(f"unsupported ZIP attachment ({hint or 'zip'}): no word/document.xml")
    if body.startswith(_OLE2_MAGIC):
        # Both .doc and Kingsoft .wps are OLE2 files with a WordDocument stream; the name decides
        # which we call it. Excel/PowerPoint OLE2 files have no WordDocument stream.
        try:
            word = _Cfb(body).has("WordDocument")
        except _Unsupported as error:
            raise InputError(f"corrupt OLE2 attachment ({hint or 'doc'}): {error}") from None
        if not word and hint != "wps":
            raise InputError("unsupported OLE2 attachment: no WordDocument stream (xls/ppt?)")
        return "wps" if hint == "wps" else "doc"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"schemas.microsoft.com/office/word/2003/wordml" in body[:4096]:
        raise InputError("unsupported attachment type: Word 2003 XML (saved as .doc?)")
    if stripped.startswith(b"{\\rtf"):
        raise InputError("unsupported attachment type: RTF (saved as .doc?)")
    if stripped.startswith((b"<!doctype", b"<html", b"<?xml", b"mime-version")) or b"<html" in head.lower():
        raise InputError("attachment is HTML/MHT, not a PDF or Word file: clean it as a page")
    if hint in ("pdf", "docx", "doc", "wps"):
        raise InputError(f"corrupt {hint} attachment: no {hint.upper()} signature in the first bytes")
    raise InputError(f"unsupported attachment type: {hint or 'unknown'} (not PDF, DOCX, DOC or WPS)")


# --- entry point ---------------------------------------------------------------------------------


def clean_document(body: bytes, url: str, source_type: str | None = None) -> CleanResult:
    """Clean one PDF/DOCX/DOC/WPS attachment into a :class:`CleanResult`.

    ``source_type`` is the caller's hint (extension or type name); the bytes decide. Raises
    :class:`InputError` (one line) for empty, corrupt or unsupported input.
    """
    detected = sniff_type(body, url, source_type)
    if detected == "pdf":
        extracted = _read_pdf(body)
    elif detected == "docx":
        extracted = _read_docx(body)
    else:
        extracted = _read_ole_word(body, detected)
    hint = _hint(url, source_type)
    if hint in SUPPORTED_TYPES and hint != detected and {hint, detected} != {"doc", "wps"}:
        extracted.warnings.append(f"declared {hint}, content is {detected}")
    return _assemble(extracted, url, detected)


# --- assembling the result -----------------------------------------------------------------------

_CID_GARBAGE = re.compile(r"\(cid:\d+\)")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：]?$")


def _scrub(text: str, counter: Counter[str]) -> str:
    """Drop unmapped-glyph garbage; its digits would otherwise pass for numbers downstream."""
    text, cids = _CID_GARBAGE.subn("", text)
    counter["(cid:NN)"] += cids
    counter["U+FFFD"] += text.count("\ufffd")
    return text.replace("\ufffd", "")


_REPORT_WORDS = re.compile(r"报告|年报")
# Lines that sit above a title without being part of it: 红头 (…文件), document numbers (〔2023〕1号).
_NOT_TITLE_PART = re.compile(r"文件$|〔\d{4}〕|\[\d{4}\]|\d+号$|^附件")
# A title fragment that needs the line above: it lacks the agency (starts with the year or with
# 政府信息公开…) or lacks the year.
_HEADLESS = re.compile(r"^(?:(?:19|20)\d{2}\s*年|政府|政务|信息公开|工作|年度)")


def _pick_title(paragraphs: list[str]) -> tuple[str, set[int]]:
    """The title and the indexes of the leading paragraphs it is made of.

    The first of the first five paragraphs that names a report (报告/年报) is the title, joined
    with up to two short lines above it when it is a fragment (天津市东丽区人民政府 /
    2022年政府信息公开工作年度报告). Without such a paragraph, the first one is the title.
    Paragraphs above the title that are not part of it (附件1, 红头, 文号) stay in the body.
    """
    candidates = [
        i for i, text in enumerate(paragraphs[:5])
        if _REPORT_WORDS.search(text) and len(text) <= 80 and not _ATTACHMENT_LABEL.match(text)
    ]
    if not candidates:
        first = next((i for i, text in enumerate(paragraphs) if not _ATTACHMENT_LABEL.match(text)), None)
        return ("", set()) if first is None else (paragraphs[first], {first})
    index = candidates[0]
    title, used = paragraphs[index], {index}
    above = index - 1
    while (
        above >= 0
        and len(used) < 3
        and (report_year(title) is None or _HEADLESS.match(title))
        and len(paragraphs[above]) <= 30
        and not _NOT_TITLE_PART.search(paragraphs[above])
    ):
        title = paragraphs[above] + _glue(paragraphs[above], title) + title
        used.add(above)
        above -= 1
    return title, used


def _assemble(extracted: _Extracted, url: str, source_type: str) -> CleanResult:
    garbage: Counter[str] = Counter()
    blocks: list[str | Table] = []
    for block in extracted.blocks:
        if isinstance(block, Table):
            block.rows = [[_scrub(normalize_space(cell), garbage) for cell in row] for row in block.rows]
            if block.rows:
                blocks.append(block)
        else:
            text = normalize_space(_scrub(block, garbage))
            if text:
                blocks.append(text)

    leading: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            break
        leading.append(block)
    if extracted.title is not None:
        title, used = normalize_space(_scrub(extracted.title, garbage)), set()
    else:
        title, used = _pick_title(leading)
    # Paragraphs above the title that are not part of it (附件1, 红头, 文号) follow the title.
    body_blocks = [block for index, block in enumerate(blocks) if index not in used]

    lines: list[str] = [title]
    tables: list[Table] = []
    for block in body_blocks:
        if isinstance(block, Table):
            tables.append(block)
            lines.extend(block.lines())
        else:
            lines.append(block)
    text = "\n".join(lines) if any(lines) else ""

    warnings = list(extracted.warnings)
    for what, count in garbage.items():
        if count:
            warnings.append(f"{count} unreadable glyphs ({what}) removed: font without Unicode map")
    if not title and text:
        warnings.append("no title line found")

    kind, reason = classify(title, text)
    if extracted.needs_ocr and kind == "empty":
        reason = "no text layer (scanned images): OCR needed"
    return CleanResult(
        url=url,
        source_type=source_type,
        kind=kind,
        reason=reason,
        text=text,
        tables=tables,
        metadata=Metadata(title=title, year=report_year(title)),
        quality=quality_of(text, tables, warnings, needs_ocr=extracted.needs_ocr),
        extractor=extracted.extractor,
    )


# --- PDF -----------------------------------------------------------------------------------------

# A section/sub-section heading starts a new paragraph even when the line above is full.
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[章节部分条])"
)
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–_·\s]*\d{1,4}[-—–_·\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|"
    r"page\s*\d+(?:\s*of\s*\d+)?)$",
    re.I,
)
# A cell holding a number (or a dash for "none"): two such cells never belong to one row.
_NUMERIC_CELL = re.compile(r"^[-+]?[\d,，.．%]+$|^[—\-/／]+$")
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


@dataclass
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str = ""
    fills: bool = False  # its last line reaches the right edge: the text may go on below


@dataclass
class _PdfTable:
    """One table as found on one page: cells on the page's own grid."""

    cells: list[_Cell]
    xs: list[float]  # column edges
    rows: int
    page: int
    top: float
    x0: float
    x1: float


def _read_pdf(body: bytes) -> _Extracted:
    """Pages are read with pdfium (:mod:`harvester.pdf_pages`); a page pdfium cannot be trusted
    with (``PdfiumPage.fallback``: rotated, nothing found on it, a glyph its text page drops,
    vertical writing) is read with pdfplumber, opened for the first such page; so is the whole
    document when pdfium cannot open it or finds no page (pdfplumber's error then decides)."""
    from harvester import pdf_pages

    try:
        document = pdf_pages.Document(body)
    except Exception:  # pypdfium2.PdfiumError: damaged, or a user password
        return _read_pdf_pdfplumber(body)
    with document:
        count = len(document)
        if not count:
            return _read_pdf_pdfplumber(body)
        pages = _PdfResult(f"harvester.documents/pdf pdfium {_version('pypdfium2')}", pdfium=True)
        plumber = _PlumberPages(body)
        try:
            for number in range(count):
                page: pdf_pages.PdfiumPage | None
                try:
                    page = document.page(number)
                except Exception:  # pdfium could not load the page: pdfplumber may
                    page = None
                if page is None or page.fallback:
                    plumber.read(number, pages, page.height if page is not None else None)
                    continue
                pages.heights[number] = page.height
                try:
                    items, image_only = _pdfium_page(page, number)
                except Exception:  # not expected; pdfplumber's reading is the safe side
                    plumber.read(number, pages, page.height)
                    continue
                pages.add(number, items, image_only)
        finally:
            plumber.close()
    if plumber.used:
        pages.extracted.extractor += (
            f"+pdfplumber {_version('pdfplumber')} (pdfminer.six {_version('pdfminer.six')})")
    return pages.finish(plumber.repair)


def _read_pdf_pdfplumber(body: bytes) -> _Extracted:
    """The whole document with pdfplumber: its errors are the document's InputError."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    pages = _PdfResult(
        f"harvester.documents/pdf pdfplumber {_version('pdfplumber')} (pdfminer.six {_version('pdfminer.six')})")
    try:
        pdf = pdfplumber.open(io.BytesIO(body))
    except Exception as error:  # pdfplumber wraps every pdfminer failure in PdfminerException
        cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise InputError("encrypted PDF needs a password") from None
        raise InputError(_one_line("corrupt PDF", cause)) from None
    repair = _GlyphRepair(body)
    try:
        with pdf:
            try:
                plumber_pages = list(pdf.pages)
            except Exception as error:  # pdfminer raises many types on broken page trees
                raise InputError(_one_line("corrupt PDF", error)) from None
            if not plumber_pages:
                raise InputError("corrupt PDF: no pages")
            for number, page in enumerate(plumber_pages):
                _read_plumber_page(page, number, pages, repair)
    except InputError:
        raise
    except Exception as error:  # a broken document structure deep inside pdfminer
        raise InputError(_one_line("corrupt PDF", error)) from None
    return pages.finish(repair)


class _PdfResult:
    """The pages of one PDF as they are read, then the document assembled from them."""

    def __init__(self, extractor: str, pdfium: bool = False) -> None:
        self.extracted = _Extracted(extractor=extractor)
        self.pdfium = pdfium  # the extractor names pdfium already
        self.flow: list[_Line | _PdfTable] = []
        self.image_only_pages: list[int] = []
        self.heights: dict[int, float] = {}
        self.broken: list[tuple[int, Exception]] = []

    def add(self, number: int, items: list[_Line | _PdfTable], image_only: bool) -> None:
        if image_only:
            self.image_only_pages.append(number + 1)
        self.flow.extend(items)

    def finish(self, repair: _GlyphRepair) -> _Extracted:
        from pdfplumber.utils.exceptions import PdfminerException

        extracted, heights = self.extracted, self.heights
        if self.broken:
            if len(self.broken) == len(heights):
                cause = self.broken[0][1]
                cause = cause.args[0] if isinstance(cause, PdfminerException) and cause.args else cause
                raise InputError(_one_line("corrupt PDF (no readable page)", cause))
            pages_lost = _ranges([number for number, _ in self.broken])
            extracted.warnings.append(_one_line(f"unreadable page(s) {pages_lost} skipped", self.broken[0][1]))
        if repair.repaired:
            if not self.pdfium:
                extracted.extractor += f"+pypdfium2 {_version('pypdfium2')}"
            extracted.warnings.append(
                f"{repair.repaired} glyphs without a Unicode map in pdfminer read by pdfium instead")
        if self.image_only_pages:
            extracted.needs_ocr = True
            if len(self.image_only_pages) < len(heights):
                extracted.warnings.append(
                    f"pages {_ranges(self.image_only_pages)} are images without text: OCR needed for them"
                )
        flow = _drop_running_lines(self.flow, heights)
        extracted.title, flow = _pdf_title(flow)
        extracted.blocks = _pdf_blocks(flow, extracted.warnings)
        return extracted


class _PlumberPages:
    """pdfplumber for the pages pdfium is not trusted with, opened on the first such page."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pdf: Any = None
        self.pages: list[Any] | None = None
        self.error: Exception | None = None
        self.repair = _GlyphRepair(body)
        self.used = False

    def read(self, number: int, result: _PdfResult, height: float | None) -> None:
        """Page ``number`` into ``result``; a page neither reader can read is a broken page."""
        self.used = True
        try:
            page = self._page(number)
        except Exception as error:
            result.heights[number] = height if height is not None else 0.0
            result.broken.append((number + 1, error))
            return
        _read_plumber_page(page, number, result, self.repair)

    def _page(self, number: int) -> Any:
        if self.pages is None:
            if self.error is not None:
                raise self.error
            import pdfplumber

            try:
                self.pdf = pdfplumber.open(io.BytesIO(self.body))
                self.pages = list(self.pdf.pages)
            except Exception as error:  # pdfminer cannot read what pdfium could
                self.error = error
                raise
        if number >= len(self.pages):
            raise IndexError(f"pdfminer finds {len(self.pages)} pages")
        return self.pages[number]

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _read_plumber_page(page: Any, number: int, result: _PdfResult, repair: _GlyphRepair) -> None:
    result.heights[number] = float(page.height)
    try:
        repair.page(page, number)
        items, image_only = _pdf_page(page, number)
    except Exception as error:  # a broken content stream: lose this page, not all
        result.broken.append((number + 1, error))
        return
    finally:
        page.close()  # pdfplumber caches layout objects per page
    result.add(number, items, image_only)


class _GlyphRepair:
    """Fill in glyphs pdfminer could not map to Unicode (``(cid:NN)``) from pdfium.

    pdfium also reads a TrueType font's own cmap and some encrypted font resources that pdfminer
    leaves as CIDs. The character at the same position on the page replaces the CID; layout and
    tables still come from pdfplumber. Only for the pages read with pdfplumber.
    """

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.document: Any = None
        self.repaired = 0

    def page(self, page: Any, number: int) -> None:
        bad = [char for char in page.chars if _CID_GARBAGE.fullmatch(char.get("text", ""))]
        if not bad or page.rotation:  # pdfium boxes are unrotated; rotated pages keep the warning
            return
        try:
            import pypdfium2 as pdfium

            if self.document is None:
                self.document = pdfium.PdfDocument(self.body)
            text_page = self.document[number].get_textpage()
        except Exception:  # pdfium is the second opinion only; keep pdfminer's output
            return
        # pdfium coordinates: origin bottom-left, like pdfminer's y0/y1 (before cropping).
        buckets: dict[int, list[tuple[float, float, str]]] = {}
        for index in range(text_page.count_chars()):
            char = text_page.get_text_range(index, 1)
            if not char.strip() or char == "\ufffd":
                continue
            left, bottom, right, top = text_page.get_charbox(index, loose=True)
            cx, cy = (left + right) / 2, (bottom + top) / 2
            buckets.setdefault(int(cy // 8), []).append((cx, cy, char))
        # pdfplumber's x0 is absolute; pdfminer's y0/y1 are relative to the MediaBox bottom.
        try:
            offset_y = float(page.page_obj.mediabox[1])
        except (AttributeError, IndexError, TypeError, ValueError):
            offset_y = 0.0
        for char in bad:
            cx = (char["x0"] + char["x1"]) / 2
            cy = (char["y0"] + char["y1"]) / 2 + offset_y
            row = int(cy // 8)
            near = [c for key in (row - 1, row, row + 1) for c in buckets.get(key, [])]
            if not near:
                continue
            best = min(near, key=lambda c: abs(c[0] - cx) + abs(c[1] - cy))
            if abs(best[0] - cx) + abs(best[1] - cy) <= max(char.get("size", 10.0), 4.0) / 2:
                char["text"] = best[2]
                self.repaired += 1


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    for n in numbers:
        if parts and parts[-1].split("-")[-1] == str(n - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ", ".join(parts)


def _chars_text(chars: list[dict[str, Any]]) -> str:
    """One line's characters (left to right) as text, with spaces only where the page has them.

    Word and Writer add about a quarter em between CJK and Latin/digits (autospace) and stretch
    justified lines; pdfplumber's fixed 3 pt tolerance turns that into spaces (人民政府 2022 年).
    A gap counts as a space when it is wider than 0.6 em next to a CJK character, 0.25 em between
    Latin characters; real space glyphs are kept as they are.
    """
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for char in sorted(chars, key=lambda c: c["x0"]):
        text = char["text"]
        if previous is not None and text.strip() and previous["text"].strip():
            gap = char["x0"] - previous["x1"]
            size = max(char.get("size", 0.0), previous.get("size", 0.0), 1.0)
            cjk = _CJK_CHAR.match(text) or _CJK_CHAR.match(previous["text"][-1:])
            if gap > size * (0.6 if cjk else 0.25):
                out.append(" ")
        out.append(text)
        previous = char
    return "".join(out)


def _group_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters grouped into text lines by their vertical centre, top to bottom."""
    lines: list[list[dict[str, Any]]] = []
    centre = 0.0
    for char in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        middle = (char["top"] + char["bottom"]) / 2
        size = max(char.get("size", 0.0), 1.0)
        if lines and abs(middle - centre) <= size * 0.5:
            lines[-1].append(char)
        else:
            lines.append([char])
            centre = middle
    return lines


def _pdf_page(page: Any, number: int) -> tuple[list[_Line | _PdfTable], bool]:
    """A pdfplumber page: positioned lines outside tables plus its tables; whether image-only."""
    from harvester import pdf_pages

    chars = pdf_pages.dedupe_chars(page.chars)  # fake bold: the same glyph drawn twice, offset
    if not _has_text(chars):
        return [], bool(page.images)
    return _page_items(chars, page.find_tables(), page.bbox, number), False


def _pdfium_page(page: Any, number: int) -> tuple[list[_Line | _PdfTable], bool]:
    """A :class:`harvester.pdf_pages.PdfiumPage`, as :func:`_pdf_page`."""
    from harvester import pdf_pages

    chars = pdf_pages.dedupe_chars(page.chars)
    if not _has_text(chars):
        return [], page.has_images
    return _page_items(chars, pdf_pages.find_tables(page.edges, page.bbox), page.bbox, number), False


def _has_text(chars: list[dict[str, Any]]) -> bool:
    return any(c.get("text", "").strip() for c in chars)


def _page_items(chars: list[dict[str, Any]], tables: list[Any], bbox: tuple[float, float, float, float],
                number: int) -> list[_Line | _PdfTable]:
    """Positioned lines outside tables plus the tables of one page, top to bottom, from its
    pdfplumber-shaped chars (de-duplicated), pdfplumber tables and page bbox, whoever read them."""
    from harvester import pdf_pages

    items: list[_Line | _PdfTable] = []
    boxes: list[tuple[float, float, float, float]] = []
    for found in tables:
        table = _pdf_table(found, chars, number)
        if table is None:  # a box around a paragraph, not a table: leave its text as text
            continue
        x0, top, x1, bottom = found.bbox
        boxes.append((x0 - 1, top - 1, x1 + 1, bottom + 1))
        items.append(table)

    def outside(char: dict[str, Any]) -> bool:
        cx = (char["x0"] + char["x1"]) / 2
        cy = (char["top"] + char["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_chars = [char for char in chars if outside(char)] if boxes else chars
    # keep_blank_chars: typed spaces are glyphs and stay (2020 年); _chars_text ignores mere gaps.
    for line in pdf_pages.text_lines(text_chars, bbox):
        # pdfplumber lists a char once per letter of its text (a ligature "fi", "(cid:13)").
        line_chars = [c for i, c in enumerate(line["chars"]) if not i or c is not line["chars"][i - 1]]
        text = _chars_text(line_chars).strip()
        if not text:
            continue
        sizes = [c["size"] for c in line_chars if c["text"].strip()]
        items.append(_Line(
            text=text, x0=line["x0"], x1=line["x1"], top=line["top"], bottom=line["bottom"],
            size=statistics.median(sizes) if sizes else 0.0, page=number,
        ))
    items.sort(key=lambda item: item.top)
    return items


def _cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
    """Sorted distinct edges; edges closer than ``tolerance`` points are one edge."""
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > tolerance:
            edges.append(value)
    return edges


def _nearest(edges: list[float], value: float) -> int:
    index = bisect.bisect_left(edges, value)
    if index == 0:
        return 0
    if index == len(edges) or value - edges[index - 1] <= edges[index] - value:
        return index - 1
    return index


def _pdf_table(found: Any, chars: list[dict[str, Any]], page: int) -> _PdfTable | None:
    """A pdfplumber table as cells on a grid of its distinct edges; None for one boxed cell."""
    boxes = found.cells
    if len(boxes) < 2:
        return None
    xs = _cluster([x for box in boxes for x in (box[0], box[2])])
    ys = _cluster([y for box in boxes for y in (box[1], box[3])])
    cells: list[_Cell] = []
    kept: list[tuple[float, float, float, float]] = []
    owner: dict[tuple[int, int], int] = {}
    for box in boxes:
        col, end_col = _nearest(xs, box[0]), _nearest(xs, box[2])
        row, end_row = _nearest(ys, box[1]), _nearest(ys, box[3])
        if end_col <= col or end_row <= row:
            continue
        for r in range(row, end_row):
            for c in range(col, end_col):
                owner.setdefault((r, c), len(cells))
        cells.append(_Cell(row, col, end_row - row, end_col - col))
        kept.append(box)
    x0, top, x1, bottom = found.bbox
    inside: dict[int, list[dict[str, Any]]] = {}
    for char in chars:
        cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        if x0 <= cx <= x1 and top <= cy <= bottom:
            index = owner.get((bisect.bisect_right(ys, cy) - 1, bisect.bisect_right(xs, cx) - 1))
            if index is not None:
                inside.setdefault(index, []).append(char)
    for index, cell_chars in inside.items():
        if not any(c["text"].strip() for c in cell_chars):
            continue
        lines = _group_lines(cell_chars)
        text = ""
        for line in lines:
            part = _chars_text(line).strip()
            # A number too long for a narrow cell wraps mid-digits (111 / 6): no space there.
            glue = "" if text[-1:].isdigit() and part[:1].isdigit() else "\n"
            text = f"{text}{glue}{part}" if text else part
        cells[index].text = text
        last = [c for c in lines[-1] if c["text"].strip()] or lines[-1]
        size = max(statistics.median(c.get("size", 0.0) for c in last), 1.0)
        cells[index].fills = max(c["x1"] for c in last) >= kept[index][2] - max(1.5 * size, 4.0)
    return _PdfTable(cells, xs, len(ys) - 1, page, top, x0, x1)


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", normalize_space(text))


def _drop_running_lines(flow: list[_Line | _PdfTable], heights: dict[int, float]) -> list[_Line | _PdfTable]:
    """Remove page numbers and headers/footers repeated on most pages."""
    def in_margin(line: _Line) -> bool:
        height = heights[line.page]
        return line.top < 0.1 * height or line.bottom > 0.9 * height

    pages = len(heights)
    repeated: Counter[str] = Counter()
    for item in flow:
        if isinstance(item, _Line) and in_margin(item):
            repeated[_running_key(item.text)] += 1
    running = {key for key, count in repeated.items() if pages >= 2 and count >= max(2, pages // 2)}
    kept: list[_Line | _PdfTable] = []
    for item in flow:
        if isinstance(item, _Line) and in_margin(item):
            text = normalize_space(item.text)
            if _PAGE_NUMBER.match(text) or _running_key(text) in running:
                continue
        kept.append(item)
    return kept


def _pdf_title(flow: list[_Line | _PdfTable]) -> tuple[str | None, list[_Line | _PdfTable]]:
    """The title from the large-font lines at the top of page 1 (a title set on two lines is
    joined): the group that names a report (报告/年报), else the largest. None when page 1 has
    no line larger than the body text; the first paragraph then decides."""
    lines = [item for item in flow if isinstance(item, _Line)]
    if not lines:
        return None, flow
    body_size = Counter(round(line.size) for line in lines for _ in line.text).most_common(1)[0][0]
    head: list[_Line] = []
    for item in flow:
        if isinstance(item, _PdfTable) or item.page != lines[0].page:
            break
        head.append(item)
    groups: list[tuple[int, int]] = []  # [start, end) of consecutive large lines of one size
    index = 0
    while index < len(head):
        size = head[index].size
        end = index + 1
        if size >= body_size + 1.5:
            while (
                end < len(head)
                and abs(head[end].size - size) < 0.5
                and head[end].top - head[end - 1].bottom < size * 1.5
            ):
                end += 1
            groups.append((index, end))
        index = end
    if not groups:
        return None, flow
    texts = {group: "".join(line.text for line in head[group[0]:group[1]]) for group in groups}
    naming = [group for group in groups if _REPORT_WORDS.search(texts[group])]
    start, end = naming[0] if naming else max(groups, key=lambda group: head[group[0]].size)
    title = ""
    for line in head[start:end]:
        title += _glue(title, line.text) + line.text
    if not title.strip() or len(normalize_space(title)) > 120:
        return None, flow
    return title, flow[:start] + flow[end:]


def _pdf_blocks(flow: list[_Line | _PdfTable], warnings: list[str]) -> list[str | Table]:
    """Re-flow wrapped lines into paragraphs; join tables continued across a page break."""
    lines = [item for item in flow if isinstance(item, _Line)]
    left = right = 0.0
    if lines:
        x0s = sorted(line.x0 for line in lines)
        x1s = sorted(line.x1 for line in lines)
        left = x0s[len(x0s) // 10]
        right = x1s[(len(x1s) * 9) // 10]
    blocks: list[str | Table] = []
    parts: list[_PdfTable] = []

    def flush() -> None:
        if parts:
            blocks.append(_build_table(parts, warnings))
            parts.clear()

    previous: _Line | _PdfTable | None = None
    for item in flow:
        if isinstance(item, _PdfTable):
            if not (parts and previous is parts[-1] and _continues(parts[-1], item)):
                flush()
            parts.append(item)
        else:
            flush()
            if isinstance(previous, _Line) and _joins(previous, item, left, right):
                last = str(blocks[-1])
                blocks[-1] = last + _glue(last, item.text) + item.text
            else:
                blocks.append(item.text)
        previous = item
    flush()
    return blocks


def _glue(before: str, after: str) -> str:
    """Wrapped CJK lines join directly; Latin words split by a wrap need a space."""
    if before and after and before[-1].isascii() and after[0].isascii() and before[-1].isalpha() and after[0].isalpha():
        return " "
    return ""


def _joins(previous: _Line, line: _Line, left: float, right: float) -> bool:
    """Is ``line`` the continuation of the paragraph whose last line is ``previous``?"""
    size = max(previous.size, line.size, 1.0)
    if abs(previous.size - line.size) > 1.0:
        return False
    if line.page == previous.page:
        if line.top - previous.bottom > size * 1.2 or line.top < previous.top:
            return False
    elif line.page != previous.page + 1:
        return False
    # Left-aligned text is ragged by up to two characters: line-breaking rules carry a character
    # over with the closing punctuation that may not start a line (请。).
    reaches_right = previous.x1 >= right - 2.5 * size
    not_indented = line.x0 <= left + 0.6 * size
    return reaches_right and not_indented and not _HEADING_START.match(line.text)


def _continues(previous: _PdfTable, table: _PdfTable) -> bool:
    """A table at the top of a page continuing the one that ended the previous page."""
    return (
        table.page == previous.page + 1
        and abs(table.x0 - previous.x0) < 3.0
        and abs(table.x1 - previous.x1) < 3.0
    )


def _build_table(parts: list[_PdfTable], warnings: list[str]) -> Table:
    """One span-aware grid from a table's parts on consecutive pages.

    The parts are put on the union of their column edges (a part whose rows do not use every
    column gets wider cells). Where the page break cut a row in two (Word's "allow row to break
    across pages"), the two halves become one row again.
    """
    xs = _cluster([x for part in parts for x in part.xs])
    cells: list[_Cell] = []
    total = 0
    for number, part in enumerate(parts):
        placed: list[_Cell] = []
        for cell in part.cells:
            col = _nearest(xs, part.xs[cell.col])
            end = max(_nearest(xs, part.xs[cell.col + cell.colspan]), col + 1)
            placed.append(_Cell(cell.row + total, col, cell.rowspan, end - col, cell.text, cell.fills))
        rows = part.rows
        if number:
            note = "table continued on the next page joined"
            if note not in warnings:
                warnings.append(note)
            last = total - 1
            upper = {(c.col, c.colspan): c for c in cells if c.row <= last < c.row + c.rowspan}
            lower = {(c.col, c.colspan): c for c in placed if c.row == total}
            if _is_split_row(upper, lower):
                for key, cell in lower.items():
                    above = upper[key]
                    if cell.text.strip():
                        above.text = above.text + _glue(above.text, cell.text) + cell.text
                        above.fills = cell.fills
                    above.rowspan += cell.rowspan - 1
                    placed.remove(cell)
                for cell in placed:
                    cell.row -= 1
                rows -= 1
                note = "row cut by a page break joined"
                if note not in warnings:
                    warnings.append(note)
            else:
                # A merged cell running over the page break: the empty cell under it is its rest.
                for key, cell in lower.items():
                    above = upper.get(key)
                    if above is not None and above.rowspan > 1 and not cell.text.strip():
                        above.rowspan += cell.rowspan
                        placed.remove(cell)
        cells.extend(placed)
        total += rows
    width = max(len(xs) - 1, 1)
    grid = [[""] * width for _ in range(total)]
    spans: list[list[int]] = []
    for cell in cells:
        if cell.row < total and cell.col < width:
            grid[cell.row][cell.col] = cell.text
        if cell.rowspan > 1 or cell.colspan > 1:
            spans.append([cell.row, cell.col, cell.rowspan, cell.colspan])
    return Table(rows=grid, spans=sorted(spans))


def _is_split_row(upper: dict[tuple[int, int], _Cell], lower: dict[tuple[int, int], _Cell]) -> bool:
    """Are the first row of a continued table and the last row above it halves of one row?

    Yes when both have the same cells, no column has a number in both halves, and every cell
    with text in both halves was cut mid-line (its text in the upper half fills the cell width).
    """
    if not lower or set(upper) != set(lower):
        return False
    cut: list[_Cell] = []
    for key, cell in lower.items():
        below, above = normalize_space(cell.text), normalize_space(upper[key].text)
        if not below or not above:
            continue
        if _NUMERIC_CELL.match(below) or _NUMERIC_CELL.match(above):
            return False
        cut.append(upper[key])
    return all(cell.fills for cell in cut)


# --- DOCX ----------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_T, _TAB, _BR, _CR, _P, _TBL, _TR, _TC = (_w(t) for t in ("t", "tab", "br", "cr", "p", "tbl", "tr", "tc"))
_SDT, _SDT_CONTENT, _CUSTOM_XML = _w("sdt"), _w("sdtContent"), _w("customXml")
_NO_BREAK_HYPHEN, _SOFT_HYPHEN = _w("noBreakHyphen"), _w("softHyphen")
# Subtrees whose text is not what the page shows: deleted/moved-away revisions, the fallback copy
# of every drawing (a text box exists twice: mc:Choice and mc:Fallback), ruby annotations, and
# w:sym glyphs (Wingdings/Symbol code points, not text).
_SKIP = {_w("del"), _w("moveFrom"), f"{{{_MC}}}Fallback", _w("pPr"), _w("rPr"), _w("instrText"),
         _w("delText"), _w("footnoteReference"), _w("endnoteReference"), _w("rt"), _w("sym")}


def _read_docx(body: bytes) -> _Extracted:
    import docx
    from lxml import etree

    extracted = _Extracted(extractor=f"harvester.documents/docx python-docx {_version('python-docx')}")
    try:
        document = docx.Document(io.BytesIO(body))
        body_element = document.element.body
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        styles = document.styles.element
    except ValueError:
        # python-docx refuses macro-enabled (.docm) and template (.dotx) content types; their
        # body XML is the same, so read the parts directly.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = set(archive.namelist())

                def part(name: str) -> Any:
                    return etree.fromstring(archive.read(name), parser) if name in names else None

                root, numbering, styles = part("word/document.xml"), part("word/numbering.xml"), part("word/styles.xml")
        except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, OSError) as error:
            raise InputError(_one_line("corrupt DOCX", error)) from None
        body_element = root.find(_w("body")) if root is not None else None
        if body_element is None:
            raise InputError("corrupt DOCX: word/document.xml has no body") from None
        extracted.extractor = "harvester.documents/docx lxml (python-docx refused the content type)"
    except Exception as error:  # zip/XML errors inside python-docx
        raise InputError(_one_line("corrupt DOCX", error)) from None
    walker = _DocxWalker(_Numbering(numbering, styles), extracted.warnings)
    walker.blocks(body_element, extracted.blocks)
    if body_element.find(f".//{_w('altChunk')}") is not None:
        extracted.warnings.append("embedded HTML/RTF chunk (w:altChunk) not read")
    return extracted


class _DocxWalker:
    def __init__(self, numbering: _Numbering, warnings: list[str]) -> None:
        self.numbering = numbering
        self.warnings = warnings

    def blocks(self, container: Any, out: list[str | Table]) -> None:
        """Paragraphs and tables of a body/cell/content control, in document order."""
        for child in container:
            tag = child.tag
            if tag == _P:
                out.append(self.paragraph(child))
            elif tag == _TBL:
                self.table(child, out)
            elif tag in (_SDT, _CUSTOM_XML, _SDT_CONTENT):
                content = child.find(_SDT_CONTENT) if tag == _SDT else child
                if content is not None:
                    self.blocks(content, out)

    def paragraph(self, p: Any) -> str:
        parts: list[str] = [self.numbering.label(p)]
        self._text(p, parts)
        return "".join(parts)

    def _text(self, element: Any, parts: list[str]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append(" ")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                parts.append("-")
            elif tag == _P:  # a paragraph inside a text box
                parts.append(" ")
                self._text(child, parts)
                parts.append(" ")
            elif tag == _SOFT_HYPHEN:
                continue
            else:
                self._text(child, parts)

    def cell_text(self, tc: Any) -> str:
        parts: list[str] = []
        inner: list[str | Table] = []
        self.blocks(tc, inner)
        for block in inner:
            if isinstance(block, Table):
                # A table inside a cell cannot keep its own columns in a one-line row: its
                # text is kept, cell by cell, inside the outer cell.
                parts.extend(cell for row in block.rows for cell in row if cell)
            else:
                parts.append(block)
        return " ".join(part for part in parts if part.strip())

    def table(self, tbl: Any, out: list[str | Table]) -> None:
        rows = list(_children(tbl, _TR))
        cells_by_row = [list(_children(tr, _TC)) for tr in rows]
        if not rows:
            return
        if len(rows) == 1 and len(cells_by_row[0]) == 1:
            # A 1×1 table is a frame around content (Word pastes of web pages), not data.
            self.blocks(cells_by_row[0][0], out)
            return
        if any(tc.find(f".//{_TBL}") is not None for cells in cells_by_row for tc in cells):
            self.warnings.append("nested table flattened into its cell")
        column = _grid_columns(tbl)

        placed: dict[tuple[int, int], str] = {}
        origin: dict[int, list[int]] = {}  # column → span record of the vMerge open there
        spans: list[list[int]] = []
        width = column(len(tbl.findall(f"{_w('tblGrid')}/{_w('gridCol')}")))
        for r, (tr, cells) in enumerate(zip(rows, cells_by_row, strict=True)):
            grid = _int_val(tr.find(f"{_w('trPr')}/{_w('gridBefore')}"), 0)
            previous: list[int] | None = None
            for tc in cells:
                tc_pr = tc.find(_w("tcPr"))
                span = _int_val(tc_pr.find(_w("gridSpan")) if tc_pr is not None else None, 1)
                span = min(max(span, 1), 512)  # a damaged gridSpan must not build a huge grid
                col, end = column(grid), column(grid + span)
                grid += span
                v_merge = tc_pr.find(_w("vMerge")) if tc_pr is not None else None
                h_merge = tc_pr.find(_w("hMerge")) if tc_pr is not None else None
                h_continue = h_merge is not None and h_merge.get(_w("val")) in (None, "continue")
                if (end <= col or h_continue) and previous is not None:
                    # A sliver cell narrower than the column tolerance, or a legacy hMerge
                    # continuation: part of the cell on its left.
                    text = self.cell_text(tc)
                    if text:
                        key = (previous[0], previous[1])
                        placed[key] = f"{placed[key]} {text}".strip()
                    previous[3] += max(0, end - col)
                    for c in range(col, end):
                        placed[(r, c)] = ""
                    continue
                end = max(end, col + 1)
                if v_merge is not None and v_merge.get(_w("val")) in (None, "continue") and col in origin:
                    record = origin[col]
                    record[2] = r - record[0] + 1
                    for c in range(col, end):
                        placed[(r, c)] = ""
                    previous = None
                else:
                    placed[(r, col)] = self.cell_text(tc)
                    for c in range(col + 1, end):
                        placed[(r, c)] = ""
                    record = [r, col, 1, end - col]
                    spans.append(record)
                    for c in range(col, end):
                        origin.pop(c, None)
                    if v_merge is not None:  # restart
                        origin[col] = record
                    previous = record
            # Columns a row does not reach close any vertical merge running through them.
            for open_col in [c for c in origin if (r, c) not in placed]:
                origin.pop(open_col)
            after = _int_val(tr.find(f"{_w('trPr')}/{_w('gridAfter')}"), 0)
            width = max(width, column(grid + after), max((c + 1 for rr, c in placed if rr == r), default=0))
        table = [[placed.get((r, c), "") for c in range(width)] for r in range(len(rows))]
        out.append(Table(rows=table, spans=sorted(s for s in spans if s[2] > 1 or s[3] > 1)))


# Word and LibreOffice leave grid columns of a few twips where two rows' cell edges almost
# line up; such slivers would add a column to the whole table.
_SLIVER_TWIPS = 20


def _grid_columns(tbl: Any) -> Any:
    """Map a grid-column boundary index to a column index, merging sliver columns."""
    widths: list[int] = []
    for grid_col in tbl.findall(f"{_w('tblGrid')}/{_w('gridCol')}"):
        try:
            widths.append(int(float(grid_col.get(_w("w")) or 0)))
        except ValueError:
            widths.append(0)
    if not widths or any(width <= 0 for width in widths):
        return lambda boundary: boundary
    mapping = [0]
    edge = anchor = 0
    for width in widths:
        edge += width
        if edge - anchor > _SLIVER_TWIPS:
            anchor = edge
            mapping.append(mapping[-1] + 1)
        else:
            mapping.append(mapping[-1])

    def column(boundary: int) -> int:
        if boundary < len(mapping):
            return mapping[boundary]
        return mapping[-1] + boundary - (len(mapping) - 1)  # rows wider than the declared grid

    return column


def _children(element: Any, tag: str) -> Any:
    """Direct children with ``tag``, looking through content controls and custom XML wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (_SDT, _CUSTOM_XML):
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from _children(content, tag)


def _int_val(element: Any, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(_w("val")))
    except (TypeError, ValueError):
        return default


# Word's automatic numbering: headings typed as 总体情况 with a 一、 list level would lose the
# section number (and find_sections with it) if the list labels were not rendered.
_CN_DIGITS, _CN_LEGAL_DIGITS = "零一二三四五六七八九", "零壹贰叁肆伍陆柒捌玖"


def _chinese_number(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if n <= 0 or n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens = "" if n < 20 and digits is _CN_DIGITS else digits[n // 10]
    return tens + ten + (digits[n % 10] if n % 10 else "")


def _roman(n: int) -> str:
    values = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
              (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in values:
        while n >= value:
            out += letters
            n -= value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return _chinese_number(n, _CN_LEGAL_DIGITS, "拾")
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese_number(n)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """Renders the list label (一、 （一） 1. …) of numbered paragraphs, counting as Word does."""

    def __init__(self, numbering: Any, styles: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) → fmt/text/start
        self.counters: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        if numbering is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for node in numbering.findall(_w("abstractNum")):
                abstract[node.get(_w("abstractNumId"))] = self._levels(node)
            for num in numbering.findall(_w("num")):
                num_id = num.get(_w("numId"))
                ref = num.find(_w("abstractNumId"))
                levels = dict(abstract.get(ref.get(_w("val")) if ref is not None else "", {}))
                for override in num.findall(_w("lvlOverride")):
                    ilvl = int(override.get(_w("ilvl"), "0"))
                    if override.find(_w("lvl")) is not None:
                        levels.update(self._levels(override))
                    start = override.find(_w("startOverride"))
                    if start is not None and ilvl in levels:
                        fmt, text, _ = levels[ilvl]
                        levels[ilvl] = (fmt, text, _int_val(start, 1))
                for ilvl, level in levels.items():
                    self.levels[(num_id, ilvl)] = level
        if styles is not None:
            for style in styles.findall(_w("style")):
                num_pr = style.find(f"{_w('pPr')}/{_w('numPr')}")
                if num_pr is not None:
                    num_id = num_pr.find(_w("numId"))
                    ilvl = num_pr.find(_w("ilvl"))
                    if num_id is not None:
                        self.style_num[style.get(_w("styleId"))] = (num_id.get(_w("val")), _int_val(ilvl, 0))

    @staticmethod
    def _levels(node: Any) -> dict[int, tuple[str, str, int]]:
        levels: dict[int, tuple[str, str, int]] = {}
        for lvl in node.findall(_w("lvl")):
            fmt = lvl.find(_w("numFmt"))
            text = lvl.find(_w("lvlText"))
            levels[int(lvl.get(_w("ilvl"), "0"))] = (
                fmt.get(_w("val"), "decimal") if fmt is not None else "decimal",
                text.get(_w("val"), "") if text is not None else "",
                _int_val(lvl.find(_w("start")), 1),
            )
        return levels

    def label(self, p: Any) -> str:
        if not self.levels:
            return ""
        p_pr = p.find(_w("pPr"))
        if p_pr is None:
            return ""
        num_pr = p_pr.find(_w("numPr"))
        num_id: str | None = None
        ilvl = 0
        if num_pr is not None:
            node = num_pr.find(_w("numId"))
            num_id = node.get(_w("val")) if node is not None else None
            ilvl = _int_val(num_pr.find(_w("ilvl")), 0)
        else:
            style = p_pr.find(_w("pStyle"))
            if style is not None and style.get(_w("val")) in self.style_num:
                num_id, ilvl = self.style_num[style.get(_w("val"))]
        if not num_id or num_id == "0" or (num_id, ilvl) not in self.levels:
            return ""
        fmt, text, start = self.levels[(num_id, ilvl)]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def level_value(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _, level_start = self.levels.get((num_id, level), ("decimal", "", 1))
            value = counters.get(level, level_start)
            # %1 inside a "legal" style list at a deeper level is still that level's own format.
            return _format_number(value, level_fmt)

        if fmt == "bullet":
            return ""
        return re.sub(r"%(\d)", level_value, text)


# --- DOC / WPS (OLE2 Word 97 binary) -------------------------------------------------------------


def _read_ole_word(body: bytes, source_type: str) -> _Extracted:
    """A .doc/.wps file: the native Word 97 reader, else LibreOffice (→ DOCX), else antiword.

    Native first: it keeps merged cells and needs no tool (antiword 0.37 dropped whole tables of a
    LibreOffice-written .doc). It refuses Word 6/95, encrypted and damaged files; LibreOffice is
    the faithful converter for those, antiword the light last resort.
    """
    try:
        return _read_word97(body, source_type)
    except _Unsupported as error:
        reason = str(error)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        extracted = _read_docx(_soffice_to_docx(soffice, body, source_type))
        extracted.extractor = f"harvester.documents/{source_type} soffice→docx, " + extracted.extractor.split(" ", 1)[1]
        extracted.warnings.append(f"native reader: {reason}; converted by LibreOffice")
        return extracted
    if shutil.which("antiword"):
        extracted = _read_antiword(body, source_type)
        extracted.warnings.append(f"native reader: {reason}; read by antiword")
        return extracted
    raise InputError(
        f"cannot read .{source_type} ({reason}): install antiword or LibreOffice (apt-get install antiword)"
    )


class _Unsupported(Exception):
    """The native Word 97 reader cannot handle this file (old version, encrypted, damaged)."""


def _soffice_to_docx(soffice: str, body: bytes, source_type: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="harvester-soffice-") as tmp:
        source = Path(tmp) / f"input.{source_type}"
        source.write_bytes(body)
        # A private profile: a concurrent soffice (or a user's desktop one) would otherwise
        # swallow the request and exit 0 with no output.
        command = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=120, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"LibreOffice timed out converting the .{source_type}") from None
        output = Path(tmp) / "input.docx"
        if not output.exists():
            raise InputError(f"LibreOffice could not convert the .{source_type} (damaged file?)")
        return output.read_bytes()


def _read_antiword(body: bytes, source_type: str) -> _Extracted:
    """antiword's DocBook output: ``<para>`` paragraphs and ``<informaltable>`` tables.

    DocBook (``-x db``) keeps rows and cells explicit (the text mode wraps long cells onto several
    lines); each ``<tgroup>`` lists its column widths, so cells wider than the narrowest columns
    get their colspan back. Vertical merges are not known: covered cells are empty, which is the
    right text anyway.
    """
    from lxml import etree

    with tempfile.NamedTemporaryFile(suffix=f".{source_type}") as handle:
        handle.write(body)
        handle.flush()
        try:
            run = subprocess.run(["antiword", "-m", "UTF-8.txt", "-x", "db", handle.name],
                                 capture_output=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"antiword timed out on the .{source_type}") from None
    if run.returncode != 0 or not run.stdout.strip():
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit {run.returncode}"
        raise InputError(f"antiword cannot read the .{source_type}: {detail}")
    try:
        root = etree.fromstring(run.stdout, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError as error:
        raise InputError(_one_line("antiword gave broken DocBook", error)) from None
    extracted = _Extracted(extractor=f"harvester.documents/{source_type} antiword (DocBook)")
    broken = 0
    for para in root.iter("para"):
        tables = para.findall("informaltable")
        if tables:
            extracted.blocks.extend(_docbook_table(table) for table in tables)
            continue
        text = "".join(para.itertext())
        if " |" in text:
            broken += 1  # cell marks antiword could not place in a table row
        extracted.blocks.append(text)
    extracted.warnings.append("antiword: vertical merges unknown; check tables")
    if broken:
        extracted.warnings.append(f"antiword lost the table structure of {broken} paragraphs")
    return extracted


def _docbook_table(table: Any) -> Table:
    rows: list[tuple[list[float], list[str]]] = []
    for group in table.iter("tgroup"):
        widths = []
        for spec in group.findall("colspec"):
            try:
                widths.append(float((spec.get("colwidth") or "0").rstrip("pt")))
            except ValueError:
                widths.append(0.0)
        edges = [0.0]
        for width in widths:
            edges.append(edges[-1] + width)
        for row in group.iter("row"):
            cells = [" ".join("".join(entry.itertext()).split()) for entry in row.findall("entry")]
            rows.append((edges if len(edges) == len(cells) + 1 else [], cells))
    columns: list[float] = []
    for edge in sorted({edge for edges, _ in rows for edge in edges}):
        if not columns or edge - columns[-1] > 1.0:  # 1 pt: the same edge, rounded apart
            columns.append(edge)
    placed: dict[tuple[int, int], str] = {}
    spans: list[list[int]] = []
    for r, (edges, cells) in enumerate(rows):
        for i, text in enumerate(cells):
            if edges and len(columns) > 1:
                col = min(range(len(columns)), key=lambda k: abs(columns[k] - edges[i]))
                end = min(range(len(columns)), key=lambda k: abs(columns[k] - edges[i + 1]))
            else:
                col, end = i, i + 1
            end = max(end, col + 1)
            placed[(r, col)] = text
            for c in range(col + 1, end):
                placed[(r, c)] = ""
            if end - col > 1:
                spans.append([r, col, 1, end - col])
    width = max((c + 1 for _, c in placed), default=0)
    return Table(rows=[[placed.get((r, c), "") for c in range(width)] for r in range(len(rows))], spans=spans)


class _Cfb:
    """Minimal reader of OLE2 compound files (the container of .doc/.wps): root-level streams."""

    _LAST = 0xFFFFFFFA  # sector numbers above this are free/end-of-chain/FAT markers

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(_OLE2_MAGIC):
            raise _Unsupported("not an OLE2 compound file")
        self.data = data
        try:
            self._read_header()
        except (struct.error, IndexError, RecursionError) as error:
            raise _Unsupported(f"damaged OLE2 file ({type(error).__name__})") from None

    def _read_header(self) -> None:
        data = self.data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _Unsupported("damaged OLE2 header")
        self.sector = 1 << shift
        (fat_count, dir_start, _, self.mini_cutoff, mini_fat_start, mini_fat_count,
         difat_start, difat_count) = struct.unpack_from("<IIIIIIII", data, 0x2C)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        per_sector = self.sector // 4
        sector = difat_start
        for _ in range(difat_count):
            if sector > self._LAST:
                break
            entries = struct.unpack_from(f"<{per_sector}I", self._sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        self.fat: list[int] = []
        for sector in difat[:fat_count]:
            self.fat.extend(struct.unpack_from(f"<{per_sector}I", self._sector(sector)))
        directory = self._chain(dir_start, self.fat)
        raw: list[tuple[str, int, int, int, int, int, int]] = []
        for offset in range(0, len(directory) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", directory, offset + 0x40)
            left, right, child = struct.unpack_from("<III", directory, offset + 0x44)
            start, size = struct.unpack_from("<II", directory, offset + 0x74)
            name = directory[offset:offset + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            raw.append((name, kind, left, right, child, start, size))
        if not raw or raw[0][1] != 5:
            raise _Unsupported("damaged OLE2 directory (no root entry)")
        # Only the root storage's own children: embedded objects (ObjectPool/…) have streams with
        # the same names (an embedded Word document has its own WordDocument).
        self.entries: dict[str, tuple[int, int]] = {}
        pending, seen = [raw[0][4]], set()
        while pending:
            index = pending.pop()
            if index >= len(raw) or index in seen:
                continue
            seen.add(index)
            name, kind, left, right, _, start, size = raw[index]
            pending += [left, right]
            if kind == 2:
                self.entries[name] = (start, size)
        mini_fat = self._chain(mini_fat_start, self.fat) if mini_fat_count else b""
        self.mini_fat = list(struct.unpack_from(f"<{len(mini_fat) // 4}I", mini_fat))
        self.mini_stream = self._chain(raw[0][5], self.fat)[:raw[0][6]]

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.sector
        if start >= len(self.data):
            raise _Unsupported("damaged OLE2 file (sector beyond the end)")
        return self.data[start:start + self.sector]

    def _chain(self, start: int, table: list[int]) -> bytes:
        parts: list[bytes] = []
        seen: set[int] = set()
        sector = start
        while sector < len(table) and sector not in seen:  # seen: a looping chain ends
            seen.add(sector)
            if table is self.fat:
                parts.append(self._sector(sector))
            else:
                parts.append(self.mini_stream[sector * 64:(sector + 1) * 64])
            sector = table[sector]
        return b"".join(parts)

    def stream(self, name: str) -> bytes:
        if name not in self.entries:
            raise _Unsupported(f"no {name} stream")
        start, size = self.entries[name]
        table = self.mini_fat if size < self.mini_cutoff else self.fat
        data = self._chain(start, table)
        if len(data) < size:
            raise _Unsupported(f"damaged OLE2 file ({name} stream shorter than its size)")
        return data[:size]

    def has(self, name: str) -> bool:
        return name in self.entries


# Paragraph/table property operations (sprms) the reader needs, from [MS-DOC] 2.6.
_SPRM_P_IN_TABLE, _SPRM_P_TTP, _SPRM_P_ITAP = 0x2416, 0x2417, 0x6649
_SPRM_P_INNER_CELL, _SPRM_P_INNER_TTP, _SPRM_P_HUGE_PAPX = 0x244B, 0x244C, 0x6646
_SPRM_P_ILFO, _SPRM_P_ILVL = 0x460B, 0x260A
_SPRM_T_DEF_TABLE, _SPRM_T_VERT_MERGE, _SPRM_P_CHG_TABS = 0xD608, 0xD62B, 0xC615
_OPERAND_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}


def _sprms(grpprl: bytes) -> list[tuple[int, bytes]]:
    """Split a grpprl into (sprm, operand) pairs."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos + 2 <= len(grpprl):
        (sprm,) = struct.unpack_from("<H", grpprl, pos)
        pos += 2
        spra = sprm >> 13
        if spra != 6:
            size = _OPERAND_SIZE[spra]
        elif sprm == _SPRM_T_DEF_TABLE:
            if pos + 2 > len(grpprl):
                break
            size = struct.unpack_from("<H", grpprl, pos)[0] + 1  # cb counts itself minus one
        elif sprm == _SPRM_P_CHG_TABS and pos < len(grpprl) and grpprl[pos] == 255:
            deleted = grpprl[pos + 1] if pos + 1 < len(grpprl) else 0
            added_at = pos + 2 + deleted * 4
            added = grpprl[added_at] if added_at < len(grpprl) else 0
            size = 2 + deleted * 4 + 1 + added * 3
        else:
            if pos >= len(grpprl):
                break
            size = grpprl[pos] + 1
        out.append((sprm, grpprl[pos:pos + size]))
        pos += size
    return out


@dataclass
class _Pap:
    depth: int = 0  # table nesting level: 0 outside tables
    ttp: bool = False  # the paragraph is a row-end mark at its depth
    inner_cell: bool = False
    bounds: list[int] = field(default_factory=list)  # cell edges in twips (TAP of a row end)
    merges: list[int] = field(default_factory=list)  # per cell: TC80 flags
    ilfo: int = 0  # list instance (1-based) of an automatically numbered paragraph; 0: none
    ilvl: int = 0  # its list level


def _parse_pap(grpprl: bytes, data_stream: bytes) -> _Pap:
    pap = _Pap()
    in_table = False
    itap: int | None = None
    vert: dict[int, int] = {}
    for sprm, operand in _sprms(grpprl):
        if sprm == _SPRM_P_HUGE_PAPX and len(operand) == 4:
            # Properties too big for the FKP page are stored in the Data stream.
            (offset,) = struct.unpack("<I", operand)
            if offset + 2 <= len(data_stream):
                (size,) = struct.unpack_from("<H", data_stream, offset)
                huge = _parse_pap(data_stream[offset + 2:offset + 2 + size], b"")
                in_table = in_table or huge.depth > 0
                itap = huge.depth if huge.depth else itap
                pap.ttp = pap.ttp or huge.ttp
                pap.inner_cell = pap.inner_cell or huge.inner_cell
                pap.bounds = huge.bounds or pap.bounds
                pap.merges = huge.merges or pap.merges
        elif sprm == _SPRM_P_IN_TABLE and operand:
            in_table = operand[0] != 0
        elif sprm == _SPRM_P_TTP and operand:
            pap.ttp = operand[0] != 0
        elif sprm == _SPRM_P_ITAP and len(operand) == 4:
            itap = struct.unpack("<i", operand)[0]
        elif sprm == _SPRM_P_INNER_CELL and operand:
            pap.inner_cell = operand[0] != 0
        elif sprm == _SPRM_P_INNER_TTP and operand:
            pap.ttp = pap.ttp or operand[0] != 0
        elif sprm == _SPRM_P_ILFO and len(operand) == 2:
            pap.ilfo = max(struct.unpack("<h", operand)[0], 0)
        elif sprm == _SPRM_P_ILVL and operand:
            pap.ilvl = operand[0] & 0x0F
        elif sprm == _SPRM_T_DEF_TABLE and len(operand) >= 3:
            count = operand[2]
            edges_end = 3 + 2 * (count + 1)
            if len(operand) >= edges_end:
                pap.bounds = list(struct.unpack_from(f"<{count + 1}h", operand, 3))
                tcs = operand[edges_end:]
                pap.merges = [
                    struct.unpack_from("<H", tcs, 20 * i)[0] if 20 * i + 2 <= len(tcs) else 0
                    for i in range(count)
                ]
        elif sprm == _SPRM_T_VERT_MERGE and len(operand) >= 3:
            vert[operand[1]] = operand[2]
    if itap is not None:
        pap.depth = max(itap, 0)
    elif in_table:
        pap.depth = 1
    for cell, value in vert.items():
        # sprmTVertMerge overrides the TC80 flags: 1 = merged with the cell above, 3 = restart.
        if cell < len(pap.merges):
            flags = pap.merges[cell] & ~0x60
            pap.merges[cell] = flags | (0x20 if value == 1 else 0x60 if value == 3 else 0)
    return pap


_TC_FIRST_MERGED, _TC_MERGED, _TC_VERT_MERGE, _TC_VERT_RESTART = 0x01, 0x02, 0x20, 0x40


def _read_word97(body: bytes, source_type: str) -> _Extracted:
    """Text, paragraphs and tables of a Word 97–2003 (or WPS in that format) file."""
    try:
        cfb = _Cfb(body)
        word = cfb.stream("WordDocument")
        if len(word) < 0x200:
            raise _Unsupported("WordDocument stream too short")
        ident, n_fib = struct.unpack_from("<HH", word, 0)
        if ident != 0xA5EC:
            raise _Unsupported("not a Word document (no FIB)")
        if n_fib < 0xC0:
            raise _Unsupported(f"Word 6/95 format (nFib {n_fib:#x})")
        (flags,) = struct.unpack_from("<H", word, 0x0A)
        if flags & 0x0100:
            raise _Unsupported("encrypted Word document")
        table = cfb.stream("1Table" if flags & 0x0200 else "0Table")
        data_stream = cfb.stream("Data") if cfb.has("Data") else b""
        (csw,) = struct.unpack_from("<H", word, 0x20)
        rg_lw = 0x22 + csw * 2 + 2
        (cslw,) = struct.unpack_from("<H", word, rg_lw - 2)
        ccp_text = struct.unpack_from("<i", word, rg_lw + 12)[0]
        ccp_txbx = struct.unpack_from("<i", word, rg_lw + 36)[0] if cslw > 9 else 0
        fc_lcb = rg_lw + cslw * 4 + 2

        def pair(index: int) -> tuple[int, int]:
            return struct.unpack_from("<II", word, fc_lcb + 8 * index)

        fc_clx, lcb_clx = pair(33)
        fc_bte_papx, lcb_bte_papx = pair(13)
        pieces = _pieces(table[fc_clx:fc_clx + lcb_clx])
        papx = _papx_runs(word, table[fc_bte_papx:fc_bte_papx + lcb_bte_papx])
        try:
            lists = _Word97Lists(table, pair(73), pair(74))
        except (struct.error, IndexError, ValueError):
            lists = _Word97Lists(table, (0, 0), (0, 0))  # damaged list tables: no labels
    except (struct.error, IndexError, KeyError) as error:
        raise _Unsupported(f"damaged Word file ({type(error).__name__})") from None

    extracted = _Extracted(extractor=f"harvester.documents/{source_type} native Word 97 reader")
    reader = _Word97Text(word, pieces, papx, data_stream, extracted.warnings, lists)
    try:
        reader.read(ccp_text, extracted.blocks)
    except Exception as error:  # damaged properties: let LibreOffice/antiword try instead
        raise _Unsupported(f"damaged Word file ({type(error).__name__})") from None
    if ccp_txbx > 0:
        extracted.warnings.append("text boxes not read")
    if reader.unlabelled:
        extracted.warnings.append(f"{reader.unlabelled} automatically numbered paragraphs without a readable label")
    return extracted


def _pieces(clx: bytes) -> list[tuple[int, int, int, bool]]:
    """The piece table: (cp_start, cp_end, byte offset in WordDocument, compressed 8-bit)."""
    pos = 0
    while pos < len(clx):
        kind = clx[pos]
        if kind == 0x01:  # Prc: property modifiers, skipped
            (size,) = struct.unpack_from("<h", clx, pos + 1)
            pos += 3 + size
        elif kind == 0x02:
            (size,) = struct.unpack_from("<I", clx, pos + 1)
            plc = clx[pos + 5:pos + 5 + size]
            count = (size - 4) // 12
            cps = struct.unpack_from(f"<{count + 1}i", plc, 0)
            pieces = []
            for i in range(count):
                (fc,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)
                compressed = bool(fc & 0x40000000)
                fc &= 0x3FFFFFFF
                pieces.append((cps[i], cps[i + 1], fc // 2 if compressed else fc, compressed))
            return pieces
        else:
            break
    raise _Unsupported("no piece table (damaged Word file)")


def _papx_runs(word: bytes, plc: bytes) -> list[tuple[int, int, bytes]]:
    """Paragraph property runs from the PAPX FKP pages: (fc_start, fc_end, grpprl)."""
    count = (len(plc) - 4) // 8
    runs: list[tuple[int, int, bytes]] = []
    for i in range(count):
        (pn,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 4 * i)
        page = word[(pn & 0x3FFFFF) * 512:(pn & 0x3FFFFF) * 512 + 512]
        if len(page) < 512:
            continue
        crun = page[511]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for j in range(crun):
            offset = page[4 * (crun + 1) + 13 * j] * 2
            grpprl = b""
            if offset:
                cb = page[offset]
                if cb == 0:
                    grpprl = page[offset + 2:offset + 2 + 2 * page[offset + 1]]
                else:
                    grpprl = page[offset + 1:offset + 1 + 2 * cb - 1]
                grpprl = grpprl[2:]  # istd (style) is not needed
            runs.append((fcs[j], fcs[j + 1], grpprl))
    runs.sort()
    return runs


# Word 97 number formats (nfc) → the OOXML names _format_number knows.
_NFC = {0: "decimal", 1: "upperRoman", 2: "lowerRoman", 3: "upperLetter", 4: "lowerLetter",
        5: "decimal", 10: "ideographDigital", 11: "japaneseCounting", 14: "decimalFullWidth",
        18: "decimalEnclosedCircle", 19: "decimalFullWidth", 22: "decimal", 23: "bullet",
        30: "ideographTraditional", 33: "taiwaneseCounting", 34: "ideographLegalTraditional",
        35: "taiwaneseCountingThousand", 37: "chineseCounting", 38: "chineseLegalSimplified",
        39: "chineseCountingThousand", 255: "none"}


class _Word97Lists:
    """List labels of a Word 97 file (PlfLst + LVLs, PlfLfo), counted as Word does.

    Headings numbered automatically (一、 （一）) keep their label, as in the DOCX reader.
    """

    def __init__(self, table: bytes, plf_lst: tuple[int, int], plf_lfo: tuple[int, int]) -> None:
        self.levels: dict[int, list[tuple[int, str, list[int | str]]]] = {}  # lsid → levels
        self.instances: list[tuple[int, dict[int, int]]] = []  # per LFO: lsid, start overrides
        self.counters: dict[int, dict[int, int]] = {}
        fc, lcb = plf_lst
        if not lcb:
            return
        (count,) = struct.unpack_from("<h", table, fc)
        position = fc + 2 + 28 * count
        for index in range(count):
            lsid = struct.unpack_from("<i", table, fc + 2 + 28 * index)[0]
            simple = table[fc + 2 + 28 * index + 26] & 0x01
            levels = []
            for _ in range(1 if simple else 9):
                level, position = self._lvl(table, position)
                levels.append(level)
            self.levels[lsid] = levels
        fc, lcb = plf_lfo
        if not lcb:
            return
        (lfo_count,) = struct.unpack_from("<I", table, fc)
        entries = [struct.unpack_from("<iiiB", table, fc + 4 + 16 * i) for i in range(lfo_count)]
        position = fc + 4 + 16 * lfo_count
        for lsid, _, _, overrides in entries:
            starts: dict[int, int] = {}
            position += 4  # LFOData.cp
            for _ in range(overrides):
                start, flags = struct.unpack_from("<iI", table, position)
                position += 8
                if flags & 0x10:  # fStartAt
                    starts[flags & 0x0F] = start
                if flags & 0x20:  # fFormatting: a whole LVL follows
                    _, position = self._lvl(table, position)
            self.instances.append((lsid, starts))

    @staticmethod
    def _lvl(table: bytes, position: int) -> tuple[tuple[int, str, list[int | str]], int]:
        """One LVL: (start, format, label template as text and level placeholders), next offset."""
        start, nfc = struct.unpack_from("<iB", table, position)
        chpx, papx = table[position + 24], table[position + 25]
        position += 28 + chpx + papx
        (length,) = struct.unpack_from("<H", table, position)
        raw = table[position + 2:position + 2 + 2 * length].decode("utf-16-le", "replace")
        template: list[int | str] = [ord(c) if ord(c) < 9 else c for c in raw]  # 0–8: level numbers
        return (start, _NFC.get(nfc, "decimal"), template), position + 2 + 2 * length

    def label(self, ilfo: int, ilvl: int) -> str | None:
        if ilfo > len(self.instances):
            return None
        lsid, starts = self.instances[ilfo - 1]
        levels = self.levels.get(lsid)
        if not levels or ilvl >= len(levels):
            return None
        counters = self.counters.setdefault(ilfo, {})
        start = starts.get(ilvl, levels[ilvl][0])
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if levels[ilvl][1] == "bullet":
            return ""
        out = ""
        for part in levels[ilvl][2]:
            if isinstance(part, str):
                out += part
            elif part < len(levels):
                value = counters.get(part, starts.get(part, levels[part][0]))
                out += _format_number(value, levels[part][1])
        return out


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


class _Word97Text:
    """Walks the main text by character position, splitting paragraphs, cells and rows."""

    def __init__(self, word: bytes, pieces: list[tuple[int, int, int, bool]],
                 papx: list[tuple[int, int, bytes]], data_stream: bytes, warnings: list[str],
                 lists: _Word97Lists | None = None) -> None:
        self.word = word
        self.pieces = pieces
        self.papx = papx
        self.papx_starts = [run[0] for run in papx]
        self.data_stream = data_stream
        self.warnings = warnings
        self.lists = lists
        self.unlabelled = 0
        self._pap_cache: dict[bytes, _Pap] = {}

    def _pap_at(self, fc: int) -> _Pap:
        index = bisect.bisect_right(self.papx_starts, fc) - 1
        if index < 0 or not (self.papx[index][0] <= fc < self.papx[index][1]):
            return _Pap()
        grpprl = self.papx[index][2]
        if grpprl not in self._pap_cache:
            self._pap_cache[grpprl] = _parse_pap(grpprl, self.data_stream)
        return self._pap_cache[grpprl]

    def _chars(self, limit: int) -> Any:
        """(character, fc) for the main document text, CP 0..limit."""
        for cp_start, cp_end, offset, compressed in self.pieces:
            if cp_start >= limit:
                break
            count = min(cp_end, limit) - cp_start
            if compressed:
                # 8-bit pieces are Windows-1252; its five undefined bytes fall back to Latin-1.
                text = "".join(_cp1252(byte) for byte in self.word[offset:offset + count])
                step = 1
            else:
                raw = self.word[offset:offset + 2 * count]
                text = raw.decode("utf-16-le", errors="replace")
                step = 2
            for i, char in enumerate(text):
                yield char, offset + i * step

    def read(self, ccp_text: int, out: list[str | Table]) -> None:
        fields: list[bool] = []  # per open field: True once its result part started
        paragraph: list[str] = []
        cell_parts: list[str] = []  # paragraphs of the current cell (and nested-table text)
        row_cells: list[str] = []
        rows: list[tuple[list[str], _Pap]] = []
        nested = False

        def finish_table() -> None:
            if rows:
                out.append(_word97_table(rows))
                rows.clear()

        for char, fc in self._chars(ccp_text):
            if char == "\x13":
                fields.append(False)
                continue
            if char == "\x14":
                if fields:
                    fields[-1] = True
                continue
            if char == "\x15":
                if fields:
                    fields.pop()
                continue
            if fields and not all(fields):
                continue  # field instruction (HYPERLINK "…", PAGE, …): not shown
            if char not in ("\r", "\x07", "\x0c"):
                if char == "\x0b":
                    paragraph.append("\n")
                elif char == "\x1e":
                    paragraph.append("-")
                elif char >= " " or char == "\t":
                    paragraph.append(char)
                continue
            pap = self._pap_at(fc)
            text = "".join(paragraph)
            paragraph.clear()
            if pap.ilfo:
                try:
                    label = self.lists.label(pap.ilfo, pap.ilvl) if self.lists else None
                except (IndexError, KeyError, ValueError):  # a damaged list table costs the label only
                    label = None
                if label is None:
                    self.unlabelled += 1
                else:
                    text = label + text
            if pap.depth == 0 or char == "\x0c" and not rows and not row_cells:
                finish_table()
                out.append(text)
                continue
            if pap.depth > 1:
                nested = True
                if text.strip():
                    cell_parts.append(text)
                continue
            if char == "\x07" and pap.ttp:
                rows.append((row_cells[:], pap))
                row_cells.clear()
                cell_parts.clear()
            elif char == "\x07":
                cell_parts.append(text)
                row_cells.append(" ".join(part for part in cell_parts if part.strip()))
                cell_parts.clear()
            else:  # a paragraph mark inside a cell: the cell has several paragraphs
                cell_parts.append(text)
        finish_table()
        if paragraph:
            out.append("".join(paragraph))
        if nested:
            self.warnings.append("nested table flattened into its cell")


def _word97_table(rows: list[tuple[list[str], _Pap]]) -> Table:
    """Rows of cell texts + row properties → a span-aware grid.

    Columns come from the union of all rows' cell edges (a cell wider than its neighbours above
    spans several columns); vertical merges come from the TC flags.
    """
    edges: list[int] = []
    for _, pap in rows:
        edges.extend(pap.bounds)
    columns: list[int] = []
    for edge in sorted(set(edges)):
        if not columns or edge - columns[-1] > 20:  # 20 twips (1 pt): same edge, rounding apart
            columns.append(edge)

    def column(edge: int) -> int:
        return min(range(len(columns)), key=lambda i: abs(columns[i] - edge))

    placed: dict[tuple[int, int], str] = {}
    spans: list[list[int]] = []
    open_v: dict[int, list[int]] = {}
    width = max(len(columns) - 1, max((len(cells) for cells, _ in rows), default=0))
    use_edges = len(columns) >= 2
    for r, (cells, pap) in enumerate(rows):
        bounds = pap.bounds if use_edges and len(pap.bounds) == len(cells) + 1 else []
        col = column(bounds[0]) if bounds else 0
        previous: list[int] | None = None
        for i, text in enumerate(cells):
            flags = pap.merges[i] if i < len(pap.merges) else 0
            if bounds:
                col, end = column(bounds[i]), column(bounds[i + 1])
                colspan = max(1, end - col)
            else:
                colspan = 1
            if flags & _TC_MERGED and not flags & _TC_FIRST_MERGED and previous is not None:
                previous[3] += colspan  # legacy horizontal merge into the cell on the left
                if text.strip():
                    placed[(previous[0], previous[1])] = f"{placed[(previous[0], previous[1])]} {text}".strip()
                for dc in range(colspan):
                    placed[(r, col + dc)] = ""
                col += colspan
                continue
            if flags & _TC_VERT_MERGE and not flags & _TC_VERT_RESTART and col in open_v:
                record = open_v[col]
                record[2] = r - record[0] + 1
                for dc in range(colspan):
                    placed[(r, col + dc)] = ""
                previous = None
            else:
                placed[(r, col)] = text
                for dc in range(1, colspan):
                    placed[(r, col + dc)] = ""
                record = [r, col, 1, colspan]
                spans.append(record)
                open_v.pop(col, None)
                if flags & _TC_VERT_MERGE:
                    open_v[col] = record
                previous = record
            col += colspan
        width = max(width, col)
    grid = [[placed.get((r, c), "") for c in range(width)] for r in range(len(rows))]
    return Table(rows=grid, spans=sorted(s for s in spans if s[2] > 1 or s[3] > 1))
