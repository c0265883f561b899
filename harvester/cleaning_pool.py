"""Cleaning in worker processes, so that extraction never competes with the reactor for the GIL.

Cleaning is CPU-bound pure Python (lxml, trafilatura): in a thread it holds the GIL most of the
time and slows the reactor that serves every download. Worker processes are started with
``forkserver`` (forking a process that runs Twisted's threads can deadlock) and warmed up before
the crawl starts, so no page pays for imports or trafilatura's stoplist construction.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from harvester.items import FetchedItem
from harvester.result import CleanResult


def _warm_up() -> None:
    from harvester.clean import clean

    clean(b"<html><body><div id='zoom'><p>2020\xe5\xb9\xb4</p></div></body></html>", "http://warm.up/")


def _clean(body: bytes, url: str, headers: dict[str, str], status: int | None,
           parts: list[bytes] | None) -> CleanResult | str:
    """Clean in the worker; an expected failure comes back as its message (exceptions pickle
    badly across processes)."""
    from harvester.clean import clean, merge_parts
    from harvester.result import InputError

    try:
        result = clean(body, url, headers, status=status)
        if parts:
            result = merge_parts(result, [clean(part, url, headers) for part in parts])
        return result
    except InputError as error:
        return str(error)


class CleaningPool:
    def __init__(self, workers: int) -> None:
        self.executor: Executor | None = None
        if workers > 0:
            context = multiprocessing.get_context("forkserver")
            self.executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_up)
            # Start the workers now: they import and warm up while robots.txt, home and list pages
            # are fetched, which need no cleaning.
            for _ in range(workers):
                self.executor.submit(int)

    async def clean(self, item: FetchedItem) -> None:
        """Clean ``item`` (see :func:`harvester.pipelines.clean_item`), off the reactor."""
        from harvester.pipelines import apply_result, clean_item

        if self.executor is None:
            await asyncio.to_thread(clean_item, item)
            return
        capture = item.capture
        if capture.outcome != "ok" or capture.body is None:
            return
        outcome = await asyncio.wrap_future(self.executor.submit(
            _clean, capture.body, capture.final_url or capture.url, dict(capture.response_headers),
            capture.status, item.parts,
        ))
        apply_result(item, outcome)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
