"""harvester.pdf_pages: pages read with pdfium give what pdfplumber gives, on real PDFs.

The reference is the pdfplumber (pdfminer.six) reading of the same page through the same code
(documents._pdf_page), so a difference in chars, edges or boxes shows as a different line or
table cell. The PDFs are the document fixtures, a test-bed attachment and small PDFs drawn here.
"""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfplumber.utils import dedupe_chars as pdfplumber_dedupe
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from harvester import documents, pdf_pages
from harvester.documents import clean_document
from harvester.result import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
FONT = "STSong-Light"  # a standard CID font: not embedded, mapped through UniGB-UCS2-H
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def close(a: float, b: float, tolerance: float = 0.01) -> bool:
    return abs(a - b) <= tolerance


def assert_same_items(ours: list[Any], theirs: list[Any]) -> None:
    """Lines and tables of one page, as documents._pdf_page builds them, equal up to 0.01 pt."""
    assert [type(item).__name__ for item in ours] == [type(item).__name__ for item in theirs]
    for mine, reference in zip(ours, theirs, strict=True):
        if isinstance(reference, documents._Line):
            assert mine.text == reference.text
            assert mine.page == reference.page
            for key in ("x0", "x1", "top", "bottom", "size"):
                assert close(getattr(mine, key), getattr(reference, key)), (reference.text, key)
        else:
            assert [(c.row, c.col, c.rowspan, c.colspan, c.text, c.fills) for c in mine.cells] == [
                (c.row, c.col, c.rowspan, c.colspan, c.text, c.fills) for c in reference.cells]
            assert mine.rows == reference.rows
            assert len(mine.xs) == len(reference.xs)
            assert all(close(a, b) for a, b in zip(mine.xs, reference.xs, strict=True))
            assert close(mine.top, reference.top) and close(mine.x0, reference.x0)


def compare_pages(body: bytes, skip_lost: bool = False) -> int:
    """Every page both ways; returns how many pages were compared."""
    compared = 0
    with pdf_pages.Document(body) as document, pdfplumber.open(io.BytesIO(body)) as pdf:
        assert len(document) == len(pdf.pages)
        for number, plumber_page in enumerate(pdf.pages):
            page = document.page(number)
            if skip_lost and page.lost_text:
                continue
            assert not page.fallback
            assert page.bbox == pytest.approx(plumber_page.bbox)
            ours = documents._pdfium_page(page, number)
            theirs = documents._pdf_page(plumber_page, number)
            assert ours[1] == theirs[1]  # image-only
            assert_same_items(ours[0], theirs[0])
            compared += 1
    return compared


def same_result(body: bytes) -> None:
    """clean_document (pdfium first) and the pdfplumber reading of the whole document agree."""
    ours = clean_document(body, "a.pdf")
    theirs = documents._assemble(documents._read_pdf_pdfplumber(body), "a.pdf", "pdf")
    assert ours.text == theirs.text
    assert [(t.rows, t.spans) for t in ours.tables] == [(t.rows, t.spans) for t in theirs.tables]
    assert ours.metadata.title == theirs.metadata.title
    assert ours.quality.warnings == theirs.quality.warnings


def draw(pages: list[Any], **options: Any) -> bytes:
    """A PDF whose pages are drawn by the given functions of a reportlab canvas."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, **options)
    for page in pages:
        page(pdf)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def report_page(pdf: canvas.Canvas) -> None:
    pdf.setFont(FONT, 18)
    pdf.drawString(72, 760, "某某局2022年政府信息公开工作年度报告")
    pdf.setFont(FONT, 12)
    pdf.drawString(72, 720, "一、总体情况")
    pdf.drawString(96, 700, "本年度共主动公开政府信息1234条，收到政府信息公开申请56件，均已按时答复。")


def ruled_table(pdf: canvas.Canvas, x: float, y: float) -> None:
    """3 rows × 3 columns ruled with lines and rectangles, the first two cells of the first row
    merged (the rule between them starts at the second row)."""
    pdf.setFont(FONT, 10)
    pdf.rect(x, y - 60, 240, 60)
    for row in (1, 2):
        pdf.line(x, y - 20 * row, x + 240, y - 20 * row)
    pdf.line(x + 80, y - 20, x + 80, y - 60)
    pdf.line(x + 160, y, x + 160, y - 60)
    pdf.drawString(x + 4, y - 14, "申请人情况")
    pdf.drawString(x + 164, y - 14, "总计")
    for row, values in enumerate((("新收申请", "12", "12"), ("上年结转", "3", "3")), start=1):
        for col, value in enumerate(values):
            pdf.drawString(x + 4 + 80 * col, y - 14 - 20 * row, value)


@pytest.mark.parametrize("name", ["report_2022.pdf", "report_2022_writer.pdf"])
def test_fixture_pages_read_alike(name: str) -> None:
    """Same lines (text, position, size) and same table grids (spans, cell text) on every page of
    the Word-like (reportlab) and the LibreOffice Writer fixture."""
    body = (FIXTURES / name).read_bytes()
    assert compare_pages(body) == len(pdfplumber.open(io.BytesIO(body)).pages)
    result = clean_document(body, name)
    assert result.extractor.startswith("harvester.documents/pdf pdfium ")
    assert "pdfplumber" not in result.extractor  # no page needed the fallback


@pytest.mark.parametrize("name", ["report_2022.pdf", "report_2022_writer.pdf"])
def test_fixture_chars_match_pdfminer_boxes(name: str) -> None:
    """The char boxes are pdfminer's: the Writer fixture's fonts say /Descent 0, where pdfium
    measures the font; pdfminer's figure is what the boxes use."""
    body = (FIXTURES / name).read_bytes()
    with pdf_pages.Document(body) as document, pdfplumber.open(io.BytesIO(body)) as pdf:
        for number, plumber_page in enumerate(pdf.pages):
            ours = sorted(document.page(number).chars, key=lambda c: (round(c["top"]), c["x0"], c["text"]))
            theirs = sorted(plumber_page.chars, key=lambda c: (round(c["top"]), c["x0"], c["text"]))
            assert [c["text"] for c in ours] == [c["text"] for c in theirs]
            for mine, reference in zip(ours, theirs, strict=True):
                for key in ("x0", "x1", "top", "bottom", "size"):
                    assert close(mine[key], reference[key]), (number, reference["text"], key)


def test_testbed_attachment_reads_alike() -> None:
    """The test-bed PDF (non-embedded CID font mapped by an Identity CIDToGIDMap): pdfium finds no
    outline for its glyphs, and its text page drops a text object of one such glyph (a title's
    last character wrapped to its own line, a one-character cell line). Those pages go to
    pdfplumber; the others are read by pdfium; the document comes out as pdfplumber reads it."""
    from harvester.testbed.attachments import report_pdf
    from harvester.testbed.reports import ReportSpec, make_report

    report = make_report(ReportSpec(body="seed_000", agency="某某区人民政府", year=2022,
                                    published=date(2023, 1, 20), scale=3))
    body = report_pdf(report)
    with pdf_pages.Document(body) as document:
        count = len(document)
        lost = [number for number in range(count) if document.page(number).lost_text]
    assert lost and len(lost) < count
    assert compare_pages(body, skip_lost=True) == count - len(lost)
    same_result(body)
    result = clean_document(body, "a.pdf")
    assert result.extractor.startswith("harvester.documents/pdf pdfium ") and "+pdfplumber " in result.extractor
    assert result.metadata.title == report.title


def test_mediabox_offset_and_form_xobject() -> None:
    """A MediaBox not at the origin (pdfplumber's coordinates keep its offset) and a table drawn
    in a form XObject placed with a matrix (edges composed into page space)."""
    import pypdf
    from pypdf.generic import RectangleObject

    def page(pdf: canvas.Canvas) -> None:
        report_page(pdf)
        pdf.beginForm("table")
        ruled_table(pdf, 0, 60)
        pdf.endForm()
        pdf.saveState()
        pdf.translate(90, 500)
        pdf.doForm("table")
        pdf.restoreState()
        ruled_table(pdf, 90, 400)

    reader = pypdf.PdfReader(io.BytesIO(draw([page])))
    writer = pypdf.PdfWriter()
    for each in reader.pages:
        each.mediabox = RectangleObject([20, 35, 580, 830])
        writer.add_page(each)
    buffer = io.BytesIO()
    writer.write(buffer)
    body = buffer.getvalue()
    assert compare_pages(body) == 1
    tables = clean_document(body, "a.pdf").tables
    assert len(tables) == 2 and tables[0].rows == tables[1].rows
    assert tables[0].rows == [["申请人情况", "", "总计"], ["新收申请", "12", "12"], ["上年结转", "3", "3"]]
    assert tables[0].spans == tables[1].spans == [[0, 0, 1, 2]]


def test_fake_bold_is_deduplicated() -> None:
    """A heading drawn twice 0.3 pt apart (fake bold) is read once. pdfium drops a copy drawn
    right after the first itself; one drawn after other text (a second pass) reaches
    dedupe_chars."""
    heading = "二、主动公开政府信息情况"
    other = "三、收到和处理政府信息公开申请情况"

    def page(pdf: canvas.Canvas) -> None:
        report_page(pdf)
        pdf.drawString(72, 660, heading)
        pdf.drawString(72.3, 660, heading)  # at once
        pdf.drawString(72, 600, other)
        for y in range(580, 440, -20):
            pdf.drawString(96, y, f"第{y}行正文。")
        pdf.drawString(72.3, 600.3, other)  # after other text

    body = draw([page])
    with pdf_pages.Document(body) as document:
        chars = document.page(0).chars

    def line(chars: list[dict[str, Any]], baseline: float) -> str:
        return "".join(c["text"] for c in chars if abs(c["y0"] - baseline) < 5)

    assert line(chars, 660) == heading
    assert len(line(chars, 600)) == 2 * len(other)  # both copies come from pdfium
    kept = pdf_pages.dedupe_chars(chars)
    assert line(kept, 660) == heading and line(kept, 600) == other
    lines = clean_document(body, "a.pdf").text.splitlines()
    assert heading in lines and other in lines
    same_result(body)


def test_dedupe_chars_is_pdfplumbers() -> None:
    """The same chars stay, in the same order, as with pdfplumber's dedupe_chars, on shuffled
    chars with offset copies (some within the tolerance, some not)."""
    rng = random.Random(7)
    with pdfplumber.open(FIXTURES / "report_2022.pdf") as pdf:
        chars = pdf.pages[1].chars
    copies = [dict(c, x0=c["x0"] + 0.3, x1=c["x1"] + 0.3, doctop=c["doctop"] + rng.choice([0, 0.4, 0.9, 1.6]))
              for c in chars[::2]]
    mixed = chars + copies
    rng.shuffle(mixed)
    kept = pdf_pages.dedupe_chars(mixed)
    assert len(kept) < len(mixed)
    assert [id(c) for c in kept] == [id(c) for c in pdfplumber_dedupe(mixed)]


def test_rotated_page_is_read_by_pdfplumber() -> None:
    """pdfium's boxes are in unrotated user space: a /Rotate page goes to pdfplumber."""
    import pypdf

    def second(pdf: canvas.Canvas) -> None:
        pdf.setFont(FONT, 12)
        pdf.drawString(72, 760, "二、主动公开政府信息情况")
        pdf.drawString(96, 740, "本年度新制发规范性文件3件，现行有效规范性文件25件。")

    reader = pypdf.PdfReader(io.BytesIO(draw([report_page, second])))
    writer = pypdf.PdfWriter()
    for number, page in enumerate(reader.pages):
        writer.add_page(page)
        if number == 1:
            writer.pages[1].rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    body = buffer.getvalue()
    with pdf_pages.Document(body) as document:
        assert [document.page(n).rotation for n in range(2)] == [0, 90]
        assert [document.page(n).fallback for n in range(2)] == ["", "rotated 90°"]
    result = clean_document(body, "a.pdf")
    assert "+pdfplumber " in result.extractor
    assert "本年度新制发规范性文件3件，现行有效规范性文件25件。" in result.text
    same_result(body)


def test_vertical_writing_is_read_by_pdfplumber() -> None:
    """pdfminer boxes vertical writing (a -V CMap) its own way: such a page goes to pdfplumber."""
    body = draw([report_page])
    assert body.count(b"/UniGB-UCS2-H") == 1
    vertical = body.replace(b"/UniGB-UCS2-H", b"/UniGB-UCS2-V")  # same length: offsets hold
    with pdf_pages.Document(body) as document:
        assert document.page(0).fallback == ""
    with pdf_pages.Document(vertical) as document:
        assert document.page(0).fallback == "vertical writing"
    assert "+pdfplumber " in clean_document(vertical, "a.pdf").extractor
    same_result(vertical)


def test_damaged_page_is_reported() -> None:
    """pdfium finds nothing on a page whose content stream is damaged; pdfplumber (pdfminer)
    raises on it: the page is lost with a warning, the other pages are pdfium's."""
    import pypdf

    body = (FIXTURES / "report_2022.pdf").read_bytes()
    contents = pypdf.PdfReader(io.BytesIO(body)).pages[2].get_object().raw_get("/Contents")
    start = body.index(b"stream", body.index(f"\n{contents.idnum} 0 obj".encode())) + 8
    damaged = body[:start] + b"\xff" * 16 + body[start + 16:]
    with pdf_pages.Document(damaged) as document:
        assert not document.page(2).has_objects and document.page(1).has_objects
    result = clean_document(damaged, "a.pdf")
    assert any(w.startswith("unreadable page(s) 3 skipped") for w in result.quality.warnings)
    assert result.extractor.startswith("harvester.documents/pdf pdfium ") and "+pdfplumber " in result.extractor
    assert "一、总体情况" in result.text.splitlines()


def test_blank_space_object_in_embedded_font_is_a_space() -> None:
    """pdfium's text page drops a one-glyph text object without ink; in an embedded font that is
    a space, which pdfminer reads and which stays a space here."""
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # shipped with reportlab; embedded

    def page(pdf: canvas.Canvas) -> None:
        pdf.setFont("Vera", 12)
        x = 72.0
        for piece in ("Report", " ", "2020", " ", "year"):
            pdf.drawString(x, 700, piece)
            x += pdfmetrics.stringWidth(piece, "Vera", 12)

    body = draw([page])
    with pdf_pages.Document(body) as document, pdfplumber.open(io.BytesIO(body)) as pdf:
        page_read = document.page(0)
        assert not page_read.lost_text
        ours = sorted(page_read.chars, key=lambda c: c["x0"])
        theirs = sorted(pdf.pages[0].chars, key=lambda c: c["x0"])
    assert "".join(c["text"] for c in ours) == "".join(c["text"] for c in theirs) == "Report 2020 year"
    assert all(close(a["x0"], b["x0"], 0.1) and close(a["top"], b["top"]) for a, b in zip(ours, theirs, strict=True))


def test_space_glyph_after_a_kerning_gap_is_kept() -> None:
    """pdfium generates a space for a TJ gap and then drops a space glyph right after it ("space
    after space"); pdfminer reads the glyph, and so does the reader (2020 stays a word apart)."""

    def page(pdf: canvas.Canvas) -> None:
        pdf.setFont("Helvetica", 12)  # /F1
        pdf.drawString(72, 750, "x")
        pdf._code.append("BT /F1 12 Tf 72 700 Td [(Report) -2000 ( ) -500 (2020)] TJ ET")

    body = draw([page])
    with pdf_pages.Document(body) as document, pdfplumber.open(io.BytesIO(body)) as pdf:
        ours = document.page(0).chars
        theirs = pdf.pages[0].chars
    assert "".join(c["text"] for c in ours) == "".join(c["text"] for c in theirs) == "xReport 2020"
    for mine, reference in zip(ours, theirs, strict=True):
        assert close(mine["x0"], reference["x0"], 0.05) and close(mine["top"], reference["top"])


def test_image_only_page_needs_ocr() -> None:
    body = (FIXTURES / "scanned.pdf").read_bytes()
    with pdf_pages.Document(body) as document:
        page = document.page(0)
    assert page.has_images and not page.chars
    result = clean_document(body, "scan.pdf")
    assert result.quality.needs_ocr and result.extractor.startswith("harvester.documents/pdf pdfium ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF", "corrupt PDF"),
        ("encrypted", "encrypted PDF needs a password"),
    ],
)
def test_document_errors_keep_their_messages(body: bytes | str, message: str) -> None:
    """pdfium cannot open these; pdfplumber's opening decides the message, as before."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    if body == "encrypted":
        body = draw([report_page], encrypt=StandardEncryption("user", ownerPassword="owner"))
    assert isinstance(body, bytes)
    with pytest.raises(InputError, match=message):
        clean_document(body, "a.pdf")
