"""Cleaning in worker processes, so that extraction never competes with the reactor for the GIL.

Cleaning is CPU-bound pure Python (lxml, trafilatura): in a thread it holds the GIL most of the
time and slows the reactor that serves every download. Worker processes are started with
``forkserver`` (forking a process that runs Twisted's threads can deadlock) and warmed up before
the crawl starts, so no page pays for imports or trafilatura's stoplist construction.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from harvester.items import FetchedItem
from harvester.result import CleanResult


def _warm_up() -> None:
    # The document readers' libraries too: importing them takes ~0.2 s, not to be paid by the
    # first attachment of the crawl.
    import docx  # noqa: F401
    import pdfplumber  # noqa: F401
    import pypdf  # noqa: F401

    import harvester.pdf_pages  # noqa: F401  (pypdfium2)
    from harvester.clean import clean

    clean(b"<html><body><div id='zoom'><p>2020\xe5\xb9\xb4</p></div></body></html>", "http://warm.up/")


def clean_capture(body: bytes, url: str, headers: dict[str, str], status: int | None,
                  parts: list[bytes] | None) -> CleanResult | str:
    """Clean a fetched body (and the later pages of its article); an expected failure comes back
    as its message, since exceptions pickle badly across processes."""
    from harvester.clean import clean, merge_parts
    from harvester.result import InputError

    try:
        result = clean(body, url, headers, status=status)
        if parts:
            result = merge_parts(result, [clean(part, url, headers) for part in parts])
        return result
    except InputError as error:
        return str(error)


def apply_result(item: FetchedItem, outcome: CleanResult | str) -> None:
    """Put a cleaning outcome (a result, or the message of an input error) on the item; a WAF
    challenge found in a 200 response makes the capture ``blocked``."""
    capture = item.capture
    if isinstance(outcome, str):
        capture.reason = f"{capture.reason}; not cleaned: {outcome}".lstrip("; ")
        return
    result = item.result = outcome
    capture.charset_declared = result.charset.declared_http or result.charset.declared_meta
    capture.charset_detected = result.charset.detected
    capture.charset_used = result.charset.used
    if result.kind == "blocked":
        capture.outcome, capture.reason = "blocked", result.reason


class CleaningPool:
    """Cleans items in worker processes, most urgent first.

    At most ``workers + 1`` cleanings are handed to the executor at a time (one waits in its
    queue so a worker never idles between jobs); the rest wait here in order of ``priority``
    (lower first, then arrival). The spider ranks attachments and pages that link documents
    first: the crawl cannot end before their follow-ups are fetched and cleaned.
    """

    def __init__(self, workers: int) -> None:
        self.executor: Executor | None = None
        self.workers = workers
        self._limit = workers + 1
        self._running = 0
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()
        if workers > 0:
            context = multiprocessing.get_context("forkserver")
            self.executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_up)
            # Start the workers now: they import and warm up while robots.txt, home and list pages
            # are fetched, which need no cleaning.
            for _ in range(workers):
                self.executor.submit(int)

    async def clean(self, item: FetchedItem, priority: int = 0) -> None:
        """Clean ``item`` off the reactor and put the outcome on it (:func:`apply_result`)."""
        capture = item.capture
        if capture.outcome != "ok" or capture.body is None:
            return
        arguments = (capture.body, capture.final_url or capture.url, dict(capture.response_headers),
                     capture.status, item.parts)
        if self.executor is None:
            outcome = await asyncio.to_thread(clean_capture, *arguments)
        else:
            outcome = await self._in_turn(arguments, priority)
        apply_result(item, outcome)

    async def _in_turn(self, arguments: tuple, priority: int) -> CleanResult | str:
        assert self.executor is not None
        if self._running < self._limit:
            self._running += 1
        else:
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._arrival), turn))
            await turn  # a finished cleaning hands its place over
        try:
            return await asyncio.wrap_future(self.executor.submit(clean_capture, *arguments))
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():  # not cancelled at shutdown
                turn.set_result(None)
                return
        self._running -= 1

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


_prestarted: CleaningPool | None = None


def prestart(workers: int) -> None:
    """Start the cleaning workers before the crawler is built: their imports and warm-up (half a
    second of CPU) then overlap Scrapy's start-up instead of the crawl's first requests."""
    global _prestarted
    discard_prestarted()
    _prestarted = CleaningPool(workers)


def cleaning_pool(workers: int) -> CleaningPool:
    """The pool :func:`prestart` started, if it has ``workers`` workers; else a new one."""
    global _prestarted
    pool, _prestarted = _prestarted, None
    if pool is not None and pool.workers == workers:
        return pool
    if pool is not None:
        pool.close()
    return CleaningPool(workers)


def discard_prestarted() -> None:
    """Stop a prestarted pool no crawl took (the crawl could not start)."""
    global _prestarted
    if _prestarted is not None:
        _prestarted.close()
        _prestarted = None
