"""WARC output: the writer (records, digests, revisits, rotation, CDXJ), the downloader middleware in
Scrapy's real middleware chain (redirect hops, undecoded gzip), the pipeline's metadata/conversion
records, and a crawl of the test bed read back record by record against the server's own log."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy import Request, Spider
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from archive import Capture
from archive.warc import (
    PROFILE_IDENTICAL_PAYLOAD,
    PROFILE_NOT_MODIFIED,
    RefersTo,
    WarcWriter,
    payload_digest,
    read_record,
    record_id_at,
)
from harvester import settings as project_settings
from harvester.items import FetchedItem
from harvester.result import CleanResult
from harvester.warc_middleware import WarcMiddleware, WarcPipeline, shared_writer

CRAWL_ID = "20260101T000000Z-0badcafe"
HTML = "<html><head><title>2023年政府信息公开工作年度报告</title></head><body>正文</body></html>".encode()


def records(path: Path) -> list[dict]:
    """Every record of a WARC file, digests checked by warcio (block and payload)."""
    found = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream, check_digests="raise")
        for record in iterator:
            payload = record.raw_stream.read()
            found.append({
                "type": record.rec_type,
                "version": record.rec_headers.protocol,
                "headers": dict(record.rec_headers.headers),
                "http": record.http_headers,
                "payload": payload,
                "offset": iterator.get_record_offset(),
                "length": iterator.get_record_length(),
                "file": path.name,
            })
    return found


def all_records(directory: Path) -> list[dict]:
    return [r for path in sorted(directory.glob("*.warc.gz")) for r in records(path)]


def exchange(writer: WarcWriter, url: str = "http://127.0.0.11/a.html", body: bytes = HTML, status: int = 200,
             **kwargs):
    return writer.write_exchange(
        url=url, request_headers=[(b"User-Agent", b"nianbao-harvester/0.1"), (b"Accept-Encoding", b"gzip")],
        status=status, response_headers=kwargs.pop("response_headers", [(b"Content-Type", b"text/html")]),
        body=body, **kwargs)


# -- the writer ----------------------------------------------------------------------------------


def test_request_response_pair_with_sha256_digests(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID) as writer:
        pair = exchange(writer)
    found = records(tmp_path / f"nianbao-{CRAWL_ID}-00000.warc.gz")
    assert [r["type"] for r in found] == ["warcinfo", "response", "request"]
    assert {r["version"] for r in found} == {"WARC/1.1"}
    info, response, request = found
    assert response["headers"]["WARC-Record-ID"] == pair.response.record_id
    assert request["headers"]["WARC-Concurrent-To"] == pair.response.record_id
    assert request["headers"]["WARC-Target-URI"] == response["headers"]["WARC-Target-URI"] == "http://127.0.0.11/a.html"
    # sha256, base32, of the body as received; warcio checked the block digests while reading.
    expected = "sha256:" + base64.b32encode(hashlib.sha256(HTML).digest()).decode()
    assert response["headers"]["WARC-Payload-Digest"] == expected == payload_digest(HTML)
    assert pair.response.payload_digest == expected
    assert response["headers"]["WARC-Block-Digest"].startswith("sha256:")
    assert response["payload"] == HTML and response["http"].get_statuscode() == "200"
    assert request["http"].protocol == "GET" and request["http"].get_header("Host") == "127.0.0.11"
    assert all(r["headers"]["WARC-Warcinfo-ID"] == info["headers"]["WARC-Record-ID"] for r in found[1:])
    # The returned (filename, offset, length) is where each record is, and its id derives from it.
    for written, read in ((pair.response, response), (pair.request, request)):
        assert written.location == (read["file"], read["offset"], read["length"])
        assert written.record_id == record_id_at(read["file"], read["offset"])
    assert read_record(tmp_path / pair.response.filename, pair.response.offset).payload == HTML


def test_warcinfo_describes_the_crawl(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID, info={"settings": {"DOWNLOAD_DELAY": 1.0}}) as writer:
        exchange(writer)
    info = records(writer.files[0])[0]
    assert info["type"] == "warcinfo" and info["headers"]["WARC-Filename"] == writer.files[0].name
    fields = dict(line.split(": ", 1) for line in info["payload"].decode().splitlines())
    assert fields["isPartOf"] == CRAWL_ID and fields["format"] == "WARC File Format 1.1"
    assert fields["software"].startswith("nianbao-harvester/") and "warcio" in fields["software"]
    assert json.loads(fields["settings"]) == {"DOWNLOAD_DELAY": 1.0}


def test_headers_stored_byte_for_byte(tmp_path):
    # A GBK file name in Content-Disposition: warcio alone would %-encode it.
    disposition = "attachment; filename=2023年报.pdf".encode("gbk")
    with WarcWriter(tmp_path, CRAWL_ID) as writer:
        pair = exchange(writer, response_headers=[(b"Content-Disposition", disposition),
                                                  (b"Transfer-Encoding", b"chunked")])
    member = (tmp_path / pair.response.filename).read_bytes()[pair.response.offset:][:pair.response.length]
    raw = gzip.decompress(member)
    assert b"Content-Disposition: " + disposition + b"\r\n" in raw
    # The body is stored de-chunked, so the header that said otherwise is renamed.
    assert b"\r\nTransfer-Encoding" not in raw and b"X-Archive-Orig-Transfer-Encoding: chunked" in raw


def test_rotation_one_warcinfo_per_file_pairs_never_split(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID, max_bytes=3000) as writer:
        # Random bodies: they do not shrink in the per-record gzip.
        pairs = [exchange(writer, url=f"http://127.0.0.11/{n}.html", body=random.Random(n).randbytes(1500))
                 for n in range(6)]
    assert [p.name for p in writer.files] == [f"nianbao-{CRAWL_ID}-{n:05d}.warc.gz" for n in range(len(writer.files))]
    assert len(writer.files) >= 3
    for path in writer.files:
        found = records(path)
        assert [r["type"] for r in found].count("warcinfo") == 1 and found[0]["type"] == "warcinfo"
        assert found[0]["headers"]["WARC-Filename"] == path.name
        ids = {r["headers"]["WARC-Record-ID"] for r in found}
        assert all(r["headers"]["WARC-Concurrent-To"] in ids for r in found if r["type"] == "request")
    for pair in pairs:
        assert pair.response.filename == pair.request.filename
    # A file is only rotated after passing the limit: each one except the last is past it.
    assert all(path.stat().st_size >= 3000 for path in writer.files[:-1])


def test_existing_file_never_overwritten(tmp_path):
    (tmp_path / f"nianbao-{CRAWL_ID}-00000.warc.gz").write_bytes(b"evidence")
    with WarcWriter(tmp_path, CRAWL_ID) as writer:
        pair = exchange(writer)
    assert (tmp_path / f"nianbao-{CRAWL_ID}-00000.warc.gz").read_bytes() == b"evidence"
    assert pair.response.filename == f"nianbao-{CRAWL_ID}-00001.warc.gz"


def test_resumed_crawl_continues_the_files_and_indexes_them_all(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID) as killed:
        before = exchange(killed, url="http://www.example.gov.cn/1.html")
    with WarcWriter(tmp_path, CRAWL_ID) as resumed:  # same crawl id, a new process
        after = exchange(resumed, url="http://www.example.gov.cn/2.html", body=b"other")
    assert (before.response.filename, after.response.filename) == (
        f"nianbao-{CRAWL_ID}-00000.warc.gz", f"nianbao-{CRAWL_ID}-00001.warc.gz")
    located = {json.loads(line.split(" ", 2)[2])["filename"] for line in resumed.cdxj_path.read_text().splitlines()}
    assert located == {before.response.filename, after.response.filename}


def test_identical_payload_becomes_a_revisit(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID) as writer:
        first = exchange(writer, url="http://127.0.0.11/a.html")
        again = exchange(writer, url="http://127.0.0.11/mirror/a.html")
        empty_1 = exchange(writer, url="http://127.0.0.11/r1", body=b"", status=302)
        empty_2 = exchange(writer, url="http://127.0.0.11/r2", body=b"", status=302)
        cut = exchange(writer, url="http://127.0.0.11/cut.html", truncated="disconnect")
    assert first.response.record_type == "response"
    assert again.response.record_type == "revisit" and again.response.profile == PROFILE_IDENTICAL_PAYLOAD
    # Empty bodies (redirects) and incomplete ones are stored whole, never as revisits.
    assert empty_1.response.record_type == empty_2.response.record_type == "response"
    assert cut.response.record_type == "response"
    found = {r["headers"]["WARC-Record-ID"]: r for r in all_records(tmp_path)}
    revisit = found[again.response.record_id]
    assert revisit["headers"]["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert revisit["headers"]["WARC-Refers-To"] == first.response.record_id
    assert revisit["headers"]["WARC-Refers-To-Target-URI"] == "http://127.0.0.11/a.html"
    assert revisit["headers"]["WARC-Refers-To-Date"] == found[first.response.record_id]["headers"]["WARC-Date"]
    assert revisit["headers"]["WARC-Payload-Digest"] == payload_digest(HTML)
    assert revisit["payload"] == b"" and revisit["http"].get_statuscode() == "200"  # headers only
    assert found[cut.response.record_id]["headers"]["WARC-Truncated"] == "disconnect"


def test_not_modified_becomes_a_server_not_modified_revisit(tmp_path):
    earlier = RefersTo(uri="http://127.0.0.11/a.html", date="2025-01-02T03:04:05.000000Z",
                       record_id="<urn:uuid:00000000-0000-0000-0000-000000000001>")
    with WarcWriter(tmp_path, CRAWL_ID) as writer:
        known = exchange(writer, body=b"", status=304, response_headers=[(b"ETag", b'"abc"')], refers_to=earlier)
        unknown = exchange(writer, url="http://127.0.0.11/b.html", body=b"", status=304)
    found = {r["headers"]["WARC-Record-ID"]: r for r in all_records(tmp_path)}
    record = found[known.response.record_id]
    assert record["type"] == "revisit" and record["headers"]["WARC-Profile"] == PROFILE_NOT_MODIFIED
    assert PROFILE_NOT_MODIFIED == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert record["headers"]["WARC-Refers-To"] == earlier.record_id
    assert record["headers"]["WARC-Refers-To-Target-URI"] == earlier.uri
    assert record["headers"]["WARC-Refers-To-Date"] == earlier.date
    assert record["http"].get_statuscode() == "304" and record["http"].get_header("ETag") == '"abc"'
    assert "WARC-Refers-To" not in found[unknown.response.record_id]["headers"]


def test_metadata_and_conversion_records(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID) as writer:
        pair = exchange(writer)
        meta = writer.write_metadata(pair.response.record_id, "http://127.0.0.11/a.html",
                                     [("via", "http://127.0.0.11/list.html"), ("hopsFromSeed", "LLD"),
                                      ("redirect", "301 http://127.0.0.11/old.htm"), ("redirect", "302 x"),
                                      ("empty", None)])
        conversion = writer.write_conversion(pair.response.record_id, "http://127.0.0.11/a.html", "年报\n正文")
    found = {r["headers"]["WARC-Record-ID"]: r for r in all_records(tmp_path)}
    metadata = found[meta.record_id]
    assert metadata["type"] == "metadata" and metadata["headers"]["Content-Type"] == "application/warc-fields"
    assert metadata["headers"]["WARC-Concurrent-To"] == pair.response.record_id
    assert metadata["payload"].decode().splitlines() == [
        "via: http://127.0.0.11/list.html", "hopsFromSeed: LLD", "redirect: 301 http://127.0.0.11/old.htm",
        "redirect: 302 x"]
    converted = found[conversion.record_id]
    assert converted["type"] == "conversion" and converted["headers"]["Content-Type"] == "text/plain; charset=utf-8"
    assert converted["headers"]["WARC-Refers-To"] == pair.response.record_id
    assert converted["headers"]["WARC-Target-URI"] == "http://127.0.0.11/a.html"
    assert converted["payload"].decode("utf-8") == "年报\n正文"
    assert converted["headers"]["WARC-Payload-Digest"] == payload_digest("年报\n正文".encode())


def test_cdxj_index(tmp_path):
    with WarcWriter(tmp_path, CRAWL_ID, max_bytes=2000) as writer:
        pairs = [exchange(writer, url=f"http://www.example.gov.cn/{name}")
                 for name in ("b.html", "a.html?x=1", "c.html")]
        post = writer.write_exchange(url="http://www.example.gov.cn/list.jsp", method="POST",
                                     request_headers=[(b"Content-Type", b"application/x-www-form-urlencoded")],
                                     request_body=b"page=2", status=200, body=b"<html>2</html>")
    index = writer.cdxj_path
    assert index == tmp_path / f"nianbao-{CRAWL_ID}.cdxj"
    lines = index.read_text().splitlines()
    assert lines == sorted(lines) and len(lines) == 4  # responses and revisits only
    entries = {}
    for line in lines:
        key, timestamp, data = line.split(" ", 2)
        assert len(timestamp) == 14 and timestamp.isdigit()
        entry = json.loads(data)
        entries[entry["url"]] = (key, entry)
    key, entry = entries["http://www.example.gov.cn/a.html?x=1"]
    assert key == "cn,gov,example)/a.html?x=1"  # SURT
    first = pairs[0].response
    assert entries["http://www.example.gov.cn/b.html"][1] == {
        "url": "http://www.example.gov.cn/b.html", "mime": "text/html", "status": "200", "digest": payload_digest(HTML),
        "length": str(first.length), "offset": str(first.offset), "filename": first.filename}
    assert entry["mime"] == "warc/revisit"  # same body as b.html
    key, entry = entries["http://www.example.gov.cn/list.jsp"]
    assert key.endswith("__wb_method=post&page=2") and entry["method"] == "POST"
    assert (entry["filename"], int(entry["offset"])) == (post.response.filename, post.response.offset)


# -- the middleware in Scrapy's chain ------------------------------------------------------------


class _Spider(Spider):
    name = "warc-test"
    crawl_id = CRAWL_ID


def _crawler(tmp_path: Path, **extra):
    settings = {
        "DOWNLOADER_MIDDLEWARES": project_settings.DOWNLOADER_MIDDLEWARES,
        "ITEM_PIPELINES": project_settings.ITEM_PIPELINES,
        "HARVESTER_DB": str(tmp_path / "harvest.db"),
        "ROBOTSTXT_OBEY": False,
        "METAREFRESH_ENABLED": False,
        **extra,
    }
    crawler = get_crawler(_Spider, settings)
    crawler.spider = _Spider.from_crawler(crawler)
    return crawler


def test_project_settings_place_the_middleware_above_redirect_and_compression():
    mws = project_settings.DOWNLOADER_MIDDLEWARES
    redirect = mws["harvester.middlewares.LoopAwareRedirectMiddleware"]
    assert mws["harvester.warc_middleware.WarcMiddleware"] > max(590, redirect)  # HttpCompression: 590
    pipelines = project_settings.ITEM_PIPELINES
    assert (pipelines["harvester.pipelines.CleanPipeline"] < pipelines["harvester.warc_middleware.WarcPipeline"]
            < pipelines["harvester.pipelines.ArchivePipeline"])


def test_middleware_records_each_hop_and_the_undecoded_body(tmp_path):
    crawler = _crawler(tmp_path)
    manager = DownloaderMiddlewareManager.from_crawler(crawler)
    names = [type(m).__name__ for m in manager.middlewares]
    assert names.index("HttpCompressionMiddleware") < names.index("LoopAwareRedirectMiddleware") < names.index(
        "WarcMiddleware")
    compressed = gzip.compress(HTML)
    served = []

    async def download(request: Request) -> Response:
        served.append(request.url)
        if request.url.endswith("/old.htm"):
            return Response(request.url, status=301, headers={"Location": "/new.html"}, request=request)
        return Response(request.url, status=200, body=compressed, request=request,
                        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})

    async def fetch() -> Response:
        request: Request | Response = Request("http://127.0.0.11/old.htm",
                                              headers={"Proxy-Authorization": "Basic c2VjcmV0"})
        while isinstance(request, Request):  # as the engine does: a redirect comes back as a request
            request = await manager.download_async(download, request)
        return request

    response = asyncio.run(fetch())
    asyncio.run(shared_writer(crawler).spider_closed())
    assert served == ["http://127.0.0.11/old.htm", "http://127.0.0.11/new.html"]
    assert response.body == HTML  # HttpCompression decoded it for the spider, after the WARC saw it
    found = [r for r in all_records(tmp_path / "warc") if r["type"] == "response"]
    assert [(r["headers"]["WARC-Target-URI"], r["http"].get_statuscode()) for r in found] == [
        ("http://127.0.0.11/old.htm", "301"), ("http://127.0.0.11/new.html", "200")]
    final = found[1]
    assert final["payload"] == compressed and final["http"].get_header("Content-Encoding") == "gzip"
    assert final["headers"]["WARC-Payload-Digest"] == payload_digest(compressed)
    request = next(r for r in all_records(tmp_path / "warc") if r["type"] == "request"
                   and r["headers"]["WARC-Concurrent-To"] == final["headers"]["WARC-Record-ID"])
    assert b"gzip" in request["http"].get_header("Accept-Encoding").encode()  # headers as sent
    assert request["http"].get_header("Proxy-Authorization") is None  # but never proxy credentials
    pointer = response.meta["warc"]
    assert (pointer["file"], pointer["offset"], pointer["length"]) == (final["file"], final["offset"], final["length"])
    assert [hop["url"] for hop in response.meta["warc_hops"]] == ["http://127.0.0.11/old.htm",
                                                                  "http://127.0.0.11/new.html"]
    assert (tmp_path / "warc" / f"nianbao-{CRAWL_ID}.cdxj").exists()


def test_pointer_of_a_previous_hop_is_cleared_before_the_next_download(tmp_path):
    middleware = WarcMiddleware.from_crawler(_crawler(tmp_path))
    request = Request("http://127.0.0.11/new.html", meta={"warc": {"file": "x", "offset": 0, "length": 1}})
    middleware.process_request(request)
    assert "warc" not in request.meta


def test_warc_off(tmp_path):
    crawler = _crawler(tmp_path, HARVESTER_WARC="off")
    with pytest.raises(NotConfigured):
        WarcMiddleware.from_crawler(crawler)
    with pytest.raises(NotConfigured):
        WarcPipeline.from_crawler(crawler)


def test_pipeline_writes_metadata_and_conversion(tmp_path):
    crawler = _crawler(tmp_path, HARVESTER_WARC_DIR=str(tmp_path / "w"))
    writer = shared_writer(crawler).writer
    pair = exchange(writer)
    capture = Capture(crawl_id=CRAWL_ID, url="http://127.0.0.11/a.html", outcome="ok", status=200,
                      referrer="http://127.0.0.11/list.html", hop_path="LLD", seed="http://127.0.0.11/",
                      redirects=[("http://127.0.0.11/old.htm", 301)], body=HTML,
                      warc_file=pair.response.filename, warc_offset=pair.response.offset,
                      warc_length=pair.response.length)
    result = CleanResult(url=capture.url, source_type="html", kind="report", reason="", text="2023年报\n正文")
    failed = Capture(crawl_id=CRAWL_ID, url="http://127.0.0.11/gone.html", outcome="error", reason="timeout")
    pipeline = WarcPipeline.from_crawler(crawler)

    async def run() -> None:
        await pipeline.process_item(FetchedItem(capture, result=result))
        await pipeline.process_item(FetchedItem(failed))  # no response record: nothing to write
        await shared_writer(crawler).spider_closed()

    asyncio.run(run())
    found = all_records(tmp_path / "w")
    assert [r["type"] for r in found] == ["warcinfo", "response", "request", "metadata", "conversion"]
    metadata, conversion = found[3:]
    assert metadata["headers"]["WARC-Concurrent-To"] == pair.response.record_id
    fields = [line.split(": ", 1) for line in metadata["payload"].decode().splitlines()]
    assert ["isPartOf", CRAWL_ID] in fields and ["via", "http://127.0.0.11/list.html"] in fields
    assert ["hopsFromSeed", "LLD"] in fields and ["seed", "http://127.0.0.11/"] in fields
    assert ["redirect", "301 http://127.0.0.11/old.htm"] in fields
    assert conversion["headers"]["WARC-Refers-To"] == pair.response.record_id
    assert conversion["payload"].decode() == "2023年报\n正文"


# -- crawls of the test bed --------------------------------------------------------------------------

CRAWL_TIMEOUT = 300


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """Two crawls of the test bed into one archive: the second gets 304s for what the first stored."""
    from harvester.testbed.demo import write_seeds
    from harvester.testbed.server import start_testbed

    directory = tmp_path_factory.mktemp("warc-crawl")
    testbed = start_testbed(directory / "testbed")
    db = directory / "harvest.db"
    runs = []
    try:
        seeds = write_seeds(testbed.manifest, directory / "seeds.csv")
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-m", "harvester", "crawl", "--seeds", str(seeds), "--db", str(db),
                 "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "HARVESTER_PROGRESS=off",
                 "-s", "HARVESTER_WARC_MAX_BYTES=200000"],
                capture_output=True, text=True, timeout=CRAWL_TIMEOUT,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            runs.append(done)
        requests = testbed.requests()
    finally:
        testbed.stop()
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    crawl_ids = [row[0] for row in connection.execute("SELECT crawl_id FROM crawl_runs ORDER BY started_at")]
    assert len(crawl_ids) == 2
    warc_dir = directory / "warc"  # the default: beside the archive
    yield {"manifest": testbed.manifest, "db": connection, "requests": requests, "warc": warc_dir,
           "crawl_ids": crawl_ids, "records": all_records(warc_dir)}
    connection.close()


def _key(url: str) -> tuple[str, str]:
    split = urlsplit(url)
    return split.hostname or "", split.path + (f"?{split.query}" if split.query else "")


def _of_crawl(crawl, index: int) -> list[dict]:
    return [r for r in crawl["records"] if r["file"].startswith(f"nianbao-{crawl['crawl_ids'][index]}-")]


def test_crawl_every_exchange_in_the_warc(crawl):
    """Each request the server answered is a response (or revisit) record of the same URL and status,
    its payload as long as what the server sent; only downloads the crawler cut off are missing."""
    answered = [r for r in crawl["requests"] if not r["path"].startswith("/__testbed__/")]
    assert answered
    recorded = Counter()
    payload_sizes: dict[tuple, list[int]] = {}
    for record in crawl["records"]:
        if record["type"] in ("response", "revisit"):
            host, path = _key(record["headers"]["WARC-Target-URI"])
            key = (record["http"].get_statuscode(), host, path)
            recorded[key] += 1
            if record["type"] == "response":
                payload_sizes.setdefault(key, []).append(len(record["payload"]))
    served = Counter((str(r["status"]), r["host"], r["path"]) for r in answered if not r["aborted"])
    assert not served - recorded, served - recorded
    assert not recorded - Counter((str(r["status"]), r["host"], r["path"]) for r in answered)
    for r in answered:
        key = (str(r["status"]), r["host"], r["path"])
        if not r["aborted"] and r["method"] != "HEAD" and key in payload_sizes:
            assert r["bytes"] in payload_sizes[key], (key, r["bytes"], payload_sizes[key])
    assert any(r["path"] == "/robots.txt" for r in answered)  # robots.txt is recorded too
    # The test bed never compresses: stored payloads are the bodies the spider saw.
    assert not any(r["http"].get_header("Content-Encoding") for r in crawl["records"] if r["type"] == "response")


def test_crawl_captures_point_to_their_records(crawl):
    from archive.store import decompress

    warc_dir = crawl["warc"]
    rows = crawl["db"].execute("SELECT * FROM captures").fetchall()
    with_response = [row for row in rows if row["status"] is not None]
    assert with_response
    for row in with_response:
        assert row["warc_file"] and row["warc_offset"] is not None, dict(row)
        assert row["warc_file"].startswith(f"nianbao-{row['crawl_id']}-")
        member = (warc_dir / row["warc_file"]).read_bytes()[row["warc_offset"]:][:row["warc_length"]]
        assert zlib.decompressobj(wbits=31).decompress(member).startswith(b"WARC/1.1\r\n")  # a whole gzip member
        stored = read_record(warc_dir / row["warc_file"], row["warc_offset"])
        assert stored.record_type in ("response", "revisit")
        assert stored.headers["WARC-Target-URI"] == row["final_url"]
        assert stored.headers["WARC-Date"] == row["fetched_at"]
        assert stored.http_status == row["status"]
        if row["body_sha256"] is not None and row["status"] != 304:
            body = crawl["db"].execute("SELECT data, compression FROM bodies WHERE sha256 = ?",
                                       [row["body_sha256"]]).fetchone()
            digest = payload_digest(decompress(body["compression"], body["data"]))
            assert stored.headers["WARC-Payload-Digest"] == digest, row["url"]
            if stored.record_type == "response":
                assert payload_digest(stored.payload) == digest
    assert not [dict(row) for row in rows if row["outcome"] == "robots_denied" and row["warc_file"]]


def test_crawl_redirect_hops_recorded_individually(crawl):
    chains = [s["chain"] for s in crawl["manifest"]["specials"] if s["kind"] == "redirect_chain"]
    assert chains
    statuses: dict[str, list[str]] = {}
    for record in _of_crawl(crawl, 0):
        if record["type"] in ("response", "revisit"):
            statuses.setdefault(record["headers"]["WARC-Target-URI"], []).append(record["http"].get_statuscode())
    for chain in chains:
        # (The final page may be revalidated later in the crawl: its first record is the hop.)
        assert [statuses.get(url, ["missing"])[0] for url in chain] == ["301", "302", "200"], chain
        # The capture points to the final hop, and its metadata record lists the hops before it.
        row = crawl["db"].execute("SELECT * FROM captures WHERE crawl_id = ? AND url = ? AND final_url = ?",
                                  [crawl["crawl_ids"][0], chain[0], chain[-1]]).fetchone()
        assert read_record(crawl["warc"] / row["warc_file"], row["warc_offset"]).http_status == 200
        metadata = next(r for r in crawl["records"] if r["type"] == "metadata" and
                        r["headers"]["WARC-Concurrent-To"] == record_id_at(row["warc_file"], row["warc_offset"]))
        assert [line for line in metadata["payload"].decode().splitlines() if line.startswith("redirect: ")] == [
            f"redirect: 301 {chain[0]}", f"redirect: 302 {chain[1]}"]


def test_crawl_not_modified_revisits_refer_to_the_earlier_capture(crawl):
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in crawl["records"]}
    rows = crawl["db"].execute("SELECT * FROM captures WHERE crawl_id = ? AND status = 304",
                               [crawl["crawl_ids"][1]]).fetchall()
    assert rows  # the second crawl revalidates what the first stored
    for row in rows:
        revisit = read_record(crawl["warc"] / row["warc_file"], row["warc_offset"])
        assert revisit.record_type == "revisit" and revisit.headers["WARC-Profile"] == PROFILE_NOT_MODIFIED
        earlier = by_id[revisit.headers["WARC-Refers-To"]]  # the record of the capture revalidated
        assert earlier["file"].startswith(f"nianbao-{crawl['crawl_ids'][0]}-")
        if earlier["type"] == "revisit":  # that capture's body was stored once already in its crawl
            assert earlier["headers"]["WARC-Profile"] == PROFILE_IDENTICAL_PAYLOAD
            assert by_id[earlier["headers"]["WARC-Refers-To"]]["type"] == "response"
        else:
            assert earlier["type"] == "response"
        assert revisit.headers["WARC-Refers-To-Target-URI"] == earlier["headers"]["WARC-Target-URI"] == row["url"]
        assert revisit.headers["WARC-Refers-To-Date"] == earlier["headers"]["WARC-Date"]


def test_crawl_metadata_conversion_and_index(crawl):
    db = crawl["db"]
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in crawl["records"]}
    responses = {i for i, r in by_id.items() if r["type"] in ("response", "revisit")}
    metadata = [r for r in crawl["records"] if r["type"] == "metadata"]
    conversions = [r for r in crawl["records"] if r["type"] == "conversion"]
    assert metadata and conversions
    assert all(r["headers"]["WARC-Concurrent-To"] in responses for r in metadata)
    assert all(r["headers"]["WARC-Refers-To"] in responses for r in conversions)
    described = {r["headers"]["WARC-Concurrent-To"]: r["payload"].decode().splitlines() for r in metadata}
    for row in db.execute("SELECT * FROM captures WHERE warc_file IS NOT NULL"):
        fields = described[record_id_at(row["warc_file"], row["warc_offset"])]
        assert f"isPartOf: {row['crawl_id']}" in fields and f"seed: {row['seed']}" in fields
        assert (f"via: {row['referrer']}" in fields) == bool(row["referrer"])
        assert (f"hopsFromSeed: {row['hop_path']}" in fields) == bool(row["hop_path"])
    # Every archived version's clean text is a conversion of its capture's response record.
    converted = {r["headers"]["WARC-Refers-To"]: r["payload"].decode() for r in conversions}
    versions = db.execute("SELECT v.text, c.warc_file, c.warc_offset FROM document_versions v "
                          "JOIN captures c USING (capture_id)").fetchall()
    assert versions
    for version in versions:
        assert converted[record_id_at(version["warc_file"], version["warc_offset"])] == version["text"]
    # One CDXJ index per crawl lists every response and revisit record of its files, where it is.
    for number, crawl_id in enumerate(crawl["crawl_ids"]):
        index = crawl["warc"] / f"nianbao-{crawl_id}.cdxj"
        located = set()
        for line in index.read_text().splitlines():
            entry = json.loads(line.split(" ", 2)[2])
            located.add((entry["filename"], int(entry["offset"]), int(entry["length"])))
        expected = {(r["file"], r["offset"], r["length"]) for r in _of_crawl(crawl, number)
                    if r["type"] in ("response", "revisit")}
        assert located == expected
    files = sorted(crawl["warc"].glob(f"nianbao-{crawl['crawl_ids'][0]}-*.warc.gz"))
    assert len(files) > 1  # HARVESTER_WARC_MAX_BYTES rotated them
