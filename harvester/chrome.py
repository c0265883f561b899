"""Portal chrome: the lines that are never report text.

Every rule is anchored (at the start of a line, or the whole line) so that a report sentence that
merely mentions 网站地图 or 打印 is kept. ``CHROME_RULES`` is also what the quality test uses to
count chrome residue, so the filter and the measurement cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

_OPEN, _CLOSE = r"[【\[〔(（<《]?", r"[】\]〕)）>》]?"
_BUTTON = (
    rf"{_OPEN}\s*(?:打印本页|打印此页|打印正文|打印文章|打印|关闭本页|关闭窗口|关闭|返回顶部|返回首页|返回"
    rf"|收藏本页|收藏|加入收藏|保存本页|纠错|我要纠错|下载本页)\s*{_CLOSE}"
)

#: (family, pattern) — each pattern is matched against one stripped line.
CHROME_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (family, re.compile(pattern, re.I))
    for family, pattern in (
        ("today", r"^今天是"),
        ("breadcrumb", r"^(?:您现在的位置|您当前的位置|您的位置|当前位置|现在位置|所在位置|当前的位置)\s*[:：]?"),
        ("font-size", r"^[【\[]?\s*(?:字号|字体)\s*[:：]?\s*[【\[]?\s*(?:大|中|小|默认|A\+|A-)"),
        ("font-size", r"^(?:[【\[]?\s*(?:大|中|小)\s*[】\]]?\s*){3}$"),
        ("views", r"^(?:浏览次数|阅读次数|阅读量|访问量|点击数|点击量|浏览量|访问次数)\s*[:：]?"),
        ("print-close", rf"^(?:{_BUTTON}\s*[|｜丨/·]?\s*)+$"),
        ("share", r"^(?:分享到|分享至|一键分享)"),
        ("qr", r"^(?:扫一扫|扫码|用手机扫描|手机扫描二维码)"),
        ("prev-next", r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]?"),
        ("related", r"^(?:相关文章|相关推荐|相关链接|相关阅读|相关新闻|相关信息|相关稿件)\s*[:：]?\s*$"),
        ("sitemap", r"^(?:网站地图|联系我们|关于我们|网站声明|隐私声明|设为首页|加入收藏)(?:\s*[|｜丨/]\s*\S{2,6})*$"),
        ("accessibility", r"^(?:无障碍|长者版|关怀版|适老化|无障碍浏览|无障碍阅读)"),
        ("owner", r"^(?:主办单位|主办|承办单位|承办|协办|维护单位|运维单位)\s*[:：]"),
        ("owner", r"^(?:版权所有|Copyright|©|\(c\))"),
        ("site-id", r"^网站标识码"),
        ("icp", r"^[\u4e00-\u9fff]{0,3}\s*ICP\s*备"),
        ("police", r"^[\u4e00-\u9fff]{0,3}\s*公网安备"),
        ("tech-support", r"^技术支持\s*[:：]?"),
        ("resolution", r"^(?:建议使用|推荐使用|最佳浏览).{0,40}(?:分辨率|浏览器|以上版本)"),
        ("image-name", r"^[^\s/]{1,80}\.(?:png|jpe?g|gif|bmp|webp|tiff?)$"),
    )
)

# The info box above the body: metadata, not text. Only short "label：value" lines match.
_INFO_LABEL = re.compile(
    r"^(?:索\s*引\s*号|主题分类|主题词|发布机构|发文机关|发文机构|成文日期|生成日期|发布日期|发布时间"
    r"|文\s*号|发文字号|有\s*效\s*性|信息来源|来\s*源|作者|编辑|责任编辑|所属机构|信息分类|体裁分类)"
    r"\s*[:：]"
)
_INFO_MAX_LENGTH = 120


T = TypeVar("T")


def chrome_family(line: str) -> str | None:
    """The chrome family a line belongs to, or None if it may be report text."""
    stripped = line.strip()
    if not stripped:
        return None
    for family, rule in CHROME_RULES:
        if rule.search(stripped):
            return family
    return None


def is_info_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= _INFO_MAX_LENGTH and bool(_INFO_LABEL.match(stripped))


def removal_family(line: str) -> str | None:
    """Why a line is not report text (a chrome family, or "info-box"), or None to keep it."""
    return chrome_family(line) or ("info-box" if is_info_line(line) else None)


def strip_chrome(lines: Iterable[T], text: Callable[[T], str | None] = str) -> tuple[list[T], dict[str, int]]:
    """Lines without chrome and info-box lines, and how many were removed per family. ``text``
    gives a line's text, or None for a line never to remove (a table row)."""
    kept: list[T] = []
    removed: dict[str, int] = {}
    for line in lines:
        content = text(line)
        family = removal_family(content) if content is not None else None
        if family:
            removed[family] = removed.get(family, 0) + 1
        else:
            kept.append(line)
    return kept, removed
