"""WARC 1.1 output of a crawl: every HTTP exchange as it went over the wire, next to the archive.

    writer = WarcWriter("warc/", crawl_id, info={"settings": ...})
    exchange = writer.write_exchange(url=..., request_headers=..., status=200,
                                     response_headers=..., body=raw_bytes)
    writer.write_metadata(exchange.response.record_id, url, [("via", referrer), ...])
    writer.write_conversion(exchange.response.record_id, url, clean_text)
    writer.close()  # also writes {prefix}-{crawl_id}.cdxj (sorted, via cdxj-indexer)

Files are ``{prefix}-{crawl_id}-{serial:05d}.warc.gz``, one gzip member per record (so a record
can be read from its offset alone), each starting with a ``warcinfo`` record, rotated once a file
passes ``max_bytes``. Every write returns the record's ``(filename, offset, length)``: captures in
SQLite keep that pointer (``warc_file``, ``warc_offset``, ``warc_length``; schema migration 2).

Digests are ``sha256:`` + base32 everywhere (warcio's own default is SHA-1 whatever the WARC
version, so the writer overrides its digester): ``WARC-Payload-Digest`` of a response is the
digest of the body exactly as received (content-encoding kept, transfer-encoding removed), which
is also what decides an ``identical-payload-digest`` revisit.

Record IDs are UUIDv5 of ``filename#offset`` (:func:`record_id_at`): unique, because file names
carry the crawl id and are never reused, and derivable from a capture's WARC pointer alone — so the
item pipeline can write a ``metadata``/``conversion`` record that refers to a response written by
the downloader middleware without a lookup table kept for the whole crawl.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import io
import ipaddress
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

log = logging.getLogger(__name__)

WARC_VERSION = "1.1"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
PROFILE_IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
WARC_SPEC = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
DEFAULT_MAX_BYTES = 1024**3
#: Namespace of the UUIDv5 record ids (any fixed UUID would do; this one is ours).
RECORD_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/nianbao-harvester/#warc")

Headers = Iterable[tuple[str | bytes, str | bytes]]


def payload_digest(data: bytes) -> str:
    """``sha256:`` + base32, as written in ``WARC-Payload-Digest`` (and in the CDXJ ``digest``)."""
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def record_id_at(filename: str, offset: int) -> str:
    """The ``WARC-Record-ID`` of the record written at ``offset`` of ``filename``."""
    return f"<urn:uuid:{uuid.uuid5(RECORD_ID_NAMESPACE, f'{filename}#{int(offset)}')}>"


def warc_date(moment: datetime | None = None) -> str:
    """WARC 1.1 date: UTC with microseconds (1.1 allows fractions; order within a second matters)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcLocation(NamedTuple):
    filename: str
    offset: int
    length: int


@dataclass(frozen=True)
class WrittenRecord:
    """One record as written: what refers to it (id, uri, date) and where it is."""

    record_id: str
    record_type: str
    uri: str
    date: str
    filename: str
    offset: int
    length: int
    payload_digest: str | None = None
    profile: str | None = None  # revisit records only

    @property
    def location(self) -> WarcLocation:
        return WarcLocation(self.filename, self.offset, self.length)


class Exchange(NamedTuple):
    """A request/response pair; ``response`` may be a revisit record."""

    response: WrittenRecord
    request: WrittenRecord


@dataclass(frozen=True)
class RefersTo:
    """An earlier capture a revisit points to (a record of this or of an earlier crawl)."""

    uri: str
    date: str | None = None
    record_id: str | None = None


class _RawHeaders(StatusAndHeaders):
    # warcio percent-encodes non-ASCII header values (RFC 8187). Headers here are latin-1 decoded
    # from the raw bytes, so encoding them back as latin-1 stores them byte for byte as received
    # (GBK or UTF-8 file names in Content-Disposition included).
    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


class _Sha256WARCWriter(WARCWriter):
    # warcio computes block (and missing payload) digests with SHA-1 regardless of warc_version.
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def _latin1(value: str | bytes) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    try:
        value.encode("latin-1")
        return value
    except UnicodeEncodeError:  # a str that was never bytes on the wire: its UTF-8 bytes
        return value.encode("utf-8").decode("latin-1")


def _header_list(headers: Headers | Mapping[Any, Any] | None) -> list[tuple[str, str]]:
    if not headers:
        return []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    result = []
    for name, value in pairs:
        for single in value if isinstance(value, list | tuple) else [value]:
            result.append((_latin1(name), _latin1(single)))
    return result


def _field(value: Any) -> str:
    # warc-fields values are one line each.
    return " ".join(str(value).split())


class WarcWriter:
    """Writes one crawl's WARC files into ``directory``. Thread-safe (one lock around writes).

    ``info`` is added to each file's warcinfo record (e.g. ``{"settings": json}``);
    ``dedup_min_bytes``: bodies shorter than this are always stored whole (an empty redirect body
    is not worth a revisit).
    """

    def __init__(
        self,
        directory: str | Path,
        crawl_id: str,
        *,
        prefix: str = "nianbao",
        max_bytes: int = DEFAULT_MAX_BYTES,
        info: Mapping[str, Any] | None = None,
        software: str | None = None,
        dedup_min_bytes: int = 1,
    ) -> None:
        if not crawl_id:
            raise ValueError("a WARC writer needs the crawl id")
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, not {max_bytes}")
        self.directory = Path(directory)
        self.crawl_id = crawl_id
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = dict(info or {})
        self.software = software or _software()
        self.dedup_min_bytes = dedup_min_bytes
        self.files: list[Path] = []
        self.counts: dict[str, int] = {}
        self.cdxj_path: Path | None = None
        self._serial = 0
        self._file: BinaryIO | None = None
        self._name = ""
        self._warcinfo_id = ""
        self._writer: _Sha256WARCWriter | None = None
        # digest → (record id, uri, date) of the first full response with that payload.
        self._payloads: dict[str, tuple[str, str, str]] = {}
        self._lock = threading.RLock()
        self._closed = False

    # -- files -----------------------------------------------------------------------------------

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            name = f"{self.prefix}-{self.crawl_id}-{self._serial:05d}.warc.gz"
            self._serial += 1
            try:
                # "x": a WARC file is evidence; never truncate one (a resumed crawl id continues
                # with the next free serial).
                self._file = open(self.directory / name, "xb")  # noqa: SIM115 - kept open across calls
            except FileExistsError:
                continue
            break
        self._name = name
        self.files.append(self.directory / name)
        self._writer = _Sha256WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        fields = {
            "software": self.software,
            "format": f"WARC File Format {WARC_VERSION}",
            "conformsTo": WARC_SPEC,
            "isPartOf": self.crawl_id,
            "description": "Chinese government open-information annual reports (政府信息公开工作年度报告)",
        }
        fields.update({k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
                       for k, v in self.info.items()})
        record = self._writer.create_warcinfo_record(name, fields)
        offset = self._file.tell()
        self._warcinfo_id = record_id_at(name, offset)
        record.rec_headers.replace_header("WARC-Record-ID", self._warcinfo_id)
        self._emit(record, "warcinfo")

    def _finish_file(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())  # a finished file is complete on disk before the next starts
        self._file.close()
        self._file = None
        self._writer = None

    def _ready(self) -> tuple[BinaryIO, _Sha256WARCWriter]:
        if self._closed:
            raise ValueError("WARC writer is closed")
        if self._file is None:
            self._open_next()
        assert self._file is not None and self._writer is not None
        return self._file, self._writer

    def _after_write(self) -> None:
        # Rotate after, not before: a record (or request/response pair) is never split across
        # files, and a file passes the limit by at most one record.
        if self._file is not None and self._file.tell() >= self.max_bytes:
            self._finish_file()

    def _emit(self, record: Any, record_type: str) -> WarcLocation:
        assert self._file is not None and self._writer is not None
        start = self._file.tell()
        self._writer.write_record(record)
        self.counts[record_type] = self.counts.get(record_type, 0) + 1
        return WarcLocation(self._name, start, self._file.tell() - start)

    def _headers_dict(self, record_id: str, date: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"WARC-Record-ID": record_id, "WARC-Date": date, "WARC-Warcinfo-ID": self._warcinfo_id}
        headers.update(extra or {})
        return headers

    # -- records ---------------------------------------------------------------------------------

    def write_exchange(
        self,
        *,
        url: str,
        method: str = "GET",
        request_headers: Headers | Mapping[Any, Any] | None = None,
        request_body: bytes = b"",
        status: int,
        response_headers: Headers | Mapping[Any, Any] | None = None,
        body: bytes = b"",
        reason: str | None = None,
        protocol: str = "HTTP/1.1",
        date: datetime | None = None,
        ip_address: str | None = None,
        truncated: str | None = None,
        refers_to: RefersTo | None = None,
    ) -> Exchange:
        """Write a response (or revisit) record and its request record, concurrent to it.

        ``body`` is the payload as received: content-encoding kept (still gzip if the server
        gzipped it), transfer-encoding removed. Headers are ``(name, value)`` pairs or a mapping
        (bytes or str; bytes are stored exactly).

        A 304 becomes a ``server-not-modified`` revisit (``refers_to``: the capture it revalidated,
        if known); a body whose payload digest was already written in this crawl becomes an
        ``identical-payload-digest`` revisit pointing to that record. ``truncated``: the
        ``WARC-Truncated`` reason (``length``, ``time``, ``disconnect``, ``unspecified``) when the
        body is incomplete; a truncated body is never deduplicated.
        """
        when = warc_date(date)
        reason = reason if reason is not None else _reason(status)
        response_list = [
            # The body is stored de-chunked (HTTP clients hand it over so): a replay tool that saw
            # "Transfer-Encoding: chunked" would try to de-chunk it again.
            ("X-Archive-Orig-Transfer-Encoding" if name.lower() == "transfer-encoding" else name, value)
            for name, value in _header_list(response_headers)
        ]
        http_response = _RawHeaders(f"{status} {reason}".rstrip(), response_list, protocol=protocol or "HTTP/1.1")
        split = urlsplit(url)
        target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        request_list = _header_list(request_headers)
        if not any(name.lower() == "host" for name, _ in request_list):
            # The HTTP client adds Host on the wire; Scrapy's Request.headers never has it.
            request_list.insert(0, ("Host", split.netloc.rpartition("@")[2]))
        if request_body and not any(name.lower() == "content-length" for name, _ in request_list):
            request_list.append(("Content-Length", str(len(request_body))))  # likewise
        http_request = _RawHeaders(f"{method.upper()} {target} {protocol or 'HTTP/1.1'}", request_list,
                                   is_http_request=True)
        digest = payload_digest(body) if status != 304 else None
        with self._lock:
            file, writer = self._ready()
            response_id = record_id_at(self._name, file.tell())
            extra: dict[str, str] = {}
            if ip_address:
                extra["WARC-IP-Address"] = ip_address
            original = self._payloads.get(digest) if digest and len(body) >= self.dedup_min_bytes else None
            profile = None
            if status == 304:
                profile = PROFILE_NOT_MODIFIED
                extra["WARC-Profile"] = profile
                if refers_to is not None:
                    if refers_to.record_id:
                        extra["WARC-Refers-To"] = refers_to.record_id
                    extra["WARC-Refers-To-Target-URI"] = refers_to.uri
                    if refers_to.date:
                        extra["WARC-Refers-To-Date"] = refers_to.date
                record = writer.create_warc_record(url, "revisit", http_headers=http_response,
                                                   warc_headers_dict=self._headers_dict(response_id, when, extra))
                record_type = "revisit"
            elif original is not None and not truncated:
                profile = PROFILE_IDENTICAL_PAYLOAD
                extra["WARC-Refers-To"] = original[0]
                assert digest is not None
                record = writer.create_revisit_record(url, digest, original[1], original[2], http_headers=http_response,
                                                      warc_headers_dict=self._headers_dict(response_id, when, extra))
                record_type = "revisit"
            else:
                assert digest is not None
                extra["WARC-Payload-Digest"] = digest
                if truncated:
                    extra["WARC-Truncated"] = truncated
                record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                   http_headers=http_response,
                                                   warc_headers_dict=self._headers_dict(response_id, when, extra))
                record_type = "response"
                if len(body) >= self.dedup_min_bytes and not truncated:
                    self._payloads.setdefault(digest, (response_id, url, when))
            where = self._emit(record, record_type)
            response = WrittenRecord(response_id, record_type, url, when, *where, payload_digest=digest,
                                     profile=profile)
            request_id = record_id_at(self._name, file.tell())
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(request_body), length=len(request_body),
                http_headers=http_request,
                warc_headers_dict=self._headers_dict(request_id, when, {"WARC-Concurrent-To": response_id}),
            )
            where = self._emit(request, "request")
            request_record = WrittenRecord(request_id, "request", url, when, *where)
            self._after_write()
        return Exchange(response, request_record)

    def write_metadata(self, concurrent_to: str, uri: str, fields: Iterable[tuple[str, Any]],
                       date: datetime | None = None) -> WrittenRecord:
        """A ``metadata`` record (``application/warc-fields``) about the response ``concurrent_to``;
        a name may repeat (one line per redirect hop, say); empty values are left out."""
        lines = "".join(f"{_field(name)}: {_field(value)}\r\n" for name, value in fields
                        if value is not None and value != "")
        return self._write_simple("metadata", uri, lines.encode("utf-8"), "application/warc-fields",
                                  {"WARC-Concurrent-To": concurrent_to}, date)

    def write_conversion(self, refers_to: str, uri: str, text: str, date: datetime | None = None) -> WrittenRecord:
        """A ``conversion`` record: the clean text derived from the response ``refers_to``."""
        return self._write_simple("conversion", uri, text.encode("utf-8"), "text/plain; charset=utf-8",
                                  {"WARC-Refers-To": refers_to}, date)

    def _write_simple(self, record_type: str, uri: str, payload: bytes, content_type: str,
                      extra: dict[str, str], date: datetime | None) -> WrittenRecord:
        when = warc_date(date)
        with self._lock:
            file, writer = self._ready()
            record_id = record_id_at(self._name, file.tell())
            headers = self._headers_dict(record_id, when, extra)
            headers["Content-Type"] = content_type
            record = writer.create_warc_record(uri, record_type, payload=io.BytesIO(payload), length=len(payload),
                                               warc_content_type=content_type, warc_headers_dict=headers)
            where = self._emit(record, record_type)
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            self._after_write()
        return WrittenRecord(record_id, record_type, uri, when, *where, payload_digest=digest)

    # -- end ---------------------------------------------------------------------------------------

    def close(self, index: bool = True) -> Path | None:
        """Finish the current file and (``index``) write the crawl's CDXJ index; returns its path.

        The index covers every file of the crawl id in the directory, not only this writer's: a
        crawl resumed after a kill continues in new files, and its index must include the old.
        """
        with self._lock:
            if self._closed:
                return self.cdxj_path
            self._finish_file()
            self._closed = True
        files = sorted(self.directory.glob(f"{self.prefix}-{self.crawl_id}-*.warc.gz"))
        if index and files:
            self.cdxj_path = write_cdxj(files, self.directory / f"{self.prefix}-{self.crawl_id}.cdxj")
        return self.cdxj_path

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(status: int) -> str:
    # Scrapy keeps no reason phrase: the standard one stands in for it.
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _software() -> str:
    import warcio

    try:
        from harvester import __version__
    except ImportError:  # pragma: no cover - archive used without the crawler package
        __version__ = "unknown"
    return f"nianbao-harvester/{__version__} (warcio/{getattr(warcio, '__version__', '?')})"


def surt_key(url: str, method: str = "GET", body: bytes = b"") -> str:
    """The SURT sort key pywb and the CDXJ convention use: host reversed (``www.`` dropped),
    ``)`` then the lower-cased path and sorted query; a POST appends its form body the way pywb
    does (``__wb_method=post&…``) so that two POSTs to one URL stay apart."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = ",".join(reversed(host.split(".")))
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default_port:
        host += f":{parts.port}"
    query = "&".join(sorted(part for part in parts.query.split("&") if part))
    if method.upper() == "POST":
        form = body.decode("utf-8", "replace")
        query = "&".join(part for part in ("__wb_method=post", form, query) if part)
    return f"{host}){(parts.path or '/').lower()}" + (f"?{query.lower()}" if query else "")


def _index_lines(path: Path) -> list[str]:
    """CDXJ lines of one WARC file: its response and revisit records, with where they are."""
    requests: dict[str, tuple[str, bytes]] = {}
    entries = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            headers = record.rec_headers
            if record.rec_type == "request":
                method = record.http_headers.protocol if record.http_headers else "GET"
                body = record.content_stream().read()
                for key in (headers.get_header("WARC-Concurrent-To"), headers.get_header("WARC-Record-ID")):
                    if key:
                        requests[key] = (method, body)
                continue
            if record.rec_type not in ("response", "revisit"):
                continue
            http = record.http_headers
            mime = "warc/revisit" if record.rec_type == "revisit" else (
                (http.get_header("Content-Type") or "").split(";")[0].strip() if http else "")
            entry = {
                "url": headers.get_header("WARC-Target-URI"),
                "mime": mime or "unk",
                "status": http.get_statuscode() if http else "-",
                "digest": headers.get_header("WARC-Payload-Digest") or "",
                "record_id": headers.get_header("WARC-Record-ID"),
                "concurrent": headers.get_header("WARC-Concurrent-To"),
                "date": headers.get_header("WARC-Date") or "",
            }
            record.raw_stream.read()  # the iterator needs the record consumed to report its length
            entry["offset"], entry["length"] = iterator.get_record_offset(), iterator.get_record_length()
            entries.append(entry)
    lines = []
    for entry in entries:
        method, body = requests.get(entry.pop("record_id")) or requests.get(entry.pop("concurrent") or "", ("GET", b""))
        entry.pop("concurrent", None)
        timestamp = re.sub(r"\D", "", entry.pop("date"))[:14]
        data = {"url": entry["url"], "mime": entry["mime"], "status": str(entry["status"]),
                "digest": entry["digest"], "length": str(entry["length"]), "offset": str(entry["offset"]),
                "filename": path.name}
        if method.upper() == "POST":
            data["method"] = "POST"
        lines.append(f"{surt_key(entry['url'], method, body)} {timestamp} {json.dumps(data, ensure_ascii=False)}\n")
    return sorted(lines)


def write_cdxj(warc_files: Sequence[str | Path], output: str | Path) -> Path:
    """Index WARC files into one sorted CDXJ file: SURT key, 14-digit timestamp, JSON with url,
    mime, status, digest, length, offset, filename (and method for POSTs), as pywb reads it.

    Written here rather than with cdxj-indexer, whose ``surt`` dependency is AGPL-3.0. Each file is
    indexed and sorted on its own, then the parts are merged; a file that cannot be read is left
    out with a warning rather than costing the whole index. Written to a temporary name, then
    renamed.
    """
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    parts = []
    for path in warc_files:
        try:
            parts.append(_index_lines(Path(path)))
        except Exception as error:  # warcio raises assorted types on a damaged file
            log.warning("CDXJ: %s left out of the index: %s", path, error)
    with partial.open("w", encoding="utf-8") as out:
        out.writelines(heapq.merge(*parts))
    partial.replace(output)
    return output


@dataclass
class StoredRecord:
    """A record read back from a WARC pointer."""

    record_type: str
    headers: dict[str, str]  # WARC headers (first value of each)
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes  # the HTTP body as stored (content-encoding kept), or the record block


def read_record(path: str | Path, offset: int) -> StoredRecord:
    """The record at ``offset`` of a WARC file (a capture's ``warc_file``/``warc_offset``)."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        for record in ArchiveIterator(stream):
            http = record.http_headers
            status = None
            if http is not None and record.rec_type in ("response", "revisit"):
                status = int(http.get_statuscode())
            return StoredRecord(
                record_type=record.rec_type,
                headers={name: value for name, value in reversed(record.rec_headers.headers)},
                http_status=status,
                http_headers=list(http.headers) if http is not None else [],
                payload=record.raw_stream.read(),
            )
    raise ValueError(f"no WARC record at {path}:{offset}")
