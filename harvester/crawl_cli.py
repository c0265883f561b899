"""``harvester crawl``: run the portal spider into the archive.

    harvester crawl [--seeds FILE] [--db PATH] [-s NAME=VALUE …] [--demo] [--log-file PATH]

Scrapy settings pass through with ``-s``. ``--demo`` starts the bundled test-bed portals on
loopback and crawls them, so the whole chain runs with no network.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from harvester.cli import CommandError

if TYPE_CHECKING:
    from scrapy.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl portals for 年报 into the archive",
        description="Crawl government portals from a seed list, find their 政府信息公开工作年度报告 "
        "and archive every capture and report version in SQLite.",
    )
    parser.add_argument("--seeds", type=Path, help="seed CSV (name,url[,level,region_code,parent,hosts,"
                        "confidence]); default: the registry shipped with the package")
    parser.add_argument("--db", type=Path, help="archive file (default: harvest.db; with --demo: "
                        "harvest-demo.db)")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy or harvester setting, e.g. -s DOWNLOAD_DELAY=2 (repeatable)")
    parser.add_argument("--demo", action="store_true",
                        help="crawl the bundled test-bed portals on 127.0.0.11… (no network needed)")
    parser.add_argument("--fresh", action="store_true",
                        help="start a new run even if the archive holds an interrupted one (which is "
                        "then recorded as abandoned); by default an interrupted run is resumed")
    parser.add_argument("--log-file", type=Path, help="full log here (default: harvester.log beside the "
                        "archive); the terminal shows warnings, progress and the summary")
    parser.set_defaults(handler=run)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"-s {pair!r}: expected NAME=VALUE")
        settings[name.strip()] = value
    return settings


def run(args: argparse.Namespace) -> int:
    from harvester import cleaning_pool

    try:
        return _run(args)
    finally:
        cleaning_pool.discard_prestarted()


def _run(args: argparse.Namespace) -> int:
    from spiders.seeds import SeedError, load_seeds

    overrides = parse_settings(args.settings)
    db = args.db or Path("harvest-demo.db" if args.demo else "harvest.db")
    if db.is_dir():
        raise CommandError(f"{db}: is a directory, not an archive file")
    if not db.parent.exists():
        raise CommandError(f"{db}: directory {db.parent} does not exist")
    testbed = None
    seeds_path = args.seeds
    if args.demo:
        from harvester.testbed.demo import start_demo

        testbed, seeds_path = start_demo(Path(tempfile.mkdtemp(prefix="harvester-demo-")))
        overrides.setdefault("DOWNLOAD_DELAY", "0.05")
        overrides.setdefault("AUTOTHROTTLE_ENABLED", "False")
    try:
        load_seeds(seeds_path)  # fail before starting anything: one line naming the bad row
    except SeedError as error:
        raise CommandError(str(error)) from None
    _prestart_cleaning(overrides)

    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("harvester.settings", priority="project")
    settings.set("HARVESTER_DB", str(db), priority="cmdline")
    settings.set("HARVESTER_SEEDS", str(seeds_path) if seeds_path else None, priority="cmdline")
    log_file = args.log_file or db.with_name("harvester.log")
    settings.set("LOG_FILE", str(log_file), priority="cmdline")
    settings.set("LOG_LEVEL", overrides.pop("LOG_LEVEL", "INFO"), priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")

    from harvester.lock import ArchiveLock, LockedError

    lock = ArchiveLock(db)
    try:
        lock.acquire()
    except LockedError as error:
        if testbed is not None:
            testbed.stop()
        raise CommandError(f"{db}: {error}") from None
    try:
        _resume_or_start(db, settings, fresh=args.fresh)
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # our handlers, below
        process = CrawlerProcess(settings)
        _quiet_terminal_logging(log_file, settings)
        crawler = process.create_crawler("portal")
        process.crawl(crawler)
        process.start()
    finally:
        lock.release()
        if testbed is not None:
            testbed.stop()
    from harvester.progress import summary

    stats = crawler.stats.get_stats()
    print(summary(stats, _reports_held(db)))
    print(f"archive: {db}   log: {log_file}")
    return 0 if stats.get("finish_reason") == "finished" else 1


def _prestart_cleaning(overrides: dict[str, str]) -> None:
    """Start the cleaning workers now, so that they warm up while Scrapy is imported and set up."""
    from harvester import cleaning_pool, settings

    try:
        workers = int(overrides.get("HARVESTER_CLEAN_WORKERS", settings.HARVESTER_CLEAN_WORKERS))
    except ValueError:
        return  # Scrapy reports the bad value when it reads the setting
    cleaning_pool.prestart(workers)


def _reports_held(db: Path) -> int | None:
    """How many documents' latest version is a report, in the whole archive."""
    from archive import Archive, ArchiveError

    try:
        with Archive(db, create=False) as archive:
            return archive.db.execute(
                "SELECT count(*) FROM document_versions v WHERE kind = 'report' AND version = "
                "(SELECT max(version) FROM document_versions WHERE document_id = v.document_id)"
            ).fetchone()[0]
    except ArchiveError:
        return None


def _resume_or_start(db: Path, settings, *, fresh: bool) -> None:
    """Resume the archive's interrupted run (same crawl id, its pending frontier), or start anew."""
    from archive import Archive, ArchiveError

    try:
        with Archive(db) as archive:  # a bad archive file fails here, with one line, not mid-crawl
            unfinished = archive.unfinished_run()
            if unfinished and fresh:
                archive.finish_run(unfinished, "abandoned")
                print(f"abandoned the interrupted crawl run {unfinished}")
            elif unfinished:
                pending = len(archive.frontier(unfinished, state="pending"))
                settings.set("HARVESTER_CRAWL_ID", unfinished, priority="cmdline")
                settings.set("HARVESTER_RESUME", True, priority="cmdline")
                print(f"resuming the interrupted crawl run {unfinished}: {pending} requests pending")
    except ArchiveError as error:
        raise CommandError(str(error)) from None


def _quiet_terminal_logging(log_file: Path, settings: Settings) -> None:
    """Humans see warnings and errors on the terminal; the log file gets ``LOG_LEVEL`` (INFO unless
    set) in Scrapy's ``LOG_FORMAT``/``LOG_DATEFORMAT``."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
    file_handler.setLevel(settings.get("LOG_LEVEL"))
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(logging.Formatter("harvester: %(levelname)s: %(message)s"))
    root.addHandler(file_handler)
    root.addHandler(terminal)
