"""Discovery on hand-made pages: roles of links, and every pagination kind."""

from spiders.discovery import discover

BASE = "http://127.0.0.11/zfxxgk/zfxxgknb/index.html"


def roles(html: str, role: str = "list", url: str = BASE) -> dict[str, str]:
    return {link.url: link.role for link in discover(url, html, role)}


def test_a_report_title_is_a_detail_wherever_it_is_linked():
    home = ("<html><body><a href='/zfxxgk/zfxxgknb/'>政府信息公开年报</a>"
            "<a href='/a/t20230330_1.html'>某区2022年政府信息公开工作年度报告</a>"
            "<a href='/zwgk/'>政务公开</a><a href='/zfxxgk/zn/'>政府信息公开指南</a></body></html>")
    found = roles(home, "home", "http://127.0.0.11/")
    assert found["http://127.0.0.11/zfxxgk/zfxxgknb/"] == "list"
    assert found["http://127.0.0.11/a/t20230330_1.html"] == "detail"
    assert found["http://127.0.0.11/zwgk/"] == "nav"
    assert "http://127.0.0.11/zfxxgk/zn/" not in found  # 指南 is not on the way to 年报


def test_trs_js_pagination_generates_the_pages_without_static_links():
    page = '<html><body><ul><li><a href="./202301/t20230115_1.html">关于2022年年报</a></li></ul>' \
           '<script>createPageHTML(4, 0, "index", "html");</script></body></html>'
    found = roles(page)
    assert [u for u, r in found.items() if r == "list"] == [
        f"http://127.0.0.11/zfxxgk/zfxxgknb/index_{n}.html" for n in (1, 2, 3)]


def test_hanweb_datastore_records_and_dataproxy_posts():
    page = """<html><body><div id="5678"><script type="text/xml"><datastore><recordset>
<record><![CDATA[<li><a href="/art/2021/1/28/art_1234_1.html">东江区2020年政府信息公开工作年度报告</a></li>]]></record>
</recordset></datastore></script><script>$('#5678').jpage({totalRecord: 40, perPage: 5, groupSize: 3,
proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {col: 1, webid: 12, columnid: 1234, webname: '东江区'}});
</script></div></body></html>"""
    links = discover("http://127.0.0.13/col/col1234/index.html", page, "list")
    details = [link.url for link in links if link.role == "detail"]
    posts = [link for link in links if link.method == "POST"]
    assert details == ["http://127.0.0.13/art/2021/1/28/art_1234_1.html"]
    assert [p.url.split("?")[1] for p in posts] == [
        "startrecord=16&endrecord=30&perpage=5", "startrecord=31&endrecord=45&perpage=5"]
    assert dict(posts[0].form) == {"col": "1", "webid": "12", "columnid": "1234", "webname": "东江区"}
    assert not [link for link in links if "?page=" in link.url]  # no guessed ?page=N beside jpage
    xml = ('<?xml version="1.0"?><datastore><recordset><record><![CDATA[<li><a href="/art/x.html">'
           "某区2019年年报</a></li>]]></record></recordset></datastore>")
    assert roles(xml, "list", "http://127.0.0.13/module/web/jpage/dataproxy.jsp") == {
        "http://127.0.0.13/art/x.html": "detail"}


def test_json_api_pages_and_answers():
    page = ("<html><body><ul></ul><script>var columnId = '4567', pageSize = 6, total = 14;"
            "$.getJSON('/api/list', {columnId: columnId, page: n, pageSize: pageSize});</script></body></html>")
    found = roles(page, url="http://127.0.0.14/ndbg/index.html")
    assert [u for u, r in found.items() if r == "list"] == [
        "http://127.0.0.14/api/list?columnId=4567&page=2&pageSize=6",
        "http://127.0.0.14/api/list?columnId=4567&page=3&pageSize=6"]
    answer = '{"total": 14, "data": [{"title": "南山县2021年年报", "url": "/ndbg/content/post_1.html"}]}'
    assert roles(answer, "list", "http://127.0.0.14/api/list?page=2") == {
        "http://127.0.0.14/ndbg/content/post_1.html": "detail"}


def test_page_parameter_pagination_only_when_the_page_uses_it():
    counts = "<html><body><ul></ul><script>var total = 30, pageSize = 10;</script>"
    assert roles(counts + "</body></html>") == {}
    found = roles(counts + "<a href='index.html?page=2'>2</a></body></html>")
    assert {u for u, r in found.items() if r == "list"} == {
        "http://127.0.0.11/zfxxgk/zfxxgknb/index.html?page=2",
        "http://127.0.0.11/zfxxgk/zfxxgknb/index.html?page=3"}


def test_static_pager_and_article_parts():
    page = ('<html><body><div class="page"><a href="index_2.shtml">下一页</a><a href="index_3.shtml">3</a>'
            '</div></body></html>')
    found = roles(page, url="http://127.0.0.15/xxgk/xxgknb/index.shtml")
    assert found == {"http://127.0.0.15/xxgk/xxgknb/index_2.shtml": "list",
                     "http://127.0.0.15/xxgk/xxgknb/index_3.shtml": "list"}
    detail = '<html><body><script>createPageHTML(3, 0, "t20240328_5300382", "html");</script></body></html>'
    parts = discover("http://127.0.0.11/nb/202403/t20240328_5300382.html", detail, "detail")
    assert [(p.url.rsplit("/", 1)[1], p.role) for p in parts] == [
        ("t20240328_5300382_1.html", "part"), ("t20240328_5300382_2.html", "part")]


def test_column_name_meta_makes_a_navigation_page_the_column():
    page = ("<html><head><meta name='ColumnName' content='政府信息公开年报'></head><body><ul>"
            "<li><a href='/art/2021/1/28/art_1_2.html'>东江区民政局2020年度工作报告</a></li></ul></body></html>")
    assert roles(page, "nav", "http://127.0.0.13/col/col99/index.html") == {
        "http://127.0.0.13/art/2021/1/28/art_1_2.html": "detail"}
    assert roles(page.replace("政府信息公开年报", "通知公告"), "nav", "http://127.0.0.13/col/col99/") == {}
