"""``harvester coverage``: the organ × year matrix of reports found, late and missing.

Prints a compact text matrix and writes ``coverage.csv`` and ``coverage.png`` (see
:mod:`archive.coverage`). Like the other archive commands it never creates an archive: a bad
``--db`` is one ``harvester: …`` line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from .cli import DEFAULT_DB, open_archive
from .coverage import STATUSES, SYMBOLS, Coverage, coverage, write_csv, write_png

#: Organ names longer than this (display columns) are shortened in the text matrix only.
NAME_WIDTH = 28
KIND_LABELS = {"government": "gov", "department": "dept"}


def register(subparsers: argparse._SubParsersAction) -> None:
    help = "organ x year matrix of reports found, late (after 31 Jan / 31 Mar) and missing"
    parser = subparsers.add_parser("coverage", help=help, description=help)
    parser.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"archive file (default {DEFAULT_DB})")
    parser.add_argument(
        "--out", default=".", metavar="DIR", help="directory for coverage.csv and coverage.png (default: here)"
    )
    parser.add_argument("--from", dest="first", type=int, metavar="YEAR", help="first report year")
    parser.add_argument("--to", dest="last", type=int, metavar="YEAR", help="last report year")
    parser.set_defaults(handler=_coverage)


def _coverage(args: argparse.Namespace) -> int:
    from harvester.cli import CommandError

    if args.first is not None and args.last is not None and args.first > args.last:
        raise CommandError(f"--from {args.first} is after --to {args.last}")
    out = Path(args.out)
    # Check the output directory before the (possibly long) read of the archive.
    if out.exists() and not out.is_dir():
        raise CommandError(f"{out}: not a directory")
    with open_archive(args.db) as archive:
        result = coverage(archive, first=args.first, last=args.last)
    try:
        out.mkdir(parents=True, exist_ok=True)
        csv_path = write_csv(result, out / "coverage.csv")
        png_path = out / "coverage.png"
        named = write_png(result, png_path)
    except OSError as error:
        raise CommandError(f"{out}: cannot write ({error.strerror or error})") from None
    for line in format_matrix(result):
        _out(line)
    _out(f"wrote {csv_path}")
    if named or not result.organs:
        _out(f"wrote {png_path}")
    else:
        _out(f"wrote {png_path} (no CJK font: rows numbered, see organ_index in the CSV; install fonts-wqy-microhei)")
    return 0


def format_matrix(result: Coverage) -> list[str]:
    """Organs as rows, years as columns, a status symbol per cell; per-organ and overall totals."""
    lines: list[str] = []
    if not result.organs:
        lines.append("no reports with a year" + (f" in {_span(result)}" if result.years else ""))
    else:
        index_w = len(str(len(result.organs)))
        head = " " * (index_w + 1) + _pad("organ", NAME_WIDTH) + " kind "
        years = " ".join(f"{year:>4}" for year in result.years)
        tail = "  ".join(f"{SYMBOLS[s]:>2}" for s in STATUSES)
        lines.append(f"{head}{years}   {tail}")
        for organ in result.organs:
            row = result.row(organ)
            counts = result.totals(row)
            symbols = " ".join(f"{SYMBOLS[c.status]:>4}" for c in row)
            numbers = "  ".join(f"{counts[s]:>2}" for s in STATUSES)
            name = _pad(_shorten(organ.name, NAME_WIDTH), NAME_WIDTH)
            lines.append(f"{organ.index:>{index_w}} {name} {KIND_LABELS[organ.kind]:<4} {symbols}   {numbers}")
        # Organs with a report (any date) per year: the harvest's yield at a glance.
        per_year = " ".join(
            f"{sum(result.cell(o.name, y).status in ('found', 'late', 'undated') for o in result.organs):>4}"
            for y in result.years
        )
        lines.append(" " * (index_w + 1) + _pad("organs with a report", NAME_WIDTH) + "      " + per_year)
        totals = result.totals()
        late = [c.days_late for c in result.cells.values() if c.days_late is not None]
        parts = [f"{SYMBOLS[s]} {totals[s]} {s}" for s in STATUSES]
        if late:
            parts[1] += f" (max {max(late)} days)"
        lines.append(
            f"{len(result.organs)} organs x {len(result.years)} years ({_span(result)}) = "
            f"{len(result.cells)} cells: " + ", ".join(parts)
        )
        lines.append("deadlines: departments 31 January, local governments (incl. 镇/乡/街道) 31 March")
    if result.without_year:
        lines.append(f"{len(result.without_year)} report(s) without a year in the title left out")
    if result.outside_range:
        lines.append(f"{len(result.outside_range)} report(s) for years outside {_span(result) or 'the range'} left out")
    return lines


def _span(result: Coverage) -> str:
    return f"{result.years[0]}-{result.years[-1]}" if result.years else ""


def _width(text: str) -> int:
    # Chinese characters take two terminal columns; padding by len() would skew the columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shorten(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    while _width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _out(line: str) -> None:
    # UTF-8 whatever the locale says, like the other archive commands.
    sys.stdout.buffer.write(line.encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()
