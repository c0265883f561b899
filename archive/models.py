"""Plain data written to and read from the archive: captures, document keys, batch items.

Inputs are normalised on construction (headers to ``[(name, value)]``, timestamps to fixed-width
ISO 8601 UTC) so that what is read back compares equal to what was written, and so that a bad
item fails where the crawler builds it rather than in the middle of a batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from harvester.result import CleanResult

from .schema import OUTCOMES

#: Clean-result kinds that become documents. ``blocked``/``empty`` never do.
DOCUMENT_KINDS = frozenset({"report", "not_report"})

HeaderInput = Mapping[Any, Any] | Iterable[tuple[Any, Any]] | Iterable[list[Any]] | None


def utc_timestamp(value: datetime | str | float | None = None) -> str:
    """Fixed-width ISO 8601 UTC (``2024-01-31T08:00:00.000000Z``) so text order is time order.

    Accepts an aware datetime, an ISO string with an offset or ``Z``, or a POSIX timestamp. A
    naive datetime is refused: guessing its zone would silently shift fetch times.
    """
    if value is None:
        moment = datetime.now(UTC)
    elif isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from error
    else:
        moment = value
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(value: Any) -> str:
    # Scrapy gives header names/values as bytes. Most are ASCII; some servers send UTF-8
    # (Content-Disposition with Chinese file names); anything else is kept byte-for-byte.
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value).decode("latin-1")
    return str(value)


def normalize_headers(headers: HeaderInput) -> list[tuple[str, str]]:
    """Headers as an ordered list of ``(name, value)``; repeated headers stay repeated."""
    if not headers:
        return []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    result: list[tuple[str, str]] = []
    for name, value in pairs:
        values = value if isinstance(value, list | tuple) else [value]
        result.extend((_text(name), _text(v)) for v in values)
    return result


@dataclass
class Redirect:
    """One hop of a redirect chain: the URL requested and the status it answered with."""

    url: str
    status: int


@dataclass
class Capture:
    """One HTTP exchange (or attempt). Failed fetches are captures too (``body`` may be None)."""

    crawl_id: str
    url: str  # as requested
    outcome: str  # one of schema.OUTCOMES
    reason: str = ""  # why this outcome, in a few words
    fetched_at: str | datetime | float | None = None  # default: now; stored as UTC ISO 8601
    final_url: str | None = None  # after redirects; default: url
    redirects: list[Redirect] = field(default_factory=list)  # hops before final_url
    method: str = "GET"
    status: int | None = None  # None when no response arrived
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    duration: float | None = None  # seconds
    referrer: str | None = None
    hop_path: str = ""  # Heritrix-style hop codes from the seed, e.g. "LLA"
    seed: str | None = None
    body: bytes | None = None  # as received (after content decoding), possibly truncated
    truncated: bool = False
    charset_declared: str | None = None
    charset_detected: str | None = None
    charset_used: str | None = None
    warc_file: str | None = None  # the WARC file holding this exchange's response record
    warc_offset: int | None = None  # byte offset of that record in the file
    warc_length: int | None = None  # its length in bytes (compressed)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown capture outcome {self.outcome!r}; one of {list(OUTCOMES)}")
        if not self.crawl_id:
            raise ValueError("a capture needs the crawl_id of its run")
        self.fetched_at = utc_timestamp(self.fetched_at)
        if self.final_url is None:
            self.final_url = self.url
        self.redirects = [_redirect(r) for r in self.redirects]
        self.request_headers = normalize_headers(self.request_headers)
        self.response_headers = normalize_headers(self.response_headers)
        if self.body is not None and not isinstance(self.body, bytes):
            self.body = bytes(self.body)
        self.truncated = bool(self.truncated)

    @property
    def body_sha256(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None

    @property
    def body_size(self) -> int | None:
        return len(self.body) if self.body is not None else None

    @property
    def content_type(self) -> str | None:
        for name, value in self.response_headers:
            if name.lower() == "content-type":
                return value
        return None


def _redirect(value: Redirect | Mapping[str, Any] | tuple[str, int] | list[Any]) -> Redirect:
    if isinstance(value, Redirect):
        return value
    if isinstance(value, Mapping):
        return Redirect(url=str(value["url"]), status=int(value["status"]))
    url, status = value
    return Redirect(url=str(url), status=int(status))


@dataclass
class DocumentKey:
    """A report's identity: portal + report URL; an attachment also names the listing page."""

    portal: str
    url: str
    parent_url: str | None = None


@dataclass
class ArchiveItem:
    """What the crawler hands to :meth:`archive.Archive.write_batch` for one exchange."""

    capture: Capture
    clean: CleanResult | None = None
    document: DocumentKey | None = None  # default: portal = seed's host, url = capture.url

    def __post_init__(self) -> None:
        if not self.makes_document:
            return
        # A document is archived content: it must come from a real, stored response.
        if self.capture.outcome != "ok":
            raise ValueError(
                f"a {self.capture.outcome!r} capture cannot become a document "
                f"({self.capture.url})"
            )
        if self.capture.body is None:
            raise ValueError(f"a document needs the capture's body ({self.capture.url})")
        if self.document is None:
            host = urlsplit(self.capture.seed or self.capture.url).hostname or ""
            self.document = DocumentKey(portal=host, url=self.capture.url)

    @property
    def makes_document(self) -> bool:
        return self.clean is not None and self.clean.kind in DOCUMENT_KINDS


@dataclass
class FrontierChanges:
    """Frontier rows to write in the same transaction as a batch of captures: requests newly
    scheduled (``added``: crawl_id, fingerprint, request JSON, enqueued_at) and requests whose
    capture is in the batch (``done``: crawl_id, fingerprint)."""

    added: list[tuple[str, str, str, str]] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.done)


@dataclass
class Written:
    """What one item became: its capture row and, if it is a document, the version it maps to."""

    capture_id: int
    document_id: int | None = None
    version: int | None = None
    new_version: bool = False  # False when the clean text equals the latest version's
