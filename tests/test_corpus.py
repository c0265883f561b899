"""Tests of the test-bed generators and the committed fixture corpus (not of the cleaner).

They make sure the expectations are sound: tables obey the rules printed on them, pages really
are in the encodings they claim to test, expected text is really on the page, every template
carries every chrome family, and the committed corpus is exactly what the generators build.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from harvester.classify import detect_challenge
from harvester.testbed.corpus import build_corpus, cases, corpus_files
from harvester.testbed.pages import CHROME_FAMILIES, TEMPLATES
from harvester.testbed.reports import (
    ReportSpec,
    Table,
    applications_table,
    article20_table,
    check_applications,
    check_review,
    make_report,
    parse_number,
    review_table,
    rng_for,
    stats_table,
)
from harvester.textutil import normalize_space, report_year

CORPUS_DIR = Path(__file__).resolve().parent / "fixtures" / "corpus"
REQUIRED_FIELDS = {
    "url", "headers", "status", "template", "kind", "title", "year", "published", "agency",
    "index_no", "doc_no", "site_name", "site_id", "column", "charset_used", "attachments",
    "headings", "paragraphs", "table_rows", "grids", "text",
}


@cache
def corpus() -> list[tuple[str, bytes, dict[str, Any]]]:
    return list(build_corpus())


def reports() -> list[tuple[str, bytes, dict[str, Any]]]:
    return [c for c in corpus() if c[2]["kind"] != "blocked"]


def decode(body: bytes, expected: dict[str, Any]) -> str:
    return body.decode(expected["charset_used"]).removeprefix("\ufeff")


def visible_text(source: str) -> str:
    """Page text with tags, comments, scripts and styles removed, entities resolved."""
    source = re.sub(r"<!--.*?-->|<!\[[^\]]*\]>", "", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S | re.I)
    return normalize_space(html.unescape(re.sub(r"<[^>]+>", "", source)))


# --------------------------------------------------------------------------------------------
# Tables


@pytest.mark.parametrize("fmt,rows", [("2019", 23), ("2021", 25)])
@pytest.mark.parametrize("scale", [0, 1, 2, 3])
@pytest.mark.parametrize("seed", range(8))
def test_applications_table_rules(fmt: str, rows: int, scale: int, seed: int) -> None:
    table = applications_table(fmt, rng_for("apps", seed), scale=scale,  # type: ignore[arg-type]
                               blank_zeros=seed % 4 == 3)
    grid = table.grid()
    assert all(len(row) == 10 for row in grid)
    body = grid[3:]
    assert len(body) == rows
    for row in body:  # 7 numbers (or blank zeros) after the row labels
        assert all(re.fullmatch(r"\d*", cell) for cell in row[-7:]), row
        assert any(row[:3]), row
    check = check_applications(grid)
    assert check.ok, check.problems


def test_applications_table_labels_and_spans() -> None:
    grid = applications_table("2021", rng_for("x"), scale=2).grid()
    assert grid[0][0].startswith("（本列数据的勾稽关系为") and grid[0][3] == "申请人情况"
    assert grid[1][3:] == ["自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert grid[2][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    labels = [row[0] or row[1] or row[2] for row in grid[3:]]
    assert labels[0] == "一、本年新收政府信息公开申请数量"
    assert labels[2] == "三、本年度办理结果" and grid[5][1] == "（一）予以公开"
    assert grid[7][1] == "（三）不予公开" and grid[7][2] == "1.属于国家秘密"
    assert [row[1] for row in grid[8:15]] == [""] * 7  # covered by the (三) rowspan of 8
    other = [row for row in grid if row[1] == "（六）其他处理"]
    assert len(other) == 1 and other[0][2].startswith("1.申请人无正当理由")
    assert labels[-1] == "四、结转下年度继续办理"


@pytest.mark.parametrize("scale", [0, 1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_review_table_rules(scale: int, seed: int) -> None:
    grid = review_table(rng_for("review", seed), scale=scale).grid()
    assert len(grid) == 4 and all(len(row) == 15 for row in grid)
    assert grid[0][0] == "行政复议" and grid[0][5] == "行政诉讼"
    assert grid[1][5] == "未经复议直接起诉" and grid[1][10] == "复议后起诉"
    assert check_review(grid).ok


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_article20_table_shape(fmt: str) -> None:
    table = article20_table(fmt, rng_for("a20"), scale=3, thousands=True)  # type: ignore[arg-type]
    grid = table.grid()
    assert all(len(row) == 4 for row in grid)
    blocks = [row[0] for row in grid if row[0].startswith("第二十条")]
    items = ["一", "五", "六", "八", "九"] if fmt == "2019" else ["一", "五", "六", "八"]
    assert blocks == [f"第二十条第（{i}）项" for i in items]
    # one <table>, but the blocks have different numbers of real cells per row
    assert len({len(row) for row in table.rows}) >= 3
    header = "本年新制作数量" if fmt == "2019" else "本年制发件数"
    assert header in [cell for row in grid for cell in row]


def test_number_shapes_across_corpus() -> None:
    cells = {cell for _, _, exp in reports() for grid in exp["grids"] for row in grid
             for cell in row}
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", c) for c in cells), "thousands separators"
    fees = {row[1] for _, _, exp in reports() for grid in exp["grids"] for row in grid
            if row[0] == "行政事业性收费"}
    assert any(re.fullmatch(r"0\.\d\d", c) and c != "0.00" for c in fees), "fees like 0.35"
    assert any(re.fullmatch(r"\d+\.\d{4}", c) for c in cells), "four-decimal amounts"
    assert any(re.fullmatch(r"-\d+", c) for c in cells), "negative 本年增/减"
    assert "0" in cells and any(re.fullmatch(r"\d{3,}", c) for c in cells)


@pytest.mark.parametrize("year", [2010, 2016, 2018])
def test_stats_table_rules(year: int) -> None:
    grid = stats_table(year, rng_for("stats", year), scale=2).grid()
    assert grid[0] == ["指标名称", "计量单位", "本年度", "累计"]
    rows = {row[0]: row for row in grid}
    for row in grid[1:]:
        if row[1]:
            assert parse_number(row[3]) >= parse_number(row[2]), row
    for parent, children in (("（一）收到申请数", ("1.当面申请数", "2.传真申请数", "3.网络申请数",
                                                  "4.信函申请数")),
                             ("（二）申请办结数", ("1.按时办结数", "2.延期办结数"))):
        for col in (2, 3):
            assert parse_number(rows[parent][col]) == sum(parse_number(rows[c][col])
                                                          for c in children)


def test_grid_spans() -> None:
    from harvester.testbed.reports import Cell

    table = Table([[Cell("a", rowspan=2), Cell("b", colspan=2)], [Cell("c"), Cell("d")]])
    assert table.grid() == [["a", "b", ""], ["", "c", "d"]]
    assert table.lines() == ["a | b | ", " | c | d"]


def test_year_and_format_follow_the_title() -> None:
    report = make_report(ReportSpec("seed_000", "新华街道办事处", 2022, date(2023, 1, 5),
                                    stem="新华"))
    assert report.year == 2022 and report.table_format == "2021"
    text = report.expected_text()
    assert "西泉" not in text and "新华街办" in text
    assert "2022年度" in text and "2020年" not in text


# --------------------------------------------------------------------------------------------
# The corpus as a whole


def test_corpus_coverage() -> None:
    by_template: dict[str, int] = defaultdict(int)
    for _, _, exp in corpus():
        by_template[exp["template"]] += 1
    assert len(corpus()) >= 44
    for template in TEMPLATES:
        assert by_template[template] >= 4, template
    kinds = [exp["kind"] for _, _, exp in corpus()]
    assert kinds.count("blocked") >= 1 and kinds.count("not_report") >= 2
    assert kinds.count("empty") >= 1
    formats = {exp["table_format"] for _, _, exp in reports()}
    assert {"2019", "2021", "pre2019", "none"} <= formats
    years = {exp["year"] for _, _, exp in reports() if exp["kind"] == "report"}
    assert set(range(2016, 2025)) <= years
    agencies = " ".join(exp["agency"] for _, _, exp in reports())
    for kind in ("区人民政府", "街道办事处", "镇人民政府", "局"):
        assert kind in agencies
    seeds = {c.spec.body for c in cases() if c.spec}
    assert {f"seed_00{i}" for i in range(5)} <= seeds


def test_expected_json_is_consistent() -> None:
    for name, _, exp in corpus():
        assert exp.keys() >= REQUIRED_FIELDS, name
        if exp["kind"] == "blocked":
            assert exp["status"] == 412 and exp["text"] == "", name
            continue
        assert exp["status"] == 200
        lines = exp["text"].split("\n")
        assert lines[0] == exp["title"] and all(line.strip() for line in lines), name
        assert exp["year"] == report_year(exp["title"]), name
        date.fromisoformat(exp["published"])
        assert exp["url"].startswith("https://")
        for attachment in exp["attachments"]:
            assert attachment["url"].startswith("https://") and attachment["name"], name
            assert not attachment["name"].startswith("附件")
        for rows, grid in zip(exp["table_rows"], exp["grids"], strict=True):
            assert rows == [" | ".join(row) for row in grid]
            assert len({len(row) for row in grid}) == 1, name  # same width on every row
        # text = title + headings/paragraphs/rows in order, nothing else
        body_lines = set(lines[1:])
        assert set(exp["headings"]) | set(exp["paragraphs"]) <= body_lines
        table_lines = [line for rows in exp["table_rows"] for line in rows]
        assert len(lines) == 1 + len(exp["headings"]) + len(exp["paragraphs"]) + len(table_lines)


def test_corpus_tables_obey_their_rules() -> None:
    seen = defaultdict(int)
    for name, _, exp in reports():
        for grid in exp["grids"]:
            if grid[0][0].startswith("（本列数据的勾稽关系"):
                expected_rows = {"2019": 23, "2021": 25}[exp["table_format"]]
                assert len(grid) - 3 == expected_rows, name
                assert check_applications(grid).ok, name
                seen["applications"] += 1
            elif grid[0][0] == "行政复议":
                assert check_review(grid).ok, name
                seen["review"] += 1
    assert seen["applications"] >= 20 and seen["review"] >= 20


def test_township_reports_are_short() -> None:
    townships = [exp for _, _, exp in corpus() if exp["template"] == "township"]
    assert any(exp["grids"] for exp in townships)
    for exp in townships:
        body = "".join(exp["text"].split("\n")[1:])
        assert 40 <= len(body) < 250, exp["title"]


def test_build_is_deterministic() -> None:
    assert corpus_files() == corpus_files()


def test_committed_corpus_equals_a_fresh_build() -> None:
    fresh = corpus_files()
    committed = {p.name: p.read_bytes() for p in CORPUS_DIR.iterdir()
                 if p.suffix in (".html", ".json")}
    assert sorted(committed) == sorted(fresh), "run tests/fixtures/build_corpus.py"
    changed = [name for name, data in fresh.items() if committed[name] != data]
    assert not changed, f"stale or hand-edited fixtures: {changed[:5]} (rebuild the corpus)"
    for name in fresh:
        if name.endswith(".json"):
            json.loads(committed[name])


def test_corpus_is_small_enough_to_commit() -> None:
    assert sum(len(data) for data in corpus_files().values()) < 4_000_000


# --------------------------------------------------------------------------------------------
# Encodings


def test_gbk_pages_are_really_gbk() -> None:
    gbk = [(name, body, exp) for name, body, exp in reports() if exp["charset_used"] == "gb18030"]
    assert len(gbk) >= 8
    outside_gb2312 = 0
    for _name, body, _ in gbk:
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gb18030")
        try:
            text.encode("gb2312")
        except UnicodeEncodeError:
            outside_gb2312 += 1
    assert outside_gb2312 >= 3  # 镕/堃/喆: a GB2312 decoder would fail on these pages


def test_charset_lies() -> None:
    lies = 0
    for _name, body, exp in reports():
        header = exp["headers"]["Content-Type"].lower()
        head = body[:2048].decode("ascii", errors="replace").lower()
        if exp["charset_used"] == "utf-8" and "gb2312" in header:
            body.decode("utf-8")  # declared gb2312, really UTF-8
            assert 'charset=gb2312' in head
            lies += 1
        if exp["charset_used"] == "gb18030" and "utf-8" in head:
            lies += 1  # GBK bytes whose <meta> claims utf-8
    assert lies >= 2
    assert any(body.startswith(b"\xef\xbb\xbf") for _, body, _ in reports())


# --------------------------------------------------------------------------------------------
# Pages


@pytest.mark.parametrize("name,body,exp", reports(), ids=[c[0] for c in reports()])
def test_expected_text_is_on_the_page(name: str, body: bytes, exp: dict[str, Any]) -> None:
    source = decode(body, exp)
    text = visible_text(source)
    assert exp["title"] in text
    for line in exp["headings"] + exp["paragraphs"]:
        assert line in text, line
    for grid in exp["grids"]:
        for row in grid:
            for cell in row:
                assert cell in text, cell
    assert f'<meta name="ArticleTitle" content="{html.escape(exp["title"])}">' in source
    assert f'<meta name="PubDate" content="{exp["published"]} ' in source
    assert f'<meta name="ColumnName" content="{exp["column"]}">' in source
    assert f'<meta name="SiteIDCode" content="{exp["site_id"]}">' in source
    title_tag = re.search(r"<title>(.*?)</title>", source).group(1)  # type: ignore[union-attr]
    assert exp["title"] in title_tag and title_tag != exp["title"]  # with a site suffix
    assert exp["index_no"] in text
    for attachment in exp["attachments"]:
        assert attachment["name"] in source


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_carries_every_chrome_family(template: str) -> None:
    found: set[str] = set()
    for _, body, exp in reports():
        if exp["template"] != template:
            continue
        source = decode(body, exp)
        text = visible_text(source)
        for family, pattern in CHROME_FAMILIES.items():
            if re.search(pattern, source if family == "image_alt" else text):
                found.add(family)
    assert found == set(CHROME_FAMILIES), sorted(set(CHROME_FAMILIES) - found)


def test_chrome_words_also_occur_mid_sentence_in_bodies() -> None:
    paragraphs = [p for _, _, exp in reports() for p in exp["paragraphs"]]
    for word in ("网站地图", "打印", "无障碍", "长者版", "分享到", "联系我们", "技术支持", "扫一扫"):
        assert any(word in p and not p.startswith(word) for p in paragraphs), word


def test_chrome_inside_body_and_spam_footer_present() -> None:
    traps = [t for _, _, exp in reports() for t in exp["traps"]]
    for flag in ("chrome_in_body", "spam_footer", "title_in_body", "attachments_in_body",
                 "attachments_in_script", "br_paragraphs", "word_spacer_row"):
        assert f"flag:{flag}" in traps, flag
    spam = [decode(body, exp) for _, body, exp in reports() if "flag:spam_footer" in exp["traps"]]
    assert spam and all("主办：香港免费公开资料大全" in source for source in spam)


def test_wordpaste_pages_look_like_word() -> None:
    for _, body, exp in reports():
        if exp["template"] != "wordpaste":
            continue
        source = decode(body, exp)
        assert "MsoNormalTable" in source or not exp["grids"]
        assert "<o:p></o:p>" in source and "mso-" in source
        assert re.search(r"&nbsp;\d+&nbsp;", source)
        assert "本年新<br>" in source or exp["table_format"] != "2019"


def test_waf_pages() -> None:
    blocked = [(body, exp) for _, body, exp in corpus() if exp["kind"] == "blocked"]
    assert len(blocked) >= 1
    for body, exp in blocked:
        source = body.decode("utf-8")
        assert detect_challenge(source, exp["status"])
        assert "$_ts" in source and re.search(r"<meta[^>]+r=['\"]m['\"]", source)
        assert not re.search(r"[\u4e00-\u9fff]", source)  # no text at all
