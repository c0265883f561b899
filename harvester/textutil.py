"""Small text rules shared by every cleaner: whitespace, report year, sections, dates."""

from __future__ import annotations

import re
from datetime import date

from harvester.result import STANDARD_SECTIONS

# Spaces that Word pastes and portals use for padding; all become plain spaces, then collapse.
SPACE_CHARS = r"\s\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff"
_SPACES = re.compile(f"[{SPACE_CHARS}]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
# A space between two CJK characters (or CJK and full-width punctuation) is layout, not content.
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def normalize_space(text: str) -> str:
    """Collapse every run of white space to one space, drop spaces between CJK characters."""
    text = _SPACES.sub(" ", text).strip()
    return _CJK_GAP.sub("", text)


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")


def report_year(title: str) -> int | None:
    """The report year as printed in the title (never the publication date)."""
    match = _YEAR_IN_TITLE.search(title)
    return int(match.group(1)) if match else None


_NUMERALS = "一二三四五六"
_SECTION_LINE = re.compile(rf"^\s*([{_NUMERALS}])\s*[、.．,，]\s*(\S.*)$")


def find_sections(text: str) -> list[str]:
    """Numbers (一…六) of the standard sections whose headings stand on their own line."""
    found: list[str] = []
    for line in text.splitlines():
        match = _SECTION_LINE.match(line)
        if not match or len(line) > 60:
            continue
        number, heading = match.groups()
        keyword = dict(STANDARD_SECTIONS)[number]
        if keyword in heading and number not in found:
            found.append(number)
    return found


_DATE = re.compile(
    r"((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?"
)


def parse_date(text: str) -> str | None:
    """The first 年月日 / YYYY-M-D date in ``text`` as ISO ``YYYY-MM-DD`` (None if invalid)."""
    for match in _DATE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    return None
