"""The cost of re-crawling an unchanged portal network, as a fraction of the first crawl.

    .venv/bin/python bench/recrawl.py [--keep DIR]

Starts the test bed, crawls it into a fresh archive, crawls it again unchanged, and reports from
the test bed's own request log: requests and response bytes of each crawl and their ratio
(target: ≤ 10 % of each), how many second-crawl requests were conditional and answered 304, and the
new versions each crawl archived (the second must add none). Then it changes the test bed
(generation 1: one report added, one revised, one removed) and crawls a third time, to show what
a re-crawl costs when something did change.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harvester.testbed.demo import write_seeds
from harvester.testbed.server import start_testbed

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "HARVESTER_PROGRESS=off"]


def crawl(seeds: Path, db: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds), "--db", str(db), *FAST],
                   check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def new_versions(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        run = connection.execute("SELECT crawl_id FROM crawl_runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        return connection.execute(
            "SELECT count(*) FROM document_versions v JOIN captures c USING (capture_id) WHERE c.crawl_id = ?",
            [run]).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the archive and logs here")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="bench-recrawl-"))
    directory.mkdir(parents=True, exist_ok=True)
    bed = start_testbed(directory / "testbed", slow_seconds=0.1, fail_first=0)
    try:
        seeds = write_seeds(bed.manifest, directory / "seeds.csv")
        db = directory / "harvest.db"
        rows = []
        for label, generation in (("first crawl", None), ("unchanged re-crawl", None), ("after changes", 1)):
            if generation is not None:
                bed.mutate(generation)
            before = len(bed.requests())
            seconds = crawl(seeds, db)
            log = bed.requests()[before:]
            rows.append({
                "label": label, "seconds": seconds, "requests": len(log),
                "bytes": sum(r["bytes"] or 0 for r in log),
                "conditional": sum(1 for r in log if r["if_none_match"] or r["if_modified_since"]),
                "not_modified": sum(1 for r in log if r["status"] == 304),
                "versions": new_versions(db),
            })
    finally:
        bed.stop()
    first = rows[0]
    print(f"{'':22}{'requests':>10}{'bytes':>12}{'cond.':>8}{'304':>6}{'new ver.':>10}{'seconds':>9}"
          f"{'req %':>8}{'bytes %':>9}")
    for row in rows:
        print(f"{row['label']:22}{row['requests']:>10}{row['bytes']:>12,}{row['conditional']:>8}"
              f"{row['not_modified']:>6}{row['versions']:>10}{row['seconds']:>9.1f}"
              f"{100 * row['requests'] / first['requests']:>7.1f}%{100 * row['bytes'] / first['bytes']:>8.1f}%")
    second = rows[1]
    print(f"unchanged re-crawl: {100 * second['bytes'] / first['bytes']:.1f} % of the bytes, "
          f"{100 * second['requests'] / first['requests']:.1f} % of the requests of the first crawl "
          "(target: <= 10 % of each)")
    print(f"archive and test-bed logs: {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
