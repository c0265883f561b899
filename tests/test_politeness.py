"""Politeness against a real server on loopback: robots.txt is obeyed even by requests that wait
for it together, every request identifies the harvester, and a host gets one connection at a time
even with no delay."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HOST = "127.0.0.21"


class SlowRobots(BaseHTTPRequestHandler):
    log: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        SlowRobots.log.append((self.path, self.headers.get("User-Agent", "")))
        if self.path == "/robots.txt":
            time.sleep(0.8)  # every start request is waiting for it meanwhile
            body = b"User-agent: *\nDisallow: /private/\n"
            content_type = "text/plain"
        else:
            body = "<html><body><p>公开内容</p></body></html>".encode()
            content_type = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer((HOST, 0), SlowRobots)
    SlowRobots.log = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_requests_waiting_together_for_robots_txt_all_obey_it(server, tmp_path):
    seeds = tmp_path / "seeds.csv"
    rows = ["name,url"] + [f"p{n},http://{HOST}:{server}/private/{n}.html" for n in range(6)]
    rows.append(f"home,http://{HOST}:{server}/")
    seeds.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "h.db"
    done = subprocess.run([sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds), "--db", str(db),
                           "-s", "DOWNLOAD_DELAY=0", "-s", "HARVESTER_PROGRESS=off"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    paths = [path for path, _ in SlowRobots.log]
    assert paths.count("/robots.txt") == 1 and "/" in paths
    assert not [path for path in paths if path.startswith("/private/")]  # stock Scrapy 2.19 fetched 4
    import sqlite3

    with sqlite3.connect(db) as connection:
        denied = connection.execute("SELECT count(*) FROM captures WHERE outcome = 'robots_denied'").fetchone()[0]
    assert denied == 6
    assert {agent for _, agent in SlowRobots.log} == {agent for _, agent in SlowRobots.log[:1]}
    assert SlowRobots.log[0][1].startswith("nianbao-harvester/")


def test_contact_setting_reaches_the_user_agent(server, tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(f"name,url\nhome,http://{HOST}:{server}/\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds),
                           "--db", str(tmp_path / "h.db"), "-s", "DOWNLOAD_DELAY=0",
                           "-s", "HARVESTER_CONTACT=mailto:ops@example.org", "-s", "HARVESTER_PROGRESS=off"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    agents = {agent for _, agent in SlowRobots.log}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("nianbao-harvester/") and "+mailto:ops@example.org" in agent


_BURST_SPIDER = """
import sys, time
import scrapy
from scrapy.crawler import CrawlerProcess

import harvester.settings

url, downloader = sys.argv[1], sys.argv[2]

class Burst(scrapy.Spider):
    name = "burst"

    async def start(self):
        for n in range(8):  # all queued for the host's slot at once
            yield scrapy.Request(f"{url}{n}.html", callback=self.parse)

    def parse(self, response):
        return None

settings = {name: getattr(harvester.settings, name)
            for name in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "TWISTED_REACTOR")}
settings.update(DOWNLOAD_DELAY=0, ROBOTSTXT_OBEY=False, LOG_LEVEL="WARNING", DOWNLOADER=downloader)
process = CrawlerProcess(settings)
process.crawl(Burst)
process.start()
"""


class CountingHandler(BaseHTTPRequestHandler):
    """Answers after a pause and records the most requests it was handling at once."""

    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    active = 0
    most = 0

    def do_GET(self) -> None:
        cls = CountingHandler
        with cls.lock:
            cls.active += 1
            cls.most = max(cls.most, cls.active)
        time.sleep(0.05)
        with cls.lock:
            cls.active -= 1
        body = "<html><body><p>公开内容</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("downloader", "one_at_a_time"), [
    ("harvester.downloader.HostSlotDownloader", True),  # harvester.settings.DOWNLOADER
    ("scrapy.core.downloader.Downloader", False),  # stock Scrapy 2.19: the test can fail
])
def test_one_connection_per_host_even_without_delay(tmp_path, downloader, one_at_a_time):
    """CONCURRENT_REQUESTS_PER_DOMAIN = 1 holds with DOWNLOAD_DELAY = 0: eight requests queued for
    one host together are fetched one after the other."""
    import harvester.settings

    assert harvester.settings.DOWNLOADER == "harvester.downloader.HostSlotDownloader"
    httpd = ThreadingHTTPServer(("127.0.0.22", 0), CountingHandler)
    CountingHandler.active = CountingHandler.most = 0
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    script = tmp_path / "burst.py"
    script.write_text(_BURST_SPIDER, encoding="utf-8")
    try:
        url = f"http://127.0.0.22:{httpd.server_address[1]}/"
        done = subprocess.run([sys.executable, str(script), url, downloader], capture_output=True, text=True,
                              timeout=120, cwd=Path(__file__).parent.parent)
    finally:
        httpd.shutdown()
    assert done.returncode == 0, done.stderr[-2000:]
    assert (CountingHandler.most == 1) is one_at_a_time, CountingHandler.most
