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


def start_demo(directory: Path) -> tuple[TestbedServer, Path]:
    """Start the test bed on 127.0.0.11… (a free port); return it and the seed file for it."""
    directory.mkdir(parents=True, exist_ok=True)
    server = serve(port=0, manifest_path=directory / "testbed-manifest.json",
                   log_path=directory / "testbed-requests.jsonl")
    return server, write_seeds(server.network.manifest(), directory / "seeds.csv")
