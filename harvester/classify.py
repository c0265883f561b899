"""Decide what a cleaned document is: a 年报, something else from the 年报 column, a WAF
challenge, or an empty shell.

Rules, in order: a 瑞数 challenge is ``blocked``; a body with almost no text is ``empty``; a title
in the 年报 form is a ``report`` unless it is a notice/plan about reports; a title that says nothing
lets the body decide (three or more standard section headings).
"""

from __future__ import annotations

import re

from harvester.result import Kind, Quality, Table
from harvester.textutil import find_sections

# 瑞数 (Rivers Security) answers the first request with HTTP 412, `$_ts` bootstrap scripts and a
# <meta … r="m"> tag, and no body text.
_CHALLENGE_MARKERS = (
    re.compile(r"\$_ts\s*=", re.I),
    re.compile(r"<meta[^>]+\br\s*=\s*['\"]?m['\"]?[\s/>]", re.I),
)

_REPORT_TITLE = re.compile(r"政府?信息公开.{0,6}(?:年度报告|年报)|政务公开.{0,6}年度报告|信息公开年报")
# Titles about reports that are not reports: compiling notices, plans, follow-up letters.
_NOT_REPORT_TITLE = re.compile(r"关于|通知|工作要点|要点|落实情况|的函|编制|报送|征集|公告|解读|说明")
_ATTACHMENT_ONLY = re.compile(r"^(?:详见附件|见附件|请见附件|附件[:：]?)")

MIN_BODY_CHARS = 40


def detect_challenge(html: str, status: int | None = None) -> str | None:
    """The reason a page is a WAF challenge, or None."""
    hits = [marker.pattern for marker in _CHALLENGE_MARKERS if marker.search(html[:20000])]
    if status == 412 and (hits or len(html) < 20000):
        return "HTTP 412 challenge (瑞数 WAF)"
    if len(hits) == len(_CHALLENGE_MARKERS):
        return "瑞数 WAF challenge page ($_ts script, r=\"m\" meta)"
    return None


def is_report_title(title: str) -> bool:
    """A title in the 年报 form that is not about reports (a notice, plan or letter)."""
    return bool(_REPORT_TITLE.search(title)) and not _NOT_REPORT_TITLE.search(title)


def classify(title: str, text: str) -> tuple[Kind, str]:
    """Kind and reason for a document with this title and clean text (title on line 1)."""
    body_lines = [line for line in text.splitlines()[1:] if line.strip()]
    body = "".join(body_lines)
    if len(body) < MIN_BODY_CHARS:
        if any(_ATTACHMENT_ONLY.match(line.strip()) for line in body_lines):
            return "empty", "body only refers to its attachments (详见附件)"
        return "empty", f"body has {len(body)} characters of text"
    if _REPORT_TITLE.search(title):
        if _NOT_REPORT_TITLE.search(title):
            return "not_report", "title is about reports, not a report (notice, plan or letter)"
        return "report", "title in the 年报 form"
    sections = find_sections(text)
    if len(sections) >= 3:
        return "report", f"body has {len(sections)} of the six standard sections"
    return "not_report", "neither title nor sections look like a 年报"


def quality_of(text: str, tables: list[Table], warnings: list[str], needs_ocr: bool = False) -> Quality:
    """The quality record of a clean text: standard sections found, tables, size, warnings."""
    return Quality(sections=find_sections(text), tables=len(tables), characters=len(text),
                   warnings=warnings, needs_ocr=needs_ocr)
