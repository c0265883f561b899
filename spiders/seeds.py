"""Seed lists: where crawls start.

CSV with a header row: ``name,url`` required; ``level`` (province, department, city, county,
township, …), ``region_code``, ``parent``, ``hosts`` (more hosts of the same portal, separated by
spaces: subsites on other domains) and ``confidence`` (how sure we are of the URL: high, medium,
low) optional. Errors name the file and row and are raised as :class:`SeedError`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED = ("name", "url")
OPTIONAL = ("level", "region_code", "parent", "hosts", "confidence")
CONFIDENCE = ("high", "medium", "low")
DEFAULT_REGISTRY = "registry.csv"


class SeedError(ValueError):
    """A seed file that cannot be used; the message names the file and row."""


@dataclass(frozen=True)
class Seed:
    name: str
    url: str
    level: str = ""
    region_code: str = ""
    parent: str = ""
    hosts: tuple[str, ...] = field(default_factory=tuple)
    confidence: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc


def parse_seeds(text: str, source: str = "<seeds>") -> list[Seed]:
    """Seeds from CSV text; raises SeedError naming ``source`` and the row on any problem."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise SeedError(f"{source}: header must name the columns {', '.join(REQUIRED)} "
                        f"(missing: {', '.join(missing)})")
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise SeedError(f"{source}: unknown column(s) {', '.join(unknown)}; "
                        f"known: {', '.join(REQUIRED + OPTIONAL)}")
    seeds: list[Seed] = []
    seen: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if None in row:
            raise SeedError(f"{source}:{row_number}: more fields than the header has columns")
        values = {key.strip(): (value or "").strip() for key, value in row.items()}
        if not any(values.values()):
            continue
        where = f"{source}:{row_number}"
        if not values.get("name"):
            raise SeedError(f"{where}: the name is empty")
        url = values.get("url", "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SeedError(f"{where}: {url!r} is not an http(s) URL")
        if url in seen:
            raise SeedError(f"{where}: {url} is already the seed of row {seen[url]}")
        seen[url] = row_number
        confidence = values.get("confidence", "")
        if confidence and confidence not in CONFIDENCE:
            raise SeedError(f"{where}: confidence {confidence!r} is not one of {', '.join(CONFIDENCE)}")
        seeds.append(Seed(
            name=values["name"], url=url, level=values.get("level", ""),
            region_code=values.get("region_code", ""), parent=values.get("parent", ""),
            hosts=tuple(values.get("hosts", "").split()), confidence=confidence,
        ))
    if not seeds:
        raise SeedError(f"{source}: no seeds")
    return seeds


def load_seeds(path: str | Path | None = None) -> list[Seed]:
    """Seeds from a CSV file, or the registry that ships with the package when ``path`` is None."""
    if path is None:
        text = resources.files("spiders.data").joinpath(DEFAULT_REGISTRY).read_text("utf-8")
        return parse_seeds(text, f"(package) {DEFAULT_REGISTRY}")
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SeedError(f"{path}: no such seed file") from None
    except OSError as error:
        raise SeedError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # seed lists edited in Excel on Chinese Windows
        except UnicodeDecodeError:
            raise SeedError(f"{path}: not a UTF-8 or GB18030 text file") from None
    return parse_seeds(text, str(path))
