"""The cleaning pool: real worker processes, cleanings handed out most urgent first."""

from __future__ import annotations

import asyncio
from pathlib import Path

from archive import Capture
from harvester import cleaning_pool
from harvester.cleaning_pool import CleaningPool
from harvester.items import FetchedItem
from spiders.portal import _cleaning_priority

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def _item(name: str, body: bytes) -> FetchedItem:
    capture = Capture(crawl_id="test", url=f"http://127.0.0.31/{name}.html", outcome="ok", status=200,
                      response_headers=[("Content-Type", "text/html; charset=utf-8")], body=body)
    return FetchedItem(capture, clean=True)


def test_waiting_cleanings_go_most_urgent_first() -> None:
    """With one worker, two cleanings are handed over at once (one running, one queued); the
    others wait and are handed over by priority, then arrival."""
    pages = sorted(CORPUS.glob("*.html"))[:6]
    priorities = {"a": 2, "b": 2, "c": 2, "d": 1, "e": 0, "f": 2}
    finished: list[str] = []
    pool = CleaningPool(1)

    async def clean(name: str, item: FetchedItem) -> None:
        await pool.clean(item, priorities[name])
        finished.append(name)

    async def run() -> list[FetchedItem]:
        items = {name: _item(name, page.read_bytes()) for name, page in zip(priorities, pages, strict=True)}
        await asyncio.gather(*(clean(name, item) for name, item in items.items()))
        return list(items.values())

    try:
        items = asyncio.run(run())
    finally:
        pool.close()
    assert finished == ["a", "b", "e", "d", "c", "f"]
    assert all(item.result is not None and item.result.text for item in items)
    assert pool._running == 0 and not pool._waiting


def test_prestarted_pool_is_taken_once_and_only_with_the_same_workers() -> None:
    cleaning_pool.prestart(1)
    first = cleaning_pool._prestarted
    assert cleaning_pool.cleaning_pool(1) is first
    assert cleaning_pool.cleaning_pool(1) is not first  # taken: a second crawl gets its own
    cleaning_pool.prestart(1)
    second = cleaning_pool._prestarted
    other = cleaning_pool.cleaning_pool(0)  # a different worker count: the prestarted one is stopped
    assert other is not second and other.executor is None
    assert second is not None and second.executor is not None and second.executor._shutdown_thread
    cleaning_pool.prestart(1)
    cleaning_pool.discard_prestarted()
    assert cleaning_pool._prestarted is None
    first.close()


def test_attachments_then_pages_linking_documents_are_cleaned_first() -> None:
    page = _item("report", "<p>详见附件：<a href='/files/nb2022.PDF'>年报</a></p>".encode())
    plain = _item("plain", "<p>一、总体情况</p>".encode())
    assert _cleaning_priority(page, "attachment") == 0
    assert _cleaning_priority(page, "detail") == 1
    assert _cleaning_priority(plain, "detail") == 2


def test_clean_pipeline_cleans_what_the_spider_left_in_its_workers_or_a_thread() -> None:
    """An article whose later page failed reaches the pipelines uncleaned (``item.clean``): it is
    cleaned in the spider's worker processes, or in a thread when the spider has none."""
    from types import SimpleNamespace

    from harvester.pipelines import CleanPipeline

    class CountingPool(CleaningPool):
        calls = 0

        async def clean(self, item: FetchedItem, priority: int = 0) -> None:
            self.calls += 1
            await super().clean(item, priority)

    body = sorted(CORPUS.glob("*.html"))[0].read_bytes()
    pool = CountingPool(1)
    try:
        for spider in (SimpleNamespace(cleaner=pool), SimpleNamespace()):
            pipeline = CleanPipeline(SimpleNamespace(spider=spider))
            item, listed = _item("article", body), _item("list", body)
            listed.clean = False
            asyncio.run(pipeline.process_item(item))
            asyncio.run(pipeline.process_item(listed))
            assert item.result is not None and item.result.kind == "report"
            assert listed.result is None  # not a candidate document: left alone
    finally:
        pool.close()
    assert pool.calls == 1  # the first spider's workers; the second item went to a thread
