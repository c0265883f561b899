"""Scrapy's downloader, holding every host to its concurrency also when no delay is set.

Scrapy 2.19 (asyncio reactor) starts each download of a slot as a task and counts the request as
transferring only once that task runs. With ``DOWNLOAD_DELAY = 0`` the loop that drains a slot's
queue therefore sees the slot free on every turn and starts all queued requests of the host at
once: ``CONCURRENT_REQUESTS_PER_DOMAIN = 1`` gave up to 9 simultaneous connections to one
test-bed host. Here a request counts as transferring from the moment it leaves the queue. With a
delay, Scrapy's own path already starts one request per delay and is kept.

Importable without the rest of the package (the benchmark's bare spider loads it by path).
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy.core.downloader import Downloader
from scrapy.utils.defer import _schedule_coro


class HostSlotDownloader(Downloader):
    def _process_queue(self, slot: Any) -> None:
        if slot.latercall or slot.download_delay():
            super()._process_queue(slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = monotonic()
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # taken now, not when the task starts
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
