"""The offline demo: start the test-bed portals in this process and write a seed list for them."""

from __future__ import annotations

import csv
from pathlib import Path

from harvester.testbed.server import TestbedServer, serve


def write_seeds(manifest: dict, path: Path) -> Path:
    """A seed CSV with one row per test-bed portal; subsites on other addresses are listed in
    ``hosts`` (addresses have no registrable domain to share)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "url", "level", "hosts", "confidence"])
        for portal in manifest["portals"]:
            extra = [a for a in portal.get("scope_addresses", []) if a != portal["address"]]
            writer.writerow([portal["name"], portal["seed_url"], "county", " ".join(extra), "high"])
    return path


#: The demo's port: the same URLs every time, so a second demo shows a re-crawl (conditional
#: requests, no new versions) rather than a second copy of everything.
DEMO_PORT = 18011


def start_demo(directory: Path) -> tuple[TestbedServer, Path]:
    """Start the test bed on 127.0.0.11…:18011 (a free port if that one is taken); return it and
    the seed file for it."""
    directory.mkdir(parents=True, exist_ok=True)
    options = {"manifest_path": directory / "testbed-manifest.json",
               "log_path": directory / "testbed-requests.jsonl"}
    try:
        server = serve(port=DEMO_PORT, **options)
    except OSError:
        server = serve(port=0, **options)
    return server, write_seeds(server.network.manifest(), directory / "seeds.csv")
