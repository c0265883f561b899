"""The test-bed portal network, checked over real HTTP on loopback with the standard library only
(no Scrapy): each hostile behaviour a crawler must meet is there, the manifest is complete and
every report it lists is reachable."""

from __future__ import annotations

import argparse
import http.client
import io
import json
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harvester.testbed.portals import Options, Request, build_network
from harvester.testbed.server import Testbed, TestbedServer, serve, start_testbed

SLOW = 0.5
FAIL_FIRST = 2


# --------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Testbed]:
    """The test bed in a child process, as crawl tests run it."""
    testbed = start_testbed(tmp_path_factory.mktemp("testbed"), slow_seconds=SLOW, fail_first=FAIL_FIRST)
    try:
        yield testbed
    finally:
        testbed.stop()


@pytest.fixture()
def local(tmp_path: Path) -> Iterator[TestbedServer]:
    """A fresh in-process test bed (state: 503 counters, generation)."""
    server = serve(portals=["trs", "hanweb", "jiyue"], options=Options(slow_seconds=0.1, fail_first=FAIL_FIRST,
                                                                         big_bytes=1000),
                   log_path=tmp_path / "log.jsonl", manifest_path=tmp_path / "manifest.json")
    try:
        yield server
    finally:
        server.stop()


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None,
          body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request, no redirect following: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def get(url: str, **kwargs: Any) -> bytes:
    status, _, body = fetch(url, **kwargs)
    assert status == 200, (url, status)
    return body


def special(manifest: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [s for s in manifest["specials"] if s["kind"] == kind]
    assert found, kind
    return found[0]


def column(manifest: dict[str, Any], portal: str) -> dict[str, Any]:
    return next(p for p in manifest["portals"] if p["key"] == portal)["columns"][0]


HREF = re.compile(r"""href=["']([^"']+)["']""")


def links(body: str, base: str) -> list[str]:
    return [urllib.parse.urljoin(base, h) for h in HREF.findall(body) if not h.startswith("javascript")]


# --------------------------------------------------------------------------------------------
# Manifest


def test_manifest_lists_every_report_once_and_each_is_reachable(bed: Testbed) -> None:
    manifest = bed.manifest
    reports = manifest["reports"]
    assert len(reports) >= 40
    assert len({r["url"] for r in reports}) == len(reports)
    assert len({r["id"] for r in reports}) == len(reports)
    assert {r["source_type"] for r in reports} == {"html", "pdf", "docx", "image"}
    assert {r["portal"] for r in reports} == {"trs", "hanweb", "jiyue", "county"}
    transient = special(manifest, "transient_503")["url"]
    for report in reports:
        assert report["kind"] == "report" and report["expected_text"].startswith(report["title"])
        assert report["year"] and str(report["year"]) in report["title"]
        assert report["host"] in manifest["hosts"] and report["url"].startswith(f"http://{report['host']}:")
        for url in dict.fromkeys([*report["pages"], report["url"]]):
            if url == transient:
                continue  # checked by test_transient_503_then_200 on its own server
            status, headers, body = fetch(url)
            assert status == 200, url
            assert int(headers["content-length"]) == len(body) > 0
    # Every special page says what a crawler must do.
    assert {s["kind"] for s in manifest["specials"]} >= {
        "not_report", "attachment_page", "blocked", "transient_503", "slow", "redirect_chain", "redirect_loop",
        "trap", "robots_disallowed", "offscope_spam", "gone", "oversized", "image_only"}
    assert all(s["expect"] for s in manifest["specials"])


def test_hosts_scope_and_subsites(bed: Testbed) -> None:
    manifest = bed.manifest
    hosts = manifest["hosts"]
    assert list(hosts) == ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15", "127.0.0.19"]
    trs = bed.portal("trs")
    assert trs["seed_url"] == bed.url("127.0.0.11", "/")
    assert trs["subsite_addresses"] == ["127.0.0.12"] and "127.0.0.19" in trs["offscope_addresses"]
    assert hosts["127.0.0.12"]["hostname"].endswith(".xinhua.gov.cn")
    assert hosts["127.0.0.19"]["role"] == "spam_mirror"
    # Department reports on the subsite are reached from the portal's 部门 list.
    dept_list = get(bed.url("127.0.0.11", "/zfxxgk/bmxxgk/index.html")).decode("gbk")
    assert bed.url("127.0.0.12", "/") in dept_list
    assert any(r["host"] == "127.0.0.12" for r in manifest["reports"])
    # The spam mirror is linked from the portal, serves copies with injected titles, belongs to no scope.
    spam_pages = [s for s in manifest["specials"] if s["kind"] == "offscope_spam"]
    assert any(s["url"] in get(column(manifest, "trs")["url"]).decode("gbk") for s in spam_pages)
    copy = get(spam_pages[0]["url"]).decode("utf-8")
    assert spam_pages[0]["title"] in copy and spam_pages[0]["copy_of"] in spam_pages[0]["title"]
    assert all("127.0.0.19" not in p["scope_addresses"] for p in manifest["portals"])


def test_home_pages_lead_to_the_report_column(bed: Testbed) -> None:
    """From each portal's home page, nav links reach the 年报 column within four clicks."""
    for portal in bed.manifest["portals"]:
        target = portal["columns"][0]["url"]
        frontier, seen = [portal["seed_url"]], set()
        for _depth in range(4):
            following = []
            for url in frontier:
                if url in seen or not url.startswith(f"http://{portal['address']}:"):
                    continue
                seen.add(url)
                status, headers, body = fetch(url)
                if status == 200 and "html" in headers.get("content-type", ""):
                    text = body.decode("gbk" if "gb2312" in headers["content-type"] else "utf-8")
                    following += [u for u in links(text, url) if "/art/" not in u and "/content/" not in u]
            if target in following:
                break
            frontier = following
        else:
            pytest.fail(f"{portal['key']}: column {target} not reached from {portal['seed_url']}")


def test_column_name_meta_on_list_and_detail_pages(bed: Testbed) -> None:
    for portal in bed.manifest["portals"]:
        col = portal["columns"][0]
        body = get(col["url"])
        meta = f'<meta name="ColumnName" content="{col["name"]}">'
        assert meta.encode("gbk" if portal["key"] == "trs" else "utf-8") in body
    report = next(r for r in bed.manifest["reports"] if r["portal"] == "jiyue" and r["source_type"] == "html")
    assert b'<meta name="ColumnName" content="' in get(report["url"])


# --------------------------------------------------------------------------------------------
# List pagination


def test_trs_gbk_and_js_only_pagination(bed: Testbed) -> None:
    col = column(bed.manifest, "trs")
    pages = col["list_pages"]
    assert len(pages) >= 3 and pages[1].endswith("/index_1.html")
    status, headers, first = fetch(pages[0])
    assert "gb2312" in headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        first.decode("utf-8")
    text = first.decode("gbk")
    assert f'createPageHTML({len(pages)}, 0, "index", "html")' in text
    assert not re.search(r"""href=["']?[^"'>]*index_\d""", text)  # no static link to later pages
    listed: set[str] = set()
    for url in pages:
        page = get(url).decode("gbk")
        listed |= {u for u in links(page, url) if re.search(r"/t\d{8}_\d+\.s?html?$", u)}
    trs_reports = [r for r in bed.manifest["reports"] if r["portal"] == "trs" and r["host"] == "127.0.0.11"
                   and "/zfxxgk/zfxxgknb/" in r["page_url"]]
    chain = special(bed.manifest, "redirect_chain")
    for report in trs_reports:
        assert report["page_url"] in listed or (report["url"] == chain["final_url"] and chain["url"] in listed)


def test_trs_article_pagination(bed: Testbed) -> None:
    report = next(r for r in bed.manifest["reports"] if len(r["pages"]) > 1)
    first = get(report["pages"][0]).decode("gbk")
    stem = report["pages"][0].rsplit("/", 1)[1].removesuffix(".html")
    assert report["pages"][1].endswith(f"{stem}_1.html") and report["pages"][2].endswith(f"{stem}_2.html")
    assert f'createPageHTML({len(report["pages"])}, 0, "{stem}", "html")' in first
    assert f"{stem}_1.html" not in first  # reached only through the JS pager
    for url in report["pages"][1:]:
        assert report["title"] in get(url).decode("gbk")


def test_hanweb_datastore_and_dataproxy(bed: Testbed) -> None:
    col = column(bed.manifest, "hanweb")
    proxy = col["dataproxy"]
    page = get(col["url"]).decode("utf-8")
    store = re.search(r'<script type="text/xml">(.*?)</script>', page, re.S)
    assert store and "<nextgroup>" in store.group(1)
    in_page = re.findall(r'<record><!\[CDATA\[<li><a href="([^"]+)"', store.group(1))
    assert len(in_page) == proxy["in_page"] == 15
    assert re.search(r"table width=\"1000\"", page)  # nested layout tables
    query = urllib.parse.urlencode({"startrecord": 16, "endrecord": 30, "perpage": 5})
    status, headers, xml = fetch(f"{proxy['url']}?{query}", "POST", body=urllib.parse.urlencode(proxy["form"]).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "xml" in headers["content-type"]
    more = re.findall(r'<record><!\[CDATA\[<li><a href="([^"]+)"', xml.decode("utf-8"))
    assert len(more) == proxy["total"] - 15 > 0
    assert f"<totalrecord>{proxy['total']}</totalrecord>" in xml.decode()
    assert not set(more) & set(in_page)
    for path in more:
        assert fetch(bed.url("127.0.0.13", path), "HEAD")[0] in (200, 503)
    # Without the column's form fields the proxy answers nothing.
    _, _, empty = fetch(f"{proxy['url']}?{query}", "POST", body=b"",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert b"<record>" not in empty


def test_jiyue_json_api_and_page_parameter(bed: Testbed) -> None:
    col = column(bed.manifest, "jiyue")
    api = col["api"]
    first = get(col["url"]).decode("utf-8")
    static = {u for u in links(first, col["url"]) if "/content/post_" in u}
    found = set(static)
    for n in range(2, api["pages"] + 1):
        data = json.loads(get(f"{api['url']}?columnId={api['params']['columnId']}&page={n}"))
        assert data["total"] == api["total"] and data["data"]
        assert {"title", "url", "date"} <= set(data["data"][0])
        found |= {bed.url("127.0.0.14", row["url"]) for row in data["data"]}
        # The same rows as server-rendered ?page=N (not linked statically).
        assert data["data"][0]["url"] in get(f"{col['url']}?page={n}").decode("utf-8")
        assert f"page={n}" not in first
    assert len(found) == api["total"] > len(static)
    assert json.loads(get(f"{api['url']}?columnId=1&page=2"))["data"] == []


def test_county_static_pager(bed: Testbed) -> None:
    col = column(bed.manifest, "county")
    assert len(col["list_pages"]) == 2
    assert 'href="index_2.shtml"' in get(col["list_pages"][0]).decode("utf-8")


# --------------------------------------------------------------------------------------------
# Hostile conditions


def test_waf_challenge_412(bed: Testbed) -> None:
    status, headers, body = fetch(special(bed.manifest, "blocked")["url"])
    assert status == 412
    assert b"$_ts" in body and b'r="m"' in body
    assert "set-cookie" in headers


def test_transient_503_then_200(local: TestbedServer) -> None:
    url = special(local.manifest, "transient_503")["url"]
    statuses = [fetch(url)[0] for _ in range(FAIL_FIRST + 2)]
    assert statuses == [503] * FAIL_FIRST + [200, 200]


def test_slow_page_does_not_block_others(bed: Testbed) -> None:
    page = special(bed.manifest, "slow")
    started = time.monotonic()
    slow = threading.Thread(target=get, args=(page["url"],))
    slow.start()
    time.sleep(0.05)
    get(column(bed.manifest, "trs")["url"])  # same host, concurrent connection
    assert time.monotonic() - started < SLOW * 0.9
    slow.join()
    assert time.monotonic() - started >= SLOW * 0.9


def test_redirect_chain_and_loop(bed: Testbed) -> None:
    chain = special(bed.manifest, "redirect_chain")
    url, statuses = chain["url"], []
    for _ in range(5):
        status, headers, _ = fetch(url)
        statuses.append(status)
        if status == 200:
            break
        url = urllib.parse.urljoin(url, headers["location"])
    assert statuses == [301, 302, 200] and url == chain["final_url"] == chain["chain"][-1]
    loop = special(bed.manifest, "redirect_loop")
    a, b = loop["loop"]
    status, headers, _ = fetch(a)
    assert status == 301 and urllib.parse.urljoin(a, headers["location"]) == b
    status, headers, _ = fetch(b)
    assert status == 302 and urllib.parse.urljoin(b, headers["location"]) == a


def test_robots_txt_disallows_a_linked_page(bed: Testbed) -> None:
    robots = get(bed.portal("trs")["robots_txt"]).decode()
    page = special(bed.manifest, "robots_disallowed")
    rule = page["rule"]
    assert rule in robots.splitlines()
    assert urllib.parse.urlsplit(page["url"]).path.startswith(rule.split(": ")[1])
    listed = {u for p in column(bed.manifest, "trs")["list_pages"] for u in links(get(p).decode("gbk"), p)}
    assert page["url"] in listed  # a crawler sees the link and must still not fetch it


def test_calendar_trap_is_endless(bed: Testbed) -> None:
    url = special(bed.manifest, "trap")["url"]
    dates = []
    for _ in range(6):
        text = get(url).decode("gbk")
        nxt = re.search(r'href="([^"]+)">后一天', text)
        assert nxt
        url = urllib.parse.urljoin(url, nxt.group(1))
        dates.append(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["date"][0])
    assert dates == ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"]


def test_deleted_report_meta_refresh(bed: Testbed) -> None:
    page = special(bed.manifest, "gone")
    body = get(page["url"]).decode("gbk")
    refresh = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', body)
    assert refresh and urllib.parse.urljoin(page["url"], refresh.group(1)) == page["refresh_to"]


def test_oversized_attachment_is_streamed(bed: Testbed) -> None:
    page = special(bed.manifest, "oversized")
    assert page["size"] == 60 * 1024 * 1024
    status, headers, body = fetch(page["url"], "HEAD")
    assert status == 200 and int(headers["content-length"]) == page["size"] and body == b""

    def rss_kb() -> int:
        status_text = Path(f"/proc/{bed.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status_text).group(1))  # type: ignore[union-attr]

    before = rss_kb()
    parts = urllib.parse.urlsplit(page["url"])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", parts.path)
    answer = conn.getresponse()
    total, head = 0, b""
    while chunk := answer.read(1 << 20):
        head = head or chunk[:8]
        total += len(chunk)
    conn.close()
    assert head.startswith(b"%PDF") and total == page["size"]
    assert rss_kb() - before < 20_000  # the server never held the 60 MB


def test_attachments_are_real_documents(bed: Testbed) -> None:
    import docx
    import pypdf

    pdf_report = next(r for r in bed.manifest["reports"] if r["source_type"] == "pdf")
    reader = pypdf.PdfReader(io.BytesIO(get(pdf_report["url"])))
    assert pdf_report["title"][:10] in reader.pages[0].extract_text().replace("\n", "")
    docx_report = next(r for r in bed.manifest["reports"] if r["source_type"] == "docx")
    document = docx.Document(io.BytesIO(get(docx_report["url"])))
    assert document.paragraphs[0].text == docx_report["title"] and document.tables
    page = next(s for s in bed.manifest["specials"] if s.get("attachment_url") == docx_report["url"])
    assert "详见附件" in page["expected_text"] or "请见附件" in page["expected_text"]


# --------------------------------------------------------------------------------------------
# Validators, mutation, request log


def test_conditional_requests(bed: Testbed) -> None:
    url = column(bed.manifest, "hanweb")["url"]
    status, headers, body = fetch(url)
    etag, modified = headers["etag"], headers["last-modified"]
    assert status == 200 and body
    status, again, body = fetch(url, headers={"If-None-Match": etag})
    assert status == 304 and body == b"" and again["etag"] == etag
    assert fetch(url, headers={"If-Modified-Since": modified})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert fetch(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200


def test_etags_and_manifest_are_deterministic() -> None:
    one, two = build_network(8001), build_network(8002)
    assert [r["expected_text"] for r in one.manifest()["reports"]] == \
        [r["expected_text"] for r in two.manifest()["reports"]]
    # Pages carry the port in absolute links (spam mirror, subsite); their ETags must not.
    request = Request("GET", "127.0.0.11", "/zfxxgk/zfxxgknb/index.html")
    answers = [net.handle(request) for net in (one, two)]
    assert b":8001/" in answers[0].body and b":8002/" in answers[1].body
    assert answers[0].headers["ETag"] == answers[1].headers["ETag"]
    other_seed = build_network(8001, seed=1).manifest()["reports"]
    assert [r["url"] for r in other_seed] != [r["url"] for r in one.manifest()["reports"]]


def test_mutation_adds_changes_and_removes(local: TestbedServer) -> None:
    before = {r["url"]: r for r in local.manifest["reports"]}
    etags = {url: fetch(url)[1].get("etag") for url in before}
    manifest = local.mutate(1)
    changes = {c["change"]: c for c in manifest["changes"]}
    assert set(changes) == {"added", "modified", "removed"}
    assert changes["added"]["url"] not in before and fetch(changes["added"]["url"])[0] == 200
    assert changes["added"]["url"].rsplit("/", 1)[1] in get(column(manifest, "trs")["url"]).decode("gbk")
    status, headers, _ = fetch(changes["modified"]["url"])
    assert status == 200 and headers["etag"] != etags[changes["modified"]["url"]]
    assert fetch(changes["removed"]["url"])[0] == 404
    after = {r["url"] for r in manifest["reports"]}
    assert after == (set(before) - {changes["removed"]["url"]}) | {changes["added"]["url"]}
    # Unchanged pages keep their validators, so a conditional re-crawl gets 304.
    same = next(u for u in before if u not in (changes["modified"]["url"], changes["removed"]["url"])
                and "503" not in u and fetch(u)[0] == 200)
    assert fetch(same, headers={"If-None-Match": etags[same]})[0] == 304
    assert json.loads((local.manifest_path or Path()).read_text(encoding="utf-8"))["generation"] == 1


def test_child_process_mutation_and_portal_subset(tmp_path: Path) -> None:
    with start_testbed(tmp_path, portals=["jiyue"], big_bytes=1000) as child:
        assert [h["role"] for h in child.manifest["hosts"].values()] == ["portal", "spam_mirror"]
        assert {r["portal"] for r in child.manifest["reports"]} == {"jiyue"}
        manifest = child.mutate(1)
        removed = next(c for c in manifest["changes"] if c["change"] == "removed")
        assert fetch(removed["url"])[0] == 404
        assert json.loads(child.manifest_path.read_text(encoding="utf-8"))["generation"] == 1
    assert child.process.returncode == 0


def test_request_log(local: TestbedServer, tmp_path: Path) -> None:
    url = column(local.manifest, "trs")["url"]
    fetch(url, headers={"User-Agent": "nianbao-test/1.0", "If-None-Match": '"x"'})
    entry = local.requests[-1]
    assert entry["host"] == "127.0.0.11" and entry["method"] == "GET" and entry["status"] == 200
    assert entry["path"] == "/zfxxgk/zfxxgknb/index.html"
    assert entry["user_agent"] == "nianbao-test/1.0" and entry["if_none_match"] == '"x"'
    logged = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert logged[-1] == entry


def test_child_process_log_file(bed: Testbed) -> None:
    fetch(bed.url("127.0.0.15", "/"), headers={"User-Agent": "log-check"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        hits = [e for e in bed.requests() if e["user_agent"] == "log-check"]
        if hits:
            break
        time.sleep(0.05)
    assert hits and hits[0]["host"] == "127.0.0.15" and hits[0]["path"] == "/"
    assert {"t", "client", "method", "status", "if_modified_since"} <= set(hits[0])


def test_cli_registers_serve() -> None:
    from harvester.testbed import cli

    parser = argparse.ArgumentParser(prog="harvester")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["testbed", "serve", "--portals", "trs", "hanweb", "--seed", "3",
                              "--host-base", "127.0.0.21", "--manifest", "m.json"])
    assert args.portals == ["trs", "hanweb"] and args.seed == 3 and args.handler is not None
    with pytest.raises(SystemExit):
        parser.parse_args(["testbed", "serve", "--portals", "nosuch"])
