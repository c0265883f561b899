"""Attachment cleaners: real PDF/DOCX/DOC files through ``clean_document``.

The fixtures and their expected JSON come from tests/fixtures/documents/build_documents.py; the
expected lines are derived from the content spec there, not from the cleaner.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from harvester import documents
from harvester.documents import clean_document, sniff_type
from harvester.result import CELL_SEPARATOR, CleanResult, InputError, Table
from harvester.textutil import report_year

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
REPORTS = ["report_2022.pdf", "report_2022_writer.pdf", "report_2022.docx", "report_2022.doc"]


def load(name: str) -> tuple[bytes, dict]:
    body = (FIXTURES / name).read_bytes()
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return body, expected


def expected_lines(expected: dict) -> list[str]:
    rows = [CELL_SEPARATOR.join(row) for table in expected["tables"] for row in table["rows"]]
    return [expected["title"], *expected["paragraphs"], *rows]


def digit_runs(text: str) -> Counter[str]:
    return Counter(re.findall(r"\d+(?:\.\d+)?", text))


def assert_in_order(lines: list[str], wanted: list[str]) -> None:
    """Every wanted line is a whole line of ``lines``, in this order."""
    position = 0
    for line in wanted:
        try:
            position = lines.index(line, position) + 1
        except ValueError:
            near = [candidate for candidate in lines if line[:8] in candidate][:3]
            raise AssertionError(f"line missing or out of order: {line!r}; similar: {near}") from None


def check_report(result: CleanResult, expected: dict) -> None:
    lines = result.text.splitlines()
    assert lines[0] == expected["title"]
    assert result.metadata.title == expected["title"]
    assert result.metadata.year == expected["year"]
    assert result.kind == expected["kind"], result.reason
    assert result.source_type == expected["source_type"]
    assert result.quality.needs_ocr is expected["needs_ocr"]
    assert result.quality.sections == expected["sections"]
    assert "\ufffd" not in result.text and "(cid:" not in result.text

    assert_in_order(lines, expected["paragraphs"])
    table_lines = [CELL_SEPARATOR.join(row) for table in expected["tables"] for row in table["rows"]]
    assert table_lines == expected["table_rows"]
    assert_in_order(lines, table_lines)
    # Nothing extra and nothing lost: exactly these lines, and every number exactly once.
    assert lines == [expected["title"], *_interleaved(expected)]
    assert digit_runs(result.text) == digit_runs("\n".join(expected_lines(expected)))

    assert result.quality.tables == len(expected["tables"]) == len(result.tables)
    for table, want in zip(result.tables, expected["tables"], strict=True):
        assert table.rows == want["rows"]
        assert {len(row) for row in table.rows} == {len(want["rows"][0])}
        assert all(line.count(CELL_SEPARATOR) == table.width - 1 for line in table.lines())
    assert result.quality.characters == len(result.text)


def _interleaved(expected: dict) -> list[str]:
    """Body lines in document order (tables sit after the heading that precedes them)."""
    from tests.fixtures.documents.build_documents import BLOCKS, grid

    out: list[str] = []
    for kind, payload in BLOCKS:
        if kind == "t":
            rows, _ = grid(payload)  # type: ignore[arg-type]
            out.extend(CELL_SEPARATOR.join(row) for row in rows)
        else:
            out.append(str(payload))
    return out


@pytest.mark.parametrize("name", REPORTS)
def test_report_fixture(name: str) -> None:
    body, expected = load(name)
    result = clean_document(body, f"https://www.example.gov.cn/zfxxgk/{name}")
    check_report(result, expected)
    assert result.extractor.startswith(f"harvester.documents/{expected['source_type']} ")


@pytest.mark.parametrize("name", ["numbered.docx", "numbered.doc"])
def test_word_list_numbers_are_rendered(name: str) -> None:
    """Headings numbered by Word lists (numbering.xml / the DOC's LST+LFO tables) keep their
    一、 （一） 1. labels, so the section headings are found."""
    body, expected = load(name)
    result = clean_document(body, name)
    assert result.text.splitlines() == [expected["title"], *expected["paragraphs"]]
    assert result.quality.sections == expected["sections"]
    assert (result.kind, result.metadata.year) == (expected["kind"], expected["year"])
    assert not result.quality.warnings


@pytest.mark.parametrize("name", ["report_2022.docx", "report_2022.doc"])
def test_word_spans_match_the_merges(name: str) -> None:
    """gridSpan/vMerge (DOCX) and cell edges/TC flags (DOC) give the spans that were merged."""
    body, expected = load(name)
    result = clean_document(body, name)
    assert [table.spans for table in result.tables] == [t["spans"] for t in expected["tables"]]


@pytest.mark.parametrize("name", ["report_2022.pdf", "report_2022_writer.pdf"])
def test_pdf_spans_and_page_breaks(name: str) -> None:
    """Ruled tables keep their merged cells; tables continued on the next page are joined,
    also when the continuation uses fewer columns (report_2022_writer.pdf: the 第二十条 table
    has 4 columns on page 1 and 2 on page 2); page numbers are dropped."""
    body, expected = load(name)
    result = clean_document(body, name)
    assert [table.spans for table in result.tables] == [t["spans"] for t in expected["tables"]]
    assert "table continued on the next page joined" in result.quality.warnings
    assert not any(re.fullmatch(r"-\s*\d+\s*-", line) for line in result.text.splitlines())


def test_pdf_row_cut_by_page_break() -> None:
    """Writer (like Word) lets a row break across pages: 6.属 | 4 | 0 … on one page and
    于四类过程性信息 on the next must become one row again; no autospace gaps as spaces."""
    body, _ = load("report_2022_writer.pdf")
    result = clean_document(body, "report_2022_writer.pdf")
    assert "row cut by a page break joined" in result.quality.warnings
    assert " |  | 6.属于四类过程性信息 | 4 | 0 | 0 | 0 | 0 | 0 | 4" in result.text.splitlines()
    assert result.metadata.title == "天津市东丽区人民政府2022年政府信息公开工作年度报告"


def test_scanned_pdf_needs_ocr() -> None:
    body, expected = load("scanned.pdf")
    result = clean_document(body, "https://www.example.gov.cn/nb/scan.pdf")
    assert result.kind == "empty" == expected["kind"]
    assert result.quality.needs_ocr is True
    assert "OCR" in result.reason
    assert result.text == "" and result.tables == []


def test_same_text_from_every_format() -> None:
    texts = {name: clean_document(load(name)[0], name).text for name in REPORTS}
    assert len(set(texts.values())) == 1, {k: len(v) for k, v in texts.items()}


# --- type sniffing and bad input -----------------------------------------------------------------


def test_sniff_by_magic_not_extension() -> None:
    pdf = (FIXTURES / "report_2022.pdf").read_bytes()
    docx = (FIXTURES / "report_2022.docx").read_bytes()
    doc = (FIXTURES / "report_2022.doc").read_bytes()
    assert sniff_type(pdf, "https://x.gov.cn/a.doc") == "pdf"
    assert sniff_type(docx, "https://x.gov.cn/download?id=3") == "docx"
    assert sniff_type(doc, "https://x.gov.cn/a.wps") == "wps"
    assert sniff_type(doc, "https://x.gov.cn/a.doc") == "doc"
    assert sniff_type(doc, "https://x.gov.cn/file", source_type="wps") == "wps"
    assert sniff_type(doc, "https://x.gov.cn/file", source_type="application/kswps") == "wps"
    result = clean_document(docx, "https://x.gov.cn/file", source_type="application/pdf")
    assert "declared pdf, content is docx" in result.quality.warnings
    result = clean_document(pdf, "https://x.gov.cn/a.doc")
    assert result.source_type == "pdf"
    assert "declared doc, content is pdf" in result.quality.warnings


def test_wps_is_read_like_doc() -> None:
    body = (FIXTURES / "report_2022.doc").read_bytes()
    result = clean_document(body, "https://x.gov.cn/P020230120.wps")
    assert result.source_type == "wps"
    assert result.kind == "report"
    assert result.text == clean_document(body, "a.doc").text


@pytest.mark.parametrize(
    ("body", "url", "message"),
    [
        (b"", "a.pdf", "empty attachment"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF", "a.pdf", "corrupt PDF"),
        (b"PK\x03\x04garbage", "a.docx", "corrupt ZIP"),
        (b"hello world", "a.pdf", "corrupt pdf attachment"),
        (b"hello world", "a.txt", "unsupported attachment type: txt"),
        (b"<html><body>\xe8\xaf\xa6\xe8\xa7\x81</body></html>", "a.doc", "HTML"),
        (b"{\\rtf1\\ansi hello}", "a.doc", "RTF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.doc", "corrupt OLE2"),
    ],
)
def test_bad_input_raises_one_line(body: bytes, url: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        clean_document(body, url)
    text = str(caught.value)
    assert message.lower() in text.lower()
    assert "\n" not in text


def test_zip_without_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError, match="spreadsheet"):
        clean_document(buffer.getvalue(), "a.xlsx")


def test_ole2_without_word_stream() -> None:
    """An OLE2 file that is not a Word document (Excel, PowerPoint): its directory says so."""
    body = (FIXTURES / "report_2022.doc").read_bytes()
    renamed = body.replace("WordDocument".encode("utf-16-le"), "Workbook\0\0\0\0".encode("utf-16-le"))
    with pytest.raises(InputError, match="no WordDocument stream"):
        clean_document(renamed, "https://x.gov.cn/a.xls")


def test_truncated_files_raise_input_error() -> None:
    for name in REPORTS:
        body = (FIXTURES / name).read_bytes()
        with pytest.raises(InputError):
            clean_document(body[: len(body) // 3], name)


def test_doc_without_native_reader_and_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """A .doc the native reader refuses, with no converter installed: one clear line."""
    body = (FIXTURES / "report_2022.doc").read_bytes()

    def refuse(*_: object) -> None:
        raise documents._Unsupported("Word 6/95 format (nFib 0x65)")

    monkeypatch.setattr(documents, "_read_word97", refuse)
    monkeypatch.setattr(documents.shutil, "which", lambda _name: None)
    with pytest.raises(InputError, match=r"install antiword or LibreOffice \(apt-get install antiword\)"):
        clean_document(body, "a.doc")


# --- external tools (fallbacks for .doc the native reader refuses) ----------------------------------


@pytest.mark.skipif(not shutil.which("antiword"), reason="antiword not installed (apt-get install antiword)")
def test_doc_via_antiword(monkeypatch: pytest.MonkeyPatch) -> None:
    """antiword is the last resort (Word 6/95 files without LibreOffice). On this
    LibreOffice-written .doc antiword 0.37 itself drops the applications table's rows and the
    四、 heading, so only what it keeps is checked, plus the warnings that flag the loss."""
    body, expected = load("report_2022.doc")
    monkeypatch.setattr(documents, "_read_word97", _refuse)
    monkeypatch.setattr(documents.shutil, "which",
                        lambda name: "/usr/bin/antiword" if name == "antiword" else None)
    result = clean_document(body, "a.doc")
    assert result.extractor == "harvester.documents/doc antiword (DocBook)"
    lines = result.text.splitlines()
    assert lines[0] == expected["title"]
    assert result.kind == "report"
    assert_in_order(lines, expected["paragraphs"][:6])  # up to the first table
    assert_in_order(lines, expected["paragraphs"][-7:])  # 五、… to the end
    first_table = [CELL_SEPARATOR.join(row) for row in expected["tables"][0]["rows"]]
    assert result.tables[0].rows == expected["tables"][0]["rows"]
    assert_in_order(lines, first_table)
    assert any("antiword lost the table structure" in w for w in result.quality.warnings)
    assert any("native reader: test" in w for w in result.quality.warnings)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui)")
def test_doc_via_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    body, expected = load("report_2022.doc")
    monkeypatch.setattr(documents, "_read_word97", _refuse)
    result = clean_document(body, "a.doc")
    assert "soffice" in result.extractor
    expected = dict(expected, source_type="doc")
    check_report(result, expected)


def _refuse(*_: object) -> None:
    raise documents._Unsupported("test: native reader disabled")


# --- unit checks of the pieces --------------------------------------------------------------------


def test_docx_numbering_nested_table_and_tracked_changes() -> None:
    """Auto-numbered headings keep their 一、 label; deleted revisions are dropped; a nested
    table's text stays inside its cell; a 1×1 frame table is unwrapped."""
    docx = pytest.importorskip("docx")
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("某某局2023年政府信息公开工作年度报告")
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    numbered("总体情况", 0)
    numbered("主动公开情况", 1)
    numbered("依申请公开情况", 1)
    numbered("主动公开政府信息情况", 0)
    tracked = document.add_paragraph("本年共收到申请")
    tracked._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>99</w:delText></w:r></w:del>'))
    tracked._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="2" w:author="a"><w:r><w:t>12</w:t></w:r></w:ins>'))
    tracked.add_run("件。")
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "项目"
    outer.cell(0, 1).text = "数量"
    outer.cell(1, 0).text = "合计"
    inner = outer.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "5"
    inner.cell(0, 1).text = "7"
    frame = document.add_table(rows=1, cols=1)
    frame.cell(0, 0).text = "框内的段落文字，共3件。"
    buffer = io.BytesIO()
    document.save(buffer)

    result = clean_document(buffer.getvalue(), "a.docx")
    lines = result.text.splitlines()
    assert lines[:6] == [
        "某某局2023年政府信息公开工作年度报告",
        "一、总体情况",
        "（一）主动公开情况",
        "（二）依申请公开情况",
        "二、主动公开政府信息情况",
        "本年共收到申请12件。",
    ]
    assert "项目 | 数量" in lines and "合计 | 5 7" in lines
    assert lines[-1] == "框内的段落文字，共3件。"
    assert "nested table flattened into its cell" in result.quality.warnings
    assert result.quality.sections == ["一", "二"]


def test_pdf_cid_garbage_is_removed_and_reported() -> None:
    from harvester.documents import _assemble, _Extracted

    extracted = _Extracted(blocks=["某局2022年政府信息公开工作年度报告", "共收到(cid:12)(cid:345)申请\ufffd件"],
                           extractor="test")
    result = _assemble(extracted, "a.pdf", "pdf")
    assert "(cid:" not in result.text and "\ufffd" not in result.text
    assert "12" not in result.text  # digits of the garbage must not pass for numbers
    assert any("(cid:NN)" in w for w in result.quality.warnings)
    assert any("U+FFFD" in w for w in result.quality.warnings)


@pytest.mark.parametrize(
    ("leading", "title", "body_start"),
    [
        # title set on two lines; a 附件 label above it stays in the body
        (["附件1", "某某县人民政府办公室", "2021年政府信息公开工作年度报告"],
         "某某县人民政府办公室2021年政府信息公开工作年度报告", ["附件1"]),
        # three fragments
        (["某某县人民政府", "2021年政府信息公开", "工作年度报告"],
         "某某县人民政府2021年政府信息公开工作年度报告", []),
        # 红头 and 文号 above a complete title are not part of it
        (["某某县人民政府办公室文件", "某政办〔2022〕3号", "某某县2021年政府信息公开工作年度报告"],
         "某某县2021年政府信息公开工作年度报告", ["某某县人民政府办公室文件", "某政办〔2022〕3号"]),
        # no report title at all: the first paragraph
        (["关于做好2022年政务公开工作的通知"], "关于做好2022年政务公开工作的通知", []),
    ],
)
def test_title_choice(leading: list[str], title: str, body_start: list[str]) -> None:
    from harvester.documents import _assemble, _Extracted

    blocks: list[str | Table] = [*leading, "一、总体情况", "正文" * 30]
    result = _assemble(_Extracted(blocks=blocks, extractor="t"), "a.docx", "docx")
    assert result.text.splitlines() == [title, *body_start, "一、总体情况", "正文" * 30]
    assert result.metadata.year == report_year(title)


def test_encrypted_pdf_with_empty_user_password() -> None:
    """Many portal PDFs forbid copying via an owner password; the text is still readable."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4,
                        encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    pdf.setFont("STSong-Light", 18)
    pdf.drawString(72, 760, "某某局2022年政府信息公开工作年度报告")
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(72, 720, "一、总体情况")
    pdf.drawString(96, 700, "本年度共主动公开政府信息1234条，收到政府信息公开申请56件，均已按时答复。")
    pdf.save()
    result = clean_document(buffer.getvalue(), "a.pdf")
    assert result.text.splitlines()[0] == "某某局2022年政府信息公开工作年度报告"
    assert "1234" in result.text and result.kind == "report"


def test_word97_text_pieces_8bit_and_unicode() -> None:
    """Word stores runs of Windows-1252 text as 8-bit ("compressed") pieces next to UTF-16 ones;
    field instructions are hidden, their results kept."""
    word = bytearray(512)
    latin = b"Report 2021\r\x13 PAGE \x143\x15 caf\xe9\r"
    word[16:16 + len(latin)] = latin
    cjk = "共收到申请12件。\r".encode("utf-16-le")
    word[200:200 + len(cjk)] = cjk
    pieces = [(0, len(latin), 16, True), (len(latin), len(latin) + len(cjk) // 2, 200, False)]
    reader = documents._Word97Text(bytes(word), pieces, [], b"", [])
    blocks: list[str | Table] = []
    reader.read(pieces[-1][1], blocks)
    assert blocks == ["Report 2021", "3 café", "共收到申请12件。"]


def test_docm_content_type_read_from_raw_xml() -> None:
    """python-docx refuses macro-enabled (.docm) packages; the body XML is read directly."""
    body, expected = load("report_2022.docx")
    source = zipfile.ZipFile(io.BytesIO(body))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            target.writestr(name, data)
    result = clean_document(buffer.getvalue(), "https://x.gov.cn/a.docm")
    assert "lxml" in result.extractor
    assert result.text == clean_document(body, "a.docx").text


def test_pdf_with_one_damaged_page_keeps_the_others() -> None:
    """A broken content stream costs its page, not the document."""
    pypdf = pytest.importorskip("pypdf")
    body = (FIXTURES / "report_2022.pdf").read_bytes()
    contents = pypdf.PdfReader(io.BytesIO(body)).pages[2].get_object().raw_get("/Contents")
    start = body.index(b"stream", body.index(f"\n{contents.idnum} 0 obj".encode())) + 8
    damaged = body[:start] + b"\xff" * 16 + body[start + 16:]
    result = clean_document(damaged, "a.pdf")
    assert any(w.startswith("unreadable page(s) 3 skipped") for w in result.quality.warnings)
    lines = result.text.splitlines()
    assert lines[0] == "天津市东丽区人民政府2022年政府信息公开工作年度报告"
    assert "一、总体情况" in lines and "五、存在的主要问题及改进情况" not in lines


def test_pdf_typed_spaces_kept_layout_gaps_not() -> None:
    """A space glyph in the PDF is text (自2020 年1月1日, as typed); a Latin/CJK autospace gap of a
    quarter em is layout and must not become a space (人民政府2022年)."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 12)
    x = 72.0
    for piece in ("某某区人民政府", "2022", "年政府信息公开工作年度报告"):  # 3 pt gaps, no glyph
        pdf.drawString(x, 760, piece)
        x += pdfmetrics.stringWidth(piece, "STSong-Light", 12) + 3
    pdf.drawString(72, 730, "本报告所列数据的统计期限自2020 年1月1日至 2020 年12月31 日，共收到申请12件。")
    pdf.save()
    lines = clean_document(buffer.getvalue(), "a.pdf").text.splitlines()
    assert lines[0] == "某某区人民政府2022年政府信息公开工作年度报告"
    assert lines[1] == "本报告所列数据的统计期限自2020 年1月1日至 2020 年12月31 日，共收到申请12件。"
