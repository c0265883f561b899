"""Which organ published its 年报 for which year, and on time? The organ × year coverage matrix.

:func:`coverage` reads the latest version of every ``report`` document in an archive and sorts the
reports into cells, one per (organ, report year):

- ``found``: a report published on or before the deadline;
- ``late``: published after it (``days_late`` says by how much);
- ``undated``: a report whose page gave no publication date;
- ``missing``: no report, although the organ has reports for other years in the range;
- ``pending``: no report yet, but the deadline has not passed (the current year, early on).

Deadlines (政府信息公开条例 第五十条): departments at county level and above publish by 31 January
of the following year, local governments — townships and 街道 included — by 31 March.

:func:`write_csv` and :func:`write_png` write the matrix for people: one CSV row per cell, and a
coloured grid drawn with Pillow (already a dependency through pdfplumber; no matplotlib/numpy).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from .store import Archive

Status = Literal["found", "late", "undated", "missing", "pending"]
OrganKind = Literal["government", "department"]

#: Display order of the statuses (legend, totals).
STATUSES: tuple[Status, ...] = ("found", "late", "undated", "missing", "pending")
SYMBOLS: dict[Status, str] = {"found": "✓", "late": "L", "undated": "?", "missing": "·", "pending": "-"}

#: A local government's own report: 人民政府/政府, its 办公室/办公厅 (which publishes it), and
#: townships/街道. Matched at the END of the name: 住房和城乡建设局 contains 乡 but is a department.
_GOVERNMENT = re.compile(r"(政府|政府办公室|政府办公厅|政府办|镇|乡|街道|街道办事处|街道办|苏木)$")
#: A trailing note in brackets (某县人民政府（公章）) says nothing about the organ's kind.
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")

_TITLE_ORGAN = re.compile(r"^(.{2,40}?)(?:关于)?(?:19|20)\d{2}\s*年")


def organ_from_title(title: str) -> str:
    """The organ a 年报 title names: "东江区教育局2021年度政府信息…" → "东江区教育局"."""
    match = _TITLE_ORGAN.match(title.strip())
    return match.group(1).strip() if match else ""


#: Reports are published on Chinese portals: "today" is Beijing time, not the machine's zone.
_CHINA = timezone(timedelta(hours=8))

_LATEST_REPORTS_SQL = """
SELECT d.document_id, d.portal, d.url, v.version, v.source_type, v.title, v.agency, v.year,
       v.published
FROM documents d JOIN document_versions v ON v.document_id = d.document_id
WHERE v.version = (SELECT max(l.version) FROM document_versions l WHERE l.document_id = d.document_id)
  AND v.kind = 'report'
ORDER BY d.document_id
"""


def organ_kind(organ: str) -> OrganKind:
    """``government`` (deadline 31 March) or ``department`` (31 January) from the organ's name."""
    name = _TRAILING_NOTE.sub("", organ.strip()).strip()
    return "government" if _GOVERNMENT.search(name) else "department"


def deadline(kind: OrganKind, year: int) -> date:
    """Last on-time publication day of a ``kind`` organ's report for ``year``."""
    return date(year + 1, 3, 31) if kind == "government" else date(year + 1, 1, 31)


def _parse_date(value: str | None) -> date | None:
    # The archive stores YYYY-MM-DD; anything else (a cleaner bug, a future format) is undated
    # rather than a crash in a report meant to find such gaps.
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Report:
    """The latest version of one ``report`` document, as coverage needs it."""

    document_id: int
    organ: str
    year: int | None
    published: date | None
    title: str
    url: str
    source_type: str
    portal: str


@dataclass(frozen=True)
class Organ:
    name: str
    kind: OrganKind
    index: int  # 1-based row number: the key between the PNG (without CJK font) and the CSV


@dataclass(frozen=True)
class Cell:
    organ: Organ
    year: int
    status: Status
    deadline: date
    published: date | None = None  # of the report that counts (the earliest dated one)
    days_late: int | None = None  # only for ``late``
    reports: tuple[Report, ...] = ()  # every report for this cell, the one that counts first


@dataclass
class Coverage:
    years: list[int]
    organs: list[Organ]
    cells: dict[tuple[str, int], Cell]
    today: date
    #: Reports whose title gave no year: they cannot be placed in the matrix.
    without_year: list[Report] = field(default_factory=list)
    #: Reports whose year lies outside ``years`` (only when a range was asked for).
    outside_range: list[Report] = field(default_factory=list)

    def cell(self, organ: str, year: int) -> Cell:
        return self.cells[(organ, year)]

    def row(self, organ: Organ) -> list[Cell]:
        return [self.cells[(organ.name, year)] for year in self.years]

    def totals(self, cells: Iterable[Cell] | None = None) -> Counter[str]:
        """Cells by status (every status present, zeros included)."""
        counts: Counter[str] = Counter(dict.fromkeys(STATUSES, 0))
        counts.update(c.status for c in (self.cells.values() if cells is None else cells))
        return counts


def load_reports(archive: Archive) -> list[Report]:
    """The latest version of every document whose latest version is a report.

    Only the latest: a later capture may have corrected the date or the year, or re-classified
    the page as ``not_report`` (then it no longer counts).
    """
    reports = []
    for row in archive.db.query(_LATEST_REPORTS_SQL):
        # The agency is who published; an attachment has none, but its title names the organ
        # (everything before the year); failing both, the report belongs to its portal.
        organ = (row["agency"] or "").strip() or organ_from_title(row["title"] or "") or row["portal"]
        reports.append(
            Report(
                document_id=row["document_id"],
                organ=organ,
                year=row["year"],
                published=_parse_date(row["published"]),
                title=row["title"] or "",
                url=row["url"],
                source_type=row["source_type"] or "",
                portal=row["portal"],
            )
        )
    return reports


def coverage(
    archive: Archive,
    *,
    first: int | None = None,
    last: int | None = None,
    today: date | None = None,
) -> Coverage:
    """The organ × year matrix for report years ``first``..``last`` (default: all years found)."""
    return build(load_reports(archive), first=first, last=last, today=today)


def build(
    reports: Iterable[Report],
    *,
    first: int | None = None,
    last: int | None = None,
    today: date | None = None,
) -> Coverage:
    """:func:`coverage` on already loaded reports (testable without an archive)."""
    today = today or datetime.now(_CHINA).date()
    without_year, dated = [], []
    for report in reports:
        (dated if report.year is not None else without_year).append(report)
    known = [r.year for r in dated if r.year is not None]
    low = first if first is not None else min(known, default=None)
    high = last if last is not None else max(known, default=None)
    if low is None or high is None or low > high:
        return Coverage([], [], {}, today, without_year, dated)
    years = list(range(low, high + 1))
    by_organ: dict[str, dict[int, list[Report]]] = defaultdict(lambda: defaultdict(list))
    outside = []
    for report in dated:
        assert report.year is not None
        if low <= report.year <= high:
            by_organ[report.organ][report.year].append(report)
        else:
            outside.append(report)
    # Names sort by their jurisdiction prefix (某县…, 某县…局), which groups a county's organs.
    organs = [Organ(name, organ_kind(name), i) for i, name in enumerate(sorted(by_organ), start=1)]
    cells: dict[tuple[str, int], Cell] = {}
    for organ in organs:
        for year in years:
            cells[(organ.name, year)] = _cell(organ, year, by_organ[organ.name].get(year, []), today)
    return Coverage(years, organs, cells, today, without_year, outside)


def _cell(organ: Organ, year: int, reports: list[Report], today: date) -> Cell:
    due = deadline(organ.kind, year)
    if not reports:
        # Before the deadline nothing is overdue yet: that is not a gap in the harvest.
        return Cell(organ, year, "pending" if today <= due else "missing", due)
    # An HTML page and its PDF attachment (or a repost) are one report: the earliest dated copy
    # says when the organ published; an undated copy only counts when no copy has a date.
    ordered = sorted(reports, key=lambda r: (r.published is None, r.published or date.max, r.document_id))
    best = ordered[0]
    if best.published is None:
        return Cell(organ, year, "undated", due, reports=tuple(ordered))
    late = (best.published - due).days
    if late > 0:
        return Cell(organ, year, "late", due, best.published, late, tuple(ordered))
    return Cell(organ, year, "found", due, best.published, reports=tuple(ordered))


# -- CSV -----------------------------------------------------------------------------------------

CSV_FIELDS = (
    "organ_index",
    "organ",
    "organ_kind",
    "year",
    "status",
    "deadline",
    "published",
    "days_late",
    "reports",
    "document_ids",
    "title",
    "url",
)


def write_csv(coverage: Coverage, path: str | Path) -> Path:
    """One row per cell, organ by organ, year by year; the first report's title and URL.

    UTF-8 with a BOM: Excel, which many readers of these reports use, shows Chinese as mojibake
    without it (Python reads it with ``encoding="utf-8-sig"``, pandas likewise).
    """
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_FIELDS)
        for organ in coverage.organs:
            for cell in coverage.row(organ):
                top = cell.reports[0] if cell.reports else None
                writer.writerow(
                    [
                        organ.index,
                        organ.name,
                        organ.kind,
                        cell.year,
                        cell.status,
                        cell.deadline.isoformat(),
                        cell.published.isoformat() if cell.published else "",
                        "" if cell.days_late is None else cell.days_late,
                        len(cell.reports),
                        " ".join(str(r.document_id) for r in cell.reports),
                        top.title if top else "",
                        top.url if top else "",
                    ]
                )
    return path


# -- PNG -----------------------------------------------------------------------------------------

COLOURS: dict[Status, str] = {
    "found": "#43a047",
    "late": "#fb8c00",
    "undated": "#8e99f3",
    "missing": "#e53935",
    "pending": "#d0d0d0",
}

#: Fonts with Chinese glyphs, most preferred first (small, clear sans faces).
_PREFERRED_FONTS = ("wqy-microhei", "wqy-zenhei", "notosanscjk", "sourcehansans", "notoserifcjk", "droidsansfallback")
#: Where to look when fontconfig is absent (macOS, Windows, minimal containers).
_FONT_GLOBS = (
    "/usr/share/fonts/**/*.tt[cf]",
    "/usr/share/fonts/**/*.otf",
    "/usr/local/share/fonts/**/*.tt[cf]",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti*.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
AUTO = "auto"


def find_cjk_font() -> Path | None:
    """A font file with Chinese glyphs: ``$HARVESTER_CJK_FONT``, else fontconfig, else known paths."""
    override = os.environ.get("HARVESTER_CJK_FONT")
    if override:
        return Path(override) if Path(override).is_file() else None
    candidates: list[str] = []
    if shutil.which("fc-list"):
        try:
            listed = subprocess.run(
                ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        candidates = [line.split(":", 1)[0].strip() for line in listed.splitlines() if line.strip()]
    else:
        import glob

        for pattern in _FONT_GLOBS:
            found = glob.glob(pattern, recursive=True)
            # Without fontconfig we cannot ask for :lang=zh; keep only names known to be CJK.
            candidates += [f for f in found if pattern.startswith(("/System", "/Library", "C:")) or _rank(f) < 99]
    candidates = [c for c in candidates if c.lower().endswith((".ttc", ".ttf", ".otf"))]
    candidates.sort(key=_rank)
    return Path(candidates[0]) if candidates else None


def _rank(path: str) -> int:
    name = path.lower().replace(" ", "").replace("_", "")
    return next((i for i, key in enumerate(_PREFERRED_FONTS) if key in name), 99)


#: Rows drawn at most: a national archive has ~10^5 organs, and a 2.4-million-pixel-tall PNG
#: helps nobody (the CSV has them all).
MAX_PNG_ROWS = 2000


def write_png(
    coverage: Coverage, path: str | Path, *, font: str | Path | None = AUTO, max_rows: int = MAX_PNG_ROWS
) -> bool:
    """Draw the matrix as a coloured grid with a legend; returns whether organ names were drawn.

    ``font`` is a CJK font file, ``"auto"`` to look for one (:func:`find_cjk_font`), or None.
    Without a CJK font, Chinese would come out as boxes: rows are then labelled with the organ's
    index number, the CSV's ``organ_index`` column is the key, and the title says so. Only the
    first ``max_rows`` organs are drawn (the title says so); the legend counts every cell.
    """
    from PIL import Image, ImageDraw, ImageFont

    font_path = find_cjk_font() if font == AUTO else font
    cjk = None
    if font_path is not None:
        try:
            cjk = (ImageFont.truetype(str(font_path), 14), ImageFont.truetype(str(font_path), 17))
        except OSError:
            cjk = None  # unreadable or not a scalable font: same as having none
    if cjk is not None:
        label_font, title_font = cjk
    else:
        # Pillow >= 10.1 scales its built-in (Latin-only) font; good enough for digits and English.
        label_font, title_font = ImageFont.load_default(14), ImageFont.load_default(17)

    years, organs = coverage.years, coverage.organs[:max_rows]
    totals = coverage.totals()
    title = "政府信息公开年报 coverage" if cjk else "Annual report (nianbao) coverage"
    if years:
        title += f" {years[0]}-{years[-1]}: {len(coverage.organs)} organs"
        if len(organs) < len(coverage.organs):
            title += f", first {len(organs)} drawn"
    else:
        title += ": no reports"
    if cjk is None and organs:
        title += " (no CJK font: rows are organ_index numbers, names in coverage.csv)"
    labels = [f"{o.index}  {o.name}" if cjk else f"#{o.index}" for o in organs]
    legend = [(status, f"{status} {totals[status]}") for status in STATUSES]

    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))

    def width(text: str, which: ImageFont.ImageFont | ImageFont.FreeTypeFont = label_font) -> int:
        return int(measure.textlength(text, font=which))

    margin, cell_w, cell_h, gap = 16, 46, 22, 2
    label_w = max((width(t) for t in labels), default=0) + 12
    grid_x, grid_y = margin + label_w, margin + 30 + 22  # title line, then the year header
    legend_y = grid_y + len(organs) * (cell_h + gap) + 14
    legend_w = sum(width(text) + 34 for _, text in legend)
    canvas_w = max(grid_x + len(years) * (cell_w + gap), margin + width(title, title_font), margin + legend_w) + margin
    canvas_h = legend_y + 22 + margin

    image = Image.new("RGB", (canvas_w, canvas_h), "white")
    draw = ImageDraw.Draw(image)
    draw.text((margin, margin), title, fill="black", font=title_font)
    for column, year in enumerate(years):
        x = grid_x + column * (cell_w + gap)
        draw.text((x + cell_w / 2, grid_y - 6), str(year), fill="black", font=label_font, anchor="mb")
    for row, (organ, label) in enumerate(zip(organs, labels, strict=True)):
        y = grid_y + row * (cell_h + gap)
        draw.text((margin, y + cell_h / 2), label, fill="black", font=label_font, anchor="lm")
        for column, cell in enumerate(coverage.row(organ)):
            x = grid_x + column * (cell_w + gap)
            draw.rectangle((x, y, x + cell_w - 1, y + cell_h - 1), fill=COLOURS[cell.status])
            if cell.days_late is not None:
                # How late matters more than that it was late: two days is not two months.
                draw.text(
                    (x + cell_w / 2, y + cell_h / 2), f"+{cell.days_late}", fill="black", font=label_font, anchor="mm"
                )
    x = margin
    for status, text in legend:
        draw.rectangle((x, legend_y + 3, x + 16, legend_y + 19), fill=COLOURS[status])
        draw.text((x + 22, legend_y + 11), text, fill="black", font=label_font, anchor="lm")
        x += width(text) + 34
    image.save(Path(path), format="PNG", optimize=True)
    return cjk is not None
