"""A model of one 年报 (or other document from a 年报 column) and its canonical clean text.

A :class:`Report` is a title plus a list of blocks: :class:`Heading`, :class:`Para`,
:class:`Table` (cells with colspan/rowspan) and :class:`Image` (not text: portals show pictures
whose alt text is a file name). The page templates in :mod:`harvester.testbed.pages` render a
report into HTML; :meth:`Report.expected_text` is what a cleaner must get back from that HTML.

Bodies come from ``data/*.json`` (the seed reports, repaired, and a few synthetic bodies); the
standard tables are generated here, never copied from the broken seed rows, with numbers drawn
from a RNG seeded by the report title so that every build is identical and every table satisfies
the consistency rules printed on it.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal

from harvester.result import CELL_SEPARATOR
from harvester.textutil import normalize_space, report_year

TableFormat = Literal["2021", "2019", "pre2019", "none"]


@dataclass(frozen=True)
class Cell:
    text: str  # "\n" marks a line break inside the cell (rendered as <br>)
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Image:
    """A picture in the body. Its alt text is a file name, which is not body text."""

    alt: str
    src: str = ""


@dataclass
class Table:
    rows: list[list[Cell]]
    kind: str = ""  # article20 | applications | review | stats | small

    def grid(self) -> list[list[str]]:
        """Span-aware grid: a cell's text at the top-left of its span, "" at covered positions."""
        placed: dict[tuple[int, int], str] = {}
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in placed:  # skip positions covered by rowspans from above
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        text = normalize_space(cell.text) if dr == dc == 0 else ""
                        placed[(r + dr, c + dc)] = text
                c += cell.colspan
        height = len(self.rows)
        width = 1 + max((c for (r, c) in placed if r < height), default=-1)
        return [[placed.get((r, c), "") for c in range(width)] for r in range(height)]

    def lines(self) -> list[str]:
        return [CELL_SEPARATOR.join(row) for row in self.grid()]


Block = Heading | Para | Table | Image


@dataclass
class Report:
    title: str
    agency: str
    year: int | None
    published: date
    table_format: TableFormat
    blocks: list[Block]
    seed: str = ""  # which data body it was built from

    def expected_headings(self) -> list[str]:
        return [normalize_space(b.text) for b in self.blocks if isinstance(b, Heading)]

    def expected_paragraphs(self) -> list[str]:
        return [normalize_space(b.text) for b in self.blocks if isinstance(b, Para)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def expected_grids(self) -> list[list[list[str]]]:
        return [t.grid() for t in self.tables()]

    def expected_table_rows(self) -> list[list[str]]:
        return [t.lines() for t in self.tables()]

    def expected_text(self) -> str:
        """Title, then one line per heading/paragraph/table row, in document order."""
        lines = [normalize_space(self.title)]
        for block in self.blocks:
            if isinstance(block, Heading | Para):
                lines.append(normalize_space(block.text))
            elif isinstance(block, Table):
                lines.extend(block.lines())
        return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------------------------
# Number helpers


def rng_for(*parts: object) -> random.Random:
    """A RNG seeded from stable text (Python's hash() is salted per process)."""
    return random.Random(zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8")))


def fmt_int(n: int, thousands: bool = False) -> str:
    return f"{n:,}" if thousands else str(n)


def parse_number(text: str) -> float:
    """A table number as printed ("1,234", "0.35", "-3", "" for a blank zero)."""
    text = normalize_space(text).replace(",", "")
    return float(text) if text else 0.0


def _count(rng: random.Random, mean: float) -> int:
    """A small non-negative count around ``mean``; means below 1 give mostly zeros."""
    if mean <= 0:
        return 0
    value = int(rng.uniform(0, 2 * mean))
    if rng.random() < min(0.3, mean * 3):
        value += 1
    return value


_VOLUME = {0: 0.0, 1: 3.0, 2: 40.0, 3: 900.0}  # applications a year, by agency scale
# Share of applications per applicant column: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.
_APPLICANT_WEIGHTS = (1.0, 0.12, 0.01, 0.02, 0.05, 0.04)
APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


# --------------------------------------------------------------------------------------------
# 第二十条 table (section 二): one <table> whose blocks have different column counts.


def article20_table(fmt: TableFormat, rng: random.Random, *, scale: int = 2,
                    thousands: bool = False) -> Table:
    big = {0: 0, 1: 30, 2: 2000, 3: 80000}[scale]  # decisions a year (许可/处罚)

    def block_title(item: str) -> list[Cell]:
        return [Cell(f"第二十条第（{item}）项", colspan=4, header=True)]

    def decisions(mean: int) -> str:
        return fmt_int(_count(rng, mean), thousands)

    rows: list[list[Cell]] = []
    if fmt == "2019":
        made = _count(rng, 3 * scale)
        rows += [
            block_title("一"),
            [Cell("信息内容", header=True), Cell("本年新\n制作数量", header=True),
             Cell("本年新\n公开数量", header=True), Cell("对外公开总数量", header=True)],
            [Cell("规章"), Cell("0"), Cell("0"), Cell("0")],
            [Cell("规范性文件"), Cell(str(made)), Cell(str(made)),
             Cell(str(made + _count(rng, 20 * scale)))],
        ]
        for item, names in (("五", ("行政许可", "其他对外管理服务事项")),
                            ("六", ("行政处罚", "行政强制"))):
            rows += [block_title(item),
                     [Cell("信息内容", header=True), Cell("上一年项目数量", header=True),
                      Cell("本年增/减", header=True), Cell("处理决定数量", header=True)]]
            for name in names:
                change = rng.randint(-6, 9) if scale else 0
                rows.append([Cell(name), Cell(str(_count(rng, 60 * scale))), Cell(str(change)),
                             Cell(decisions(big // (4 if name == "行政强制" else 1)))])
        rows += [
            block_title("八"),
            [Cell("信息内容", header=True), Cell("上一年项目数量", header=True),
             Cell("本年增/减", colspan=2, header=True)],
            [Cell("行政事业性收费"), Cell(str(_count(rng, 3 * scale))), Cell("0", colspan=2)],
            block_title("九"),
            [Cell("信息内容", header=True), Cell("采购项目数量", header=True),
             Cell("采购总金额", colspan=2, header=True)],
            [Cell("政府集中采购"), Cell(str(_count(rng, 20 * scale))),
             Cell(f"{rng.uniform(0, 400 * scale):.4f}" if scale else "0", colspan=2)],
        ]
    elif fmt == "2021":
        made = _count(rng, 3 * scale)
        rows += [
            block_title("一"),
            [Cell("信息内容", header=True), Cell("本年制发件数", header=True),
             Cell("本年废止件数", header=True), Cell("现行有效件数", header=True)],
            [Cell("规章"), Cell("0"), Cell("0"), Cell("0")],
            [Cell("行政规范性文件"), Cell(str(made)), Cell(str(_count(rng, 4 * scale))),
             Cell(str(made + _count(rng, 25 * scale)))],
            block_title("五"),
            [Cell("信息内容", header=True), Cell("本年处理决定数量", colspan=3, header=True)],
            [Cell("行政许可"), Cell(decisions(big), colspan=3)],
            block_title("六"),
            [Cell("信息内容", header=True), Cell("本年处理决定数量", colspan=3, header=True)],
            [Cell("行政处罚"), Cell(decisions(big), colspan=3)],
            [Cell("行政强制"), Cell(decisions(big // 20), colspan=3)],
            block_title("八"),
            [Cell("信息内容", header=True),
             Cell("本年收费金额（单位：万元）", colspan=3, header=True)],
            [Cell("行政事业性收费"), Cell(_fee(rng, scale), colspan=3)],
        ]
    else:
        raise ValueError(f"no 第二十条 table in format {fmt!r}")
    return Table(rows, kind="article20")


def _fee(rng: random.Random, scale: int) -> str:
    """收费金额 in 万元: 0, a two-decimal amount like 0.35, or four decimals like 3027.6557."""
    if scale == 0 or rng.random() < 0.3:
        return "0"
    if scale == 1 or rng.random() < 0.5:
        return f"{rng.randint(1, 99) / 100:.2f}"
    return f"{rng.uniform(10, 4000):.4f}"


# --------------------------------------------------------------------------------------------
# Applications table (section 三)

_RESULTS_HEAD = ("（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
_RESULT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("（三）不予公开", ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                    "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
                    "7.属于行政执法案卷", "8.属于行政查询事项")),
    ("（四）无法提供", ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                    "3.补正后申请内容仍不明确")),
    ("（五）不予处理", ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
                    "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息")),
)
_OTHER_2021 = ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
               "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
               "3.其他")
# Expected share of each result row, in row order (2019: 19 rows; 2021: 21 rows).
_RESULT_WEIGHTS_COMMON = (0.30, 0.05,
                          0.004, 0.004, 0.003, 0.02, 0.01, 0.02, 0.004, 0.04,
                          0.30, 0.03, 0.01,
                          0.03, 0.01, 0.003, 0.003, 0.003)
CONSISTENCY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def applications_table(fmt: TableFormat, rng: random.Random, *, scale: int = 2,
                       blank_zeros: bool = False) -> Table:
    """The two-row-header table: 23 (2019) or 25 (2021) rows of 7 numbers.

    Numbers satisfy: 一 + 二 = 三(七)总计 + 四 per column; 总计 = sum of the six applicant
    columns; (七)总计 = sum of the result rows. ``blank_zeros`` prints zeros as empty cells, as
    some agencies do.
    """
    other = _OTHER_2021 if fmt == "2021" else ()
    weights = _RESULT_WEIGHTS_COMMON + ((0.01, 0.003, 0.05) if other else (0.06,))
    volume = _VOLUME[scale]
    # results[i][j]: result row i, applicant column j
    results = [[_count(rng, volume * w * cw) for cw in _APPLICANT_WEIGHTS] for w in weights]
    handled = [sum(row[j] for row in results) for j in range(6)]
    forward = [rng.randint(0, h // 12) if h else 0 for h in handled]  # 四、结转下年度
    carried = [rng.randint(0, (h + f) // 10) for h, f in zip(handled, forward, strict=True)]
    new = [h + f - c for h, f, c in zip(handled, forward, carried, strict=True)]

    def nums(values: list[int]) -> list[Cell]:
        values = [*values, sum(values)]
        return [Cell("" if blank_zeros and v == 0 else str(v)) for v in values]

    rows: list[list[Cell]] = [
        [Cell(CONSISTENCY_NOTE, colspan=3, rowspan=3, header=True),
         Cell("申请人情况", colspan=7, header=True)],
        [Cell("自然人", rowspan=2, header=True), Cell("法人或其他组织", colspan=5, header=True),
         Cell("总计", rowspan=2, header=True)],
        [Cell(name, header=True) for name in APPLICANT_COLUMNS[1:]],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3), *nums(new)],
        [Cell("二、上年结转政府信息公开申请数量", colspan=3), *nums(carried)],
    ]
    result_rows: list[list[Cell]] = []
    i = 0
    for label in _RESULTS_HEAD:
        result_rows.append([Cell(label, colspan=2), *nums(results[i])])
        i += 1
    for group, items in _RESULT_GROUPS:
        for k, item in enumerate(items):
            lead = [Cell(group, rowspan=len(items))] if k == 0 else []
            result_rows.append([*lead, Cell(item), *nums(results[i])])
            i += 1
    if other:
        for k, item in enumerate(other):
            lead = [Cell("（六）其他处理", rowspan=len(other))] if k == 0 else []
            result_rows.append([*lead, Cell(item), *nums(results[i])])
            i += 1
    else:
        result_rows.append([Cell("（六）其他处理", colspan=2), *nums(results[i])])
        i += 1
    result_rows.append([Cell("（七）总计", colspan=2), *nums(handled)])
    result_rows[0].insert(0, Cell("三、本年度办理结果", rowspan=len(result_rows)))
    rows += result_rows
    rows.append([Cell("四、结转下年度继续办理", colspan=3), *nums(forward)])
    return Table(rows, kind="applications")


# --------------------------------------------------------------------------------------------
# 复议/诉讼 table (section 四): 3 header rows, 15 numbers.

_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结")


def review_table(rng: random.Random, *, scale: int = 2) -> Table:
    mean = {0: 0.0, 1: 0.3, 2: 2.0, 3: 12.0}[scale]
    numbers: list[str] = []
    for share in (1.0, 0.4, 0.5):  # 行政复议, 未经复议直接起诉, 复议后起诉
        four = [_count(rng, mean * share * w) for w in (1.0, 0.3, 0.2, 0.25)]
        numbers += [str(n) for n in four] + [str(sum(four))]
    outcome_cells = [Cell(name, header=True) for name in (*_OUTCOMES, "总计")]
    rows = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [*(Cell(name, rowspan=2, header=True) for name in (*_OUTCOMES, "总计")),
         Cell("未经复议直接起诉", colspan=5, header=True),
         Cell("复议后起诉", colspan=5, header=True)],
        [*outcome_cells, *outcome_cells],
        [Cell(n) for n in numbers],
    ]
    return Table(rows, kind="review")


# --------------------------------------------------------------------------------------------
# Pre-2019 regional statistics table: 指标名称 | 计量单位 | 本年度 | 累计

# (label, unit); unit None marks a section row (one cell spanning the table).
_STATS_ROWS: tuple[tuple[str, str | None], ...] = (
    ("一、主动公开情况", None),
    ("（一）主动公开政府信息数", "条"),
    ("其中：主动公开规范性文件数", "条"),
    ("（二）通过不同渠道和方式公开政府信息的情况", None),
    ("1.政府公报公开政府信息数", "条"),
    ("2.政府网站公开政府信息数", "条"),
    ("3.政务微博公开政府信息数", "条"),
    ("4.政务微信公开政府信息数", "条"),
    ("二、回应解读情况", None),
    ("（一）回应公众关注热点或重大舆情数", "次"),
    ("（二）政策解读稿件发布数", "篇"),
    ("三、依申请公开情况", None),
    ("（一）收到申请数", "件"),
    ("1.当面申请数", "件"),
    ("2.传真申请数", "件"),
    ("3.网络申请数", "件"),
    ("4.信函申请数", "件"),
    ("（二）申请办结数", "件"),
    ("1.按时办结数", "件"),
    ("2.延期办结数", "件"),
    ("四、行政复议数量", "件"),
    ("五、行政诉讼数量", "件"),
    ("六、依申请公开信息收取的费用", "万元"),
    ("七、机构建设和保障经费情况", None),
    ("（一）从事政府信息公开工作人员数", "人"),
    ("（二）政府信息公开专项经费", "万元"),
)
_STATS_SUMS = {"（一）收到申请数": ("1.当面申请数", "2.传真申请数", "3.网络申请数", "4.信函申请数"),
               "（二）申请办结数": ("1.按时办结数", "2.延期办结数")}


def stats_table(year: int, rng: random.Random, *, scale: int = 2) -> Table:
    """Pre-2019 statistics table; 累计 (since 2008) is never below 本年度."""
    years_since = max(1, year - 2007)
    k = max(scale, 1)
    published = _count(rng, 900 * k)
    requests = [_count(rng, m * k) for m in (2, 0.5, 12, 5)]  # 当面, 传真, 网络, 信函
    late = min(sum(requests), _count(rng, k))
    this_year: dict[str, float] = {
        "（一）主动公开政府信息数": published,
        "其中：主动公开规范性文件数": _count(rng, 6 * k),
        "1.政府公报公开政府信息数": _count(rng, published / 20),
        "2.政府网站公开政府信息数": published,
        "3.政务微博公开政府信息数": _count(rng, published / 2),
        "4.政务微信公开政府信息数": _count(rng, published / 3),
        "（一）回应公众关注热点或重大舆情数": _count(rng, 3 * k),
        "（二）政策解读稿件发布数": _count(rng, 8 * k),
        "1.当面申请数": requests[0],
        "2.传真申请数": requests[1],
        "3.网络申请数": requests[2],
        "4.信函申请数": requests[3],
        "1.按时办结数": sum(requests) - late,
        "2.延期办结数": late,
        "四、行政复议数量": _count(rng, k),
        "五、行政诉讼数量": _count(rng, k / 2),
        "六、依申请公开信息收取的费用": 0.0,
        "（一）从事政府信息公开工作人员数": 1 + _count(rng, 2 * k),
        "（二）政府信息公开专项经费": round(rng.uniform(0, 5 * k), 2),
    }
    for parent, children in _STATS_SUMS.items():
        this_year[parent] = sum(this_year[c] for c in children)
    rows: list[list[Cell]] = [[Cell("指标名称", header=True), Cell("计量单位", header=True),
                               Cell("本年度", header=True), Cell("累计", header=True)]]
    for label, unit in _STATS_ROWS:
        if unit is None:
            rows.append([Cell(label, colspan=4)])
            continue
        value = this_year[label]
        if unit == "万元":
            total = value * years_since + (round(rng.uniform(0, 3), 2) if value else 0)
            rows.append([Cell(label), Cell(unit), Cell(f"{value:.2f}"), Cell(f"{total:.2f}")])
        else:
            total = int(value) * years_since + _count(rng, value + 1)
            rows.append([Cell(label), Cell(unit), Cell(fmt_int(int(value), value >= 1000)),
                         Cell(fmt_int(total, total >= 1000))])
    # A parent row's 累计 must equal its children's too: recompute it from their cells.
    by_label = {row[0].text: i for i, row in enumerate(rows)}
    for parent, children in _STATS_SUMS.items():
        total = sum(parse_number(rows[by_label[c]][3].text) for c in children)
        row = rows[by_label[parent]]
        rows[by_label[parent]] = [*row[:3], Cell(fmt_int(int(total), total >= 1000))]
    return Table(rows, kind="stats")


def small_table(rng: random.Random) -> Table:
    """The kind of two-column summary a township puts in a very short report."""
    total = rng.randint(20, 90)
    part = rng.randint(5, total)
    return Table([
        [Cell("项目", header=True), Cell("数量（条）", header=True)],
        [Cell("主动公开政府信息"), Cell(str(total))],
        [Cell("其中：工作动态"), Cell(str(part))],
        [Cell("依申请公开"), Cell("0")],
    ], kind="small")


# --------------------------------------------------------------------------------------------
# Bodies and report construction


@cache
def load_data(name: str) -> dict[str, Any]:
    """A JSON file from ``harvester/testbed/data`` (packaged, no need for ../shared)."""
    path = resources.files("harvester.testbed.data").joinpath(f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def body_data(body: str) -> dict[str, Any]:
    """Body data by name: ``seed_000`` … ``seed_004``, ``synthetic_bureau``,
    ``synthetic_pre2019``, ``township/t1`` …, ``nonreport/notice`` …."""
    if "/" in body:
        group, key = body.split("/", 1)
        if group == "township":
            return load_data("synthetic_township")["bodies"][key]
        if group == "nonreport":
            return load_data("synthetic_nonreports")["documents"][key]
        raise KeyError(body)
    return load_data(body)


_YEAR = re.compile(r"(?<![\d.])(20[0-3]\d)(?![\d])")


def shift_years(text: str, delta: int) -> str:
    """Move every year in ``text`` by ``delta`` so a seed body can stand for another year."""
    if not delta:
        return text
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), text)


def format_for_year(year: int) -> TableFormat:
    if year < 2019:
        return "pre2019"
    return "2019" if year < 2021 else "2021"


@dataclass(frozen=True)
class ReportSpec:
    """How to build one :class:`Report` from a data body."""

    body: str
    agency: str
    year: int
    published: date
    stem: str | None = None  # place-name stem replacing the body's own (西泉 → 新华)
    title: str | None = None  # default: "{agency}{year}年政府信息公开工作年度报告"
    scale: int = 2  # 0 township … 3 large district
    thousands: bool = False  # print 主动公开 decisions ≥ 1000 as 1,234
    blank_zeros: bool = False  # applications table prints zeros as blank cells
    append: tuple[str, ...] = ()  # extra closing paragraphs (contact line, …)
    signature: bool = False  # end with the agency name and the date, as signed reports do
    keep_year: bool = False  # body text is not year-shifted (non-reports carry their own)


def make_report(spec: ReportSpec) -> Report:
    data = body_data(spec.body)
    title = spec.title or f"{spec.agency}{spec.year}年政府信息公开工作年度报告"
    delta = 0 if spec.keep_year else spec.year - int(data["year"])
    old_stem = data.get("stem")

    def text(value: str) -> str:
        value = shift_years(value, delta)
        if spec.stem and old_stem:
            value = value.replace(old_stem, spec.stem)
        return value

    rng = rng_for(title, spec.agency, spec.year)
    fmt = format_for_year(spec.year)
    blocks: list[Block] = []
    has_standard_table = False
    for kind, value in data["blocks"]:
        if kind == "h":
            blocks.append(Heading(text(value)))
        elif kind == "p":
            blocks.append(Para(text(value)))
        elif kind == "img":
            blocks.append(Image(alt=value))
        elif kind == "table":
            has_standard_table |= value != "small"
            blocks.append(_table(value, fmt, spec, rng))
        else:
            raise ValueError(f"unknown block kind {kind!r} in {spec.body}")
    blocks += [Para(p) for p in spec.append]
    if spec.signature:
        blocks += [Para(spec.agency), Para(_cn_date(spec.published))]
    year = report_year(title)
    return Report(title=title, agency=spec.agency, year=year, published=spec.published,
                  table_format=fmt if has_standard_table else "none", blocks=blocks,
                  seed=spec.body)


def _table(name: str, fmt: TableFormat, spec: ReportSpec, rng: random.Random) -> Table:
    if name == "stats":
        return stats_table(spec.year, rng, scale=spec.scale)
    if name == "small":
        return small_table(rng)
    if fmt == "pre2019":
        raise ValueError(f"{spec.body}: a {name} table has no pre-2019 form")
    if name == "article20":
        return article20_table(fmt, rng, scale=spec.scale, thousands=spec.thousands)
    if name == "applications":
        return applications_table(fmt, rng, scale=spec.scale, blank_zeros=spec.blank_zeros)
    if name == "review":
        return review_table(rng, scale=spec.scale)
    raise ValueError(f"unknown table {name!r}")


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def make_document(key: str, published: date, *, agency: str | None = None) -> Report:
    """A non-report or attachment-only document from ``synthetic_nonreports.json``."""
    data = body_data(f"nonreport/{key}")
    blocks: list[Block] = []
    for kind, value in data["blocks"]:
        blocks.append(Heading(value) if kind == "h" else Para(value))
    return Report(title=data["title"], agency=agency or data["agency"],
                  year=report_year(data["title"]), published=published, table_format="none",
                  blocks=blocks, seed=f"nonreport/{key}")


@dataclass
class TableCheck:
    """Result of checking a generated table against the rules printed on it."""

    ok: bool
    problems: list[str] = field(default_factory=list)


def check_applications(grid: list[list[str]]) -> TableCheck:
    """一 + 二 = (七)总计 + 四 per column; 总计 = sum of six; (七)总计 = sum of results."""
    problems: list[str] = []
    body = grid[3:]
    numbers = [[parse_number(c) for c in row[-7:]] for row in body]
    labels = ["".join(row[:-7]) for row in body]
    for label, values in zip(labels, numbers, strict=True):
        if abs(sum(values[:6]) - values[6]) > 1e-9:
            problems.append(f"row {label}: 总计 {values[6]} != sum of six {sum(values[:6])}")
    total_row = next(i for i, label in enumerate(labels) if "（七）总计" in label)
    first_result = 2
    for col in range(7):
        results = sum(numbers[i][col] for i in range(first_result, total_row))
        if abs(results - numbers[total_row][col]) > 1e-9:
            problems.append(f"column {col}: (七)总计 != sum of result rows")
        lhs = numbers[0][col] + numbers[1][col]
        rhs = numbers[total_row][col] + numbers[total_row + 1][col]
        if abs(lhs - rhs) > 1e-9:
            problems.append(f"column {col}: 一+二 {lhs} != 三+四 {rhs}")
    return TableCheck(not problems, problems)


def check_review(grid: list[list[str]]) -> TableCheck:
    problems: list[str] = []
    values = [parse_number(c) for c in grid[-1]]
    if len(values) != 15:
        problems.append(f"{len(values)} numbers, expected 15")
    for start in range(0, min(15, len(values)), 5):
        four, total = values[start:start + 4], values[start + 4]
        if abs(sum(four) - total) > 1e-9:
            problems.append(f"group at {start}: 总计 {total} != {sum(four)}")
    return TableCheck(not problems, problems)
