"""The built-in ``standard-tables`` parser, end to end over our clean text.

The corpus tests clean every 2019/2021-format report page of the fixture corpus, parse the text
and require every standard table to be found with the template's number count and every printed
consistency rule to hold: the generator guarantees the rules, so a failure means our clean text
lost or merged a cell. The unit tests use small texts built from the same table generators and
then broken on purpose.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from harvester import clean
from harvester.parsers.standard_tables import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    RULE_BALANCE,
    RULE_RESULTS,
    RULE_REVIEW,
    RULE_ROW_TOTAL,
    parse,
)
from harvester.result import CELL_SEPARATOR
from harvester.testbed.reports import (
    applications_table,
    article20_table,
    parse_number,
    review_table,
    rng_for,
    stats_table,
)
from harvester.textutil import find_sections

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"
DOCUMENTS = FIXTURES / "documents"
ROW_COUNT = {"2019": 23, "2021": 25}


# --------------------------------------------------------------------------------------------
# Corpus: clean → parse


def corpus_pages() -> list[Path]:
    pages = []
    for path in sorted(CORPUS.glob("*.html")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if expected["kind"] == "report" and expected["table_format"] in ("2019", "2021"):
            pages.append(path)
    return pages


@cache
def cleaned(path: Path) -> tuple[str, dict[str, Any]]:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = clean(path.read_bytes(), expected["url"], expected["headers"])
    return result.text, expected


def applications_grid(expected: dict[str, Any]) -> list[list[str]]:
    return next(g for g in expected["grids"] if any("申请人情况" in c for c in g[0]))


def check_parsed(result: dict[str, Any], text: str, fmt: str) -> None:
    """What every 2019/2021 report with intact tables must give."""
    assert result["format"] == fmt, result["warnings"]
    tables = result["tables"]

    apps = tables["applications"]
    assert apps["found"], result["warnings"]
    assert len(apps["rows"]) == ROW_COUNT[fmt]
    assert list(apps["rows"]) == [spec.key for spec in APPLICATION_ROWS[fmt]]
    assert all(len(values) == 7 for values in apps["rows"].values())
    assert apps["numbers"] == apps["numbers_expected"] == 7 * ROW_COUNT[fmt]

    review = tables["review_litigation"]
    assert review["found"], result["warnings"]
    assert review["numbers"] == 15
    for group in ("行政复议", "未经复议直接起诉", "复议后起诉"):
        numbers = review[group]
        assert numbers["总计"] == sum(numbers[k] for k in ("结果维持", "结果纠正", "其他结果", "尚未审结"))

    assert tables["article20"]["found"], result["warnings"]
    assert set(tables["article20"]["items"]) == ({"一", "五", "六", "八", "九"} if fmt == "2019"
                                                 else {"一", "五", "六", "八"})

    failed = [r for r in result["rules"] if not r["passed"]]
    assert not failed, failed
    completeness = result["completeness"]
    assert completeness["rules_total"] == completeness["rules_expected"] == 2 * 7 + ROW_COUNT[fmt] + 3
    assert completeness["tables_found"] == completeness["tables_expected"]

    found = {n for n, s in result["sections"].items() if s["found"]}
    assert found >= set(find_sections(text))
    assert completeness["sections_found"] == len(found)
    # Nothing to report but blank zeros.
    assert [w for w in result["warnings"] if "read as 0" not in w] == []
    json.dumps(result, ensure_ascii=False)  # JSON-able


@pytest.mark.parametrize("path", corpus_pages(), ids=lambda p: p.stem)
def test_corpus_page_tables_parse(path: Path) -> None:
    text, expected = cleaned(path)
    result = parse(text)
    check_parsed(result, text, expected["table_format"])
    assert result["title"] == expected["title"]
    assert result["year"] == expected["year"]
    # The numbers are the generator's, in order (blank cells read as 0).
    grid = applications_grid(expected)
    want = [[parse_number(c) for c in row[-7:]] for row in grid[3:]]
    assert list(result["tables"]["applications"]["rows"].values()) == want
    headings = {h[0] for h in expected["headings"] if h[:1] in "一二三四五六" and h[1:2] == "、"}
    found = {n for n, s in result["sections"].items() if s["found"]}
    assert found >= {n for n in headings if n in set(find_sections(text))}


def test_corpus_has_both_formats() -> None:
    formats = [cleaned(p)[1]["table_format"] for p in corpus_pages()]
    assert formats.count("2019") >= 5 and formats.count("2021") >= 5


@pytest.mark.parametrize("name", ["report_2022.pdf", "report_2022_writer.pdf", "report_2022.docx",
                                  "report_2022.doc"])
def test_attachment_tables_parse(name: str) -> None:
    result = clean((DOCUMENTS / name).read_bytes(), f"https://www.example.gov.cn/P0200001/{name}")
    check_parsed(parse(result.text), result.text, "2021")


@pytest.mark.parametrize("path", [p for p in sorted(CORPUS.glob("*.html"))
                                  if json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
                                  ["table_format"] in ("pre2019", "none")], ids=lambda p: p.stem)
def test_corpus_pages_without_standard_tables(path: Path) -> None:
    text, _ = cleaned(path)
    result = parse(text)
    assert result["format"] == "unknown"
    assert result["completeness"]["tables_found"] == []
    assert result["rules"] == []


# --------------------------------------------------------------------------------------------
# Hand-made texts


def report_lines(fmt: str, *, scale: int = 2, blank_zeros: bool = False, year: int | None = None,
                 seed: str = "") -> list[str]:
    rng = rng_for("standard-tables test", fmt, scale, blank_zeros, seed)
    year = year or (2020 if fmt == "2019" else 2022)
    return [
        f"某某区人民政府{year}年政府信息公开工作年度报告",
        "一、总体情况",
        f"{year}年，我区认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "二、主动公开政府信息情况",
        *article20_table(fmt, rng, scale=scale).lines(),
        "三、收到和处理政府信息公开申请情况",
        *applications_table(fmt, rng, scale=scale, blank_zeros=blank_zeros).lines(),
        "四、政府信息公开行政复议、行政诉讼情况",
        *review_table(rng, scale=scale).lines(),
        "五、存在的主要问题及改进情况",
        "一是政策解读形式较为单一。",
        "六、其他需要报告的事项",
        "无。",
    ]


def row_index(lines: list[str], needle: str) -> int:
    return next(i for i, line in enumerate(lines) if CELL_SEPARATOR in line and needle in line)


def edit_cell(lines: list[str], needle: str, column: int, change: Any) -> list[str]:
    """A copy of ``lines`` with one cell of the row containing ``needle`` changed (``column``
    counted from the right for negative values; ``change`` a function of the old text)."""
    lines = list(lines)
    i = row_index(lines, needle)
    cells = lines[i].split(CELL_SEPARATOR)
    cells[column] = change(cells[column])
    lines[i] = CELL_SEPARATOR.join(cells)
    return lines


def plus(n: int) -> Any:
    return lambda text: str(int(text or 0) + n)


def failed_rules(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["rule"], r.get("column") or r.get("row") or r.get("group"))
            for r in result["rules"] if not r["passed"]}


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_generated_report_parses(fmt: str) -> None:
    text = "\n".join(report_lines(fmt))
    result = parse(text)
    check_parsed(result, text, fmt)
    assert result["completeness"]["complete"]
    assert result["completeness"]["sections_found"] == 6
    assert result["sections"]["四"]["heading"] == "四、政府信息公开行政复议、行政诉讼情况"


def test_2019_and_2021_are_told_apart_by_the_tables_not_the_year() -> None:
    # A 2020 report (trial-format year) printed on the 2021 templates, and the reverse.
    late = parse("\n".join(report_lines("2021", year=2020)))
    assert late["format"] == "2021"
    assert late["tables"]["applications"]["found"]
    assert "（六）其他处理/3.其他" in late["tables"]["applications"]["rows"]
    assert any("2021 tables in a report for 2020" in w for w in late["warnings"])
    early = parse("\n".join(report_lines("2019", year=2022)))
    assert early["format"] == "2019"
    assert "（六）其他处理" in early["tables"]["applications"]["rows"]
    assert "九" in early["tables"]["article20"]["items"]


def test_format_conflict_between_tables() -> None:
    """2021 第二十条 table with a 2019 applications table: the 第二十条 columns decide, and the
    applications table does not fit that template."""
    lines_2021 = report_lines("2021")
    lines_2019 = report_lines("2019")
    start = lines_2019.index("三、收到和处理政府信息公开申请情况")
    end = lines_2019.index("四、政府信息公开行政复议、行政诉讼情况")
    a = lines_2021.index("三、收到和处理政府信息公开申请情况")
    b = lines_2021.index("四、政府信息公开行政复议、行政诉讼情况")
    mixed = lines_2021[:a] + lines_2019[start:end] + lines_2021[b:]
    result = parse("\n".join(mixed))
    assert result["format"] == "2021"
    assert any(w.startswith("format: 第二十条 table says 2021") for w in result["warnings"])
    assert not result["tables"]["applications"]["found"]
    assert result["tables"]["article20"]["found"]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_lost_cell_makes_the_table_not_found(fmt: str) -> None:
    lines = report_lines(fmt)
    i = row_index(lines, "2.其他法律行政法规禁止公开")
    cells = lines[i].split(CELL_SEPARATOR)
    del cells[5]  # one applicant cell lost: the row is one cell short
    lines[i] = CELL_SEPARATOR.join(cells)
    result = parse("\n".join(lines))
    apps = result["tables"]["applications"]
    assert not apps["found"]
    assert apps["numbers"] == 7 * (ROW_COUNT[fmt] - 1)
    warning = next(w for w in result["warnings"] if "其他法律行政法规禁止公开" in w)
    assert f"line {i + 1}" in warning and "cells" in warning
    assert not any(r["table"] == "applications" for r in result["rules"])
    assert result["tables"]["review_litigation"]["found"]  # the other tables are unaffected
    assert "applications" not in result["completeness"]["tables_found"]


def test_merged_cells_make_the_table_not_found() -> None:
    lines = report_lines("2021")
    i = row_index(lines, "本年新收")
    cells = lines[i].split(CELL_SEPARATOR)
    cells[3:5] = [f"{cells[3]} {cells[4]}"]  # two cells merged into one "625 100"
    lines[i] = CELL_SEPARATOR.join(cells)
    result = parse("\n".join(lines))
    assert not result["tables"]["applications"]["found"]
    assert any("本年新收" in w and f"line {i + 1}" in w for w in result["warnings"])


def test_lost_review_cell_makes_the_review_table_not_found() -> None:
    lines = report_lines("2019")
    i = len(lines) - 1 - next(k for k, line in enumerate(reversed(lines)) if line.count(CELL_SEPARATOR) == 14)
    lines[i] = CELL_SEPARATOR.join(lines[i].split(CELL_SEPARATOR)[:-1])
    result = parse("\n".join(lines))
    review = result["tables"]["review_litigation"]
    assert not review["found"]
    assert any(f"review_litigation line {i + 1}: 14 number cells" in w for w in result["warnings"])
    assert result["tables"]["applications"]["found"]


def test_lost_article20_cell_makes_that_table_not_found() -> None:
    lines = report_lines("2019")
    i = row_index(lines, "行政处罚")
    lines[i] = CELL_SEPARATOR.join(lines[i].split(CELL_SEPARATOR)[:-1])
    result = parse("\n".join(lines))
    assert not result["tables"]["article20"]["found"]
    assert any("行政处罚" in w and f"line {i + 1}" in w for w in result["warnings"])


def test_row_without_separators_is_reported() -> None:
    lines = report_lines("2021")
    i = row_index(lines, "4.保护第三方合法权益")
    lines[i] = lines[i].replace(CELL_SEPARATOR, " ").strip()
    result = parse("\n".join(lines))
    apps = result["tables"]["applications"]
    assert not apps["found"]
    assert any(f"applications line {i + 1}: not a table row" in w for w in result["warnings"])
    assert "四、结转下年度继续办理" in apps["rows"]  # the rest of the table is still read


def test_one_edited_number_fails_exactly_its_two_rules() -> None:
    lines = edit_cell(report_lines("2021"), "（一）予以公开", -7, plus(1))  # 自然人 of (一)
    result = parse("\n".join(lines))
    assert result["tables"]["applications"]["found"]
    assert failed_rules(result) == {(RULE_ROW_TOTAL, "（一）予以公开"), (RULE_RESULTS, "自然人")}
    assert result["completeness"]["rules_passed"] == result["completeness"]["rules_total"] - 2
    assert any(w.startswith(f"rule {RULE_RESULTS} failed") for w in result["warnings"])


def test_balance_rule_fails_alone() -> None:
    lines = report_lines("2019")
    lines = edit_cell(lines, "结转下年度", -7, plus(2))  # 自然人 …
    lines = edit_cell(lines, "结转下年度", -1, plus(2))  # … and 总计: the row still adds up
    result = parse("\n".join(lines))
    assert failed_rules(result) == {(RULE_BALANCE, "自然人"), (RULE_BALANCE, "总计")}
    detail = next(r["detail"] for r in result["rules"] if r["rule"] == RULE_BALANCE and not r["passed"])
    assert detail.startswith("一 ")


def test_review_rule_fails_alone() -> None:
    lines = report_lines("2021")
    i = len(lines) - 1 - next(k for k, line in enumerate(reversed(lines)) if line.count(CELL_SEPARATOR) == 14)
    cells = lines[i].split(CELL_SEPARATOR)
    cells[9] = str(int(cells[9]) + 1)  # 未经复议直接起诉 / 总计
    lines[i] = CELL_SEPARATOR.join(cells)
    result = parse("\n".join(lines))
    assert result["tables"]["review_litigation"]["found"]
    assert failed_rules(result) == {(RULE_REVIEW, "未经复议直接起诉")}


def test_blank_cells_read_as_zero_and_recorded() -> None:
    lines = report_lines("2019", scale=1, blank_zeros=True)
    text = "\n".join(lines)
    assert f"{CELL_SEPARATOR}{CELL_SEPARATOR}".strip() in text  # the generator printed blanks
    result = parse(text)
    apps = result["tables"]["applications"]
    assert apps["found"]
    assert not failed_rules(result)
    blanks = apps["empty_as_zero"]
    assert blanks
    # Recorded per row and column, and those numbers are zeros.
    for key, columns in blanks.items():
        for name in columns:
            assert apps["rows"][key][APPLICANT_COLUMNS.index(name)] == 0
    total = sum(map(len, blanks.values()))
    assert any(w == f"applications: {total} empty or dash number cell(s) read as 0" for w in result["warnings"])
    # Empty label cells (covered by spans) are not numbers: nothing outside the 7 columns counted.
    assert apps["numbers"] == 7 * 23


def test_dash_placeholders_read_as_zero() -> None:
    lines = report_lines("2021", scale=0)  # a township: all zeros
    lines = edit_cell(lines, "（一）予以公开", -7, lambda _: "—")
    result = parse("\n".join(lines))
    apps = result["tables"]["applications"]
    assert apps["found"]
    assert apps["empty_as_zero"] == {"（一）予以公开": ["自然人"]}


def test_thousands_separators() -> None:
    lines = report_lines("2021", scale=3)
    first, last = row_index(lines, "本年新收"), row_index(lines, "结转下年度")

    def grouped(text: str, factor: int) -> str:
        # The rules are linear: scaling every applications number keeps them true.
        return f"{int(text) * factor:,}" if text.isdigit() else text

    for i, line in enumerate(lines):
        if CELL_SEPARATOR in line:
            factor = 100 if first <= i <= last else 1
            lines[i] = CELL_SEPARATOR.join(grouped(c, factor) for c in line.split(CELL_SEPARATOR))
    assert "," in lines[first] and "," in lines[row_index(lines, "行政许可")]
    result = parse("\n".join(lines))
    apps = result["tables"]["applications"]
    assert apps["found"]
    assert not failed_rules(result)
    assert max(apps["rows"]["一、本年新收政府信息公开申请数量"]) >= 1000
    assert all(isinstance(v, int) for values in apps["rows"].values() for v in values)
    # A malformed group is not a number.
    broken = edit_cell(lines, "本年新收", -1, lambda text: text.replace(",", "")[:-1] + ",0")
    assert not parse("\n".join(broken))["tables"]["applications"]["found"]


def test_decimals_and_negative_numbers_in_article20() -> None:
    result = parse("\n".join(report_lines("2019")))
    items = result["tables"]["article20"]["items"]
    assert isinstance(items["九"]["rows"]["政府集中采购"][1], float)
    text_2021 = "\n".join(edit_cell(report_lines("2021"), "行政事业性收费", 1, lambda _: "0.35"))
    fee = parse(text_2021)["tables"]["article20"]["items"]["八"]["rows"]["行政事业性收费"]
    assert fee == [0.35]
    negative = edit_cell(report_lines("2019"), "行政许可", 2, lambda _: "-4")
    assert parse("\n".join(negative))["tables"]["article20"]["items"]["五"]["rows"]["行政许可"][1] == -4


def test_label_variants() -> None:
    lines = report_lines("2021")
    variants = {
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "(二)部分公开",
        "（三）不予公开": "(三) 不予 公开",
        "1.属于国家秘密": "１．属于国家秘密",
        "3.危及“三安全一稳定”": "3.危及\"三安全一稳定\"",
        "一、本年新收政府信息公开申请数量": "一、本年新收政府信息公开申请 数量",
        "（七）总计": "(七)总计",
    }
    for old, new in variants.items():
        i = row_index(lines, old)
        lines[i] = lines[i].replace(old, new)
    result = parse("\n".join(lines))
    apps = result["tables"]["applications"]
    assert apps["found"], result["warnings"]
    assert apps["labels"]["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"].endswith("(二)部分公开")
    assert not failed_rules(result)


def test_unrecognised_extra_row_breaks_the_count() -> None:
    lines = report_lines("2019")
    i = row_index(lines, "（七）总计")
    lines.insert(i, CELL_SEPARATOR.join(["", "（八）其中：网上申请", "", *["0"] * 7]))
    result = parse("\n".join(lines))
    assert not result["tables"]["applications"]["found"]
    assert any("unrecognised row" in w and f"line {i + 1}" in w for w in result["warnings"])


def test_missing_row_is_named() -> None:
    lines = report_lines("2021")
    del lines[row_index(lines, "3.要求提供公开出版物")]
    result = parse("\n".join(lines))
    assert not result["tables"]["applications"]["found"]
    assert "applications: row '（五）不予处理/3.要求提供公开出版物' not found" in result["warnings"]


def test_section_variants_and_table_rows_are_not_headings() -> None:
    text = "\n".join([
        "某某局2021年政府信息公开工作年度报告",
        "一、总体情况",
        "二、主动公开政府信息情况",
        "四、结转下年度继续办理 |  |  | 0 | 0 | 0 | 0 | 0 | 0 | 0",
        "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
        "一、本年度没有需要报告的事项，这一行很长，是一段正文而不是标题，所以不应当被当成第一部分的标题来看待，哪怕它以一、开头。",
    ])
    result = parse(text)
    sections = result["sections"]
    assert sections["四"]["heading"] == "四、因政府信息公开申请行政复议、提起行政诉讼的情况"
    assert sections["四"]["line"] == 5
    assert [n for n, s in sections.items() if s["found"]] == ["一", "二", "四", "五"]
    assert result["completeness"]["sections_found"] == 4


def test_text_without_tables() -> None:
    text = "\n".join(["某某镇人民政府2022年政府信息公开工作年度报告", "一、总体情况",
                      "2022年，本镇主动公开政府信息86条。", "二、主动公开政府信息情况", "略。"])
    result = parse(text)
    assert result["format"] == "unknown"
    assert result["year"] == 2022
    assert result["sections"]["一"]["found"] and result["sections"]["二"]["found"]
    assert result["completeness"]["tables_found"] == []
    assert result["completeness"]["tables_expected"] == ["article20", "applications", "review_litigation"]
    assert result["tables"]["applications"]["rows"] == {}
    assert result["rules"] == []
    assert {w for w in result["warnings"] if "not in the text" in w} == {
        "article20: table not in the text", "applications: table not in the text",
        "review_litigation: table not in the text"}


def test_pre2019_statistics_table_is_not_a_standard_table() -> None:
    lines = ["某某区人民政府2017年政府信息公开工作年度报告", "一、概述",
             *stats_table(2017, rng_for("stats")).lines()]
    result = parse("\n".join(lines))
    assert result["format"] == "unknown"
    assert result["tables"]["review_litigation"]["line"] is None  # "四、行政复议数量" is no header
    assert result["completeness"]["tables_found"] == []


@pytest.mark.parametrize("text", [
    "", "\n\n", " | ", "标题\n | | | \n|", "第二十条第（一）项",
    "某报告\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况",
    "某报告\n行政复议 | 行政诉讼\n\n结果维持 | x",
    "某报告\n一、本年新收政府信息公开申请数量 | 1 | 2",
    "\x00\ufeff一、总体情况 | ",
])
def test_odd_input_never_raises(text: str) -> None:
    result = parse(text)
    json.dumps(result, ensure_ascii=False)
    assert not any(w.startswith("internal error") for w in result["warnings"])
    assert set(result) >= {"parser", "version", "title", "year", "format", "sections", "tables", "rules",
                           "completeness", "warnings"}
    assert result["parser"] == "standard-tables"


def test_non_text_input_never_raises() -> None:
    result = parse(None)  # type: ignore[arg-type]
    assert result["format"] == "unknown"
    assert result["warnings"]


def test_truncated_table_lines_still_parse() -> None:
    """A consumer that strips trailing white space from each line keeps the same cells."""
    text = "\n".join(line.rstrip() for line in report_lines("2021", blank_zeros=True, scale=1))
    result = parse(text)
    assert result["tables"]["applications"]["found"], result["warnings"]
    assert result["tables"]["article20"]["found"], result["warnings"]
    assert not failed_rules(result)
