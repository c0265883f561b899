"""Quality figures of clean text against a fixture's expected result.

Used by the quality test and by ``bench/extract.py`` (for our chain and for vanilla trafilatura
alike). Chrome residue is measured with plain substrings found anywhere in a line — stricter than,
and independent of, the anchored rules the filter uses — counting only occurrences beyond those in
the expected text (a report may mention 网站地图 mid-sentence).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

CHROME_MARKERS = (
    "今天是", "当前位置", "您现在的位置", "您当前的位置", "字号", "浏览次数", "阅读量", "打印本页",
    "关闭窗口", "【打印】", "【关闭】", "分享到", "扫一扫", "上一篇", "下一篇", "相关文章", "相关链接",
    "相关推荐", "网站地图", "联系我们", "无障碍", "长者版", "主办：", "主办:", "承办：", "承办:",
    "版权所有", "网站标识码", "ICP备", "公网安备", "技术支持", "分辨率", "索引号", ".png", ".jpg",
    ".gif", "大汉网络",
)
NOT_SCORED = object()  # an extractor that does not produce a figure is not scored on it
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def chrome_residue(text: str, expected_text: str) -> dict[str, int]:
    """Chrome markers that occur more often in ``text`` than in the expected text."""
    residue = {}
    for marker in CHROME_MARKERS:
        extra = text.count(marker) - expected_text.count(marker)
        if extra > 0:
            residue[marker] = extra
    return residue


def in_order_matches(expected: Sequence[str], lines: Sequence[str]) -> int:
    """How many expected lines occur as whole lines of ``lines`` in the same order (LCS)."""
    if not expected:
        return 0
    wanted = set(expected)
    lines = [line for line in lines if line in wanted]
    previous = [0] * (len(lines) + 1)
    for item in expected:
        current = [0] * (len(lines) + 1)
        for j, line in enumerate(lines, 1):
            current[j] = previous[j - 1] + 1 if item == line else max(previous[j], current[j - 1])
        previous = current
    return previous[-1]


def numbers(text: str) -> Counter[str]:
    return Counter(_NUMBER.findall(text))


@dataclass
class PageScore:
    name: str
    chrome: dict[str, int] = field(default_factory=dict)
    paragraphs: tuple[int, int] = (0, 0)  # (found in order, expected)
    table_rows: tuple[int, int] = (0, 0)
    numbers: tuple[int, int] = (0, 0)
    extra_lines: tuple[int, int] = (0, 0)  # (output lines not in the expected text, output lines)
    title_first: bool | None = None
    kind_ok: bool | None = None
    date_ok: bool | None = None
    year_ok: bool | None = None


def score_page(
    name: str,
    expected: dict[str, Any],
    text: str,
    *,
    kind: Any = NOT_SCORED,
    published: Any = NOT_SCORED,
    year: Any = NOT_SCORED,
) -> PageScore:
    """Score one output; ``kind``/``published``/``year`` only when the extractor gives them."""
    lines = [line.strip() for line in text.splitlines()]
    expected_text = expected.get("text", "")
    paragraphs = list(expected.get("headings", [])) + list(expected.get("paragraphs", []))
    # Headings and paragraphs interleave in the document; score them in the expected text's order.
    ordered = [line for line in expected_text.splitlines() if line in set(paragraphs)]
    rows = [row for table in expected.get("table_rows", []) for row in table]
    raw_lines = text.splitlines()
    expected_lines = set(expected_text.splitlines())
    wanted_numbers = numbers(expected_text) if expected.get("kind") == "report" else Counter()
    found_numbers = numbers(text)
    score = PageScore(
        name=name,
        chrome=chrome_residue(text, expected_text),
        paragraphs=(in_order_matches(ordered, lines), len(ordered)),
        table_rows=(in_order_matches(rows, raw_lines), len(rows)),
        numbers=(sum((wanted_numbers & found_numbers).values()), sum(wanted_numbers.values())),
        extra_lines=(sum(1 for line in raw_lines if line not in expected_lines), len(raw_lines)),
    )
    if expected.get("kind") in ("report", "not_report") and expected.get("title"):
        score.title_first = bool(lines) and lines[0] == expected["title"]
    if kind is not NOT_SCORED:
        score.kind_ok = kind == expected.get("kind")
    if published is not NOT_SCORED and expected.get("published"):
        score.date_ok = published == expected["published"]
    if year is not NOT_SCORED and expected.get("year") is not None:
        score.year_ok = year == expected["year"]
    return score


@dataclass
class CorpusScore:
    pages: int
    pages_with_chrome: int
    paragraph_recall: float
    table_rows_intact: float
    numbers_preserved: float
    line_precision: float  # share of output lines that are expected text (leaks lower it)
    title_first: float
    kind_correct: float
    date_correct: float
    year_correct: float

    def as_row(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def _share(flags: Iterable[bool | None]) -> float:
    values = [flag for flag in flags if flag is not None]
    return sum(values) / len(values) if values else float("nan")


def _ratio(pairs: Iterable[tuple[int, int]]) -> float:
    found = expected = 0
    for hit, total in pairs:
        found, expected = found + hit, expected + total
    return found / expected if expected else 1.0


def summarize(scores: Sequence[PageScore]) -> CorpusScore:
    return CorpusScore(
        pages=len(scores),
        pages_with_chrome=sum(1 for s in scores if s.chrome),
        paragraph_recall=_ratio(s.paragraphs for s in scores),
        table_rows_intact=_ratio(s.table_rows for s in scores),
        numbers_preserved=_ratio(s.numbers for s in scores),
        line_precision=1 - _ratio(s.extra_lines for s in scores),
        title_first=_share(s.title_first for s in scores),
        kind_correct=_share(s.kind_ok for s in scores),
        date_correct=_share(s.date_ok for s in scores),
        year_correct=_share(s.year_ok for s in scores),
    )
