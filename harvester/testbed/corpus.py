"""The fixture corpus: which report is rendered by which template on which site, and what a
cleaner must extract from each page.

:func:`build_corpus` returns every case as ``(name, body bytes, expected dict)``;
``tests/fixtures/build_corpus.py`` writes them to ``tests/fixtures/corpus``. The expected dict is
the contract for the cleaner (see :func:`expected_for` for the fields).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from harvester.result import Kind
from harvester.testbed.pages import (
    CHALLENGE_STATUS,
    Attachment,
    Encoding,
    PageInfo,
    Site,
    page_encoding,
    render,
    render_challenge,
)
from harvester.testbed.reports import Image, Report, ReportSpec, make_document, make_report

# --------------------------------------------------------------------------------------------
# Sites


def _site(name: str, host: str, site_id: str, column: str, prov: str, code: str,
          support: str = "拓尔思信息技术股份有限公司") -> Site:
    short = name.removesuffix("人民政府")
    return Site(name=name, host=host, site_id=site_id, column=column,
                sponsor=f"{short}人民政府办公室", organizer=f"{short}数据资源管理局",
                icp=f"{prov}ICP备{code[:8]}号-1", beian=f"{prov}公网安备 {code}号",
                support=support)


SHUSHAN = _site("合肥市蜀山区人民政府", "www.shushan.gov.cn", "3401040001", "政府信息公开年报",
                "皖", "34010402000123")
DONGLI = _site("天津市东丽区人民政府", "www.tjdl.gov.cn", "1201100012", "政府信息公开年报",
               "津", "12011002018071")
HEXI = _site("天津市河西区人民政府", "www.tjhx.gov.cn", "1201030004", "政府信息公开工作年度报告",
             "津", "12010302000356", "南京大汉网络有限公司")
NANKAI = _site("天津市南开区人民政府", "www.tjnk.gov.cn", "1201040003", "信息公开年报",
               "津", "12010402000417")
HEPING = _site("天津市和平区人民政府", "www.tjhp.gov.cn", "1201010001", "政府信息公开年报",
               "津", "12010102000168")
YINGQUAN = _site("阜阳市颍泉区人民政府", "www.yq.gov.cn", "3412040002", "信息公开年报",
                 "皖", "34120402000234")
YINGZHOU = _site("阜阳市颍州区人民政府", "www.yingzhou.gov.cn", "3412020001", "政府信息公开年报",
                 "皖", "34120202000111", "南京大汉网络有限公司")
FUYANG = _site("阜阳市人民政府", "www.fy.gov.cn", "3412000005", "政府信息公开工作年度报告",
               "皖", "34120002000078")
HEFEI = _site("合肥市人民政府", "www.hefei.gov.cn", "3401000002", "年度报告", "皖",
              "34010002000356")
WENLING = _site("温岭市人民政府", "www.wl.gov.cn", "3310810007", "政府信息公开年报", "浙",
                "33108102000105", "南京大汉网络有限公司")
BAQIAO = _site("西安市灞桥区人民政府", "www.baqiao.gov.cn", "6101110003", "年度报告", "陕",
               "61011102000218")
WENFENG = _site("安阳市文峰区人民政府", "www.wenfeng.gov.cn", "4105020004", "政务信息公开年度报告",
                "豫", "41050202000089")
FEIXI = _site("合肥市肥西县人民政府", "www.feixi.gov.cn", "3401230001", "政府信息公开年报",
              "皖", "34012302000045")
CHAOHU = _site("巢湖市人民政府", "www.chaohu.gov.cn", "3401810002", "信息公开年报", "皖",
               "34018102000067")
HUAINING = _site("怀宁县人民政府", "www.ahhn.gov.cn", "3408220001", "政府信息公开年报", "皖",
                 "34082202000012")
SHOUXIAN = _site("寿县人民政府", "www.shouxian.gov.cn", "3404220003", "政府信息公开工作年度报告",
                 "皖", "34042202000031")


def trs_url(site: Site, column_path: str, d: date, doc: int, ext: str = "html") -> str:
    return f"https://{site.host}{column_path}{d:%Y%m}/t{d:%Y%m%d}_{doc}.{ext}"


def hanweb_url(site: Site, d: date, col: int, art: int) -> str:
    return f"https://{site.host}/art/{d.year}/{d.month}/{d.day}/art_{col}_{art}.html"


def pdf(name: str, href: str, prefix: str = "附件：") -> Attachment:
    return Attachment(href=href, label=f"{prefix}{name}")


# --------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    slug: str
    template: str  # a key of pages.TEMPLATES, or "waf"
    kind: Kind
    page: PageInfo | None = None
    spec: ReportSpec | None = None  # a report built from a data body …
    document: str = ""  # … or a document from synthetic_nonreports.json
    published: date | None = None  # for documents
    url: str = ""  # for the WAF page
    variant: int = 0  # WAF page shape
    traps: tuple[str, ...] = field(default_factory=tuple)

    def report(self) -> Report | None:
        if self.spec:
            return make_report(self.spec)
        if self.document:
            assert self.published is not None
            return make_document(self.document, self.published)
        return None


def _d(text: str) -> date:
    return date.fromisoformat(text)


GBK_ONLY = "GBK characters outside GB2312 (镕/堃/喆) in the body"
UTF8_DECLARED_GB2312 = "UTF-8 bytes declared gb2312 in both the HTTP header and <meta>"


def cases() -> list[Case]:
    """Every corpus case, in order (the index becomes the NNN file prefix)."""
    f = frozenset
    out: list[Case] = []

    # ---- TRS WCM (GBK) ---------------------------------------------------------------------
    d = _d("2023-01-20")
    out.append(Case("dongli_2022", "trs", "report", spec=ReportSpec(
        "seed_001", "天津市东丽区人民政府", 2022, d, scale=3, thousands=True,
        append=("联系人：区政务公开办公室王镕，联系电话：022-24391234。",)),
        page=PageInfo(DONGLI, trs_url(DONGLI, "/zwgk/zfxxgk/zfxxgknb/", d, 5271843),
                      index_no="11120110MB1946287K/2023-00012", views=1873, style=0,
                      flags=f({"chrome_in_body", "spam_footer"}),
                      attachments=(pdf("东丽区2022年政府信息公开工作年度报告.pdf",
                                       "./P020230120593127468351.pdf"),)),
        traps=(GBK_ONLY,)))
    d = _d("2021-01-29")
    out.append(Case("yingquan_office_2020", "trs", "report", spec=ReportSpec(
        "seed_004", "颍泉区人民政府办公室", 2020, d, scale=1),
        page=PageInfo(YINGQUAN, trs_url(YINGQUAN, "/public/zfxxgk/xxgknb/", d, 113582, "shtml"),
                      index_no="11341204003182567A/2021-00012", date_style="cn0", views=642,
                      style=1, variant="TRS_Editor", pub_time="16:02",
                      attachments=(pdf("颍泉区人民政府办公室2020年度政府信息公开工作年度报告.doc",
                                       "./P020210129386740591238.doc"),))))
    d = _d("2022-01-26")
    out.append(Case("xinhua_street_2021", "trs", "report", spec=ReportSpec(
        "seed_000", "新华街道办事处", 2021, d, stem="新华", scale=1,
        append=("联系人：新华街道党政办李堃，联系电话：029-83521234。",)),
        page=PageInfo(BAQIAO, trs_url(BAQIAO, "/xxgk/jdxxgk/xhjd/ndbg/", d, 41235), views=88,
                      index_no="11610111MB2951234X/2022-00003", variant="TRS_UEDITOR", style=2,
                      date_style="iso", flags=f({"chrome_in_body"}), column="年度报告"),
        traps=(GBK_ONLY,)))
    d = _d("2017-03-28")
    out.append(Case("shushan_2016", "trs", "report", spec=ReportSpec(
        "synthetic_pre2019", "蜀山区人民政府", 2016, d, scale=2,
        append=("联系人：区政府办公室张喆，电话：0551-65312345。",)),
        page=PageInfo(SHUSHAN, trs_url(SHUSHAN, "/zfxxgk/zfxxgknb/", d, 1023456, "htm"),
                      index_no="003182567/2017-00021", variant="zoom", style=3, views=2310,
                      date_style="cn", subject="综合政务\\其他", validity=""),
        traps=(GBK_ONLY,)))
    d = _d("2021-01-08")
    out.append(Case("shushan_notice_2020", "trs", "not_report", document="notice",
                    published=d,
                    page=PageInfo(SHUSHAN, trs_url(SHUSHAN, "/zfxxgk/zfxxgknb/", d, 1187654),
                                  index_no="003182567/2021-00002", doc_no="蜀政办秘〔2021〕2号",
                                  views=530, style=1, date_style="cn0")))
    d = _d("2021-01-30")
    out.append(Case("shushan_fgw_attachment_2020", "trs", "empty",
                    document="attach1", published=d,
                    page=PageInfo(SHUSHAN, trs_url(SHUSHAN, "/zfxxgk/bmxxgk/fgw/xxgknb/", d,
                                                   1190321),
                                  index_no="11340104MB1C32148Q/2021-00004", style=2, views=77,
                                  attachments=(pdf("蜀山区发展和改革委员会2020年政府信息公开工作年度"
                                                   "报告.pdf", "./P020210130512378906214.pdf"),
                                               pdf("2020年政府信息公开情况统计表.xls",
                                                   "./P020210130512378906215.xls", "附件2：")))))
    d = _d("2024-01-25")
    out.append(Case("fuyang_sthjj_2023", "trs", "report", spec=ReportSpec(
        "synthetic_bureau", "阜阳市生态环境局", 2023, d, scale=2, thousands=True, signature=True),
        page=PageInfo(FUYANG, trs_url(FUYANG, "/public/sthjj/xxgknb/", d, 7781234),
                      index_no="11341200MB1A8765X3/2024-00007", style=3, views=415,
                      variant="TRS_Editor", date_style="dash",
                      flags=f({"attachments_in_script"}),
                      attachments=(pdf("阜阳市生态环境局2023年政府信息公开工作年度报告.pdf",
                                       "./P020240125611223344556.pdf"),))))
    d = _d("2021-06-15")  # a 2019 report reposted in 2021: the year comes from the title
    out.append(Case("zeguo_2019_reposted", "trs", "report", spec=ReportSpec(
        "seed_003", "泽国镇人民政府", 2019, d, stem="泽国", scale=1, blank_zeros=True),
        page=PageInfo(WENLING, trs_url(WENLING, "/zfxxgk/xzjd/zgz/zfxxgknb/", d, 3345123),
                      index_no="002698731/2021-05678", style=0, views=301, date_style="cn",
                      variant="TRS_UEDITOR", column="政府信息公开年报"),
        traps=("published two years after the report year",)))

    # ---- 大汉 Hanweb -----------------------------------------------------------------------
    d = _d("2022-01-28")
    out.append(Case("hexi_2021", "hanweb", "report", spec=ReportSpec(
        "seed_001", "天津市河西区人民政府", 2021, d, stem="河西", scale=3),
        page=PageInfo(HEXI, hanweb_url(HEXI, d, 1234, 56789), index_no="000125481/2022-00031",
                      views=955, style=0, flags=f({"content_markers"}),
                      attachments=(Attachment("/module/download/downfile.jsp?classid=0&filename="
                                              "2201281530123.pdf",
                                              "河西区2021年政府信息公开工作年度报告.pdf"),))))
    d = _d("2020-01-20")
    out.append(Case("daxi_2019", "hanweb", "report", spec=ReportSpec(
        "seed_003", "大溪镇人民政府", 2019, d, scale=1),
        page=PageInfo(WENLING, hanweb_url(WENLING, d, 1229145, 3987612),
                      index_no="002698731/2020-01234", views=211, style=1, variant="td",
                      encoding=Encoding("gbk", None, "gbk"), date_style="cn0")))
    d = _d("2024-01-31")
    out.append(Case("yingzhou_office_2023", "hanweb", "report", spec=ReportSpec(
        "seed_004", "颍州区人民政府办公室", 2023, d, stem="颍州", scale=2),
        page=PageInfo(YINGZHOU, hanweb_url(YINGZHOU, d, 2891, 1046272),
                      index_no="11341202003186540X/2024-00011", views=134, style=2,
                      flags=f({"chrome_in_body"}), date_style="iso")))
    d = _d("2022-01-25")
    out.append(Case("hefei_sthjj_2021", "hanweb", "report", spec=ReportSpec(
        "synthetic_bureau", "合肥市生态环境局", 2021, d, stem="合肥", scale=3, thousands=True),
        page=PageInfo(HEFEI, hanweb_url(HEFEI, d, 3417, 7712580), views=689, style=3,
                      index_no="11340100MB0Y43213E/2022-00005", variant="td",
                      flags=f({"content_markers"}), date_style="dash")))
    d = _d("2023-04-12")
    out.append(Case("hexi_letter_2022", "hanweb", "not_report", document="letter",
                    published=d,
                    page=PageInfo(HEXI, hanweb_url(HEXI, d, 1234, 60012),
                                  index_no="000125481/2023-00102", doc_no="河西政办函〔2023〕15号",
                                  views=57, style=0)))
    d = _d("2018-02-27")
    out.append(Case("yingzhou_2017", "hanweb", "report", spec=ReportSpec(
        "synthetic_pre2019", "颍州区人民政府", 2017, d, stem="颍州", scale=1),
        page=PageInfo(YINGZHOU, hanweb_url(YINGZHOU, d, 2891, 412345),
                      index_no="003186540/2018-00009", views=1520, style=1, variant="td",
                      encoding=Encoding("gbk", None, "utf-8"), date_style="cn", validity=""),
        traps=("GBK bytes whose <meta> claims utf-8 (no HTTP charset)",)))
    d = _d("2025-01-22")
    out.append(Case("dongguan_street_2024", "hanweb", "report", spec=ReportSpec(
        "seed_002", "东关街道办事处", 2024, d, stem="东关", scale=0),
        page=PageInfo(WENFENG, hanweb_url(WENFENG, d, 8012, 2301456), views=43, style=2,
                      index_no="114105020057123456/2025-00002")))

    # ---- 集约化 --------------------------------------------------------------------------------
    d = _d("2024-01-19")
    out.append(Case("xidajie_2023", "jiyue", "report", spec=ReportSpec(
        "seed_002", "西大街街道办事处", 2023, d, scale=0),
        page=PageInfo(WENFENG, f"https://{WENFENG.host}/xxgk/jdxxgk/xdjjd/ndbg/content/"
                               "post_2214567.html", index_no="11410502005712345A/2024-00004",
                      views=96, style=0)))
    d = _d("2021-01-22")
    out.append(Case("xiquan_2020", "jiyue", "report", spec=ReportSpec(
        "seed_000", "西泉街道办事处", 2020, d, scale=1),
        page=PageInfo(BAQIAO, f"https://{BAQIAO.host}/public/6612345/8123456.html",
                      index_no="11610111MB2951234X/2021-00005", variant="pages_content",
                      style=1, views=163, date_style="cn")))
    d = _d("2022-01-27")
    out.append(Case("yingquan_charset_lie_2021", "jiyue", "report", spec=ReportSpec(
        "seed_004", "颍泉区人民政府办公室", 2021, d, scale=2),
        page=PageInfo(YINGQUAN, f"https://{YINGQUAN.host}/public/118225001/1112345678.html",
                      index_no="11341204003182567A/2022-00009", style=2, views=388,
                      encoding=Encoding("utf-8", "gb2312", "gb2312"),
                      attachments=(pdf("颍泉区人民政府办公室2021年政府信息公开工作年度报告.pdf",
                                       "/group1/M00/0A/3C/rBAAAGHxA1.pdf"),)),
        traps=(UTF8_DECLARED_GB2312,)))
    d = _d("2023-01-18")
    out.append(Case("fuyang_ybj_attachment_2022", "jiyue", "empty",
                    document="attach2", published=d,
                    page=PageInfo(FUYANG, f"https://{FUYANG.host}/public/6621371/1048823571.html",
                                  index_no="11341200MB1A29935B/2023-00001", style=3, views=51,
                                  flags=f({"attachments_in_body"}),
                                  attachments=(
                                      pdf("阜阳市医疗保障局2022年度政府信息公开工作年度报告.docx",
                                          "/group1/M00/0B/1F/rBAAAGPH2.docx"),
                                      Attachment("/group1/M00/0B/1F/rBAAAGPH3.pdf",
                                                 "阜阳市医疗保障局2022年度政府信息公开工作年度报告"
                                                 "（PDF版）")))))
    d = _d("2025-01-24")
    out.append(Case("hefei_sthjj_2024", "jiyue", "report", spec=ReportSpec(
        "synthetic_bureau", "合肥市生态环境局", 2024, d, stem="合肥", scale=2),
        page=PageInfo(HEFEI, f"https://{HEFEI.host}/xxgk/sthjj/ndbg/content/post_9012345.html",
                      index_no="11340100MB0Y43213E/2025-00004", style=0, views=230,
                      date_style="iso",
                      attachments=(pdf("2024年政府信息公开情况统计表.xls",
                                       "/group1/M00/0C/2A/rBAAAGWx.xls", "附件1："),
                                   pdf("合肥市生态环境局2024年政府信息公开工作年度报告.wps",
                                       "/group1/M00/0C/2A/rBAAAGWy.wps", "附件2：")))))
    d = _d("2024-01-30")
    out.append(Case("nankai_2023", "jiyue", "report", spec=ReportSpec(
        "seed_001", "天津市南开区人民政府", 2023, d, stem="南开", scale=3, thousands=True),
        page=PageInfo(NANKAI, f"https://{NANKAI.host}/zwgk/zfxxgk/xxgknb/202401/"
                              "t20240130_6512345.html", variant="pages_content", style=1,
                      index_no="11120104000512345Y/2024-00014", views=1211,
                      flags=f({"title_in_body"}))))
    d = _d("2019-03-29")
    out.append(Case("shushan_2018", "jiyue", "report", spec=ReportSpec(
        "synthetic_pre2019", "蜀山区人民政府", 2018, d, scale=3),
        page=PageInfo(SHUSHAN, f"https://{SHUSHAN.host}/public/2000011/8812345.html",
                      index_no="003182567/2019-00046", style=2, views=1789, date_style="cn0",
                      validity="")))

    # ---- gov.cn style ----------------------------------------------------------------------
    d = _d("2025-01-21")
    out.append(Case("heping_2024", "govcn", "report", spec=ReportSpec(
        "seed_001", "天津市和平区人民政府", 2024, d, stem="和平", scale=3),
        page=PageInfo(HEPING, f"https://{HEPING.host}/zhengce/content/2025-01/21/"
                              "content_7001234.htm", index_no="000125010/2025-00003",
                      style=0, views=2045)))
    d = _d("2021-02-03")
    out.append(Case("yingquan_plan_2021", "govcn", "not_report", document="plan",
                    published=d,
                    page=PageInfo(YINGQUAN, f"https://{YINGQUAN.host}/zhengce/content/2021-02/03/"
                                            "content_1120345.htm",
                                  index_no="11341204003182567A/2021-00031",
                                  doc_no="泉政办〔2021〕8号", style=1, views=312,
                                  subject="综合政务\\政务公开")))
    d = _d("2020-01-21")
    out.append(Case("yingdong_office_2019", "govcn", "report", spec=ReportSpec(
        "seed_004", "颍东区人民政府办公室", 2019, d, stem="颍东", scale=1),
        page=PageInfo(FUYANG, f"https://{FUYANG.host}/zhengce/content/2020-01/21/"
                              "content_1009876.htm", index_no="11341203003187654B/2020-00003",
                      style=2, views=98, date_style="cn")))
    d = _d("2023-01-17")
    out.append(Case("ruoheng_2022", "govcn", "report", spec=ReportSpec(
        "seed_003", "箬横镇人民政府", 2022, d, stem="箬横", scale=1),
        page=PageInfo(WENLING, f"https://{WENLING.host}/zhengce/content/2023-01/17/"
                               "content_3312345.htm", index_no="002698731/2023-00412", style=3,
                      views=67, flags=f({"empty_paragraphs"}))))
    d = _d("2023-01-31")
    out.append(Case("fuyang_sthjj_2022", "govcn", "report", spec=ReportSpec(
        "synthetic_bureau", "阜阳市生态环境局", 2022, d, scale=2, signature=True),
        page=PageInfo(FUYANG, f"https://{FUYANG.host}/zhengce/content/2023-01/31/"
                              "content_1056789.htm", index_no="11341200MB1A8765X3/2023-00006",
                      style=0, views=276, date_style="iso",
                      attachments=(pdf("阜阳市生态环境局2022年政府信息公开工作年度报告.pdf",
                                       "/zhengce/content/2023-01/31/P020230131.pdf"),))))
    d = _d("2021-03-30")
    out.append(Case("xiquan_2020_govcn", "govcn", "report", spec=ReportSpec(
        "seed_000", "西泉街道办事处", 2020, d, scale=1),
        page=PageInfo(BAQIAO, f"https://{BAQIAO.host}/zhengce/content/2021-03/30/"
                              "content_2210987.htm", index_no="11610111MB2951234X/2021-00011",
                      style=1, views=45, flags=f({"chrome_in_body"}))))

    # ---- Word paste ------------------------------------------------------------------------
    d = _d("2020-01-16")
    out.append(Case("daxi_2019_word", "wordpaste", "report", spec=ReportSpec(
        "seed_003", "大溪镇人民政府", 2019, d, scale=1, blank_zeros=True),
        page=PageInfo(WENLING, trs_url(WENLING, "/zfxxgk/xzjd/dxz/zfxxgknb/", d, 1876543),
                      index_no="002698731/2020-00998", variant="trs", style=0, views=187,
                      flags=f({"title_in_body", "empty_paragraphs"})),
        traps=("blank cells instead of zeros in the applications table",)))
    d = _d("2021-01-25")
    out.append(Case("xiquan_2020_word", "wordpaste", "report", spec=ReportSpec(
        "seed_000", "西泉街道办事处", 2020, d, scale=1),
        page=PageInfo(BAQIAO, hanweb_url(BAQIAO, d, 5012, 712345), variant="zoom", style=1,
                      index_no="11610111MB2951234X/2021-00006", views=64,
                      flags=f({"word_spacer_row"}))))
    d = _d("2023-02-08")
    out.append(Case("dongli_2022_word", "wordpaste", "report", spec=ReportSpec(
        "seed_001", "天津市东丽区人民政府", 2022, d, scale=3, thousands=True),
        page=PageInfo(DONGLI, f"https://{DONGLI.host}/zhengce/content/2023-02/08/"
                              "content_5323456.htm", variant="pages_content", style=2,
                      index_no="11120110MB1946287K/2023-00020", views=903,
                      flags=f({"empty_paragraphs", "word_spacer_row"}))))
    d = _d("2021-03-01")
    out.append(Case("yingquan_2020_word", "wordpaste", "report", spec=ReportSpec(
        "seed_004", "颍泉区人民政府办公室", 2020, d, scale=1),
        page=PageInfo(YINGQUAN, f"https://{YINGQUAN.host}/public/118225001/1098765432.html",
                      variant="article-content", style=3, views=255,
                      index_no="11341204003182567A/2021-00018", flags=f({"chrome_in_body"}))))
    d = _d("2022-01-27")
    out.append(Case("fuyang_sthjj_2021_word", "wordpaste", "report", spec=ReportSpec(
        "synthetic_bureau", "阜阳市生态环境局", 2021, d, scale=2, signature=True,
        append=("联系人：局办公室赵堃，联系电话：0558-2211234。",)),
        page=PageInfo(FUYANG, trs_url(FUYANG, "/public/sthjj/xxgknb/", d, 6612345), variant="trs",
                      style=1, views=333, index_no="11341200MB1A8765X3/2022-00003",
                      flags=f({"attachments_in_body"}),
                      attachments=(pdf("阜阳市生态环境局2021年政府信息公开工作年度报告.docx",
                                       "./P020220127523456789012.docx"),)),
        traps=(GBK_ONLY,)))
    d = _d("2024-01-26")
    out.append(Case("xidajie_2023_word", "wordpaste", "report", spec=ReportSpec(
        "seed_002", "西大街街道办事处", 2023, d, scale=0),
        page=PageInfo(WENFENG, f"https://{WENFENG.host}/xxgk/jdxxgk/xdjjd/ndbg/content/"
                               "post_2219876.html", variant="article-content", style=2, views=71,
                      index_no="11410502005712345A/2024-00006", flags=f({"empty_paragraphs"}))))
    d = _d("2017-03-20")
    out.append(Case("yingzhou_pre2019_2016_word", "wordpaste", "report", spec=ReportSpec(
        "synthetic_pre2019", "颍州区人民政府", 2016, d, stem="颍州", scale=2),
        page=PageInfo(YINGZHOU, hanweb_url(YINGZHOU, d, 2891, 301234), variant="zoom", style=0,
                      views=812, index_no="003186540/2017-00015", validity="",
                      flags=f({"word_spacer_row"}))))

    # ---- unknown CMS -----------------------------------------------------------------------
    d = _d("2023-01-29")
    out.append(Case("xinhua_street_2022_plain", "plain", "report", spec=ReportSpec(
        "seed_000", "新华街道办事处", 2022, d, stem="新华", scale=1),
        page=PageInfo(BAQIAO, f"https://{BAQIAO.host}/info/1052/23456.htm", style=0, views=39,
                      index_no="11610111MB2951234X/2023-00002", flags=f({"br_paragraphs"}))))
    d = _d("2022-01-21")
    out.append(Case("beiguan_street_2021_plain", "plain", "report", spec=ReportSpec(
        "seed_002", "北关街道办事处", 2021, d, stem="北关", scale=0),
        page=PageInfo(WENFENG, f"https://{WENFENG.host}/info/2031/11876.htm", style=1, views=22,
                      index_no="11410502005716543C/2022-00001",
                      encoding=Encoding("utf-8", None, None, bom=True)),
        traps=("UTF-8 BOM, no charset declared anywhere",)))
    d = _d("2024-02-02")
    out.append(Case("dongli_2023_plain", "plain", "report", spec=ReportSpec(
        "seed_001", "天津市东丽区人民政府", 2023, d, scale=3, thousands=True),
        page=PageInfo(DONGLI, f"https://{DONGLI.host}/show.aspx?id=88123&cid=41", style=2,
                      views=1402, index_no="11120110MB1946287K/2024-00008",
                      flags=f({"chrome_in_body", "attachments_in_body"}),
                      attachments=(pdf("东丽区2023年政府信息公开工作年度报告.pdf",
                                       "/uploadfiles/202402/20240202101530.pdf"),))))
    d = _d("2025-01-15")
    out.append(Case("songmen_2024_plain", "plain", "report", spec=ReportSpec(
        "seed_003", "松门镇人民政府", 2024, d, stem="松门", scale=1),
        page=PageInfo(WENLING, f"https://{WENLING.host}/info/3301/70123.htm", style=3, views=58,
                      index_no="002698731/2025-00077", date_style="dash")))
    d = _d("2018-03-15")
    out.append(Case("shushan_2017_plain", "plain", "report", spec=ReportSpec(
        "synthetic_pre2019", "蜀山区人民政府", 2017, d, scale=2),
        page=PageInfo(SHUSHAN, f"https://{SHUSHAN.host}/info/1001/41234.htm", style=0,
                      views=905, index_no="003182567/2018-00030", date_style="cn",
                      encoding=Encoding("gbk", "gbk", "gbk"), validity="")))
    d = _d("2020-01-23")
    out.append(Case("bozhou_sthjj_2019_plain", "plain", "report", spec=ReportSpec(
        "synthetic_bureau", "亳州市生态环境局", 2019, d, stem="亳州", scale=2),
        page=PageInfo(FUYANG, f"https://{FUYANG.host}/info/5012/31234.htm", style=1, views=147,
                      index_no="11341600MB1B1234XY/2020-00002",
                      flags=f({"empty_paragraphs"}))))

    # ---- township --------------------------------------------------------------------------
    for slug, body, agency, site, year, published, enc, style, flags in (
        ("sanhe_2021", "township/t1", "三河镇人民政府", FEIXI, 2021, "2022-02-18", None, 0, ()),
        ("chengguan_2020", "township/t2", "城关街道办事处", SHOUXIAN, 2020, "2021-03-10",
         Encoding("gbk", "gbk", "gbk"), 1, ()),
        ("gaohe_2023", "township/t3", "高河镇人民政府", HUAINING, 2023, "2024-03-28", None, 2,
         ("chrome_in_body",)),
        ("zhegao_2018", "township/t4", "柘皋镇人民政府", CHAOHU, 2018, "2019-03-26",
         Encoding("gbk", "gb2312", "gb2312"), 3, ()),
        ("sanhe_2022", "township/t1", "三河镇人民政府", FEIXI, 2022, "2023-03-21", None, 1,
         ("spam_footer",)),
        ("jinqiao_2024", "township/t2", "金桥街道办事处", SHOUXIAN, 2024, "2025-03-14", None, 2,
         ()),
    ):
        d = _d(published)
        stem = agency[:2]
        out.append(Case(slug, "township", "report", spec=ReportSpec(
            body, agency, year, d, stem=stem, scale=0),
            page=PageInfo(site, f"https://{site.host}/zwgk/xzjd/{slug.split('_')[0]}/zfxxgknb/"
                                f"{d:%Y%m}/t{d:%Y%m%d}_{300000 + year}.html",
                          index_no=f"0{site.site_id[:8]}/{d.year}-0{year % 100:04d}",
                          style=style, views=10 + year % 37, encoding=enc, flags=frozenset(flags),
                          date_style=("cn0", "iso", "cn", "dash")[style])))

    # ---- 瑞数 WAF -----------------------------------------------------------------------------
    out.append(Case("ruishu_412", "waf", "blocked", url=trs_url(
        FUYANG, "/public/zfxxgk/xxgknb/", _d("2023-01-31"), 7712001), variant=0))
    out.append(Case("ruishu_412_short", "waf", "blocked", url=hanweb_url(
        YINGZHOU, _d("2024-01-31"), 2891, 1046280), variant=1))
    return out


# --------------------------------------------------------------------------------------------
# Expected results


def expected_for(case: Case, report: Report | None, headers: dict[str, str], status: int
                 ) -> dict[str, Any]:
    """The contract for one page. Fields:

    url, status, headers, template, kind; title (no site suffix), year (from the title),
    published (ISO date), agency (发布机构), index_no (索引号), doc_no (文号, "" if none), site_name,
    site_id (网站标识码), column (ColumnName meta), charset_used ("gb18030" for GBK/GB2312 bytes,
    else "utf-8"), attachments ([{url (absolute), name (link text minus "附件N：")}]), headings,
    paragraphs, table_format, table_rows (per table, one " | "-joined line per row), grids (per
    table, span-aware cell grid), text (title line, then headings/paragraphs/rows in order),
    traps (what makes this page hard, for humans).
    """
    if report is None or case.page is None:
        return {
            "url": case.url, "status": status, "headers": headers, "template": case.template,
            "kind": case.kind, "title": "", "year": None, "published": None, "agency": "",
            "index_no": "", "doc_no": "", "site_name": "", "site_id": "", "column": "",
            "charset_used": "utf-8", "attachments": [], "headings": [], "paragraphs": [],
            "table_format": "none", "table_rows": [], "grids": [], "text": "",
            "traps": ["瑞数 WAF challenge: HTTP 412, $_ts scripts, <meta r=\"m\">, no text"],
        }
    page = case.page
    enc = page_encoding(case.template, page)
    traps = sorted({*(f"flag:{name}" for name in page.flags), *case.traps,
                    *(["images whose alt text is a file name"]
                      if any(isinstance(b, Image) for b in report.blocks) else []),
                    *(["thousands separators in table numbers"]
                      if case.spec and case.spec.thousands else [])})
    return {
        "url": page.url, "status": status, "headers": headers, "template": case.template,
        "kind": case.kind, "title": report.title, "year": report.year,
        "published": report.published.isoformat(), "agency": report.agency,
        "index_no": page.index_no, "doc_no": page.doc_no, "site_name": page.site.name,
        "site_id": page.site.site_id, "column": page.column_name, "charset_used": enc.used,
        "attachments": page.expected_attachments(), "headings": report.expected_headings(),
        "paragraphs": report.expected_paragraphs(), "table_format": report.table_format,
        "table_rows": report.expected_table_rows(), "grids": report.expected_grids(),
        "text": report.expected_text(), "traps": traps,
    }


def build_case(case: Case) -> tuple[bytes, dict[str, Any]]:
    report = case.report()
    if case.template == "waf":
        body, headers = render_challenge(case.url, case.variant)
        return body, expected_for(case, None, headers, CHALLENGE_STATUS)
    assert report is not None and case.page is not None
    body, headers = render(case.template, report, case.page)
    return body, expected_for(case, report, headers, 200)


def build_corpus() -> Iterator[tuple[str, bytes, dict[str, Any]]]:
    """``(name, body, expected)`` for every case; name is ``NNN_template_slug``."""
    for i, case in enumerate(cases(), start=1):
        body, expected = build_case(case)
        yield f"{i:03d}_{case.template}_{case.slug}", body, expected


def dump_expected(expected: dict[str, Any]) -> bytes:
    """Stable JSON: sorted keys, real characters (not \\u escapes), one trailing newline."""
    return (json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def corpus_files() -> dict[str, bytes]:
    """File name → bytes for the whole corpus (``NNN_template_slug.html`` / ``.json``)."""
    files: dict[str, bytes] = {}
    for name, body, expected in build_corpus():
        files[f"{name}.html"] = body
        files[f"{name}.json"] = dump_expected(expected)
    return files
