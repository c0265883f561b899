"""``harvester coverage`` on a real archive: statuses and days late, CSV, PNG and the CLI."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageColor

from archive import Archive, ArchiveItem, Capture, DocumentKey, coverage_cli
from archive import coverage as cov
from harvester import cli as harvester_cli
from harvester.result import CleanResult, Metadata

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

GOV = "某县人民政府"
EDU = "某县教育局"
FIN = "某县财政局"
STREET = "某区新华街道办事处"
PORTAL = "y.gov.cn"


def item(
    crawl_id: str,
    n: int,
    agency: str,
    year: int | None,
    published: str | None,
    *,
    kind: str = "report",
    source_type: str = "html",
    text: str | None = None,
    parent: int | None = None,
    portal: str = "x.gov.cn",
) -> ArchiveItem:
    """Document ``n``; the same ``n`` with a different text makes a new version of it."""
    extension = "pdf" if source_type == "pdf" else "html"
    url = f"http://www.{portal}/art/{n}.{extension}"
    title = f"{agency}{year}年政府信息公开工作年度报告" if year else f"{agency}政府信息公开工作年度报告"
    body = (text or title).encode()
    clean = CleanResult(
        url=url,
        source_type=source_type,
        kind=kind,  # type: ignore[arg-type]
        reason="test",
        text=text or title,
        metadata=Metadata(title=title, agency=agency, year=year, published=published),
    )
    parent_url = f"http://www.{portal}/art/{parent}.html" if parent else None
    capture = Capture(crawl_id, url, "ok", status=200, body=body, fetched_at=T0)
    return ArchiveItem(capture, clean, DocumentKey(portal, url, parent_url))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "harvest.db"
    with Archive(path) as archive:
        run = archive.start_run()
        archive.write_batch(
            [
                # Local government: on time, late by two days (deadline 2021-03-31), and an HTML
                # page whose undated PDF attachment is the same report.
                item(run, 1, GOV, 2019, "2020-03-20"),
                item(run, 2, GOV, 2020, "2021-04-02"),
                item(run, 3, GOV, 2021, "2022-03-15"),
                item(run, 4, GOV, 2021, None, source_type="pdf", parent=3),
                # Department: on time; 2020 missing; 2021 reposted (late copy + earlier on-time copy).
                item(run, 5, EDU, 2019, "2020-01-15"),
                item(run, 6, EDU, 2021, "2022-02-10"),
                item(run, 7, EDU, 2021, "2022-01-20"),
                # Department: 2019 was a report, then re-classified (latest version: not_report);
                # 2020 undated; 2021 on the deadline day itself.
                item(run, 8, FIN, 2019, "2020-01-10"),
                item(run, 9, FIN, 2020, None),
                item(run, 10, FIN, 2021, "2022-01-31"),
                # 街道 (31 March deadline): v1 said 2021-05-01, the corrected v2 says 2021-03-01.
                item(run, 11, STREET, 2020, "2021-05-01"),
                # A notice in the 年报 column is not a report of its issuer.
                item(
                    run,
                    12,
                    "某县人民政府办公室",
                    2020,
                    "2020-12-01",
                    kind="not_report",
                    text="关于做好年报编制工作的通知",
                ),
                # No agency: the portal stands in. No year: cannot be placed. 2015: outside --from 2019.
                item(run, 13, "", 2021, "2022-01-05", portal=PORTAL),
                item(run, 14, EDU, None, "2020-01-01"),
                item(run, 15, EDU, 2015, "2016-01-20"),
            ]
        )
        archive.write_batch(
            [
                item(run, 8, FIN, 2019, "2020-01-10", kind="not_report", text="关于年报的说明"),
                item(run, 11, STREET, 2020, "2021-03-01", text="更正后的年报正文"),
            ]
        )
    return path


def compute(db: Path, **kw) -> cov.Coverage:
    with Archive(db, create=False) as archive:
        return cov.coverage(archive, **kw)


# -- the matrix ----------------------------------------------------------------------------------


def test_organ_kind_and_deadline() -> None:
    for name in (GOV, "某市人民政府办公厅", "某县人民政府办公室", "某镇人民政府", "某乡", STREET, "某市政府"):
        assert cov.organ_kind(name) == "government", name
    for name in (EDU, "某县住房和城乡建设局", "某县人民政府国有资产监督管理委员会", PORTAL):
        assert cov.organ_kind(name) == "department", name
    assert cov.organ_kind("某县人民政府（本级）") == "government"
    assert cov.deadline("government", 2020) == date(2021, 3, 31)
    assert cov.deadline("department", 2020) == date(2021, 1, 31)


def test_statuses(db: Path) -> None:
    result = compute(db, first=2019, last=2021, today=date(2024, 6, 1))
    assert result.years == [2019, 2020, 2021]
    assert [o.name for o in result.organs] == sorted([GOV, EDU, FIN, STREET, PORTAL])
    assert "某县人民政府办公室" not in {o.name for o in result.organs}  # its only document: not_report
    status = {(o, y): c.status for (o, y), c in result.cells.items()}

    assert [status[(GOV, y)] for y in (2019, 2020, 2021)] == ["found", "late", "found"]
    late = result.cell(GOV, 2020)
    assert (late.days_late, late.published, late.deadline) == (2, date(2021, 4, 2), date(2021, 3, 31))
    # HTML + undated PDF: one cell, two reports, dated copy counts.
    both = result.cell(GOV, 2021)
    assert both.published == date(2022, 3, 15) and [r.document_id for r in both.reports] == [3, 4]

    assert [status[(EDU, y)] for y in (2019, 2020, 2021)] == ["found", "missing", "found"]
    repost = result.cell(EDU, 2021)
    assert (repost.published, repost.days_late, len(repost.reports)) == (date(2022, 1, 20), None, 2)

    # 2019's only document is now not_report: missing; deadline day itself is on time.
    assert [status[(FIN, y)] for y in (2019, 2020, 2021)] == ["missing", "undated", "found"]
    assert result.cell(FIN, 2021).days_late is None
    assert result.cell(FIN, 2020).published is None

    # Latest version wins (the corrected date); the 31 March deadline applies to a 街道.
    assert [status[(STREET, y)] for y in (2019, 2020, 2021)] == ["missing", "found", "missing"]
    assert result.cell(STREET, 2020).published == date(2021, 3, 1)

    assert [status[(PORTAL, y)] for y in (2019, 2020, 2021)] == ["missing", "missing", "found"]
    assert [r.document_id for r in result.without_year] == [14]
    assert [r.document_id for r in result.outside_range] == [15]
    assert dict(result.totals()) == {"found": 7, "late": 1, "undated": 1, "missing": 6, "pending": 0}


def test_default_range_and_pending(db: Path) -> None:
    # Without a range, every year found (2015 included); EDU then misses 2016–2018, 2020.
    result = compute(db, today=date(2024, 6, 1))
    assert result.years == list(range(2015, 2022)) and not result.outside_range
    assert result.cell(EDU, 2015).status == "found"
    assert result.cell(GOV, 2015).status == "missing"
    # On 15 February 2022 departments' 2021 reports are overdue, local governments' are not.
    only = compute(db, first=2021, last=2021, today=date(2022, 2, 15))
    assert STREET not in {o.name for o in only.organs}  # no report within the range: no row
    early = compute(db, first=2020, last=2021, today=date(2022, 2, 15))
    assert early.cell(STREET, 2021).status == "pending"
    assert early.cell(EDU, 2020).status == "missing"


# -- files ---------------------------------------------------------------------------------------


def test_csv(db: Path, tmp_path: Path) -> None:
    result = compute(db, first=2019, last=2021, today=date(2024, 6, 1))
    path = cov.write_csv(result, tmp_path / "coverage.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == cov.CSV_FIELDS
    assert len(rows) == 5 * 3
    by_cell = {(r["organ"], r["year"]): r for r in rows}
    late = by_cell[(GOV, "2020")]
    assert {k: late[k] for k in ("organ_kind", "status", "deadline", "published", "days_late", "reports")} == {
        "organ_kind": "government",
        "status": "late",
        "deadline": "2021-03-31",
        "published": "2021-04-02",
        "days_late": "2",
        "reports": "1",
    }
    assert late["title"] == "某县人民政府2020年政府信息公开工作年度报告"
    assert late["url"] == "http://www.x.gov.cn/art/2.html"
    assert by_cell[(GOV, "2021")]["document_ids"] == "3 4"
    missing = by_cell[(EDU, "2020")]
    assert (missing["status"], missing["published"], missing["reports"], missing["url"]) == ("missing", "", "0", "")
    assert by_cell[(EDU, "2020")]["deadline"] == "2021-01-31"
    indexes = {r["organ"]: r["organ_index"] for r in rows}
    assert [indexes[o.name] for o in result.organs] == [str(o.index) for o in result.organs]


def _check_png(path: Path) -> Image.Image:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 2000
    with Image.open(path) as image:
        image.verify()
    image = Image.open(path)
    assert image.format == "PNG" and image.width > 200 and image.height > 150
    return image.convert("RGB")


@pytest.mark.parametrize("font", [None, cov.AUTO])
def test_png(db: Path, tmp_path: Path, font: str | None) -> None:
    if font == cov.AUTO and cov.find_cjk_font() is None:
        pytest.skip("no CJK font (apt-get install fonts-wqy-microhei); the fallback is tested")
    result = compute(db, first=2019, last=2021, today=date(2024, 6, 1))
    path = tmp_path / "coverage.png"
    named = cov.write_png(result, path, font=font)
    assert named is (font == cov.AUTO)
    image = _check_png(path)
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    # Every status present in the data is drawn in its own colour (legend swatches included).
    for status in cov.STATUSES:
        assert ImageColor.getrgb(cov.COLOURS[status]) in colours, status


def test_png_unusable_font_falls_back(db: Path, tmp_path: Path) -> None:
    result = compute(db, first=2019, last=2021)
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"nope")
    assert cov.write_png(result, tmp_path / "c.png", font=bogus) is False
    _check_png(tmp_path / "c.png")


def test_png_row_cap(db: Path, tmp_path: Path) -> None:
    result = compute(db, first=2019, last=2021)
    cov.write_png(result, tmp_path / "all.png", font=None)
    cov.write_png(result, tmp_path / "two.png", font=None, max_rows=2)
    assert _check_png(tmp_path / "two.png").height < _check_png(tmp_path / "all.png").height


def test_empty_archive_files(tmp_path: Path) -> None:
    with Archive(tmp_path / "empty.db") as archive:
        result = cov.coverage(archive)
    assert (result.years, result.organs, result.cells) == ([], [], {})
    cov.write_csv(result, tmp_path / "e.csv")
    cov.write_png(result, tmp_path / "e.png", font=None)
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(cov.CSV_FIELDS)]
    assert (tmp_path / "e.png").read_bytes().startswith(PNG_MAGIC)


# -- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]):
    monkeypatch.setattr(harvester_cli, "_registrars", lambda: [coverage_cli.register])

    def run(*argv: str) -> tuple[int, str, str]:
        code = harvester_cli.main(list(argv))
        out, err = capsysbinary.readouterr()
        return code, out.decode("utf-8"), err.decode("utf-8")

    return run


def test_cli(cli, db: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "report" / "out"  # created, parents included
    code, out, err = cli("coverage", "--db", str(db), "--out", str(out_dir), "--from", "2019", "--to", "2021")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[-8:] == ["2019", "2020", "2021", "✓", "L", "?", "·", "-"]
    rows = {line.split()[1]: line.split()[2:] for line in lines[1:6]}
    assert rows[GOV] == ["gov", "✓", "L", "✓", "2", "1", "0", "0", "0"]
    assert rows[EDU] == ["dept", "✓", "·", "✓", "2", "0", "0", "1", "0"]
    assert rows[FIN] == ["dept", "·", "?", "✓", "1", "0", "1", "1", "0"]
    assert rows[STREET] == ["gov", "·", "✓", "·", "1", "0", "0", "2", "0"]
    assert lines[6].split()[-3:] == ["2", "3", "4"]  # organs with a report per year
    assert "5 organs x 3 years (2019-2021) = 15 cells: ✓ 7 found, L 1 late (max 2 days), ? 1 undated" in out
    assert "1 report(s) without a year in the title left out" in out
    assert "1 report(s) for years outside 2019-2021 left out" in out
    assert f"wrote {out_dir / 'coverage.csv'}" in out
    assert f"wrote {out_dir / 'coverage.png'}" in out
    assert (out_dir / "coverage.csv").read_text(encoding="utf-8-sig").count("\n") == 16
    _check_png(out_dir / "coverage.png")


def test_cli_default_out_is_cwd(cli, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("coverage", "--db", str(db))
    assert code == 0
    assert (tmp_path / "coverage.csv").is_file() and (tmp_path / "coverage.png").is_file()
    assert "(2015-2021)" in out


def test_cli_no_reports_in_range(cli, db: Path, tmp_path: Path) -> None:
    code, out, _ = cli("coverage", "--db", str(db), "--out", str(tmp_path), "--from", "2030")
    assert code == 0
    assert out.splitlines()[0] == "no reports with a year"
    assert (tmp_path / "coverage.png").read_bytes().startswith(PNG_MAGIC)


def test_cli_errors(cli, db: Path, tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    not_db.write_text("not sqlite")
    out = ["--out", str(tmp_path / "out")]
    for argv in (
        ["--db", str(tmp_path / "missing.db"), *out],
        ["--db", str(tmp_path), *out],
        ["--db", str(not_db), *out],
        ["--db", str(db), "--from", "2021", "--to", "2019", *out],
        ["--db", str(db), "--out", str(not_db)],
    ):
        code, stdout, err = cli("coverage", *argv)
        assert code == 2, argv
        assert stdout == "" and err.startswith("harvester: ") and len(err.splitlines()) == 1, (argv, err)
    assert not (tmp_path / "missing.db").exists()  # never creates an archive


def test_font_lookup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    font = tmp_path / "x.ttf"
    font.write_bytes(b"x")
    monkeypatch.setenv("HARVESTER_CJK_FONT", str(font))
    assert cov.find_cjk_font() == font
    monkeypatch.setenv("HARVESTER_CJK_FONT", str(tmp_path / "gone.ttf"))
    assert cov.find_cjk_font() is None
    monkeypatch.delenv("HARVESTER_CJK_FONT")
    monkeypatch.setattr(cov.shutil, "which", lambda name: None)  # no fontconfig: known paths
    found = cov.find_cjk_font()
    assert found is None or found.suffix.lower() in (".ttc", ".ttf", ".otf")


def test_cli_without_cjk_font(cli, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARVESTER_CJK_FONT", str(tmp_path / "none.ttf"))
    code, out, _ = cli("coverage", "--db", str(db), "--out", str(tmp_path))
    assert code == 0
    assert out.splitlines()[-1] == (
        f"wrote {tmp_path / 'coverage.png'} (no CJK font: rows numbered, see organ_index in the CSV; "
        "install fonts-wqy-microhei)"
    )
    _check_png(tmp_path / "coverage.png")
