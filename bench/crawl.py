"""Crawl throughput benchmark: our ``harvester crawl`` against a bare Scrapy spider fetching the same
URLs, both on the bundled test-bed portal network, in one run.

    .venv/bin/python bench/crawl.py [--rounds N] [--keep DIR] [--slow SECONDS] [--latency SECONDS …]

The test bed is started once per ``--latency`` value (a child process on 127.0.0.11…, slow page
``--slow`` s, no transient 503s, every answer held back by the latency). By default two profiles
run: latency 0 — pure loopback, where a crawl is bound by CPU per page and the bare spider spends
none — and 50 ms, a fast real portal's round trip plus page generation, where politeness (one
connection per host) and the depth of discovery decide. Each round runs both, each in its own fresh
subprocess:

* **ours**: ``python -m harvester crawl --seeds SEEDS --db DB -s DOWNLOAD_DELAY=0
  -s AUTOTHROTTLE_ENABLED=False -s HARVESTER_PROGRESS=off`` into a fresh archive (so every round is a
  full first crawl, with no conditional requests);
* **bare**: this file with ``--bare``: a Scrapy spider with a callback that does nothing, replaying
  every request the test bed logged during ours of the same round (same method, URL, User-Agent; the one
  POST, Hanweb's ``dataproxy.jsp``, gets the form from the manifest's ``dataproxy.form`` since the
  log has no bodies). Same concurrency (16, 1 per host — with the harvester's downloader, since stock
  Scrapy 2.19 ignores the per-host limit when there is no delay), no delay, no AutoThrottle, no retries, the
  asyncio reactor, the same size limits (so both abandon the oversized attachment at its headers).
  robots.txt is replayed as an ordinary GET (ROBOTSTXT_OBEY off) and redirects are not followed:
  the log already holds both the redirect and its target.

A warm-up crawl of ours runs first, unmeasured: the test bed builds each attachment on its first
request (seconds for some .docx), a cost that would otherwise fall on whichever crawl came first.

Figures (median over rounds):

* pages: answers the test bed logged during the run and the client read in full (the same
  instrument for both; Scrapy's own ``response_received_count`` leaves out ours' robots.txt);
* wall s: the subprocess from start to exit (interpreter start-up and imports included);
* crawl s: Scrapy's ``elapsed_time_seconds`` (engine open to close; ours includes its last
  archive flush). pages/s = pages / crawl s: start-up is reported, not counted, since on a real
  crawl of thousands of pages it vanishes (the ratio on wall time is printed too);
* cpu s: user + system time of the crawl process (``os.wait4``): near wall s means CPU-bound;
* peak RSS MiB: the kernel's high-water mark (``VmHWM`` in ``/proc/PID/status``) of the crawl
  process itself, polled every 20 ms while it runs (the mark only rises, so the last reading is the
  peak unless memory grew in the last 20 ms). ``getrusage(RUSAGE_CHILDREN)`` would not do: it is the
  maximum over all reaped children of this process, the test bed included. ``os.wait4`` on the crawl
  process gives its own rusage, but its ``ru_maxrss`` also covers the helpers it ran (antiword,
  LibreOffice for .doc/.wps); it is shown as "+helpers" so a converter's peak is not mistaken for ours.

Finally: the number of reports each crawl of ours archived (``document_versions`` of kind report), so
the throughput is not that of an empty crawl.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
#: Settings copied from harvester.settings into the bare spider, so both download alike.
SHARED_SETTINGS = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_TIMEOUT",
                   "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "DOWNLOAD_FAIL_ON_DATALOSS", "TWISTED_REACTOR")
OURS_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "HARVESTER_PROGRESS=off")


# --------------------------------------------------------------------------------------------
# The bare spider (runs in its own process: python bench/crawl.py --bare REPLAY --stats OUT)


def bare(replay_path: Path, stats_path: Path) -> int:
    """Fetch every request of the replay file, doing nothing with the answers; write Scrapy's stats."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    replay = json.loads(replay_path.read_text(encoding="utf-8"))

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for entry in replay["requests"]:
                # dont_filter: replay exactly the logged requests, repeats included.
                if entry["method"] == "POST":
                    yield scrapy.FormRequest(entry["url"], formdata=entry["form"], callback=self.nothing,
                                             errback=self.nothing, dont_filter=True)
                else:
                    yield scrapy.Request(entry["url"], callback=self.nothing, errback=self.nothing,
                                         dont_filter=True)

        def nothing(self, _: Any) -> None:
            return None

    settings = dict(replay["settings"])
    # The harvester's downloader, loaded alone (not the package, which would import trafilatura):
    # stock Scrapy 2.19 opens several connections per host when DOWNLOAD_DELAY is 0.
    spec = importlib.util.spec_from_file_location("host_slot_downloader", ROOT / "harvester" / "downloader.py")
    assert spec is not None and spec.loader is not None
    downloader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(downloader)
    settings["DOWNLOADER"] = downloader.HostSlotDownloader
    settings.update({
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,  # robots.txt is in the replay as a plain GET
        "RETRY_ENABLED": False,
        "REDIRECT_ENABLED": False,  # the replay holds both the redirect and its target
        "METAREFRESH_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(stats_path.with_suffix(".log")),
    })
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats_path.write_text(json.dumps(crawler.stats.get_stats(), default=str), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------------------------
# Measurement


def _vm_hwm(pid: int) -> int | None:
    """The process's peak resident set so far, in bytes (None once it is a zombie or off Linux)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def measure(command: list[str], log: Path, cwd: Path) -> dict[str, float]:
    """Run ``command``; return wall and CPU seconds, its own peak RSS and the rusage peak with helpers."""
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
    peak = 0
    while True:
        # wait4 rather than Popen.wait: it hands back this child's own rusage.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _vm_hwm(process.pid) or 0)
        time.sleep(0.02)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped: Popen must not wait again
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}; see {log}")
    with_helpers = usage.ru_maxrss * 1024  # Linux: KiB
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": peak or with_helpers,
            "rss_helpers": with_helpers}


def served_since(testbed: Any, mark: int) -> list[dict[str, Any]]:
    """Requests the test bed logged after the first ``mark`` ones (waiting for late log lines)."""
    previous = -1
    for _ in range(50):  # a handler logs after writing its answer: give the last lines a moment
        entries = testbed.requests()
        if len(entries) == previous:
            break
        previous = len(entries)
        time.sleep(0.1)
    return entries[mark:]


def replay_file(entries: list[dict[str, Any]], manifest: dict[str, Any], path: Path) -> Path:
    """The requests of our crawl as a list for the bare spider, with the shared download settings."""
    import harvester.settings as ours

    forms = {}
    for portal in manifest["portals"]:
        for column in portal.get("columns", []):
            proxy = column.get("dataproxy")
            if proxy:
                forms[urlsplit(proxy["url"]).path] = proxy["form"]
    requests = []
    for entry in entries:
        if entry["method"] not in ("GET", "POST"):
            continue
        request = {"method": entry["method"], "url": f"http://{entry['host_header']}{entry['path']}"}
        if entry["method"] == "POST":
            request["form"] = forms[urlsplit(entry["path"]).path]
        requests.append(request)
    settings = {name: getattr(ours, name) for name in SHARED_SETTINGS}
    # The spider composes the User-Agent from HARVESTER_CONTACT; the bare one sends the same.
    from spiders.portal import user_agent

    settings["USER_AGENT"] = user_agent(ours.HARVESTER_CONTACT)
    path.write_text(json.dumps({"settings": settings, "requests": requests}, ensure_ascii=False), encoding="utf-8")
    return path


def _stat(log_text: str, name: str) -> float:
    """One figure from the stats dump Scrapy writes to the log at the end of a crawl."""
    match = re.search(rf"'{name}': ([0-9.]+)", log_text)
    if not match:
        raise SystemExit(f"no {name} in the crawl log")
    return float(match.group(1))


def _pages(entries: list[dict[str, Any]]) -> int:
    """Answers the client took in full (the oversized attachment is dropped at its headers)."""
    return sum(1 for entry in entries if not entry["aborted"])


def run_ours(testbed: Any, seeds: Path, directory: Path, name: str) -> tuple[dict[str, float], list[dict]]:
    db = directory / f"{name}.db"
    log = directory / f"{name}.log"
    command = [sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds), "--db", str(db),
               "--log-file", str(log)]
    for setting in OURS_SETTINGS:
        command += ["-s", setting]
    mark = len(testbed.requests())
    figures = measure(command, directory / f"{name}.out", ROOT)
    entries = served_since(testbed, mark)
    text = log.read_text(encoding="utf-8", errors="replace")
    figures.update(pages=_pages(entries), crawl=_stat(text, "elapsed_time_seconds"))
    with sqlite3.connect(db) as archive:
        figures["reports"] = archive.execute(
            "SELECT count(*) FROM document_versions WHERE kind='report'").fetchone()[0]
    return figures, entries


def run_bare(testbed: Any, replay: Path, directory: Path, name: str) -> dict[str, float]:
    stats_path = directory / f"{name}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--bare", str(replay), "--stats", str(stats_path)]
    mark = len(testbed.requests())
    # cwd: a directory without scrapy.cfg or packages, so the bare process imports Scrapy only.
    figures = measure(command, directory / f"{name}.out", directory)
    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    figures.update(pages=_pages(served_since(testbed, mark)), crawl=stats["elapsed_time_seconds"])
    return figures


# --------------------------------------------------------------------------------------------
# Report


def median(rounds: list[dict[str, float]], name: str) -> float:
    return statistics.median(r[name] for r in rounds)


def table(results: dict[str, list[dict[str, float]]]) -> str:
    mib = 1024 * 1024
    lines = [f"{'':6}{'pages':>7}{'wall s':>9}{'crawl s':>9}{'cpu s':>8}{'pages/s':>9}"
             f"{'peak RSS MiB':>14}{'+helpers':>10}"]
    rate, on_wall = {}, {}
    for name, rounds in results.items():
        rate[name] = statistics.median(r["pages"] / r["crawl"] for r in rounds)
        on_wall[name] = statistics.median(r["pages"] / r["wall"] for r in rounds)
        lines.append(f"{name:6}{median(rounds, 'pages'):7.0f}{median(rounds, 'wall'):9.2f}"
                     f"{median(rounds, 'crawl'):9.2f}{median(rounds, 'cpu'):8.2f}{rate[name]:9.1f}"
                     f"{median(rounds, 'rss') / mib:14.1f}{median(rounds, 'rss_helpers') / mib:10.1f}")
    ratio = rate["ours"] / rate["bare"]
    lines.append(f"ours/bare pages/s: {ratio:.2f} (target ≥ 0.7: {'met' if ratio >= 0.7 else 'NOT met'}); "
                 f"on wall time incl. start-up: {on_wall['ours'] / on_wall['bare']:.2f}")
    return "\n".join(lines)


def bench(directory: Path, rounds: int, slow: float, latency: float = 0.0) -> None:
    from harvester.testbed.demo import write_seeds
    from harvester.testbed.server import start_testbed

    testbed = start_testbed(directory / "testbed", slow_seconds=slow, fail_first=0, latency_seconds=latency)
    results: dict[str, list[dict[str, float]]] = {"ours": [], "bare": []}
    replayed: list[tuple[int, int]] = []
    try:
        seeds = write_seeds(testbed.manifest, directory / "seeds.csv")
        # Warm-up, not measured: the test bed builds each attachment (.docx, .pdf) on its first
        # request, seconds for some, which would be charged to whichever crawl came first.
        warmup, _ = run_ours(testbed, seeds, directory, "warmup")
        for round_no in range(1, rounds + 1):
            figures, entries = run_ours(testbed, seeds, directory, f"ours-{round_no}")
            results["ours"].append(figures)
            # The bare spider replays what ours asked for in this very round (a request or two can
            # differ between crawls, e.g. a URL reached by two redirect chains).
            replay = replay_file(entries, testbed.manifest, directory / f"replay-{round_no}.json")
            requests = json.loads(replay.read_text(encoding="utf-8"))["requests"]
            replayed.append((len(requests), sum(1 for r in requests if r["method"] == "POST")))
            results["bare"].append(run_bare(testbed, replay, directory, f"bare-{round_no}"))
            print(f"round {round_no}: " + ", ".join(f"{name} {r[-1]['pages']:.0f} pages in {r[-1]['crawl']:.2f} s"
                                                    for name, r in results.items()), file=sys.stderr)
    finally:
        testbed.stop()
    counts = ", ".join(f"{n} ({posts} POST)" for n, posts in replayed)
    print(f"test bed: {len(testbed.manifest['portals'])} portals, slow page {slow} s, latency {latency} s per "
          f"answer; {rounds} round(s) after a "
          f"warm-up crawl, medians; bare replays ours' requests of the same round: {counts}")
    print(table(results))
    print(f"reports archived by ours: {warmup['reports']} (warm-up), "
          f"{', '.join(str(r['reports']) for r in results['ours'])} (rounds)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both crawls; medians are shown (default 3)")
    parser.add_argument("--keep", type=Path, help="keep the test bed files, archives, logs and replay here")
    parser.add_argument("--slow", type=float, default=0.1, help="delay of the test bed's slow page (default 0.1 s)")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.05],
                        help="seconds the test bed adds to every answer, as a real portal's round trip and "
                             "page generation do; one run of both crawls per value (default: 0 — pure "
                             "loopback, which measures CPU per page — and 0.05)")
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)  # internal: run the bare spider
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare:
        return bare(args.bare, args.stats)
    sys.path.insert(0, str(ROOT))  # ahead of bench/, whose archive.py would shadow the package
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as temporary:
        base = args.keep or Path(temporary)
        for number, latency in enumerate(args.latency):
            if number:
                print()
            directory = base / f"latency-{latency:g}"
            directory.mkdir(parents=True, exist_ok=True)
            bench(directory, args.rounds, args.slow, latency)
        if args.keep:
            print(f"files: {args.keep}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
