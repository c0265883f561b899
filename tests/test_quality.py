"""Quality of the cleaning chain over the whole fixture corpus, computed from real output.

Thresholds are the product's: no page with chrome, paragraph recall ≥ 0.99, table rows intact on
one line and in order ≥ 0.99, every number preserved, title first, kind, date and year all right;
and ours: at least 99 % of output lines are expected text (precision: nothing else leaks in).
"""

import json
from collections import Counter
from pathlib import Path

import pytest

import harvester
from harvester.evaluation import score_page, summarize

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"
DOCUMENTS = FIXTURES / "documents"


def corpus_cases() -> list[tuple[str, Path, dict]]:
    cases = []
    for expected_path in sorted(CORPUS.glob("*.json")):
        cases.append((expected_path.stem, expected_path.with_suffix(".html"),
                      json.loads(expected_path.read_text(encoding="utf-8"))))
    for expected_path in sorted(DOCUMENTS.glob("*.expected.json")):
        document = expected_path.with_name(expected_path.name.removesuffix(".expected.json"))
        cases.append((document.name, document, document_expectation(document, expected_path)))
    return cases


def document_expectation(document: Path, expected_path: Path) -> dict:
    """The attachment fixtures list paragraphs and table grids; derive the corpus fields."""
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    rows = [[" | ".join(row) for row in table["rows"]] for table in expected.get("tables", [])]
    expected["url"] = f"http://127.0.0.11/files/{document.name}"
    expected["table_rows"] = rows
    if expected["kind"] == "report":
        lines = [expected["title"], *expected["paragraphs"], *(row for table in rows for row in table)]
        expected["text"] = "\n".join(lines)
    return expected


CASES = corpus_cases()


@pytest.fixture(scope="module")
def results() -> dict[str, harvester.CleanResult]:
    out = {}
    for name, path, expected in CASES:
        out[name] = harvester.clean(path.read_bytes(), expected["url"], expected.get("headers"),
                                    status=expected.get("status"))
    return out


def test_corpus_is_broad_enough():
    templates = Counter(expected.get("template", "document") for _, _, expected in CASES)
    assert len(CASES) >= 40, len(CASES)
    assert len([t for t in templates if t != "document"]) >= 6, templates
    kinds = {expected["kind"] for _, _, expected in CASES}
    assert {"report", "not_report", "blocked", "empty"} <= kinds
    sources = {path.suffix for _, path, _ in CASES}
    assert {".html", ".pdf", ".docx"} <= sources


def test_quality_figures(results):
    scores = [
        score_page(name, expected, results[name].text, kind=results[name].kind,
                   published=results[name].metadata.published, year=results[name].metadata.year)
        for name, _, expected in CASES
    ]
    summary = summarize(scores)
    details = {
        "chrome": {s.name: s.chrome for s in scores if s.chrome},
        "paragraphs": {s.name: s.paragraphs for s in scores if s.paragraphs[0] < s.paragraphs[1]},
        "rows": {s.name: s.table_rows for s in scores if s.table_rows[0] < s.table_rows[1]},
        "numbers": {s.name: s.numbers for s in scores if s.numbers[0] < s.numbers[1]},
        "extra": {s.name: s.extra_lines for s in scores if s.extra_lines[0]},
        "title": [s.name for s in scores if s.title_first is False],
        "kind": [s.name for s in scores if s.kind_ok is False],
        "date": [s.name for s in scores if s.date_ok is False],
        "year": [s.name for s in scores if s.year_ok is False],
    }
    print(summary, {k: v for k, v in details.items() if v})
    assert summary.pages_with_chrome == 0, details["chrome"]
    assert summary.paragraph_recall >= 0.99, details["paragraphs"]
    assert summary.table_rows_intact >= 0.99, details["rows"]
    assert summary.numbers_preserved == 1.0, details["numbers"]
    assert summary.line_precision >= 0.99, details["extra"]
    assert summary.title_first == 1.0, details["title"]
    assert summary.kind_correct == 1.0, details["kind"]
    assert summary.date_correct == 1.0, details["date"]
    assert summary.year_correct == 1.0, details["year"]


@pytest.mark.parametrize(("name", "path", "expected"), [c for c in CASES if c[1].suffix == ".html"],
                         ids=[c[0] for c in CASES if c[1].suffix == ".html"])
def test_page_metadata(results, name, path, expected):
    result = results[name]
    meta = result.metadata
    assert result.kind == expected["kind"], result.reason
    if result.kind == "blocked":
        assert result.text == "" and result.tables == []
        return
    assert result.charset.used == expected["charset_used"]
    assert result.charset.replacements == 0
    for field in ("title", "agency", "index_no", "doc_no", "site_name", "site_id", "column"):
        if expected.get(field):
            assert getattr(meta, field) == expected[field], field
    assert {(a.url, a.name) for a in result.attachments} >= {
        (a["url"], a["name"]) for a in expected.get("attachments", [])
    }
    if expected.get("grids"):
        assert [t.rows for t in result.tables] == expected["grids"]
