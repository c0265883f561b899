"""Portal page templates: render a :class:`~harvester.testbed.reports.Report` the way one CMS
family would, as ``(body: bytes, headers: dict)``.

Templates (see :data:`TEMPLATES`): ``trs`` (TRS WCM, GBK), ``hanweb`` (大汉, nested layout
tables), ``jiyue`` (provincial 集约化 div layout), ``govcn`` (gov.cn style), ``wordpaste`` (a Word
paste inside one of the known containers), ``plain`` (an unknown CMS: div soup with meaningless
classes) and ``township`` (a tiny report drowned in chrome). :func:`render_challenge` is the 瑞数
WAF answer (HTTP 412).

Every page carries what real detail pages carry around the body: the standard <meta> tags, a
``<title>`` with a site suffix, an info box (索引号 … 有效性), and chrome in varied wordings and
places (:data:`CHROME_FAMILIES` names the families a cleaner must strip). Which wording a page
uses rotates with ``PageInfo.style``; extra traps are switched on by ``PageInfo.flags``
(:data:`FLAGS`). Nothing here is random: the same arguments give the same bytes.
"""

# The page templates below are long literal HTML lines, as real portals write them.
# ruff: noqa: E501

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urljoin

from harvester.testbed.reports import Cell, Heading, Image, Para, Report, Table, rng_for
from harvester.textutil import normalize_space

# Chrome families a cleaner must strip, with a pattern that finds each in a page's visible text
# (or, for image_alt, in its source). Every template shows every family somewhere in the corpus.
CHROME_FAMILIES: dict[str, str] = {
    "today": r"今天是",
    "breadcrumb": r"当前位置|您现在的位置|您当前的位置",
    "font_size": r"(?:字号|字体)\W{0,12}大\W{0,12}中\W{0,12}小",
    "views": r"浏览次数|阅读量",
    "print_close": r"打印\w{0,2}\W{0,8}关闭",
    "share": r"分享到",
    "qrcode": r"扫一扫在手机打开当前页",
    "prev_next": r"上一篇",
    "related": r"相关文章|相关推荐|相关链接",
    "sitemap": r"网站地图",
    "contact": r"联系我们",
    "accessibility": r"无障碍|长者版",
    "sponsor": r"主办|承办|版权所有",
    "site_id": r"网站标识码",
    "icp": r"ICP备",
    "beian": r"公网安备",
    "support": r"技术支持",
    "resolution": r"建议使用.{0,30}分辨率",
    "image_alt": r"<img[^>]+alt=\"[^\"]+\.(?:png|jpg|gif)\"",
}

# Traps a page can switch on.
FLAGS = {
    "chrome_in_body": "print/close, share and a file-name image inside the body container",
    "spam_footer": "footer 主办/承办 replaced by injected spam, plus a hidden spam link block",
    "title_in_body": "the body repeats the title as its first line (expected text has it once)",
    "attachments_in_body": "attachment links inside the body container (not body text)",
    "attachments_in_script": "attachment links exist only inside a document.write() script",
    "br_paragraphs": "paragraphs separated by <br> inside one element instead of <p>",
    "empty_paragraphs": "empty &nbsp; paragraphs between blocks (no blank lines expected)",
    "word_spacer_row": "Word's zero-height row of empty cells after a table (not a table row)",
    "content_markers": "大汉 <meta name=\"ContentStart\"/\"ContentEnd\"> markers around the body",
}


@dataclass(frozen=True)
class Encoding:
    """How a page's bytes are encoded and what it declares (declarations may lie)."""

    codec: str  # the real encoding of the bytes: "gbk" or "utf-8"
    http: str | None  # charset parameter of Content-Type; None: no charset parameter
    meta: str | None  # charset in <meta>; None: no charset declaration
    bom: bool = False
    html5_meta: bool = False  # <meta charset=…> instead of http-equiv

    @property
    def used(self) -> str:
        """The codec a correct cleaner decodes with (GB2312/GBK are decoded as GB18030)."""
        return "gb18030" if self.codec in ("gbk", "gb2312", "gb18030") else "utf-8"


@dataclass(frozen=True)
class Site:
    name: str  # 蜀山区人民政府
    host: str  # www.shushan.gov.cn
    site_id: str  # 网站标识码
    column: str  # <meta name="ColumnName">
    sponsor: str  # 主办
    organizer: str  # 承办
    icp: str  # 皖ICP备05001234号-1
    beian: str  # 皖公网安备 34010402000123号
    support: str  # 技术支持 company
    phone: str = "0551-65312345"


@dataclass(frozen=True)
class Attachment:
    href: str  # as written in the page (often relative)
    label: str  # link text, e.g. "附件：XX区2020年政府信息公开工作年度报告.pdf"

    @property
    def name(self) -> str:
        """The expected attachment name: the link text without its "附件N：" label."""
        return normalize_space(re.sub(r"^\s*附件\s*\d*\s*[：:]\s*", "", self.label))


@dataclass(frozen=True)
class PageInfo:
    site: Site
    url: str  # absolute URL of the page
    index_no: str = ""
    doc_no: str = ""
    subject: str = "综合政务\\政务公开"
    written: date | None = None  # 成文日期; default: the publication date
    pub_time: str = "09:30"
    date_style: str = "cn0"  # info-box dates: cn0 2021年01月28日, cn 2021年1月28日, iso, dash
    validity: str = "有效"
    attachments: tuple[Attachment, ...] = ()
    views: int = 0
    variant: str = ""  # template-specific body container / shell
    encoding: Encoding | None = None  # None: the template's default
    style: int = 0  # rotates chrome wordings
    flags: frozenset[str] = frozenset()
    column: str = ""  # ColumnName override (default: site.column)
    crumbs: tuple[str, ...] = ("政务公开", "政府信息公开", "政府信息公开年报")

    @property
    def column_name(self) -> str:
        return self.column or self.site.column

    def expected_attachments(self) -> list[dict[str, str]]:
        return [{"url": urljoin(self.url, a.href), "name": a.name} for a in self.attachments]


DEFAULT_ENCODING: dict[str, Encoding] = {
    "trs": Encoding("gbk", "gb2312", "gb2312"),
    "hanweb": Encoding("utf-8", "utf-8", "utf-8"),
    "jiyue": Encoding("utf-8", "utf-8", "utf-8", html5_meta=True),
    "govcn": Encoding("utf-8", "utf-8", "utf-8"),
    "wordpaste": Encoding("utf-8", "utf-8", "utf-8"),
    "plain": Encoding("utf-8", "utf-8", "utf-8", html5_meta=True),
    "township": Encoding("utf-8", "utf-8", "utf-8"),
}


def page_encoding(template: str, page: PageInfo) -> Encoding:
    """The page's encoding: its own, else the template's default (a Word paste in a TRS shell
    is GBK like any TRS page)."""
    if page.encoding:
        return page.encoding
    if template == "wordpaste" and page.variant in ("", "trs"):
        return DEFAULT_ENCODING["trs"]
    return DEFAULT_ENCODING[template]


# --------------------------------------------------------------------------------------------
# Small helpers


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def fmt_date(d: date, style: str) -> str:
    if style == "cn0":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "iso":
        return d.isoformat()
    if style == "dash":
        return f"{d.year}-{d.month}-{d.day}"
    raise ValueError(style)


_WEEKDAYS = "一二三四五六日"


def _pick(options: list[str] | tuple[str, ...], page: PageInfo, salt: int = 0) -> str:
    return options[(page.style + salt) % len(options)]


def _encode(text: str, enc: Encoding, content_type: str = "text/html") -> tuple[bytes, dict[str, str]]:
    body = text.encode(enc.codec, errors="xmlcharrefreplace")  # TRS writes &#…; for non-GBK
    if enc.bom:
        body = b"\xef\xbb\xbf" + body
    header = f"{content_type}; charset={enc.http}" if enc.http else content_type
    return body, {"Content-Type": header}


def _charset_meta(enc: Encoding) -> str:
    if not enc.meta:
        return ""
    if enc.html5_meta:
        return f'<meta charset="{enc.meta}">'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={enc.meta}">'


def _meta_tags(report: Report, page: PageInfo) -> str:
    site = page.site
    pub = f"{report.published.isoformat()} {page.pub_time}"
    first = next((normalize_space(b.text) for b in report.blocks if isinstance(b, Para)), "")
    tags = [
        ("SiteName", site.name), ("SiteDomain", site.host), ("SiteIDCode", site.site_id),
        ("ColumnName", page.column_name), ("ColumnType", "政府信息公开"),
        ("ArticleTitle", report.title), ("PubDate", pub), ("ContentSource", report.agency),
        ("Keywords", "政府信息公开,年度报告"), ("Author", report.agency),
        ("Description", first[:60]), ("Url", page.url),
    ]
    return "\n".join(f'<meta name="{k}" content="{attr(v)}">' for k, v in tags)


def _head(report: Report, page: PageInfo, enc: Encoding, title: str, extra: str = "") -> str:
    return (f"<head>\n{_charset_meta(enc)}\n"
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f"<title>{esc(title)}</title>\n{_meta_tags(report, page)}\n{extra}</head>\n")


def _info_items(report: Report, page: PageInfo) -> list[tuple[str, str]]:
    written = page.written or report.published
    return [("索引号", page.index_no), ("主题分类", page.subject), ("发布机构", report.agency),
            ("成文日期", fmt_date(written, page.date_style)),
            ("发布日期", fmt_date(report.published, page.date_style)),
            ("文号", page.doc_no), ("有效性", page.validity)]


def _pad(label: str, how: str) -> str:
    """Labels padded to four character widths, as portals do (索&ensp;引&ensp;号, 文　　号)."""
    if how == "none" or len(label) >= 4:
        return label
    if len(label) == 3:
        sep = {"ensp": "&ensp;", "ideo": "\u3000", "nbsp": "&nbsp;&nbsp;"}[how]
        return sep.join(label)
    fill = {"ensp": "&emsp;&emsp;", "ideo": "\u3000\u3000", "nbsp": "&nbsp;" * 4}[how]
    return label[0] + fill + label[1]


# --------------------------------------------------------------------------------------------
# Chrome


def _today(report: Report, page: PageInfo) -> str:
    d = report.published
    return _pick([
        '今天是：<span id="today"></span><script>document.getElementById("today")'
        '.innerHTML=new Date().toLocaleDateString();</script>',
        f"今天是{d.year}年{d.month:02d}月{d.day:02d}日 星期{_WEEKDAYS[d.weekday()]}",
        f"今天是：{d.year}年{d.month}月{d.day}日",
    ], page)


def _crumb(page: PageInfo, sep: str = " &gt; ") -> str:
    label = _pick(["当前位置：", "您现在的位置：", "您当前的位置：", "当前位置: "], page)
    links = ['<a href="/">首页</a>'] + [f'<a href="../">{esc(c)}</a>' for c in page.crumbs]
    return label + sep.join(links)


def _font_size(page: PageInfo) -> str:
    sizes = '<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> ' \
            '<a href="javascript:doZoom(14)">小</a>'
    return _pick([f"字号：{sizes}", f"【字体：{sizes}】", f"字号：[ {sizes} ]"], page, 1)


def _views(page: PageInfo) -> str:
    return _pick([f"浏览次数：{page.views}", f"阅读量：{page.views}",
                  f'浏览次数：<span id="hits">{page.views}</span>'], page)


def _print_close(page: PageInfo) -> str:
    p, c = "javascript:window.print();", "javascript:window.close();"
    return _pick([
        f'【<a href="{p}">打印本页</a>】【<a href="{c}">关闭窗口</a>】',
        f'<a href="{p}">[打印]</a> <a href="{c}">[关闭]</a>',
        f'<a href="{p}">打印</a> | <a href="{c}">关闭</a>',
        f'【<a href="{p}">打印</a>】【<a href="{c}">关闭</a>】',
    ], page)


def _share(page: PageInfo) -> str:
    icons = "".join(f'<a class="bds_{k}" data-cmd="{k}" title="分享到{v}"></a>'
                    for k, v in (("weixin", "微信"), ("tsina", "新浪微博"), ("qzone", "QQ空间")))
    return f'<div class="bdsharebuttonbox">分享到：{icons}</div>'


def _qrcode(page: PageInfo) -> str:
    return ('<div class="qrcode"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div>')


def _neighbours(report: Report, page: PageInfo) -> tuple[str, str]:
    year = report.year or report.published.year
    prev = report.title.replace(str(year), str(year - 1)) if report.year else "没有了"
    nxt = _pick([f"{page.site.name}{year}年政府信息公开工作年度报告（更正）",
                 f"{page.site.name}政府信息公开指南", "没有了"], page)
    return prev, nxt


def _prev_next(report: Report, page: PageInfo) -> str:
    prev, nxt = _neighbours(report, page)
    return (f'<div class="prev">上一篇：<a href="../t_prev.html">{esc(prev)}</a></div>\n'
            f'<div class="next">下一篇：<a href="../t_next.html">{esc(nxt)}</a></div>')


def _related(report: Report, page: PageInfo) -> str:
    year = report.year or report.published.year
    heading = _pick(["相关文章", "相关链接", "相关推荐"], page)
    titles = [f"{page.site.name}{year - 2}年政府信息公开工作年度报告",
              f"{page.site.name}政府信息公开指南（{year + 1}年版）",
              f"{page.site.name}办公室{year}年政府信息公开工作年度报告"]
    items = "".join(f'<li><a href="../t_{i}.html">{esc(t)}</a><span>{year + 1}-01-1{i}</span></li>'
                    for i, t in enumerate(titles))
    return f'<div class="related"><h3>{heading}</h3><ul>{items}</ul></div>'


def _footer_parts(page: PageInfo) -> dict[str, str]:
    site = page.site
    spam = "spam_footer" in page.flags
    sponsor = ("主办：香港免费公开资料大全 版权所有© 承办：香港免费公开资料大全办公室" if spam else
               f"主办：{esc(site.sponsor)}　承办：{esc(site.organizer)}")
    return {
        "links": ('<a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | '
                  '<a href="javascript:;" id="wza">无障碍</a> | '
                  '<a href="javascript:;" id="zzb">长者版</a>'),
        "sponsor": sponsor,
        "copyright": f"版权所有：{esc(site.name)}",
        "ids": (f"网站标识码：{site.site_id}　"
                f'<a href="https://beian.miit.gov.cn/">{esc(site.icp)}</a>　'
                f'<img src="/images/ga.png" alt="ga.png">{esc(site.beian)}'),
        "support": _pick([f"技术支持：{esc(site.support)}", f"技术支持: {esc(site.support)}"], page),
        "resolution": _pick(["建议使用1024×768分辨率浏览本站",
                             "建议使用IE9以上浏览器，1366*768分辨率浏览本网站",
                             "建议使用 1920×1080 分辨率"], page),
        "phone": f"联系电话：{esc(site.phone)}",
        "spam": ('<div style="display:none"><a href="http://xg-zlk.example/">香港免费公开资料大全</a>'
                 '<a href="http://xg-zlk.example/kj/">六合彩开奖结果</a></div>' if spam else ""),
    }


def _body_chrome(page: PageInfo) -> str:
    """Chrome that some portals put inside the body container itself."""
    if "chrome_in_body" not in page.flags:
        return ""
    return (f'<p style="text-align:center"><img src="/images/fgx.png" alt="fgx.png"></p>\n'
            f'<p style="text-align:right">{_print_close(page)}</p>\n{_share(page)}\n')


# --------------------------------------------------------------------------------------------
# Body rendering (shared by the templates, in a few styles)


def _cell_text(text: str) -> str:
    return "<br>".join(esc(part) for part in text.split("\n"))


def _img_src(page: PageInfo, i: int) -> str:
    stamp = "".join(ch for ch in page.url if ch.isdigit())[-8:]
    return f"./W0{stamp}{i:03d}.png"


def _table_html(table: Table, style: str) -> str:
    out: list[str] = []
    if style == "trs":
        out.append('<table border="1" cellspacing="0" cellpadding="0" align="center" '
                   'style="border-collapse:collapse;width:100%;"><tbody>')
    elif style == "hanweb":
        out.append('<table width="100%" border="1" cellspacing="0" cellpadding="3" '
                   'bordercolor="#000000">')
    elif style == "jiyue":
        out.append('<table class="table table-bordered">')
    elif style == "plain":
        out.append('<table class="tb-x1" border="1" cellspacing="0">')
    else:
        out.append('<table border="1" cellspacing="0" cellpadding="0" '
                   'style="border-collapse:collapse;">')
    for row in table.rows:
        out.append("<tr>")
        for cell in row:
            span = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + \
                   (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
            text = _cell_text(cell.text)
            if style == "jiyue" and cell.header:
                out.append(f"<th{span}>{text}</th>")
            elif style == "trs":
                inner = f"<strong>{text}</strong>" if cell.header else text
                out.append(f'<td{span} style="border:1px solid #000;">'
                           f'<p style="text-align:center;">{inner}</p></td>')
            elif style == "hanweb" and cell.header:
                out.append(f'<td{span} align="center"><b>{text}</b></td>')
            else:
                out.append(f"<td{span}>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table>" if style == "trs" else "</table>")
    return "\n".join(out)


def _blocks_html(report: Report, page: PageInfo, style: str) -> str:
    """Headings, paragraphs, images and tables in one of the simple (non-Word) styles."""
    out: list[str] = []
    if "title_in_body" in page.flags:
        out.append(f'<p style="text-align:center;"><strong>{esc(report.title)}</strong></p>')
    images = 0
    br = "br_paragraphs" in page.flags
    for block in report.blocks:
        if isinstance(block, Heading):
            if style == "jiyue":
                out.append(f"<h4>{esc(block.text)}</h4>")
            elif style == "plain":
                out.append(f'<div class="k9"><b>{esc(block.text)}</b></div>' if not br
                           else f"<b>{esc(block.text)}</b><br>")
            elif style == "hanweb":
                out.append(f'<p style="text-indent:2em;"><b><span style="font-family:黑体;">'
                           f"{esc(block.text)}</span></b></p>")
            else:
                out.append(f'<p style="text-indent:2em;"><strong>{esc(block.text)}</strong></p>')
        elif isinstance(block, Para):
            if style == "plain":
                out.append(f"\u3000\u3000{esc(block.text)}<br>" if br
                           else f'<div class="k3">{esc(block.text)}</div>')
            elif style == "hanweb":
                out.append(f'<p style="text-indent:2em;line-height:2;"><span style="font-family:'
                           f'仿宋_GB2312;font-size:16pt;">{esc(block.text)}</span></p>')
            elif style == "trs":
                out.append(f'<p style="text-indent: 2em; text-align: justify;">{esc(block.text)}</p>')
            else:
                out.append(f"<p>\u3000\u3000{esc(block.text)}</p>")
        elif isinstance(block, Image):
            images += 1
            out.append(f'<p style="text-align:center;"><img src="{_img_src(page, images)}" '
                       f'alt="{attr(block.alt)}" title="{attr(block.alt)}" width="600"></p>')
        elif isinstance(block, Table):
            if br:
                out.append("</div>")  # a table cannot sit in the <br> run; reopen after it
            out.append(_table_html(block, style))
            if br:
                out.append('<div class="k3">')
        if "empty_paragraphs" in page.flags and isinstance(block, Heading):
            out.append("<p>&nbsp;</p>")
    body = "\n".join(out)
    if br:
        body = f'<div class="k3">\n{body}\n</div>'
    return body


# Word paste ---------------------------------------------------------------------------------

_WORD_HEAD = (
    "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom>"
    "<w:PunctuationKerning/><w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>"
    "</w:WordDocument></xml><![endif]-->\n"
    "<style>\n<!--\n /* Style Definitions */\n p.MsoNormal, li.MsoNormal, div.MsoNormal\n"
    "\t{mso-style-parent:\"\";margin:0cm;margin-bottom:.0001pt;text-align:justify;"
    "text-justify:inter-ideograph;font-size:10.5pt;font-family:\"Times New Roman\";}\n"
    "@page Section1 {size:595.3pt 841.9pt;margin:72.0pt 90.0pt 72.0pt 90.0pt;}\n"
    "div.Section1 {page:Section1;}\n-->\n</style>\n"
)
_ASCII_RUN = re.compile(r"[0-9A-Za-z.%@/\-+ ]+|[^0-9A-Za-z.%@/\-+ ]+")


def _word_runs(text: str, size: str = "16.0pt", font: str = "仿宋_GB2312") -> str:
    """Text split into Word runs: ASCII in Times New Roman spans, the rest in CJK-font spans."""
    runs = []
    for part in _ASCII_RUN.findall(text):
        if part[0].isascii():
            runs.append(f"<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\""
                        f",serif;mso-fareast-font-family:{font}'>{esc(part)}</span>")
        else:
            runs.append(f"<span style='font-size:{size};font-family:{font};"
                        f"mso-hansi-font-family:\"Times New Roman\"'>{esc(part)}</span>")
    return "".join(runs)


_OP = "<span lang=EN-US><o:p></o:p></span>"


def _word_cell(cell: Cell, index: int) -> str:
    span = (f" colspan={cell.colspan}" if cell.colspan > 1 else "") + \
           (f" rowspan={cell.rowspan}" if cell.rowspan > 1 else "")
    width = 72 * cell.colspan
    style = (f"width:{width * 0.75:.1f}pt;border:solid windowtext 1.0pt;"
             "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt")
    font = "font-size:10.0pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;" \
           "mso-font-kerning:0pt"
    text = cell.text
    if not normalize_space(text):
        inner = f"<span lang=EN-US style='{font}'>&nbsp;<o:p></o:p></span>"
    elif re.fullmatch(r"[-\d.,]+", text):
        pad = "&nbsp;" if index % 2 else ""  # Word pastes keep the spaces typed around numbers
        inner = f"<span lang=EN-US style='{font}'>{pad}{esc(text)}{pad}</span><o:p></o:p>"
    else:
        content = "<br>\n  ".join(esc(part) for part in text.split("\n"))
        if cell.header:
            content = f"<b>{content}</b>"
        inner = f"<span style='{font}'>{content}{_OP}</span>"
    return (f"  <td width={width}{span} valign=center style='{style}'>\n"
            f"  <p class=MsoNormal align=center style='text-align:center;"
            f"mso-pagination:widow-orphan'>{inner}</p>\n  </td>")


def _word_table(table: Table, spacer_row: bool) -> str:
    out = ["<div align=center>",
           "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=568 "
           "style='width:426.1pt;border-collapse:collapse;border:none;mso-border-alt:solid "
           "windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
    index = 0
    for r, row in enumerate(table.rows):
        first = ";mso-yfti-firstrow:yes" if r == 0 else ""
        out.append(f" <tr style='mso-yfti-irow:{r}{first};height:20.25pt'>")
        for cell in row:
            out.append(_word_cell(cell, index))
            index += 1
        out.append(" </tr>")
    if spacer_row:
        width = len(table.grid()[0])
        cells = "".join("  <td width=57 style='border:none'></td>\n" for _ in range(width))
        out.append(f"<![if !supportMisalignedColumns]>\n <tr height=0>\n{cells} </tr>\n"
                   "<![endif]>")
    out += ["</table>", "</div>"]
    return "\n".join(out)


def _word_blocks(report: Report, page: PageInfo) -> str:
    empty = f"<p class=MsoNormal><span lang=EN-US>{'&nbsp;'}<o:p></o:p></span></p>"
    out = [_WORD_HEAD, "<div class=Section1 style='layout-grid:15.6pt'>"]
    if "title_in_body" in page.flags:
        out.append("<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'>"
                   f"<b>{_word_runs(report.title, '22.0pt', '方正小标宋简体')}</b>{_OP}</p>")
        out.append(empty)
    images = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append("<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;"
                       "line-height:28.0pt;mso-line-height-rule:exactly'><b>"
                       f"{_word_runs(block.text, font='黑体')}</b>{_OP}</p>")
        elif isinstance(block, Para):
            out.append("<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;"
                       "line-height:28.0pt;mso-line-height-rule:exactly'>"
                       f"{_word_runs(block.text)}{_OP}</p>")
        elif isinstance(block, Image):
            images += 1
            out.append("<p class=MsoNormal align=center style='text-align:center'>"
                       f"<span lang=EN-US><img width=553 height=311 src=\"{_img_src(page, images)}\""
                       f" alt=\"{attr(block.alt)}\"></span></p>")
        elif isinstance(block, Table):
            out.append(_word_table(block, "word_spacer_row" in page.flags))
        if "empty_paragraphs" in page.flags and not isinstance(block, Image):
            out.append(empty)
    out.append("</div>")
    return "\n".join(out)


def _attachment_links(page: PageInfo, style: str = "list") -> str:
    if not page.attachments:
        return ""
    items = [f'<a href="{attr(a.href)}" target="_blank">{esc(a.label)}</a>'
             for a in page.attachments]
    if style == "inline":
        return "\n".join(f"<p>{item}</p>" for item in items)
    lis = "".join(f"<li>{item}</li>" for item in items)
    return f'<div class="fj"><span class="fj-title">相关附件：</span><ul>{lis}</ul></div>'


def _attachment_script(page: PageInfo) -> str:
    """TRS writes the attachment list with document.write(); no static <a> exists."""
    links = "".join(f'<a href="{a.href}">{a.label}</a><br>' for a in page.attachments)
    links = links.replace("'", "\\'")
    return ("<script type=\"text/javascript\">\nvar file_appendix = '" + links + "';\n"
            "if (file_appendix != '') {\n  document.write('<div class=\"fj\">附件：' + "
            "file_appendix + '</div>');\n}\n</script>")


def _body_with_extras(report: Report, page: PageInfo, blocks_html: str) -> str:
    """Body HTML plus what some portals put inside the container: attachments, chrome."""
    parts = [blocks_html]
    if "attachments_in_body" in page.flags:
        parts.append(_attachment_links(page, "inline"))
    parts.append(_body_chrome(page))
    return "\n".join(p for p in parts if p)


def _attachments_outside(page: PageInfo) -> str:
    if "attachments_in_body" in page.flags or not page.attachments:
        return ""
    if "attachments_in_script" in page.flags:
        return _attachment_script(page)
    return _attachment_links(page)


def _title_suffix(report: Report, page: PageInfo, style: int) -> str:
    site = page.site
    return [f"{report.title}_{site.name}",
            f"{report.title} - {site.name.removesuffix('人民政府')}政府门户网站",
            f"{report.title}-{page.column_name}-{site.name}",
            f"{site.name}-{report.title}"][style % 4]


# --------------------------------------------------------------------------------------------
# Templates


def render_trs(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """TRS WCM: GBK bytes declared as gb2312; body in .TRS_Editor (variants TRS_UEDITOR, zoom)."""
    body = _body_with_extras(report, page, _blocks_html(report, page, "trs"))
    return _encode(_shell_trs(report, page, body), page_encoding("trs", page))


def _shell_trs(report: Report, page: PageInfo, body: str) -> str:
    enc = page_encoding("trs", page)
    variant = page.variant or "TRS_Editor"
    if variant == "TRS_Editor":
        # TRS puts its own style sheet inside the container, ahead of the text.
        container = ('<div class="TRS_Editor"><style type="text/css">\n.TRS_Editor P{margin-top:'
                     '5px;margin-bottom:5px;line-height:1.8;font-family:宋体;font-size:12pt;}'
                     '.TRS_Editor TD{font-family:宋体;font-size:10.5pt;}\n</style>\n'
                     f'<div class="Custom_UnionStyle">\n{body}\n</div></div>')
    elif variant == "TRS_UEDITOR":
        container = f'<div class="TRS_UEDITOR TRS_WEB">\n{body}\n</div>'
    else:
        container = f'<div id="zoom" class="article-con">\n{body}\n</div>'
    info = "\n".join(
        f'<tr><td class="xxgk-label">{_pad(k, "ensp")}：</td><td class="xxgk-value">{esc(v)}</td></tr>'
        for k, v in _info_items(report, page))
    foot = _footer_parts(page)
    head = _head(report, page, enc, _title_suffix(report, page, page.style),
                 '<link href="../../../images/common.css" rel="stylesheet" type="text/css">\n'
                 '<script type="text/javascript" src="../../../images/jquery.min.js"></script>\n')
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
{head}<body>
<div class="top-bar"><div class="w1200"><span class="date">{_today(report, page)}</span>
<span class="top-links"><a href="/">首页</a> | {foot["links"]}</span></div></div>
<div class="header"><div class="w1200"><img src="../../../images/logo.png" alt="logo.png">
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zwfw/">政务服务</a></li></ul></div></div>
<div class="w1200 location">{_crumb(page)}</div>
<div class="w1200 main">
<div class="xxgk-box"><table class="xxgk-table" width="100%">
{info}
</table></div>
<div class="article">
<h1 class="article-title">{esc(report.title)}</h1>
<div class="article-info">发布时间：{report.published.isoformat()} {page.pub_time}　来源：{esc(report.agency)}　{_views(page)}　{_font_size(page)}</div>
<div class="article-body">
{container}
</div>
{_attachments_outside(page)}
<div class="article-tools">{_print_close(page)}{_share(page)}</div>
{_qrcode(page)}
<div class="prev-next">
{_prev_next(report, page)}
</div>
{_related(report, page)}
</div>
</div>
<div class="footer"><div class="w1200">
<p>{foot["links"]}</p>
<p>{foot["sponsor"]}　{foot["phone"]}</p>
<p>{foot["ids"]}</p>
<p>{foot["support"]}　{foot["resolution"]}</p>
{foot["spam"]}
</div></div>
</body>
</html>
"""


def render_hanweb(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """大汉 jcms: 1000-px layout tables; body in #zoom or bare in a nested <td> ("td")."""
    body = _body_with_extras(report, page, _blocks_html(report, page, "hanweb"))
    return _encode(_shell_hanweb(report, page, body), page_encoding("hanweb", page))


def _shell_hanweb(report: Report, page: PageInfo, body: str) -> str:
    enc = page_encoding("hanweb", page)
    if "content_markers" in page.flags:
        body = (f'<!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n{body}\n'
                '<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->')
    if page.variant == "td":
        content = f'<td style="padding:10px 20px;line-height:2;">\n{body}\n</td>'  # no class, no id
    else:
        content = f'<td>\n<div id="zoom">\n{body}\n</div>\n</td>'
    items = _info_items(report, page)
    rows = []
    for i in range(0, len(items), 2):
        pair = items[i:i + 2]
        cells = "".join(f'<td width="12%" class="xxgk_bt">{_pad(k, "ideo")}：</td>'
                        f'<td width="38%">{esc(v)}</td>' for k, v in pair)
        rows.append(f"<tr>{cells}</tr>")
    info = "\n".join(rows)
    foot = _footer_parts(page)
    match = re.search(r"art_(\d+)_(\d+)", page.url)
    col, art = match.groups() if match else ("1", "1")
    hits = (f'<script language="javascript" src="/module/visitcount/articlehits.jsp?colid={col}'
            f'&artid={art}"></script>') if page.style % 2 else str(page.views)
    views = _pick(["浏览次数：", "阅读量："], page)
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
{_head(report, page, enc, _title_suffix(report, page, page.style + 1))}<body leftmargin="0" topmargin="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="30" class="top_bg">{_today(report, page)}　{foot["links"]}</td></tr>
<tr><td><img src="/images/banner.jpg" alt="banner.jpg" width="1000" height="160"></td></tr>
<tr><td class="nav_bg"><a href="/">网站首页</a>　<a href="/col/col{int(col) - 1}/index.html">政务公开</a>　<a href="/col/col{col}/index.html">{esc(page.column_name)}</a></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td valign="top">
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="bt_link" height="35">{_crumb(page, " &gt;&gt; ")}</td></tr></table>
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td>
<table width="100%" border="1" cellspacing="0" cellpadding="0" class="xxgk_table">
{info}
</table>
<table width="96%" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td align="center" class="title" style="font-size:22px;font-weight:bold;padding:15px 0;">{esc(report.title)}</td></tr>
<tr><td align="center" class="bt_time">发布日期：{fmt_date(report.published, "iso")}　信息来源：{esc(report.agency)}　{views}{hits}　{_font_size(page)}</td></tr>
<tr>{content}</tr>
<tr><td>{_attachments_outside(page)}</td></tr>
<tr><td align="right">{_print_close(page)}</td></tr>
<tr><td>{_share(page)}{_qrcode(page)}</td></tr>
<tr><td>{_prev_next(report, page)}</td></tr>
<tr><td>{_related(report, page)}</td></tr>
</table>
</td></tr></table>
</td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="foot">
<tr><td align="center">{foot["links"]}</td></tr>
<tr><td align="center">{foot["sponsor"]}　{foot["copyright"]}</td></tr>
<tr><td align="center">{foot["ids"]}</td></tr>
<tr><td align="center">技术支持：大汉网络　{foot["resolution"]}</td></tr>
</table>
{foot["spam"]}
</body>
</html>
"""


def render_jiyue(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """Provincial 集约化 platform: div layout, body in .article-content or .pages_content."""
    body = _body_with_extras(report, page, _blocks_html(report, page, "jiyue"))
    return _encode(_shell_jiyue(report, page, body), page_encoding("jiyue", page))


def _shell_jiyue(report: Report, page: PageInfo, body: str) -> str:
    enc = page_encoding("jiyue", page)
    container_class = page.variant or "article-content"
    info = "\n".join(f'<li><span class="label">{_pad(k, "nbsp")}：</span>'
                     f'<span class="value">{esc(v)}</span></li>'
                     for k, v in _info_items(report, page))
    foot = _footer_parts(page)
    head = _head(report, page, enc, _title_suffix(report, page, page.style + 2),
                 '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
                 '<link rel="stylesheet" href="/static/css/common.css">\n')
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
{head}<body>
<div class="topbar"><div class="container"><div class="fl">{_today(report, page)}</div>
<div class="fr"><a href="javascript:;" class="wza">无障碍浏览</a><a href="javascript:;" class="zzb">长者版</a><a href="/wzdt/">网站地图</a></div></div></div>
<header class="header"><div class="container"><a href="/" class="logo"><img src="/static/images/logo.png" alt="logo.png"></a>
<nav><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/zwfw/">政务服务</a><a href="/hdjl/">互动交流</a></nav></div></header>
<div class="container">
<div class="position">{_crumb(page, " / ")}</div>
<div class="xxgk-detail"><ul class="xxgk-info clearfix">
{info}
</ul></div>
<div class="article">
<div class="article-title"><h1>{esc(report.title)}</h1></div>
<div class="article-meta"><span>发布时间：{report.published.isoformat()} {page.pub_time}</span><span>来源：{esc(report.agency)}</span><span>{_views(page)}</span><span class="font">{_font_size(page)}</span></div>
<div class="{container_class}">
{body}
</div>
{_attachments_outside(page)}
<div class="article-tools"><div class="share">{_share(page)}</div><div class="print">{_print_close(page)}</div>{_qrcode(page)}</div>
<div class="article-page">{_prev_next(report, page)}</div>
{_related(report, page)}
</div>
</div>
<footer class="footer"><div class="container">
<div class="links">{foot["links"]}</div>
<p>{foot["sponsor"]}</p>
<p>{foot["ids"]}</p>
<p>{foot["support"]}　{foot["resolution"]}</p>
{foot["spam"]}
</div></footer>
</body>
</html>
"""


def render_govcn(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """gov.cn style: info table (索引号 … 发布日期) and #UCAP-CONTENT.pages_content."""
    body = _body_with_extras(report, page, _blocks_html(report, page, "govcn"))
    return _encode(_shell_govcn(report, page, body), page_encoding("govcn", page))


def _shell_govcn(report: Report, page: PageInfo, body: str) -> str:
    enc = page_encoding("govcn", page)
    written = page.written or report.published
    style = page.date_style

    def b(label: str) -> str:
        return f'<td class="b12c" nowrap><b>{_pad(label, "nbsp")}：</b></td>'

    info = f"""<table class="bd1" width="100%" cellspacing="1" cellpadding="4" border="0">
<tr>{b("索引号")}<td>{esc(page.index_no)}</td>{b("主题分类")}<td>{esc(page.subject)}</td></tr>
<tr>{b("发文机关")}<td>{esc(report.agency)}</td>{b("成文日期")}<td>{fmt_date(written, style)}</td></tr>
<tr>{b("标题")}<td colspan="3">{esc(report.title)}</td></tr>
<tr>{b("发文字号")}<td>{esc(page.doc_no)}</td>{b("发布日期")}<td>{fmt_date(report.published, style)}</td></tr>
</table>"""
    foot = _footer_parts(page)
    return f"""<!DOCTYPE html>
<html>
{_head(report, page, enc, _title_suffix(report, page, page.style + 3))}<body>
<div class="header_top"><div class="w1100">{_today(report, page)}<span class="fr"><a href="javascript:;">无障碍</a> | <a href="javascript:;">长者版</a></span></div></div>
<div class="header"><div class="w1100"><a href="/"><img src="/images/logo.png" alt="logo.png"></a></div></div>
<div class="w1100"><div class="BreadcrumbNav">{_crumb(page, " &gt; ")}</div></div>
<div class="w1100 article oneColumn pub_border">
{info}
<div class="pages-title">{esc(report.title)}</div>
<div class="pages-date">{report.published.isoformat()} {page.pub_time}　<span class="font">来源：{esc(report.agency)}</span>　<span class="font index_switchsize">{_font_size(page)}</span>　<span>{_views(page)}</span></div>
<div class="pages_content" id="UCAP-CONTENT">
{body}
</div>
{_attachments_outside(page)}
<div class="editor">【我要纠错】 责任编辑：王喆</div>
<div class="shareBox">{_share(page)}　{_print_close(page)}</div>
{_qrcode(page)}
{_prev_next(report, page)}
{_related(report, page)}
</div>
<div class="footer"><div class="w1100">
<p>{foot["links"]}</p>
<p>{foot["sponsor"]}　{foot["copyright"]}</p>
<p>{foot["ids"]}</p>
<p>{foot["support"]}　{foot["resolution"]}</p>
{foot["spam"]}
</div></div>
</body>
</html>
"""


def render_wordpaste(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """A Word paste (MsoNormalTable, mso-* styles, <o:p>, &nbsp; in number cells) inside one of
    the known shells: variant ``trs`` (TRS_Editor, GBK), ``zoom`` (大汉), ``pages_content``
    (gov.cn) or ``article-content`` (集约化)."""
    shell = page.variant or "trs"
    body = _body_with_extras(report, page, _word_blocks(report, page))
    enc = page_encoding("wordpaste", page)
    shell_page = replace(page, encoding=enc, variant={"trs": "TRS_Editor"}.get(shell, shell))
    shells: dict[str, Callable[[Report, PageInfo, str], str]] = {
        "trs": _shell_trs, "zoom": _shell_hanweb, "pages_content": _shell_govcn,
        "article-content": _shell_jiyue,
    }
    return _encode(shells[shell](report, shell_page, body), enc)


def render_plain(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """An unknown CMS: div soup with meaningless class names, no known body container."""
    body = _body_with_extras(report, page, _blocks_html(report, page, "plain"))
    return _encode(_shell_plain(report, page, body), page_encoding("plain", page))


def _shell_plain(report: Report, page: PageInfo, body: str) -> str:
    enc = page_encoding("plain", page)
    info = "".join(f'<div class="r5"><span class="r6">{_pad(k, "none")}：</span>'
                   f'<span class="r7">{esc(v)}</span></div>'
                   for k, v in _info_items(report, page))
    foot = _footer_parts(page)
    return f"""<!doctype html>
<html>
{_head(report, page, enc, _title_suffix(report, page, page.style))}<body>
<div class="a0"><div class="a1">{_today(report, page)}</div><div class="a2">{foot["links"]}</div></div>
<div class="b0"><div class="b1"><img src="/u/cms/www/logo.png" alt="logo.png"></div>
<div class="b2"><a href="/">首页</a><a href="/list-12.html">政务公开</a><a href="/list-13.html">{esc(page.column_name)}</a></div></div>
<div class="c0"><div class="c1">{_crumb(page, " » ")}</div>
<div class="c2"><div class="c3">
<div class="d1">{info}</div>
<div class="d2">{esc(report.title)}</div>
<div class="d3">{report.published.isoformat()}　{_views(page)}　{_font_size(page)}</div>
<div class="d4">
{body}
</div>
{_attachments_outside(page)}
<div class="d5">{_print_close(page)} {_share(page)}</div>
{_qrcode(page)}
<div class="d6">{_prev_next(report, page)}</div>
</div>
<div class="e0">{_related(report, page)}</div>
</div></div>
<div class="f0"><div class="f1">{foot["links"]}</div>
<div class="f2">{foot["sponsor"]}　{foot["copyright"]}</div>
<div class="f3">{foot["ids"]}</div>
<div class="f4">{foot["support"]}　{foot["resolution"]}</div>
{foot["spam"]}
</div>
</body>
</html>
"""


def render_township(report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    """A township/街道 page on a county site: a tiny body inside much more chrome than text."""
    body = _body_with_extras(report, page, _blocks_html(report, page, "township"))
    return _encode(_shell_township(report, page, body), page_encoding("township", page))


def _shell_township(report: Report, page: PageInfo, body: str) -> str:
    enc = page_encoding("township", page)
    info = "　".join(f"{_pad(k, 'ideo')}：{esc(v)}" for k, v in _info_items(report, page))
    towns = ["城关镇", "新华街道", "三河镇", "高河镇", "柘皋镇", "东关街道", "金桥街道", "白云乡"]
    nav = "".join(f'<li><a href="/zwgk/xzjd/t{i}/">{t}</a></li>' for i, t in enumerate(towns))
    news = "".join(f'<li><a href="/xwzx/t{i}.html">{page.site.name.removesuffix("人民政府")}召开'
                   f'第{i + 3}次政务公开工作推进会</a><span>{report.published.year}-0{i + 1}-1{i}</span>'
                   "</li>" for i in range(6))
    foot = _footer_parts(page)
    return f"""<!DOCTYPE html>
<html>
{_head(report, page, enc, _title_suffix(report, page, page.style + 1))}<body>
<div class="tb"><span>{_today(report, page)}</span><span class="r">{foot["links"]}</span></div>
<div class="hd"><img src="/images/top.jpg" alt="top.jpg"></div>
<div class="nv"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxq/">走进{esc(page.site.name.removesuffix("人民政府"))}</a></li></ul></div>
<div class="wrap">
<div class="side"><h3>乡镇（街道）信息公开</h3><ul>{nav}</ul>
<h3>政务要闻</h3><ul>{news}</ul></div>
<div class="con_main">
<div class="weizhi">{_crumb(page, " &gt; ")}</div>
<div class="xxgk_info">{info}</div>
<div class="con_title">{esc(report.title)}</div>
<div class="con_info">{_views(page)}　{_font_size(page)}</div>
<div class="con_text">
{body}
</div>
{_attachments_outside(page)}
<div class="con_tools">{_share(page)}{_print_close(page)}</div>
{_qrcode(page)}
{_prev_next(report, page)}
{_related(report, page)}
</div>
</div>
<div class="ft">
<p>{foot["links"]}</p>
<p>{foot["sponsor"]}　{foot["copyright"]}</p>
<p>{foot["ids"]}</p>
<p>{foot["support"]}　{foot["resolution"]}</p>
{foot["spam"]}
</div>
</body>
</html>
"""


TEMPLATES: dict[str, Callable[[Report, PageInfo], tuple[bytes, dict[str, str]]]] = {
    "trs": render_trs,
    "hanweb": render_hanweb,
    "jiyue": render_jiyue,
    "govcn": render_govcn,
    "wordpaste": render_wordpaste,
    "plain": render_plain,
    "township": render_township,
}


def render(template: str, report: Report, page: PageInfo) -> tuple[bytes, dict[str, str]]:
    return TEMPLATES[template](report, page)


# --------------------------------------------------------------------------------------------
# 瑞数 WAF challenge

CHALLENGE_STATUS = 412


def render_challenge(url: str, variant: int = 0) -> tuple[bytes, dict[str, str]]:
    """What 瑞数 answers on the first request: HTTP 412, `$_ts` scripts, <meta r="m">, no text."""
    rng = rng_for("challenge", url, variant)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

    def token(n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    path = f"/{token(12)}/{token(8)}.{token(6)}.js"
    if variant == 0:
        text = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; '
                'charset=utf-8"><meta http-equiv="Expires" content="0"><meta http-equiv="Cache-'
                'Control" content="no-cache"><meta http-equiv="Pragma" content="no-cache">'
                f'<meta id="{token(22)}" content="{token(900)}" r="m">'
                f'<script type="text/javascript" r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={{}};'
                f'$_ts.nsd={rng.randint(10000, 99999)};$_ts.cd="{token(1200)}";</script>'
                f'<script type="text/javascript" charset="utf-8" src="{path}" r="m"></script>'
                '</head><body><script type="text/javascript" r="m">$_ts.lcd();</script>'
                "</body></html>")
    else:
        text = (f"<html><head><meta content=\"{token(600)}\" r='m'>"
                f"<script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.scj=[];"
                f"$_ts['{token(6)}']='{token(800)}';</script>"
                f"<script src=\"{path}\" r='m'></script></head><body></body></html>")
    cookie = f"{token(16)}O={token(60)}; Path=/; expires=Fri, 31 Dec 2100 00:00:00 GMT; HttpOnly"
    headers = {"Content-Type": "text/html", "Server": "nginx", "Set-Cookie": cookie}
    return text.encode("ascii"), headers
