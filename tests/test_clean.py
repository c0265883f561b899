"""harvester.clean on hand-made pages, one behaviour each, and the extract command."""

import json
import subprocess
import sys

import pytest

import harvester
from harvester.result import InputError

PARAGRAPH = "2020年，我镇深入贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息129条，内容涉及机构信息。"


def page(body: str, head: str = "", before: str = "", after: str = "") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'>{head}</head><body>"
        f"<div class='top'>今天是：2021年1月5日</div><div class='crumb'>当前位置：首页 &gt; 信息公开年报</div>"
        f"{before}<div class='TRS_Editor'>{body}</div>{after}"
        "<div class='foot'><p>主办：某某区人民政府办公室</p><p>网站标识码：3401000001</p></div>"
        "</body></html>"
    ).encode()


REPORT = (
    "<p>某某镇2020年政府信息公开工作年度报告</p><p>一、总体情况</p>"
    f"<p>{PARAGRAPH}</p><p>二、主动公开政府信息情况</p><p>六、其他需要报告的事项</p><p>无。</p>"
)


def test_title_first_once_and_chrome_gone():
    result = harvester.clean(page(REPORT, "<title>某某镇2020年政府信息公开工作年度报告_某某镇人民政府</title>"),
                             "http://127.0.0.11/a.html")
    lines = result.text.splitlines()
    assert lines[0] == "某某镇2020年政府信息公开工作年度报告"
    assert lines.count(lines[0]) == 1
    assert PARAGRAPH in lines and "无。" in lines
    assert "今天是" not in result.text and "网站标识码" not in result.text
    assert result.kind == "report" and result.metadata.year == 2020
    assert result.quality.sections == ["一", "二", "六"]


INFO_BOX = """
<table class="xxgk"><tr><td>索&ensp;引&ensp;号：</td><td>11340100003182567A/2021-00012</td>
<td>主题分类：</td><td>综合政务</td></tr>
<tr><td>发布机构：</td><td>某某区人民政府办公室</td><td>成文日期：</td><td>2021年01月15日</td></tr>
<tr><td>文　　号：</td><td>某政办〔2021〕3号</td><td>发布日期：</td><td>2021年01月28日</td></tr></table>"""


def test_info_box_goes_to_metadata_not_text():
    result = harvester.clean(page(REPORT, before=INFO_BOX), "http://127.0.0.11/a.html")
    meta = result.metadata
    assert meta.index_no == "11340100003182567A/2021-00012"
    assert meta.agency == "某某区人民政府办公室"
    assert meta.doc_no == "某政办〔2021〕3号"
    assert meta.published == "2021-01-28"  # 发布日期, not 成文日期, and not 2021-01-01
    assert "索引号" not in result.text and "11340100003182567A" not in result.text


def test_info_box_inside_the_container_is_removed_from_the_body_too():
    result = harvester.clean(page(INFO_BOX + REPORT), "http://127.0.0.11/a.html")
    assert result.metadata.index_no == "11340100003182567A/2021-00012" or "索引号" not in result.text
    assert "11340100003182567A" not in result.text and result.tables == []


def test_meta_tags_and_pubdate():
    head = ("<meta name='SiteName' content='某某区人民政府'><meta name='SiteIDCode' content='3401000001'>"
            "<meta name='ColumnName' content='政府信息公开年报'><meta name='PubDate' content='2021-1-5 09:30'>"
            "<meta name='ContentSource' content='某某镇人民政府'>")
    meta = harvester.clean(page(REPORT, head), "http://127.0.0.11/a.html").metadata
    assert (meta.site_name, meta.site_id, meta.column) == ("某某区人民政府", "3401000001", "政府信息公开年报")
    assert meta.published == "2021-01-05" and meta.agency == "某某镇人民政府"


def test_attachments_from_links_and_scripts():
    body = REPORT + ("<p><a href='./P020210128.pdf'>附件：某某镇2020年年报.pdf</a></p>"
                     "<script>var f = \"/files/W020210128.docx\"; document.write(f);</script>")
    result = harvester.clean(page(body), "http://127.0.0.11/zfxxgk/nb/202101/t20210128_1.html")
    urls = {a.url: a for a in result.attachments}
    pdf = urls["http://127.0.0.11/zfxxgk/nb/202101/P020210128.pdf"]
    assert pdf.name == "某某镇2020年年报.pdf" and pdf.extension == "pdf"  # 附件： prefix dropped
    assert urls["http://127.0.0.11/files/W020210128.docx"].extension == "docx"


def test_hidden_spam_is_not_text():
    body = REPORT + "<div style='display:none'><a href='http://spam.example'>香港免费公开资料大全</a></div>"
    assert "香港" not in harvester.clean(page(body), "http://127.0.0.11/a.html").text


def test_waf_challenge_is_blocked_with_no_text():
    body = (b"<html><head><meta content=\"{qqqq}\" r=\"m\"><script>$_ts=window['$_ts'];"
            b"if(!$_ts)$_ts={};$_ts.nsd=1234;</script></head><body></body></html>")
    result = harvester.clean(body, "http://127.0.0.11/a.html", status=412)
    assert result.kind == "blocked" and "412" in result.reason and result.text == ""


def test_notice_about_reports_is_not_a_report():
    body = ("<p>关于做好2020年政府信息公开工作年度报告编制发布工作的通知</p>"
            "<p>各乡镇人民政府、区政府各部门：为做好年度报告编制发布工作，现将有关事项通知如下。</p>")
    result = harvester.clean(page(body), "http://127.0.0.11/a.html")
    assert result.kind == "not_report" and result.text.startswith("关于做好2020年")


def test_image_only_report_is_a_report_that_needs_ocr():
    head = "<title>某某镇2020年政府信息公开工作年度报告（图片版）</title>"
    result = harvester.clean(page("<p><img src='nb1.png' alt='nb1.png'></p>", head), "http://127.0.0.11/a.html")
    assert result.kind == "report" and result.quality.needs_ocr
    assert result.text == "某某镇2020年政府信息公开工作年度报告（图片版）"  # no alt text, no chrome


def test_images_without_a_report_title_are_empty_and_need_ocr():
    result = harvester.clean(page("<p><img src='a.png'></p>", "<title>图片新闻</title>"), "http://127.0.0.11/a.html")
    assert result.kind == "empty" and result.quality.needs_ocr


def test_not_html_is_an_input_error():
    with pytest.raises(InputError):
        harvester.clean(b"just some words, no markup", "http://127.0.0.11/a.txt")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harvester", *args], capture_output=True,
                          text=True, timeout=60)


def test_extract_command_prints_text_and_json(tmp_path):
    saved = tmp_path / "page.html"
    saved.write_bytes(page(REPORT))
    done = run_cli("extract", str(saved))
    assert done.returncode == 0 and done.stdout.splitlines()[0] == "某某镇2020年政府信息公开工作年度报告"
    done = run_cli("extract", str(saved), "--json", "--url", "http://127.0.0.11/a.html")
    data = json.loads(done.stdout)
    assert data["kind"] == "report" and data["url"] == "http://127.0.0.11/a.html"


@pytest.mark.parametrize("make", [lambda p: p / "missing.html", lambda p: p,
                                  lambda p: (p / "x.bin").write_bytes(bytes(range(256)) * 8) and p / "x.bin"])
def test_extract_command_bad_input_is_one_line_exit_2(tmp_path, make):
    done = run_cli("extract", str(make(tmp_path)))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("harvester: ")
    assert "Traceback" not in done.stderr


def test_attachment_behind_a_download_proxy_and_written_by_script():
    body = REPORT + (
        "<ul><li><a href='/module/download/downfile.jsp?classid=0&amp;filename=2201281530123.pdf'>"
        "河西区2021年年报.pdf</a></li></ul>"
        "<script>var a = '<a href=\"./P1.docx\">附件2：统计表.docx</a>'; document.write(a);</script>"
    )
    result = harvester.clean(page(body), "http://127.0.0.11/nb/t1.html")
    names = {a.name: a for a in result.attachments}
    assert names["河西区2021年年报.pdf"].url.endswith("downfile.jsp?classid=0&filename=2201281530123.pdf")
    assert names["统计表.docx"].url == "http://127.0.0.11/nb/P1.docx"
    assert "河西区2021年年报.pdf" not in result.text  # attachment lines are not report text


def test_html_served_at_a_doc_url_is_cleaned_as_a_page():
    result = harvester.clean(page(REPORT), "http://127.0.0.11/files/report.doc")
    assert result.source_type == "html" and result.kind == "report"


def test_a_table_caption_is_kept_before_its_rows_in_both_renderings():
    table = ("<table><caption>表1 主动公开情况</caption><tr><td>规章</td><td>3</td></tr>"
             "<tr><td>行政规范性文件</td><td>12</td></tr></table>")
    result = harvester.clean(page(REPORT + table), "http://127.0.0.11/a.html")
    lines = result.text.splitlines()
    assert lines[lines.index("表1 主动公开情况") + 1:][:2] == ["规章 | 3", "行政规范性文件 | 12"]
    assert result.tables[0].caption == "表1 主动公开情况" and result.tables[0].rows[0] == ["规章", "3"]
