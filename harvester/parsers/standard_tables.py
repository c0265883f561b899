"""Built-in parser ``standard-tables``: sections and standard statistical tables of one 年报.

Input is the clean text of one report (``CleanResult.text``): the title on line 1, one heading or
paragraph per line, each table row on one line with its cells joined by ``" | "`` (spanning cells
keep their text at the top-left position, covered positions are ``""``, so every row of a table
has the same number of cells). Output is JSON-able data: the six sections, the 第二十条 table, the
applications table (section 三) and the 复议/诉讼 table (section 四), the consistency rules printed
on them, and a completeness record.

Rows are identified by their label, normalised (NFKC, no white space) and matched by keyword in
template order, so label variants (half-width brackets, short forms, spaces) still match. A table
counts as *found* only when every template row is there with exactly the template's number of
number cells: the shared downstream parser gives up on a table otherwise, so one lost or merged
cell must show here as a missing table plus a warning naming the row and the line.

Pure module: no I/O, and no exception escapes :func:`parse`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harvester.textutil import report_year

PARSER_NAME = "standard-tables"
PARSER_VERSION = "1"

Number = int | float

APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
REVIEW_GROUPS = ("行政复议", "未经复议直接起诉", "复议后起诉")
REVIEW_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
SECTION_NUMBERS = ("一", "二", "三", "四", "五", "六")
TABLES_EXPECTED = ("article20", "applications", "review_litigation")

RULE_BALANCE = "new+carried_over=handled+carried_forward"
RULE_ROW_TOTAL = "total=sum_of_applicants"
RULE_RESULTS = "results_sum=total"
RULE_REVIEW = "review_total=sum_of_four"

_EPSILON = 1e-6


# --------------------------------------------------------------------------------------------
# Text helpers

_IS_ROW = re.compile(r"(?:^| )\|(?: |$)")
# " ?\| ?" rather than " | ": a line whose trailing empty cell lost its final space still splits
# into the same cells.
_CELL_SPLIT = re.compile(r" ?\| ?")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# Printed instead of a zero by some agencies; read as 0 and recorded, like an empty cell.
_PLACEHOLDERS = frozenset({"-", "--", "—", "——", "/", "\\", "无"})


def _norm(text: str) -> str:
    """Label form used for matching: full-width → half-width (NFKC), no white space."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _read_number(cell: str) -> tuple[Number | None, str]:
    """A number cell as printed → (value, how). ``how`` is ``number``, ``empty`` or ``placeholder``
    (both read as 0, callers record them) or ``text`` (not a number; value None)."""
    text = _norm(cell)
    if not text:
        return 0, "empty"
    if text in _PLACEHOLDERS:
        return 0, "placeholder"
    if _NUMBER.fullmatch(text):
        plain = text.replace(",", "")
        return (float(plain) if "." in plain else int(plain)), "number"
    return None, "text"


def _is_text(cell: str) -> bool:
    return _read_number(cell)[1] == "text"


@dataclass
class _Line:
    no: int  # 1-based line number in the input text
    text: str
    cells: list[str] | None  # None: not a table row

    @property
    def norm(self) -> str:
        return _norm(self.text)


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for no, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        cells = [c.strip() for c in _CELL_SPLIT.split(raw)] if _IS_ROW.search(raw) else None
        lines.append(_Line(no, raw.strip(), cells))
    return lines


def _label_end(cells: list[str]) -> int:
    """1 + index of the last text (non-number) cell: the label part of a row."""
    return max((i + 1 for i, cell in enumerate(cells) if _is_text(cell)), default=0)


def _close(a: float, b: float) -> bool:
    return abs(a - b) < _EPSILON


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --------------------------------------------------------------------------------------------
# Sections

_SECTION_LINE = re.compile(
    r"^\s*(?:第\s*([一二三四五六])\s*部分\s*[、.．,，:：]?|([一二三四五六])\s*[、.．,，])\s*(\S.*)$")
_SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "一": ("总体", "概述", "概况"),
    "二": ("主动公开",),
    "三": ("申请",),
    "四": ("复议", "诉讼"),
    "五": ("问题", "改进"),
    "六": ("其他",),
}
_MAX_HEADING = 60  # a longer line starting with 一、 is a paragraph, not a heading


def _sections(lines: list[_Line]) -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {
        n: {"heading": None, "found": False, "line": None} for n in SECTION_NUMBERS}
    for line in lines[1:]:  # line 1 is the title
        if line.cells is not None or len(line.text) > _MAX_HEADING:
            continue  # table rows like "四、结转下年度继续办理 | …" are not headings
        match = _SECTION_LINE.match(line.text)
        if not match:
            continue
        number = match.group(1) or match.group(2)
        if sections[number]["found"]:
            continue
        if any(k in match.group(3) for k in _SECTION_KEYWORDS[number]):
            sections[number] = {"heading": line.text, "found": True, "line": line.no}
    return sections


# --------------------------------------------------------------------------------------------
# Applications table (section 三)


@dataclass(frozen=True)
class _RowSpec:
    key: str  # canonical template label, the key in the output
    needles: tuple[str, ...]  # any of them in the normalised label (group label carried down)


_APP_START = (
    _RowSpec("一、本年新收政府信息公开申请数量", ("本年新收",)),
    _RowSpec("二、上年结转政府信息公开申请数量", ("上年结转",)),
)
_APP_RESULTS = (
    _RowSpec("（一）予以公开", ("予以公开",)),
    _RowSpec("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",)),
    _RowSpec("（三）不予公开/1.属于国家秘密", ("国家秘密",)),
    _RowSpec("（三）不予公开/2.其他法律行政法规禁止公开", ("禁止公开",)),
    _RowSpec("（三）不予公开/3.危及“三安全一稳定”", ("三安全一稳定", "危及")),
    _RowSpec("（三）不予公开/4.保护第三方合法权益", ("第三方",)),
    _RowSpec("（三）不予公开/5.属于三类内部事务信息", ("内部事务",)),
    _RowSpec("（三）不予公开/6.属于四类过程性信息", ("过程性",)),
    _RowSpec("（三）不予公开/7.属于行政执法案卷", ("执法案卷",)),
    _RowSpec("（三）不予公开/8.属于行政查询事项", ("查询",)),
    _RowSpec("（四）无法提供/1.本机关不掌握相关政府信息", ("不掌握",)),
    _RowSpec("（四）无法提供/2.没有现成信息需要另行制作", ("另行制作",)),
    _RowSpec("（四）无法提供/3.补正后申请内容仍不明确", ("不明确",)),
    _RowSpec("（五）不予处理/1.信访举报投诉类申请", ("信访",)),
    _RowSpec("（五）不予处理/2.重复申请", ("重复申请",)),
    _RowSpec("（五）不予处理/3.要求提供公开出版物", ("出版物",)),
    _RowSpec("（五）不予处理/4.无正当理由大量反复申请", ("大量反复",)),
    _RowSpec("（五）不予处理/5.要求行政机关确认或重新出具已获取信息", ("重新出具", "确认")),
)
_APP_OTHER = {
    "2019": (_RowSpec("（六）其他处理", ("其他处理",)),),
    # 2021 split (六) in three; "3.其他" is recognised by its carried group label.
    "2021": (
        _RowSpec("（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                 ("逾期不补正",)),
        _RowSpec("（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                 ("缴纳费用", "收费通知")),
        _RowSpec("（六）其他处理/3.其他", ("其他处理",)),
    ),
}
_APP_TOTAL = _RowSpec("（七）总计", ("总计",))
_APP_FORWARD = _RowSpec("四、结转下年度继续办理", ("结转下年度",))

APPLICATION_ROWS: dict[str, tuple[_RowSpec, ...]] = {
    fmt: (*_APP_START, *_APP_RESULTS, *other, _APP_TOTAL, _APP_FORWARD)
    for fmt, other in _APP_OTHER.items()
}
_APP_NEEDLES = tuple({n for specs in APPLICATION_ROWS.values() for s in specs for n in s.needles})
# Words only the two-row header carries; a row holding one is a header row, never a body row.
_APP_HEADER_WORDS = ("申请人情况", "勾稽关系", "自然人", "法人或其他组织", "商业企业", "科研机构",
                     "社会公益组织", "法律服务机构")
_APP_ANCHORS = ("申请人情况", "勾稽关系", "本年新收")
_APP_WIDTH = len(APPLICANT_COLUMNS)


@dataclass
class _BodyRow:
    line: _Line
    label: str  # printed label parts joined by "/", group labels carried down from rowspans
    norm: str


@dataclass
class _Match:
    """Body rows of the applications table assigned to the rows of one template."""

    fmt: str
    rows: dict[str, _BodyRow] = field(default_factory=dict)
    unknown: list[_BodyRow] = field(default_factory=list)
    out_of_order: list[tuple[_BodyRow, str]] = field(default_factory=list)

    def missing(self) -> list[str]:
        return [s.key for s in APPLICATION_ROWS[self.fmt] if s.key not in self.rows]

    def problems(self) -> int:
        return len(self.missing()) + len(self.unknown) + len(self.out_of_order)


def _match_rows(fmt: str, body: list[_BodyRow]) -> _Match:
    """Greedy in template order: each row takes the first not-yet-used template row at or after
    the previous match whose keyword it carries."""
    specs = APPLICATION_ROWS[fmt]
    result = _Match(fmt)
    position = 0
    for row in body:
        hit = next((i for i in range(position, len(specs))
                    if any(n in row.norm for n in specs[i].needles)), None)
        if hit is None:
            earlier = next((s.key for s in specs[:position] if any(n in row.norm for n in s.needles)), None)
            if earlier is not None:
                result.out_of_order.append((row, earlier))
            else:
                result.unknown.append(row)
            continue
        result.rows[specs[hit].key] = row
        position = hit + 1
    return result


def _find_applications(lines: list[_Line], warnings: list[str]) -> list[_Line]:
    """Table rows of the applications table: from its header (or first row) to the 结转下年度 row.
    A non-table line inside the table (a row that lost its separators) is skipped with a warning
    when the table visibly goes on after it."""
    start = next((i for i, line in enumerate(lines)
                  if line.cells is not None and any(a in line.norm for a in _APP_ANCHORS)), None)
    if start is None:
        return []
    while (start > 0 and lines[start - 1].cells is not None
           and any(w in lines[start - 1].norm for w in _APP_HEADER_WORDS)):
        start -= 1
    region: list[_Line] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if line.cells is None:
            # Look a little ahead: does the table go on after this line?
            ahead = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].cells is not None), None)
            cells = lines[ahead].cells or [] if ahead is not None else []
            if ahead is None or not any(n in _norm("".join(cells[:_label_end(cells)])) for n in _APP_NEEDLES):
                break
            for k in range(i, ahead):
                warnings.append(f"applications line {lines[k].no}: not a table row inside the table "
                                f"(cells lost their separators?): {lines[k].text[:60]!r}")
            i = ahead
            continue
        region.append(line)
        if "结转下年度" in _norm(" ".join(line.cells[:_label_end(line.cells)])):
            break
        i += 1
    return region


def _body_rows(region: list[_Line]) -> tuple[list[_Line], list[_BodyRow]]:
    """Split the region into header rows and labelled body rows (spacer rows dropped)."""
    header: list[_Line] = []
    body: list[_BodyRow] = []
    above: dict[int, str] = {}  # label column → last label printed there (rowspan carry)
    for line in region:
        cells = line.cells or []
        if any(w in line.norm for w in _APP_HEADER_WORDS) and not body:
            header.append(line)
            continue
        if not any(cells):
            continue  # Word spacer row
        end = _label_end(cells)
        parts: list[str] = []
        for j in range(end):
            if cells[j]:
                parts.append(cells[j])
                above[j] = cells[j]
                for k in [k for k in above if k > j]:
                    del above[k]
            elif j in above:  # covered by a rowspan from above: carry its label down
                parts.append(above[j])
        label = "/".join(parts)
        body.append(_BodyRow(line, label, _norm(label)))
    return header, body


def _drop_empty_columns(header: list[_Line], body: list[_BodyRow], width: int) -> list[int]:
    """Columns empty in every row (header included), e.g. a Word spacer column; only when header
    rows exist, since without them a column of blank zeros would look the same."""
    if not header:
        return list(range(width))
    rows = [line.cells or [] for line in header] + [row.line.cells or [] for row in body]
    rows = [cells for cells in rows if len(cells) == width]
    return [c for c in range(width) if any(cells[c] for cells in rows)]


def _applications(lines: list[_Line], fmt_hint: str | None,
                  warnings: list[str]) -> tuple[dict[str, Any], str | None]:
    """Parse the applications table; returns (table, format evidence from its rows)."""
    table: dict[str, Any] = {"found": False, "line": None, "columns": list(APPLICANT_COLUMNS),
                             "rows": {}, "labels": {}, "lines": {}, "numbers": 0,
                             "numbers_expected": None, "empty_as_zero": {}}
    notes: list[str] = []
    region = _find_applications(lines, notes)
    if not region:
        return table, None
    table["line"] = region[0].no
    header, body = _body_rows(region)
    if not body:
        warnings.append(f"applications line {region[0].no}: header without body rows")
        return table, None

    # Format evidence: which template the labels fit better (the (六) rows differ).
    matches = {fmt: _match_rows(fmt, body) for fmt in APPLICATION_ROWS}
    evidence = None
    if matches["2019"].problems() != matches["2021"].problems():
        evidence = min(matches, key=lambda f: matches[f].problems())
    fmt = fmt_hint or evidence
    if fmt is None:
        warnings.append("applications: cannot tell the 2019 and 2021 templates apart")
        return table, evidence
    match = matches[fmt]
    specs = APPLICATION_ROWS[fmt]
    table["numbers_expected"] = len(specs) * _APP_WIDTH
    warnings.extend(notes)
    ok = not notes

    width = Counter(len(r.line.cells or []) for r in body).most_common(1)[0][0]
    keep = _drop_empty_columns(header, body, width)
    if len(keep) != width:
        warnings.append(f"applications: {width - len(keep)} empty column(s) ignored")
    label_width = len(keep) - _APP_WIDTH
    if label_width < 1:
        warnings.append(f"applications: rows have {len(keep)} cells, too few for a label and "
                        f"{_APP_WIDTH} numbers")
        return table, evidence
    number_columns = keep[label_width:]
    if header:  # the header must name the seven columns in template order
        for name, col in zip(APPLICANT_COLUMNS, number_columns, strict=True):
            text = _norm("".join((h.cells or [])[col] for h in header if len(h.cells or []) == width))
            if name not in text:
                warnings.append(f"applications: the header over the {name} column reads {text!r}")

    for key in match.missing():
        warnings.append(f"applications: row {key!r} not found")
        ok = False
    for row in match.unknown:
        values = [c for c in (row.line.cells or [])[_label_end(row.line.cells or []):] if c]
        if values or row.label:
            warnings.append(f"applications line {row.line.no}: unrecognised row {row.label or row.line.text[:60]!r}")
            ok = False
    for row, key in match.out_of_order:
        warnings.append(f"applications line {row.line.no}: row {row.label!r} repeats or is out of order "
                        f"(template row {key!r})")
        ok = False

    count = 0
    blanks = 0
    for spec in specs:
        row = match.rows.get(spec.key)
        if row is None:
            continue
        cells = row.line.cells or []
        table["labels"][spec.key] = row.label
        table["lines"][spec.key] = row.line.no
        if len(cells) != width:
            warnings.append(f"applications line {row.line.no}: row {spec.key!r} has {len(cells)} cells, "
                            f"expected {width} (a cell lost or merged)")
            ok = False
            continue
        bad = [cells[c] for c in number_columns if _is_text(cells[c])]
        if bad:
            warnings.append(f"applications line {row.line.no}: row {spec.key!r} has text where numbers "
                            f"belong: {bad}")
            ok = False
            continue
        values: list[Number] = []
        for name, col in zip(APPLICANT_COLUMNS, number_columns, strict=True):
            value, how = _read_number(cells[col])
            if how in ("empty", "placeholder"):
                table["empty_as_zero"].setdefault(spec.key, []).append(name)
                blanks += 1
            values.append(value if value is not None else 0)
        table["rows"][spec.key] = values
        count += len(values)
    table["numbers"] = count
    if blanks:
        warnings.append(f"applications: {blanks} empty or dash number cell(s) read as 0")
    table["found"] = ok and count == table["numbers_expected"]
    if not table["found"] and count:
        warnings.append(f"applications: {count} numbers read, template has {table['numbers_expected']}: "
                        "table not parseable downstream")
    return table, evidence


def _application_rules(table: dict[str, Any], fmt: str) -> list[dict[str, Any]]:
    rows: dict[str, list[Number]] = table["rows"]
    specs = APPLICATION_ROWS[fmt]
    keys = [s.key for s in specs]
    new, carried = rows[keys[0]], rows[keys[1]]
    total, forward = rows[_APP_TOTAL.key], rows[_APP_FORWARD.key]
    results = keys[2:keys.index(_APP_TOTAL.key)]
    rules: list[dict[str, Any]] = []
    for c, name in enumerate(APPLICANT_COLUMNS):
        left, right = new[c] + carried[c], total[c] + forward[c]
        rules.append({"rule": RULE_BALANCE, "table": "applications", "column": name,
                      "passed": _close(left, right),
                      "detail": f"一 {_fmt(new[c])} + 二 {_fmt(carried[c])} = {_fmt(left)}; "
                                f"三(七) {_fmt(total[c])} + 四 {_fmt(forward[c])} = {_fmt(right)}"})
    for key in keys:
        values = rows[key]
        six = sum(values[:6])
        rules.append({"rule": RULE_ROW_TOTAL, "table": "applications", "row": key,
                      "passed": _close(six, values[6]),
                      "detail": f"总计 {_fmt(values[6])}; sum of six {_fmt(six)}"})
    for c, name in enumerate(APPLICANT_COLUMNS):
        summed = sum(rows[k][c] for k in results)
        rules.append({"rule": RULE_RESULTS, "table": "applications", "column": name,
                      "passed": _close(summed, total[c]),
                      "detail": f"(七)总计 {_fmt(total[c])}; sum of {len(results)} result rows {_fmt(summed)}"})
    return rules


# --------------------------------------------------------------------------------------------
# 复议/诉讼 table (section 四)

_REVIEW_ANCHORS = ("行政诉讼", "未经复议", "复议后起诉")


def _is_review_header(cells: list[str]) -> bool:
    """A header row of the 复议/诉讼 table: a cell that is exactly 行政复议/行政诉讼, or names an
    诉讼 column group. Whole cells, so that a pre-2019 row "五、行政诉讼数量 | 件 | …" is not one."""
    normed = [_norm(c) for c in cells]
    return any(c in ("行政复议", "行政诉讼") or "未经复议" in c or "复议后起诉" in c for c in normed)
_REVIEW_HEADER_WORDS = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
                        "未经复议", "复议后起诉")
_REVIEW_WIDTH = len(REVIEW_GROUPS) * len(REVIEW_OUTCOMES)


def _review(lines: list[_Line], skip: set[int], warnings: list[str]) -> dict[str, Any]:
    table: dict[str, Any] = {"found": False, "line": None, "numbers": 0,
                             "numbers_expected": _REVIEW_WIDTH, "empty_as_zero": []}
    start = next((i for i, line in enumerate(lines) if line.cells is not None and line.no not in skip
                  and _is_review_header(line.cells)), None)
    if start is None:
        return table
    while (start > 0 and lines[start - 1].cells is not None and lines[start - 1].no not in skip
           and "行政复议" in lines[start - 1].norm):
        start -= 1
    region: list[_Line] = []
    for line in lines[start:]:
        if line.cells is None:
            break
        region.append(line)
    table["line"] = region[0].no
    header = [r for r in region if any(w in r.norm for w in _REVIEW_HEADER_WORDS)]
    data = [r for r in region if r not in header and any(r.cells or [])]
    if not data:
        blank = [r for r in region if r not in header]
        data = blank[-1:]  # a row of blank zeros is indistinguishable from a spacer row
    for h in header:
        cells = [_norm(c) for c in h.cells or []]
        if "未经复议直接起诉" in cells and "复议后起诉" in cells and \
                cells.index("未经复议直接起诉") > cells.index("复议后起诉"):
            warnings.append(f"review_litigation line {h.no}: 复议后起诉 printed before 未经复议直接起诉")
    if not data:
        warnings.append(f"review_litigation line {region[0].no}: header without a row of numbers")
        return table
    if len(data) > 1:
        warnings.append(f"review_litigation: {len(data)} rows of numbers (lines "
                        f"{', '.join(str(r.no) for r in data)}), template has one")
    row = data[0]
    cells = list(row.cells or [])
    while cells and _is_text(cells[0]):  # a leading label cell such as 件数
        cells.pop(0)
    if any(_is_text(c) for c in cells):
        warnings.append(f"review_litigation line {row.no}: text where numbers belong: "
                        f"{[c for c in cells if _is_text(c)]}")
        return table
    if len(cells) != _REVIEW_WIDTH:
        warnings.append(f"review_litigation line {row.no}: {len(cells)} number cells, expected "
                        f"{_REVIEW_WIDTH} (a cell lost or merged)")
        table["numbers"] = len(cells)
        return table
    values: list[Number] = []
    for i, cell in enumerate(cells):
        value, how = _read_number(cell)
        if how in ("empty", "placeholder"):
            group, outcome = divmod(i, len(REVIEW_OUTCOMES))
            table["empty_as_zero"].append(f"{REVIEW_GROUPS[group]}/{REVIEW_OUTCOMES[outcome]}")
        values.append(value if value is not None else 0)
    if table["empty_as_zero"]:
        warnings.append(f"review_litigation: {len(table['empty_as_zero'])} empty or dash number cell(s) read as 0")
    for g, group in enumerate(REVIEW_GROUPS):
        chunk = values[g * len(REVIEW_OUTCOMES):(g + 1) * len(REVIEW_OUTCOMES)]
        table[group] = dict(zip(REVIEW_OUTCOMES, chunk, strict=True))
    table["numbers"] = len(values)
    table["found"] = len(data) == 1
    return table


def _review_rules(table: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for group in REVIEW_GROUPS:
        numbers = table[group]
        four = sum(numbers[o] for o in REVIEW_OUTCOMES[:4])
        rules.append({"rule": RULE_REVIEW, "table": "review_litigation", "group": group,
                      "passed": _close(four, numbers["总计"]),
                      "detail": f"总计 {_fmt(numbers['总计'])}; sum of four {_fmt(four)}"})
    return rules


# --------------------------------------------------------------------------------------------
# 第二十条 table (section 二)


@dataclass(frozen=True)
class _Item:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (key, needles)


_ITEMS_2019 = {
    "一": _Item(("本年新制作数量", "本年新公开数量", "对外公开总数量"),
               (("规章", ("规章",)), ("规范性文件", ("规范性文件",)))),
    "五": _Item(("上一年项目数量", "本年增/减", "处理决定数量"),
               (("行政许可", ("行政许可",)), ("其他对外管理服务事项", ("对外管理服务",)))),
    "六": _Item(("上一年项目数量", "本年增/减", "处理决定数量"),
               (("行政处罚", ("行政处罚",)), ("行政强制", ("行政强制",)))),
    "八": _Item(("上一年项目数量", "本年增/减"), (("行政事业性收费", ("收费",)),)),
    "九": _Item(("采购项目数量", "采购总金额"), (("政府集中采购", ("采购",)),)),
}
_ITEMS_2021 = {
    "一": _Item(("本年制发件数", "本年废止件数", "现行有效件数"),
               (("规章", ("规章",)), ("行政规范性文件", ("规范性文件",)))),
    "五": _Item(("本年处理决定数量",), (("行政许可", ("行政许可",)),)),
    "六": _Item(("本年处理决定数量",), (("行政处罚", ("行政处罚",)), ("行政强制", ("行政强制",)))),
    "八": _Item(("本年收费金额（单位：万元）",), (("行政事业性收费", ("收费",)),)),
}
ARTICLE20_ITEMS: dict[str, dict[str, _Item]] = {"2019": _ITEMS_2019, "2021": _ITEMS_2021}
_ARTICLE20_TITLE = re.compile(r"第二十条第\(?([一二三四五六七八九十]+)\)?项")
_MARKERS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量",
             "采购总金额"),
}


def _article20_title(line: _Line) -> re.Match[str] | None:
    """A block title: the first cell of a table row, or a line that is nothing but the title (a
    paragraph citing 《条例》第二十条第（一）项 is not one)."""
    if line.cells is not None:
        first = next((c for c in line.cells if c), "")
        return _ARTICLE20_TITLE.search(_norm(first)) if len(first) < 40 else None
    match = _ARTICLE20_TITLE.match(line.norm)
    return match if match and len(line.norm) <= match.end() + 1 else None


def _article20_blocks(lines: list[_Line]) -> list[tuple[str, _Line, list[_Line]]]:
    """(item number, title line, table rows after it) for every 第二十条第（X）项 block."""
    blocks: list[tuple[str, _Line, list[_Line]]] = []
    current: tuple[str, _Line, list[_Line]] | None = None
    for line in lines:
        match = _article20_title(line)
        if match:
            current = (match.group(1), line, [])
            blocks.append(current)
            continue
        if current is None:
            continue
        if line.cells is None or any(a in line.norm for a in (*_APP_ANCHORS, *_REVIEW_ANCHORS)):
            current = None
            continue
        current[2].append(line)
    return blocks


def _article20_evidence(blocks: list[tuple[str, _Line, list[_Line]]]) -> str | None:
    text = "".join(line.norm for _, title, rows in blocks for line in (title, *rows))
    score = {fmt: sum(m in text for m in markers) for fmt, markers in _MARKERS.items()}
    score["2019"] += any(number == "九" for number, _, _ in blocks)  # (九) was dropped in 2021
    if score["2019"] == score["2021"]:
        return None
    return max(score, key=lambda f: score[f])


def _article20_values(cells: list[str], header: list[str] | None,
                      expected: int) -> tuple[list[Number], list[int]] | None:
    """The ``expected`` numbers of one data row, and which of them were blank; None if the row
    does not hold exactly that many. Positional (under the header's named columns) first, so a
    blank zero stays in its column; else the non-empty cells."""
    if header is not None and len(cells) == len(header):
        positions = [i for i in range(1, len(header)) if header[i]]
        others = [i for i in range(1, len(cells)) if i not in positions]
        if len(positions) == expected and not any(cells[i] for i in others):
            read = [_read_number(cells[i]) for i in positions]
            if all(how != "text" for _, how in read):
                values = [v if v is not None else 0 for v, _ in read]
                return values, [k for k, (_, how) in enumerate(read) if how != "number"]
    filled = [c for c in cells[1:] if c]
    read = [_read_number(c) for c in filled]
    if len(filled) == expected and all(how == "number" for _, how in read):
        return [v if v is not None else 0 for v, _ in read], []
    return None


def _article20(lines: list[_Line], fmt: str | None, warnings: list[str]) -> dict[str, Any]:
    table: dict[str, Any] = {"found": False, "line": None, "items": {}, "numbers": 0,
                             "numbers_expected": None, "empty_as_zero": {}}
    blocks = _article20_blocks(lines)
    if not blocks:
        return table
    table["line"] = blocks[0][1].no
    if fmt is None:
        warnings.append("article20: cannot tell the 2019 and 2021 templates apart")
        return table
    template = ARTICLE20_ITEMS[fmt]
    table["numbers_expected"] = sum(len(i.columns) * len(i.rows) for i in template.values())
    ok = True
    count = 0
    for number, title, rows in blocks:
        item = template.get(number)
        if item is None:
            warnings.append(f"article20 line {title.no}: item （{number}） is not in the {fmt} template")
            ok = False
            continue
        if number in table["items"]:
            warnings.append(f"article20 line {title.no}: item （{number}） repeated")
            ok = False
            continue
        header_line = next((r for r in rows if r.cells and "信息内容" in _norm(r.cells[0])), None)
        header = [_norm(c) for c in header_line.cells or []] if header_line else None
        if header is not None and sum(1 for c in header[1:] if c) != len(item.columns):
            warnings.append(f"article20 line {header_line.no if header_line else title.no}: item （{number}） "
                            f"header names {sum(1 for c in header[1:] if c)} columns, template "
                            f"{len(item.columns)}")
        entry: dict[str, Any] = {"line": title.no, "columns": list(item.columns), "rows": {}}
        table["items"][number] = entry
        remaining = list(item.rows)
        for row in rows:
            cells = row.cells or []
            if row is header_line or not any(cells):
                continue
            label = _norm(cells[0])
            spec = next((s for s in remaining if any(n in label for n in s[1])), None)
            if spec is None:
                if any(not _is_text(c) for c in cells[1:] if c):
                    warnings.append(f"article20 line {row.no}: item （{number}） unrecognised row {cells[0]!r}")
                    ok = False
                continue
            remaining.remove(spec)
            read = _article20_values(cells, header, len(item.columns))
            if read is None:
                warnings.append(f"article20 line {row.no}: item （{number}） row {spec[0]!r} does not hold "
                                f"{len(item.columns)} numbers: {cells[1:]} (a cell lost or merged)")
                ok = False
                continue
            values, blanks = read
            entry["rows"][spec[0]] = values
            count += len(values)
            if blanks:
                table["empty_as_zero"][f"{number}/{spec[0]}"] = [item.columns[k] for k in blanks]
        for key, _ in remaining:
            warnings.append(f"article20 line {title.no}: item （{number}） row {key!r} not found")
            ok = False
    for number in template:
        if number not in table["items"]:
            warnings.append(f"article20: item （{number}） not found")
            ok = False
    if table["empty_as_zero"]:
        warnings.append(f"article20: {sum(map(len, table['empty_as_zero'].values()))} empty or dash "
                        "number cell(s) read as 0")
    table["numbers"] = count
    table["found"] = ok and count == table["numbers_expected"]
    return table


# --------------------------------------------------------------------------------------------
# Entry point


def _format(a20: str | None, apps: str | None, year: int | None, warnings: list[str]) -> str:
    if a20 and apps and a20 != apps:
        # The 第二十条 column names differ entirely between the templates; the applications
        # evidence rests on the (六) rows only, which a lost row can fake.
        warnings.append(f"format: 第二十条 table says {a20}, applications table says {apps}; using {a20}")
    fmt = a20 or apps
    if fmt is None:
        return "unknown"
    if year is not None and (year >= 2021) != (fmt == "2021") and year >= 2019:
        warnings.append(f"format: {fmt} tables in a report for {year}")
    return fmt


def _empty_result(title: str, year: int | None) -> dict[str, Any]:
    return {
        "parser": PARSER_NAME,
        "version": PARSER_VERSION,
        "title": title,
        "year": year,
        "format": "unknown",
        "sections": {n: {"heading": None, "found": False, "line": None} for n in SECTION_NUMBERS},
        "tables": {},
        "rules": [],
        "completeness": {},
        "warnings": [],
    }


def parse(text: str) -> dict[str, Any]:
    """Parse the clean text of one report. Never raises; problems become ``warnings``.

    Returns ``{"parser", "version", "title", "year", "format" ("2019" | "2021" | "unknown"),
    "sections": {一…六: {"heading", "found", "line"}}, "tables": {"article20", "applications",
    "review_litigation"}, "rules": [{"rule", "table", "column" | "row" | "group", "passed",
    "detail"}], "completeness": {...}, "warnings": [...]}``.
    """
    try:
        return _parse(text)
    except Exception as error:  # noqa: BLE001 - a parser run over 10^6 texts must not stop
        result = _empty_result("", None)
        result["warnings"].append(f"internal error: {type(error).__name__}: {error}")
        result["completeness"] = _completeness(result, None)
        return result


def _parse(text: str) -> dict[str, Any]:
    lines = _split_lines(text if isinstance(text, str) else "")
    title = lines[0].text if lines else ""
    year = report_year(title)
    result = _empty_result(title, year)
    warnings: list[str] = result["warnings"]
    if not lines:
        warnings.append("empty text")
    result["sections"] = _sections(lines)

    # Format: a first pass over the tables for evidence, then parse with the chosen template.
    blocks = _article20_blocks(lines)
    a20_evidence = _article20_evidence(blocks)
    _, apps_evidence = _applications(lines, None, [])
    fmt = _format(a20_evidence, apps_evidence, year, warnings)
    result["format"] = fmt
    template = fmt if fmt != "unknown" else None
    if template is None and year is not None and year >= 2019:
        template = "2021" if year >= 2021 else "2019"  # tables present but undecided: go by year

    article20 = _article20(lines, template, warnings)
    applications, _ = _applications(lines, template, warnings)
    skip = set(applications["lines"].values())
    review = _review(lines, skip, warnings)
    result["tables"] = {"article20": article20, "applications": applications, "review_litigation": review}
    for name, table in result["tables"].items():
        if table["line"] is None:
            warnings.append(f"{name}: table not in the text")

    rules: list[dict[str, Any]] = []
    if applications["found"] and template:
        rules += _application_rules(applications, template)
    if review["found"]:
        rules += _review_rules(review)
    result["rules"] = rules
    for rule in rules:
        if not rule["passed"]:
            where = rule.get("column") or rule.get("row") or rule.get("group")
            warnings.append(f"rule {rule['rule']} failed ({rule['table']}, {where}): {rule['detail']}")
    result["completeness"] = _completeness(result, template)
    return result


def _completeness(result: dict[str, Any], template: str | None) -> dict[str, Any]:
    sections = result["sections"]
    tables = result["tables"]
    rules = result["rules"]
    # Rules the template defines: 2×7 per column, one 总计 rule per row, one per 复议/诉讼 group.
    expected_rules = (2 * _APP_WIDTH + len(APPLICATION_ROWS[template]) + len(REVIEW_GROUPS)
                      if template else None)
    found = [name for name in TABLES_EXPECTED if tables.get(name, {}).get("found")]
    passed = sum(1 for r in rules if r["passed"])
    sections_found = sum(1 for s in sections.values() if s["found"])
    return {
        "sections_found": sections_found,
        "sections_expected": len(SECTION_NUMBERS),
        "tables_found": found,
        "tables_expected": list(TABLES_EXPECTED),
        "rules_passed": passed,
        "rules_total": len(rules),
        "rules_expected": expected_rules,
        "complete": (sections_found == len(SECTION_NUMBERS) and len(found) == len(TABLES_EXPECTED)
                     and expected_rules is not None and passed == len(rules) == expected_rules),
    }


def parse_record(record: dict[str, Any]) -> dict[str, Any]:
    """The ``harvester.parsers`` entry point: one export record (docs/export.schema.json) in,
    the parse of its clean text out."""
    return parse(record.get("text") or "")


# The hand-off ledger keys "exactly once" on this: a new parser version sees every report again.
parse_record.version = PARSER_VERSION  # type: ignore[attr-defined]
