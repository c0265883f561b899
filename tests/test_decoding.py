"""The decoding policy on the lies portals tell about their charsets."""

import codecs

import pytest

from harvester.decoding import canonical_codec, decode

TEXT = "朱镕基堃喆颍泉区2020年度政府信息公开工作年度报告"  # 镕 堃 喆 are GBK-only, not GB2312


def html(body: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}</head><body><p>{body}</p></body></html>"


def test_gbk_bytes_declared_gb2312_decode_as_gb18030_without_loss():
    body = html(TEXT, "gb2312").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")  # what a naive decoder would hit
    decoded = decode(body, {"Content-Type": "text/html; charset=gb2312"})
    assert TEXT in decoded.text
    assert decoded.charset.used == "gb18030"
    assert decoded.charset.replacements == 0
    assert decoded.charset.declared_http == "gb2312" and decoded.charset.declared_meta == "gb2312"


def test_utf8_bytes_declared_gb2312_are_read_as_utf8():
    body = html(TEXT, "gb2312").encode("utf-8")
    # GB18030 would accept these bytes too — into mojibake; the strict UTF-8 trial must win.
    assert body.decode("gb18030") != body.decode("utf-8")
    decoded = decode(body, {"content-type": "text/html; charset=GB2312"})
    assert TEXT in decoded.text and decoded.charset.used == "utf-8"


def test_utf8_header_over_gbk_bytes_falls_through_to_meta():
    body = html(TEXT, "gbk").encode("gbk")
    decoded = decode(body, {"Content-Type": "text/html; charset=utf-8"})
    assert TEXT in decoded.text and decoded.charset.used == "gb18030"


def test_latin1_server_default_is_ignored():
    body = html(TEXT).encode("gbk")
    decoded = decode(body, {"Content-Type": "text/html; charset=ISO-8859-1"})
    assert TEXT in decoded.text and decoded.charset.used == "gb18030"


def test_bom_wins_over_declarations():
    body = codecs.BOM_UTF8 + html(TEXT, "gbk").encode("utf-8")
    decoded = decode(body, {"Content-Type": "text/html; charset=gbk"})
    assert TEXT in decoded.text and decoded.charset.used == "utf-8"
    assert not decoded.text.startswith("\ufeff")


def test_undecodable_bytes_are_counted_not_hidden():
    body = html(TEXT).encode("gbk") + b"\xff\xff\xff"
    decoded = decode(body)
    assert decoded.charset.replacements > 0


@pytest.mark.parametrize(("label", "codec"), [("GB2312", "gb18030"), ("gbk", "gb18030"),
                                              ("x-gbk", "gb18030"), ("UTF8", "utf-8"),
                                              ("nonsense", None)])
def test_canonical_codec(label, codec):
    assert canonical_codec(label) == codec
