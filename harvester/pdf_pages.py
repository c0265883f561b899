"""Read one PDF page with pdfium into pdfplumber-shaped objects: chars, edges, tables, text lines.

pdfplumber (pdfminer.six) interprets the content stream in Python, ~60 ms a page; pdfium does it
in C. What :mod:`harvester.documents` needs from a page is small and pdfplumber-shaped, so this
module builds exactly that from pdfium and hands it to pdfplumber's own geometry code, keeping the
table detection (snap/join/intersections/cells) and the text-line clustering pdfplumber's:

- chars: dicts with pdfplumber's keys and coordinates (origin top-left, ``top = height - y1``, the
  MediaBox offset handled as pdfplumber does), in pdfium's character order (content order, text
  objects on one line sorted left to right). The box is pdfminer's: from the origin, the advance
  wide and one em high, its bottom at the font's descent as pdfminer takes it (the
  FontDescriptor's /Descent, read with pypdf; pdfium measures the font where it says 0).
  pdfium's text page is undone where it differs from pdfminer's reading: its generated spaces
  and line breaks are skipped, a space glyph it drops after a generated one is put back, as is a
  blank one-glyph text object in an embedded font; a ligature is one char ("fi"); a glyph
  without a Unicode mapping is ``(cid:NN)``; a line-end hyphen stays "-".
  :func:`dedupe_chars` is pdfplumber's de-duplication of fake bold, in linear time.
- edges: the straight segments of painted paths (into form XObjects), classified as pdfminer
  does (a single segment is a line, a closed axis-aligned quadrilateral a rectangle with its four
  edges, anything else a curve whose consecutive points give segments); only horizontal and
  vertical ones are kept, within :data:`AXIS_TOLERANCE`.
- :func:`find_tables` runs ``pdfplumber.table.TableFinder`` on those edges (lines strategy).
- :func:`text_lines` is the call chain of ``Page.extract_text_lines``.

Not handled here, for the caller to read with pdfplumber (:attr:`PdfiumPage.fallback` says why):
rotated pages (/Rotate; pdfium's boxes are unrotated user space, pdfplumber's rotated), pages
where pdfium finds nothing (a damaged content stream, or blank), pages where pdfium's text page
drops a text object that may hold any character, and vertical writing (CMaps ending in -V).
"""

from __future__ import annotations

import ctypes
import io
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

# pypdf only reads font descriptors here; it logs a WARNING for every repair of a damaged file
# (an xref off by a few bytes), which pdfium handles anyway.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_TEXT_EPSILON = 0.01  # pdfium's kSizeEpsilon: a text object narrower than this is not read
AXIS_TOLERANCE = 0.1  # points: a segment this close to horizontal/vertical is a table rule
DEDUPE_TOLERANCE = 1.0  # points, as pdfplumber's dedupe_chars

# pdfium page object and path segment types (fpdf_edit.h)
_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE, _OBJ_SHADING, _OBJ_FORM = 1, 2, 3, 4, 5
_SEG_LINETO, _SEG_BEZIERTO, _SEG_MOVETO = 0, 1, 2

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass
class PdfiumPage:
    """What one page gives: pdfplumber-shaped chars and edges plus the page geometry."""

    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    bbox: tuple[float, float, float, float]  # pdfplumber's page.bbox (the MediaBox, top-left origin)
    rotation: int = 0
    has_images: bool = False
    has_objects: bool = False  # pdfium found at least one page object (text, path, image, …)
    unmapped: int = 0  # glyphs without a Unicode mapping (given as "(cid:NN)", as pdfminer does)
    lost_text: bool = False  # a text object pdfium's text page drops (see _walk_objects)
    vertical: bool = False  # a font in vertical writing mode: pdfminer's boxes differ

    @property
    def fallback(self) -> str:
        """Why pdfium's reading of the page is not to be used ("" when it is)."""
        if self.rotation:
            return f"rotated {self.rotation}°"
        if not self.has_objects:
            return "no page objects"
        if self.lost_text:
            return "a text object pdfium drops"
        if self.vertical:
            return "vertical writing"
        return ""

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention: p' = p·m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def page_boxes(page: Any) -> tuple[tuple[float, float, float, float], float]:
    """pdfplumber's page bbox and the height its y axis is flipped with, from the MediaBox."""
    left, bottom, right, top = page.get_mediabox()
    x0, x1 = sorted((left, right))
    y0, y1 = sorted((bottom, top))
    height = y1 - y0
    # pdfplumber inverts the MediaBox against its own height: (x0, h - y1, x1, h - y0).
    return (x0, height - y1, x1, height - y0), height


class Document:
    """A PDF opened with pdfium, read page by page (:meth:`page`).

    Raises ``pypdfium2.PdfiumError`` when pdfium cannot open the document (damaged beyond
    repair, or encrypted with a user password).
    """

    def __init__(self, body: bytes) -> None:
        import pypdfium2 as pdfium

        self.pdf = pdfium.PdfDocument(body)
        self.descents = _FontDescents(body)

    def __len__(self) -> int:
        return len(self.pdf)

    def close(self) -> None:
        self.pdf.close()

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def page(self, index: int) -> PdfiumPage:
        """One page as pdfplumber-shaped chars and edges; raises what pdfium raises for a page
        it cannot load."""
        import pypdfium2.raw as raw

        page = self.pdf[index]
        try:
            bbox, flip = page_boxes(page)
            result = PdfiumPage(chars=[], edges=[], bbox=bbox, rotation=page.get_rotation())
            if result.rotation:
                return result  # pdfium's boxes are unrotated: the caller reads it otherwise
            spaces: list[tuple[Matrix, float, Any]] = []
            counts = _walk_objects(raw, page.raw, flip, result, spaces)
            if counts[_OBJ_TEXT] and not result.lost_text:
                text_page = page.get_textpage()
                try:
                    _read_chars(raw, text_page.raw, flip, lambda: self.descents.page(index), spaces, result)
                finally:
                    text_page.close()
            return result
        finally:
            page.close()


def _walk_objects(raw: Any, page: Any, flip: float, result: PdfiumPage,
                  spaces: list[tuple[Matrix, float, Any]]) -> dict[int, int]:
    """Collect the edges of painted paths and the blank text objects pdfium's text page skips;
    count the page objects by type (into forms)."""
    counts = dict.fromkeys((_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE, _OBJ_SHADING, _OBJ_FORM), 0)
    fs_matrix = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    is_embedded = getattr(raw, "FPDFFont_GetIsEmbedded", None)  # pdfium ≥ 6xxx (2024)
    size = ctypes.c_float()

    def matrix_of(obj: Any) -> Matrix:
        if not raw.FPDFPageObj_GetMatrix(obj, fs_matrix):
            return _IDENTITY
        return (fs_matrix.a, fs_matrix.b, fs_matrix.c, fs_matrix.d, fs_matrix.e, fs_matrix.f)

    def path(obj: Any, matrix: Matrix) -> None:
        if raw.FPDFPath_GetDrawMode(obj, fill_mode, stroke) and not fill_mode.value and not stroke.value:
            return  # neither filled nor stroked: not painted (pdfminer ignores "n")
        a, b, c, d, e, f = matrix
        segments: list[tuple[str, float, float]] = []
        for number in range(raw.FPDFPath_CountSegments(obj)):
            segment = raw.FPDFPath_GetPathSegment(obj, number)
            kind = raw.FPDFPathSegment_GetType(segment)
            raw.FPDFPathSegment_GetPoint(segment, x_ref, y_ref)
            px, py = x.value, y.value
            point = (px * a + py * c + e, flip - (px * b + py * d + f))
            if kind == _SEG_MOVETO:
                segments.append(("m", *point))
            elif kind == _SEG_LINETO:
                segments.append(("l", *point))
            elif kind == _SEG_BEZIERTO:
                segments.append(("c", *point))  # control points too: only the last one counts
            if raw.FPDFPathSegment_GetClose(segment):
                segments.append(("h", *point))
        result.edges.extend(path_edges(segments))

    def text(obj: Any, parent: Matrix) -> None:
        # pdfium's text page skips a text object whose box has no width: one glyph without
        # ink. In an embedded font that is a space (one is put there, as pdfminer reads it); in a
        # substituted (non-embedded) font it may be any character pdfium found no outline for:
        # the character would be lost.
        if result.lost_text or not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            return
        if abs(right.value - left.value) < _TEXT_EPSILON:
            font = raw.FPDFTextObj_GetFont(obj)
            if font and is_embedded and is_embedded(font) and raw.FPDFTextObj_GetFontSize(obj, size):
                spaces.append((_mult(matrix_of(obj), parent), size.value, font))
            else:
                result.lost_text = True

    def walk(container: Any, count: int, get: Any, parent: Matrix) -> None:
        for number in range(count):
            obj = get(container, number)
            kind = raw.FPDFPageObj_GetType(obj)
            counts[kind] = counts.get(kind, 0) + 1
            if kind == _OBJ_TEXT:
                text(obj, parent)
            elif kind == _OBJ_PATH:
                path(obj, _mult(matrix_of(obj), parent))
            elif kind == _OBJ_FORM:
                walk(obj, raw.FPDFFormObj_CountObjects(obj), raw.FPDFFormObj_GetObject,
                     _mult(matrix_of(obj), parent))

    walk(page, raw.FPDFPage_CountObjects(page), raw.FPDFPage_GetObject, _IDENTITY)
    result.has_images = counts[_OBJ_IMAGE] > 0
    result.has_objects = any(counts.values())
    return counts


def path_edges(segments: list[tuple[str, float, float]]) -> list[dict[str, Any]]:
    """pdfplumber edges from one path object: ``(op, x, top)`` with op m/l/c/h, c for each
    Bézier point (only the last of a run of three is an end point), h closing the subpath."""
    ops: list[str] = []
    points: list[tuple[float, float]] = []
    start: tuple[float, float] | None = None
    run = 0
    for op, px, py in segments:
        if op == "c":
            run += 1
            if run % 3:
                continue  # a control point: pdfminer keeps only the end point of a curve
        else:
            run = 0
        if op == "h":
            if start is None:
                continue
            # pdfium closes a subpath with a line back to its start flagged "close": that line
            # is pdfminer's "h".
            if ops and ops[-1] == "l" and points[-1] == start:
                ops[-1] = "h"
            else:
                ops.append("h")
                points.append(start)
            continue
        if op == "m":
            start = (px, py)
        ops.append(op)
        points.append((px, py))
    edges: list[dict[str, Any]] = []
    first = 0
    for end in range(1, len(ops) + 1):
        if end == len(ops) or ops[end] == "m":
            if ops[first] == "m":
                edges.extend(_subpath_edges("".join(ops[first:end]), points[first:end]))
            first = end
    return edges


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= AXIS_TOLERANCE


def _subpath_edges(shape: str, pts: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """pdfminer's paint_path classification (line / rect / curve), then pdfplumber's edges."""
    pts = list(pts)
    if shape.endswith("h"):
        pts[-1] = pts[0]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        edge = _segment_edge(pts[0], pts[1], "line")
        return [edge] if edge else []
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), (x4, y4) = pts
        closed = _close(x0, x4) and _close(y0, y4)
        square = (_close(x0, x1) and _close(y1, y2) and _close(x2, x3) and _close(y3, y0)) or (
            _close(y0, y1) and _close(x1, x2) and _close(y2, y3) and _close(x3, x0))
        if closed and square:
            return _rect_edges(min(x0, x2), min(y0, y2), max(x0, x2), max(y0, y2))
    edges = []
    for p0, p1 in itertools.pairwise(pts):
        edge = _segment_edge(p0, p1, "curve_edge")
        if edge:
            edges.append(edge)
    return edges


def _segment_edge(p0: tuple[float, float], p1: tuple[float, float], kind: str) -> dict[str, Any] | None:
    (ax, ay), (bx, by) = p0, p1
    if _close(ay, by):
        top = (ay + by) / 2
        x0, x1 = min(ax, bx), max(ax, bx)
        return _edge(kind, x0, x1, top, top, "h")
    if _close(ax, bx):
        x = (ax + bx) / 2
        return _edge(kind, x, x, min(ay, by), max(ay, by), "v")
    return None  # diagonal: never a table rule


def _edge(kind: str, x0: float, x1: float, top: float, bottom: float, orientation: str) -> dict[str, Any]:
    return {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}


def _rect_edges(x0: float, top: float, x1: float, bottom: float) -> list[dict[str, Any]]:
    """pdfplumber's rect_to_edges: top, bottom, left, right."""
    return [
        _edge("rect_edge", x0, x1, top, top, "h"),
        _edge("rect_edge", x0, x1, bottom, bottom, "h"),
        _edge("rect_edge", x0, x0, top, bottom, "v"),
        _edge("rect_edge", x1, x1, top, bottom, "v"),
    ]


def _fast(function: Any, restype: Any, *argtypes: Any) -> Any:
    """A second ctypes prototype of a pypdfium2 function taking and returning plain integers
    (handles as ``c_void_p``): no pointer objects built per call, where calls run per character."""
    fast = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    fast.restype = restype
    fast.argtypes = argtypes
    return fast


class _Fonts:
    """Per font of a page: a name for pdfplumber's ``fontname``, pdfminer's descent per unit of
    size, and advance widths per character (looked up once)."""

    def __init__(self, raw: Any, descents: Any) -> None:
        self.raw = raw
        self.descents = descents  # () -> ({base font name: descent}, {vertical}), on first need
        self.page_descents: dict[str, float] | None = None
        self.page_vertical: set[str] = set()
        self.vertical = False
        self.fonts: dict[int, tuple[str, float]] = {}
        # per (font, character): the advance per unit of size, and whether pdfium's loose box
        # must be asked (the font's width disagrees with it: ink beyond the advance, odd mapping)
        self.widths: dict[tuple[int, int], tuple[float, bool]] = {}
        self.number = ctypes.c_float()
        self.number_ref, self.one = ctypes.byref(self.number), ctypes.c_float(1.0)
        self.name = ctypes.create_string_buffer(256)
        self.base_name = getattr(raw, "FPDFFont_GetBaseFontName", None)  # pdfium ≥ 6xxx (2024)

    def font(self, font: Any) -> tuple[str, float, int]:
        """(fontname, descent per unit of size, key) of an FPDF_FONT (may be NULL)."""
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        known = self.fonts.get(key)
        if known is None:
            raw, descent = self.raw, None
            if font:
                if self.page_descents is None:
                    self.page_descents, self.page_vertical = self.descents()
                if self.page_descents and self.base_name and self.base_name(font, self.name, len(self.name)):
                    name = _strip_subset(_decode_name(self.name.value))
                    descent = self.page_descents.get(name)
                    self.vertical = self.vertical or name in self.page_vertical
                if descent is None and raw.FPDFFont_GetDescent(font, self.one, self.number_ref):
                    descent = self.number.value
            known = self.fonts[key] = (f"F{len(self.fonts)}", descent or 0.0)
        return known[0], known[1], key

    def width(self, font: Any, code: int) -> float:
        """The font's advance for a character per unit of size (0 when unknown)."""
        if font and self.raw.FPDFFont_GetGlyphWidth(font, code, self.one, self.number_ref):
            return self.number.value
        return 0.0


def _box(x: float, y: float, matrix: Matrix, size: float, advance: float, descent: float,
         flip: float) -> tuple[float, float, float, float]:
    """pdfminer's box of a glyph at origin (x, y): ``advance`` wide and one em (``size``) high
    from the descent, two corners through the text matrix; (x0, y0, x1, y1)."""
    a, b, c, d = matrix[:4]
    low = descent * size
    x0, y0 = x + c * low, y + d * low
    x1, y1 = x + a * advance + c * (low + size), y + b * advance + d * (low + size)
    if x1 < x0:
        x0, x1 = x1, x0
    if y1 < y0:
        y0, y1 = y1, y0
    return x0, y0, x1, y1


def _char(text: str, fontname: str, box: tuple[float, float, float, float], matrix: Matrix,
          flip: float) -> dict[str, Any]:
    x0, y0, x1, y1 = box
    a, b, c, d = matrix[:4]
    top, bottom = flip - y1, flip - y0
    return {
        "object_type": "char", "text": text, "fontname": fontname,
        "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": top, "bottom": bottom, "doctop": top,
        "width": x1 - x0, "height": bottom - top, "upright": a * d > 0 and b * c <= 0,
        "size": y1 - y0,  # pdfminer: the box height (horizontal writing)
    }


def _read_chars(raw: Any, text_page: Any, flip: float, descents: Any,
                spaces: list[tuple[Matrix, float, Any]], result: PdfiumPage) -> None:
    """The page's characters, pdfplumber-shaped, in pdfium's order, into ``result.chars``; with
    how many had no Unicode mapping and whether a font writes vertically.

    ``descents()`` gives the page's ({base font name: pdfminer's descent per unit of size},
    {names of vertical fonts}); ``spaces`` are the blank one-glyph text objects pdfium's text page
    skips (matrix, size, font), added as spaces at the end.
    """
    c_int, c_void_p, c_double_p = ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)
    get_unicode = _fast(raw.FPDFText_GetUnicode, ctypes.c_uint, c_void_p, c_int)
    is_generated = _fast(raw.FPDFText_IsGenerated, c_int, c_void_p, c_int)
    get_object = _fast(raw.FPDFText_GetTextObject, c_void_p, c_void_p, c_int)
    get_origin = _fast(raw.FPDFText_GetCharOrigin, c_int, c_void_p, c_int, c_double_p, c_double_p)
    map_error = _fast(raw.FPDFText_HasUnicodeMapError, c_int, c_void_p, c_int)
    handle = ctypes.cast(text_page, c_void_p).value
    box = raw.FS_RECTF()
    fs_matrix = raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    fonts = _Fonts(raw, descents)
    widths = fonts.widths
    objects: dict[int, tuple[str, float, Matrix, float, Any, int]] = {}
    chars: list[dict[str, Any]] = []
    unmapped = 0

    def space(key: int, x: float, y: float) -> None:
        """A space glyph of a text object at (x, y), which pdfium's text page dropped."""
        state = objects.get(key)
        if state is None:
            return
        fontname, size, matrix, descent, font, font_key = state
        known = widths.get((font_key, 0x20))
        if known is None:
            known = widths[(font_key, 0x20)] = (fonts.width(font, 0x20), False)
        chars.append(_char(" ", fontname, _box(x, y, matrix, size, known[0] * size, descent, flip), matrix, flip))

    last_key, last_x, last_y = -1, 0.0, 0.0
    # pdfium generates a space inside a text object where a gap (TJ kerning) comes before a glyph,
    # at that glyph's origin; when the glyph is itself a space, it drops the glyph ("space after
    # space"). A generated space not followed by a glyph of its object at its origin stood for one.
    pending: tuple[int, float, float] | None = None
    for index in range(raw.FPDFText_CountChars(text_page)):
        code = get_unicode(handle, index)
        if code in (0x20, 0x0D, 0x0A, 0x02) and is_generated(handle, index):
            if pending is not None:
                space(*pending)
                pending = None
            if code == 0x20:
                key = get_object(handle, index)
                if key and get_origin(handle, index, ox_ref, oy_ref):
                    pending = (key, ox.value, oy.value)
            continue  # pdfium's own spaces and line breaks
        key = get_object(handle, index)
        if not key or code in (0, 0xFFFE) or not get_origin(handle, index, ox_ref, oy_ref):
            continue
        x, y = ox.value, oy.value
        if pending is not None:
            if pending != (key, x, y):
                space(*pending)
            pending = None
        if code == 2 and raw.FPDFText_IsHyphen(text_page, index):
            code = 0x2D  # pdfium marks a hyphen ending a line as U+0002
        if map_error(handle, index):
            text = f"(cid:{code})"  # as pdfminer writes a glyph without a Unicode mapping
            unmapped += 1
        else:
            text = chr(code) if code < 0x110000 else "\ufffd"
        if key == last_key and x == last_x and y == last_y and chars:
            # One glyph, several characters (a ligature mapped to "fi"): pdfminer keeps one char,
            # as wide as the glyph (the width looked up was the first character's).
            char = chars[-1]
            char["text"] += text
            if "\ud800" <= text <= "\udfff":  # a UTF-16 pair (16-bit wchar_t builds): one character
                char["text"] = char["text"].encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            if char["upright"] and len(char["text"]) == 2 and raw.FPDFText_GetLooseCharBox(text_page, index, box):
                char["x1"] = max(char["x1"], box.right)
                char["width"] = char["x1"] - char["x0"]
            continue
        last_key, last_x, last_y = key, x, y
        state = objects.get(key)
        if state is None:
            size = raw.FPDFText_GetFontSize(text_page, index)
            raw.FPDFText_GetMatrix(text_page, index, fs_matrix)
            matrix = (fs_matrix.a, fs_matrix.b, fs_matrix.c, fs_matrix.d, 0.0, 0.0)
            font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(text_page, index))
            fontname, descent, font_key = fonts.font(font)
            state = objects[key] = (fontname, size, matrix, descent, font, font_key)
        fontname, size, matrix, descent, font, font_key = state
        a, b = matrix[0], matrix[1]
        # The advance. pdfium's loose box is the advance × em box widened to the glyph's ink where
        # that reaches further (digits of a substituted font, an italic f): the font's width is
        # taken where it is not larger than the loose box (a width looked up by Unicode can belong
        # to another glyph of the same text), the loose box otherwise.
        upright_box = b == 0 and a > 0
        known = widths.get((font_key, code))
        if known is None or known[1] or not upright_box:
            raw.FPDFText_GetLooseCharBox(text_page, index, box)
            axis = a if upright_box else ((a * a + b * b) ** 0.5 or 1.0)
            loose = (box.right - x if upright_box else max(box.right - box.left, box.top - box.bottom)) / axis
            if known is None:
                unit = fonts.width(font, code)
                known = widths[(font_key, code)] = (unit, not 0 < unit * size <= loose + 0.01)
            advance = max(loose, 0.0) if known[1] or not 0 < known[0] * size <= loose + 0.01 else known[0] * size
        else:
            advance = known[0] * size
        chars.append(_char(text, fontname, _box(x, y, matrix, size, advance, descent, flip), matrix, flip))
    if pending is not None:
        space(*pending)
    for matrix, size, font in spaces:
        fontname, descent, _key = fonts.font(font)
        advance = fonts.width(font, 0x20) * size
        chars.append(_char(" ", fontname, _box(matrix[4], matrix[5], matrix, size, advance, descent, flip),
                           matrix, flip))
    result.chars, result.unmapped, result.vertical = chars, unmapped, fonts.vertical


def _strip_subset(name: str) -> str:
    """A base font name without its subset tag (ABCDEF+SimSun → SimSun)."""
    head, plus, rest = name.partition("+")
    return rest if plus and len(head) == 6 else name


def _decode_name(name: bytes) -> str:
    """A PDF name's bytes as pypdf decodes them (Chinese PDFs name fonts in GBK: 宋体)."""
    for encoding in ("utf-8", "gbk"):
        try:
            return name.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name.decode("latin-1")


class _FontDescents:
    """pdfminer's descent of each font a page uses (its FontDescriptor's /Descent, made negative;
    the AFM value for the standard 14 fonts; 0 without either), read with pypdf.

    pdfium gives the descriptor's value too, except when the descriptor says 0: it then measures
    the font, and pdfminer's boxes (bottom on the baseline) would not be matched.
    """

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.reader: Any = None
        self.failed = False

    def page(self, index: int) -> tuple[dict[str, float], set[str]]:
        """({base font name: descent per unit of size}, {names of fonts writing vertically})."""
        if self.failed:
            return {}, set()
        try:
            if self.reader is None:
                import pypdf

                self.reader = pypdf.PdfReader(io.BytesIO(self.body), strict=False)
            found: dict[str, float | None] = {}
            vertical: set[str] = set()
            self._collect(self.reader.pages[index].get("/Resources"), found, vertical, set(), 0)
            return {key: value for key, value in found.items() if value is not None}, vertical
        except Exception:  # pypdf is only the second opinion on metrics: pdfium's then
            self.failed = True
            return {}, set()

    def _collect(self, resources: Any, found: dict[str, float | None], vertical: set[str], seen: set[int],
                 depth: int) -> None:
        resources = _resolve(resources)
        if not isinstance(resources, dict) or depth > 8 or id(resources) in seen:
            return
        seen.add(id(resources))
        fonts = _resolve(resources.get("/Font"))
        if isinstance(fonts, dict):
            for font in fonts.values():
                font = _resolve(font)
                if not isinstance(font, dict):
                    continue
                writes_vertically = _vertical(font)
                for name, descent in _font_descents(font):
                    # Two fonts of one name that disagree: pdfium's figure then.
                    found[name] = descent if found.get(name, descent) == descent else None
                    if writes_vertically:
                        vertical.add(name)
        xobjects = _resolve(resources.get("/XObject"))
        if isinstance(xobjects, dict):
            for xobject in xobjects.values():
                xobject = _resolve(xobject)
                if isinstance(xobject, dict) and xobject.get("/Subtype") == "/Form":
                    self._collect(xobject.get("/Resources"), found, vertical, seen, depth + 1)


def _vertical(font: dict[str, Any]) -> bool:
    """A Type0 font whose CMap writes vertically (Identity-V, UniGB-UCS2-V, or /WMode 1)."""
    if font.get("/Subtype") != "/Type0":
        return False
    encoding = _resolve(font.get("/Encoding"))
    if isinstance(encoding, dict):
        return _resolve(encoding.get("/WMode", 0)) == 1
    return str(encoding).endswith("-V")


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _font_descents(font: dict[str, Any]) -> list[tuple[str, float]]:
    """(base font name, descent per unit of size) as pdfminer computes it, for one font dict."""
    names = [str(font.get("/BaseFont", ""))[1:]]
    subtype = font.get("/Subtype")
    spec = font
    if subtype == "/Type0":
        descendants = _resolve(font.get("/DescendantFonts"))
        spec = _resolve(descendants[0]) if isinstance(descendants, list) and descendants else None
        if not isinstance(spec, dict):
            return []
        names.append(str(spec.get("/BaseFont", ""))[1:])
    if subtype == "/Type3":
        bbox = _resolve(font.get("/FontBBox")) or [0, 0, 0, 0]
        matrix = _resolve(font.get("/FontMatrix")) or [0.001, 0, 0, 0.001, 0, 0]
        descent = float(_resolve(bbox[1])) * (float(_resolve(matrix[1])) + float(_resolve(matrix[3])))
    else:
        descriptor = _resolve(spec.get("/FontDescriptor"))
        if isinstance(descriptor, dict):
            descent = float(_resolve(descriptor.get("/Descent", 0)) or 0)
        else:
            from pdfminer.fontmetrics import FONT_METRICS

            metrics = FONT_METRICS.get(names[0]) if subtype != "/Type0" else None
            descent = float(metrics[0].get("Descent", 0)) if metrics else 0.0
        descent = -abs(descent) * 0.001
    return [(_strip_subset(name), descent) for name in names if name]


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = DEDUPE_TOLERANCE) -> list[dict[str, Any]]:
    """pdfplumber's ``dedupe_chars`` (fake bold: the same glyph drawn twice, slightly offset)
    without its quadratic ``sorted(…, key=chars.index)``: of the chars with the same text, font
    and size whose tops and then x0s chain within ``tolerance`` points, the topmost-leftmost one
    stays (the first one on a tie). The order stays the input's."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for char in chars:
        groups.setdefault((char["upright"], char["text"], char["fontname"], char["size"]), []).append(char)
    if len(groups) == len(chars):
        return list(chars)
    kept: set[int] = set()
    for group in groups.values():
        if len(group) == 1:
            kept.add(id(group[0]))
            continue
        for row in _chain(group, "doctop", tolerance):
            if len(row) == 1:
                kept.add(id(row[0]))
                continue
            for column in _chain(row, "x0", tolerance):
                kept.add(id(min(column, key=_POSITION)))
    return [char for char in chars if id(char) in kept]


_POSITION = itemgetter("doctop", "x0")


def _chain(objects: list[dict[str, Any]], key: str, tolerance: float) -> list[list[dict[str, Any]]]:
    """pdfplumber's ``cluster_objects``: sorted by ``key``, split where the gap exceeds
    ``tolerance``; a stable sort, so equal values keep their order."""
    ordered = sorted(objects, key=itemgetter(key))
    clusters = [[ordered[0]]]
    last = ordered[0][key]
    for obj in ordered[1:]:
        value = obj[key]
        if value <= last + tolerance:
            clusters[-1].append(obj)
        else:
            clusters.append([obj])
        last = value
    return clusters


class _EdgePage:
    """The part of a pdfplumber page ``TableFinder`` reads with the "lines" strategies."""

    def __init__(self, edges: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> None:
        self.edges = edges
        self.bbox = bbox


def find_tables(edges: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> list[Any]:
    """pdfplumber's ruled tables (``Page.find_tables()`` with default settings) from edges."""
    from pdfplumber.table import TableFinder

    if not edges:
        return []
    return TableFinder(_EdgePage(edges, bbox), {}).tables  # type: ignore[arg-type]


def text_lines(chars: Iterable[dict[str, Any]], bbox: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    """``Page.extract_text_lines(strip=True, return_chars=True, keep_blank_chars=True)``."""
    from pdfplumber.utils import chars_to_textmap

    chars = list(chars)
    if not chars:
        return []
    textmap = chars_to_textmap(
        chars, layout_bbox=bbox, layout_width=bbox[2] - bbox[0], layout_height=bbox[3] - bbox[1],
        keep_blank_chars=True,
    )
    return textmap.extract_text_lines(strip=True, return_chars=True)
