"""Archive write benchmark: captures/s with ~20 KB bodies, batched vs one transaction per item,
and bytes stored per capture against the raw body size.

    .venv/bin/python bench/archive.py [--items 2000] [--batch 500] [--compression zlib]

Bodies imitate 年报 pages: a shared portal template (navigation, footer) around paragraphs and
number tables that differ from page to page, so compression sees realistic redundancy. Each
scenario writes into a fresh file in a temporary directory.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import Archive, ArchiveItem, Capture, DocumentKey  # noqa: E402
from harvester.result import CleanResult, Metadata  # noqa: E402

BODY_BYTES = 20_000
SENTENCES = [
    "本年度，我县认真贯彻落实《中华人民共和国政府信息公开条例》",
    "围绕法治政府建设目标，持续深化政务公开工作",
    "全面推进决策、执行、管理、服务、结果公开",
    "进一步规范依申请公开办理流程，提高答复质量",
    "加强政府网站和政务新媒体建设管理",
    "政府信息公开工作仍存在一些不足，主动公开的深度和广度有待加强",
    "下一步，我们将加强业务培训，提升工作人员业务水平",
    "本年度未收取政府信息公开相关费用",
]


def template(rng: random.Random) -> tuple[str, str]:
    nav = "".join(
        f'<li><a href="/col/col{rng.randint(1000, 9999)}/index.html">栏目{n}</a></li>'
        for n in range(120)
    )
    head = (
        '<html><head><meta charset="utf-8"><meta name="SiteName" content="某县人民政府">'
        '<meta name="ColumnName" content="政府信息公开年报"><title>{title}</title>'
        f'<link rel="stylesheet" href="/css/main.css"></head><body><ul class="nav">{nav}</ul>'
        '<div class="TRS_Editor">'
    )
    foot = (
        "</div><div class=footer>主办：某县人民政府办公室 承办：某县大数据中心 "
        "网站标识码：3300000001 浙ICP备00000000号 浙公网安备 33000000000000号</div></body></html>"
    )
    return head, foot


def page(rng: random.Random, head: str, foot: str, n: int) -> tuple[bytes, str]:
    title = f"某县某局{2019 + n % 6}年政府信息公开工作年度报告（{n}）"
    parts, text = [], [title]
    size = len(head.encode()) + len(foot.encode())
    while size < BODY_BYTES:
        if rng.random() < 0.3:
            cells = [str(rng.randint(0, 9999)) for _ in range(7)]
            row = "<tr>" + "".join(f"<td><p>{c}&nbsp;</p></td>" for c in cells) + "</tr>"
            parts.append(f'<table class="MsoNormalTable">{row}</table>')
            text.append(" | ".join(cells))
        else:
            sentence = "，".join(rng.sample(SENTENCES, 3)) + f"，共{rng.randint(1, 999)}件。"
            parts.append(f'<p style="mso-line-height:150%"><span>{sentence}</span></p>')
            text.append(sentence)
        size += len(parts[-1].encode())
    html = head.replace("{title}", title) + "\n".join(parts) + foot
    return html.encode(), "\n".join(text)


def make_items(crawl_id: str, count: int, documents: bool, seed: int) -> list[ArchiveItem]:
    rng = random.Random(seed)
    head, foot = template(random.Random(1))
    items = []
    for n in range(count):
        body, text = page(rng, head, foot, seed * 1_000_000 + n)
        url = f"http://www.x.gov.cn/art/2024/1/15/art_1_{seed}_{n}.html"
        capture = Capture(
            crawl_id, url, "ok", status=200, body=body, duration=0.2, seed="http://www.x.gov.cn/",
            response_headers={"Content-Type": "text/html; charset=utf-8"}, hop_path="LL",
        )  # fmt: skip
        clean = None
        if documents:
            clean = CleanResult(
                url=url, source_type="html", kind="report", reason="bench", text=text,
                metadata=Metadata(title=text.split("\n", 1)[0], year=2023), extractor="bench",
            )  # fmt: skip
        items.append(ArchiveItem(capture, clean, DocumentKey("x", url) if documents else None))
    return items


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def scenario(
    label: str,
    directory: Path,
    count: int,
    write: Callable[[Archive, list[ArchiveItem]], None],
    args: argparse.Namespace,
    documents: bool = False,
    repeat_bodies: bool = False,
) -> str:
    path = directory / f"{label.split()[0]}-{int(documents)}-{int(repeat_bodies)}.db"
    archive = Archive(path, compression=args.compression, synchronous=args.synchronous)
    run = archive.start_run({"bench": label})
    items = make_items(run, count, documents, seed=1)
    if repeat_bodies:  # the same bodies again, as a re-crawl of unchanged pages would
        write(archive, items)
        items = make_items(run, count, documents, seed=1)
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before, stored_before = file_bytes(path), archive.stats()["body_bytes_stored"]
    raw = sum(len(item.capture.body or b"") for item in items)
    text = sum(len(item.clean.text.encode()) for item in items if item.clean)
    started = time.perf_counter()
    write(archive, items)
    elapsed = time.perf_counter() - started
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = archive.stats()["body_bytes_stored"] - stored_before
    problems = archive.verify()
    archive.close()
    added = file_bytes(path) - before
    return (
        f"{label:<30}{count:>6}{elapsed:>8.2f}{count / elapsed:>11,.0f}"
        f"{raw / count / 1000:>8.1f}{text / count / 1000:>8.1f}{added / count / 1000:>9.1f}"
        f"{added / raw:>9.2f}{blobs / raw:>9.2f}  {'ok' if not problems else 'VERIFY FAILED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="captures per batched run")
    parser.add_argument("--per-item", type=int, default=300, help="captures in the per-item run")
    parser.add_argument("--batch", type=int, default=500, help="items per transaction")
    parser.add_argument("--compression", default="zlib", choices=["zlib", "zstd", "identity"])
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    args = parser.parse_args()

    def batched(archive: Archive, items: list[ArchiveItem]) -> None:
        for start in range(0, len(items), args.batch):
            archive.write_batch(items[start : start + args.batch])

    def per_item(archive: Archive, items: list[ArchiveItem]) -> None:
        for item in items:
            archive.write_batch([item])

    print(
        f"archive bench: ~{BODY_BYTES // 1000} KB bodies, compression={args.compression}, "
        f"synchronous={args.synchronous}, batch={args.batch}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"{'scenario':<30}{'items':>6}{'seconds':>8}{'captures/s':>11}"
        f"{'raw KB':>8}{'text KB':>8}{'disk KB':>9}{'disk/raw':>9}{'blob/raw':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows = [
            scenario("batched, captures", directory, args.items, batched, args),
            scenario("per-item, captures", directory, args.per_item, per_item, args),
            scenario("batched, + document+FTS", directory, args.items, batched, args, True),
            scenario("per-item, + document+FTS", directory, args.per_item, per_item, args, True),
            scenario(
                "batched, same bodies again", directory, args.items, batched, args,
                repeat_bodies=True,
            ),  # fmt: skip
        ]
    for row in rows:
        print(row)
    print(
        "raw KB: body per capture; text KB: clean text per version (UTF-8); disk KB: file growth "
        "per capture (after a WAL checkpoint); blob/raw: new compressed body bytes / raw body "
        "bytes (0 when every body was already stored)."
    )


if __name__ == "__main__":
    main()
