"""The result of cleaning one fetched document (an HTML page or an attachment).

Every cleaner (HTML, PDF, DOCX, DOC/WPS) returns a :class:`CleanResult`; the archive stores it and
the export hands ``text`` to the shared report parser. Everything here is plain data so that a
result can be turned into JSON (``to_dict``) and compared in tests.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["report", "not_report", "blocked", "empty"]

#: Separator between the cells of one table row in ``CleanResult.text``.
CELL_SEPARATOR = " | "

#: The six standard section headings since 2019, by their number; each entry lists the short
#: keyword that identifies the section in its variants (e.g. 四、因政府信息公开申请行政复议…).
STANDARD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("一", "总体情况"),
    ("二", "主动公开"),
    ("三", "申请"),
    ("四", "行政复议"),
    ("五", "问题"),
    ("六", "其他"),
)


@dataclass
class Table:
    """A body table as a span-aware grid.

    ``rows`` has one list per ``<tr>``, each exactly ``width`` cells long. A cell's text stands at
    the top-left position of its colspan/rowspan; the positions it covers hold ``""`` so that
    columns stay aligned. ``spans`` lists ``[row, col, rowspan, colspan]`` for every cell that
    spans more than one position.
    """

    rows: list[list[str]]
    spans: list[list[int]] = field(default_factory=list)
    caption: str = ""

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def lines(self) -> list[str]:
        """The rows as text lines, cells joined by :data:`CELL_SEPARATOR`."""
        return [CELL_SEPARATOR.join(row) for row in self.rows]


@dataclass
class Attachment:
    url: str
    name: str
    extension: str  # lower case, without the dot: pdf, doc, docx, wps, xls, xlsx, …


@dataclass
class Charset:
    declared_http: str | None = None  # from the Content-Type header
    declared_meta: str | None = None  # from <meta charset> / http-equiv
    detected: str | None = None  # what the bytes turned out to be (BOM, strict UTF-8 trial, …)
    used: str | None = None  # the codec actually used to decode
    replacements: int = 0  # U+FFFD characters produced by decoding


@dataclass
class Metadata:
    title: str = ""  # without site suffix
    agency: str = ""  # 发布机构 / 来源 / ContentSource
    year: int | None = None  # report year, from the title
    published: str | None = None  # ISO date YYYY-MM-DD
    index_no: str = ""  # 索引号
    doc_no: str = ""  # 文号
    site_name: str = ""  # <meta name="SiteName">
    site_id: str = ""  # <meta name="SiteIDCode">, 网站标识码
    column: str = ""  # <meta name="ColumnName">
    extra: dict[str, str] = field(default_factory=dict)  # other info-box/meta fields, verbatim


@dataclass
class Quality:
    sections: list[str] = field(default_factory=list)  # numbers of standard sections found: 一…六
    tables: int = 0
    characters: int = 0
    warnings: list[str] = field(default_factory=list)
    needs_ocr: bool = False  # a document with no text layer (scanned PDF, image-only page)


@dataclass
class CleanResult:
    url: str
    source_type: str  # html, pdf, docx, doc, wps, …
    kind: Kind
    reason: str  # why this kind, in a few words
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    attachments: list[Attachment] = field(default_factory=list)
    charset: Charset = field(default_factory=Charset)
    quality: Quality = field(default_factory=Quality)
    extractor: str = ""  # name/version/options of the chain that produced ``text``

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CleanResult:
        data = dict(data)
        data["tables"] = [Table(**t) for t in data.get("tables", [])]
        data["metadata"] = Metadata(**data.get("metadata", {}))
        data["attachments"] = [Attachment(**a) for a in data.get("attachments", [])]
        data["charset"] = Charset(**data.get("charset", {}))
        data["quality"] = Quality(**data.get("quality", {}))
        return cls(**data)


class InputError(ValueError):
    """Input that cannot be cleaned (unreadable, not HTML, unsupported type): one clear line."""
