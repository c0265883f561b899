"""What the spider hands to the pipelines: one HTTP exchange and what to do with it."""

from __future__ import annotations

from dataclasses import dataclass

from archive import Capture, DocumentKey
from harvester.result import CleanResult


@dataclass
class FetchedItem:
    """One exchange. ``clean`` says whether the body is a candidate document (a detail page or an
    attachment) to be cleaned and, if it is a report, archived as a document version."""

    capture: Capture
    clean: bool = False
    document: DocumentKey | None = None
    result: CleanResult | None = None
    parts: list[bytes] | None = None  # article pagination: the bodies of pages 2..n, in order
    frontier_fp: str | None = None  # the frontier entry this exchange completes
