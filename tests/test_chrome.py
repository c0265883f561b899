"""The anchored chrome filter: chrome lines go, report sentences that mention chrome words stay."""

import pytest

from harvester.chrome import chrome_family, strip_chrome

CHROME = [
    "今天是：2021年1月5日 星期二",
    "当前位置:首页 > 颍泉区人民政府(办公室) > 信息公开年报浏览",
    "您现在的位置：首页 > 政务公开",
    "【字体：大 中 小】",
    "浏览次数：123",
    "【打印本页】【关闭窗口】",
    "[打印] [关闭]",
    "打印 | 关闭",
    "分享到：",
    "扫一扫在手机打开当前页",
    "上一篇：关于2020年度部门决算的公告",
    "相关文章",
    "网站地图 | 联系我们",
    "无障碍 长者版",
    "主办:香港免费公开资料大全 版权所有© 承办:香港免费公开资料大全办公室",
    "网站标识码:1201100002 津ICP备17009684号-1 津公网安备 12011002018073号",
    "京ICP备05070218号",
    "技术支持：大汉网络",
    "建议使用1024×768分辨率，IE9以上浏览器浏览",
    "疫情防控.png",
]
BODY = [
    "一是完善网站地图功能，优化栏目导航。",
    "我们提供打印服务，关闭了已停用的栏目。",
    "主办单位高度重视政务公开工作。",
    "今年以来，分享到基层的经验有3条。",
    "（三）不予公开 | 1.属于国家秘密 | 0 | 0",
]


@pytest.mark.parametrize("line", CHROME)
def test_chrome_lines_are_recognised(line):
    assert chrome_family(line) is not None


@pytest.mark.parametrize("line", BODY)
def test_body_lines_mentioning_chrome_words_are_kept(line):
    assert chrome_family(line) is None


def test_strip_chrome_counts_what_it_removed_and_keeps_order():
    kept, removed = strip_chrome(CHROME[:3] + BODY[:2] + ["索 引 号：11340100003182567A/2021-00012"])
    assert kept == BODY[:2]
    assert removed["info-box"] == 1 and sum(removed.values()) == 4
