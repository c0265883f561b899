"""Our cleaning chain next to vanilla trafilatura on the fixture corpus, in one run.

    .venv/bin/python bench/extract.py [--rounds N] [--corpus DIR]

Prints ms/page for each, their ratio (ours / vanilla; target ≤ 1.0, goal 0.6), and each one's
quality figures computed by harvester.evaluation from the same expected results. Vanilla is
`trafilatura.extract(body, include_tables=True)` on the raw bytes, as a user would call it; its
date figure comes from `trafilatura.extract_metadata` (htmldate), measured outside the timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import trafilatura

import harvester
from harvester.evaluation import score_page, summarize

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"


def load(corpus: Path) -> list[tuple[str, bytes, dict]]:
    pages = []
    for expected_path in sorted(corpus.glob("*.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        body = expected_path.with_suffix(".html").read_bytes()
        pages.append((expected_path.stem, body, expected))
    return pages


def ours(body: bytes, expected: dict) -> str:
    return harvester.clean(body, expected["url"], expected.get("headers"),
                           status=expected.get("status")).text


def vanilla(body: bytes, expected: dict) -> str:
    return trafilatura.extract(body, include_tables=True) or ""


def _unframe(line: str) -> str:
    """trafilatura frames table rows as "| a | b | "; score its cells, not its framing."""
    if line.startswith("| "):
        return line[2:].removesuffix(" | ").removesuffix(" |")
    return line


def timed(function, pages, rounds: int) -> float:
    """Median over rounds of the mean ms/page."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _name, body, expected in pages:
            function(body, expected)
        samples.append((time.perf_counter() - start) * 1000 / len(pages))
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    pages = load(args.corpus)
    if not pages:
        print(f"bench: no fixtures in {args.corpus}", file=sys.stderr)
        return 2
    for _name, body, expected in pages:  # warm both (imports, lazy regex compilation)
        ours(body, expected), vanilla(body, expected)
    ms_ours = timed(ours, pages, args.rounds)
    ms_vanilla = timed(vanilla, pages, args.rounds)

    our_scores, vanilla_scores = [], []
    for name, body, expected in pages:
        result = harvester.clean(body, expected["url"], expected.get("headers"),
                                 status=expected.get("status"))
        our_scores.append(score_page(name, expected, result.text, kind=result.kind,
                                     published=result.metadata.published,
                                     year=result.metadata.year))
        text = "\n".join(_unframe(line) for line in vanilla(body, expected).splitlines())
        meta = trafilatura.extract_metadata(body)
        vanilla_scores.append(score_page(name, expected, text,
                                         published=(meta.date if meta else None) or ""))
    rows = {"ours": summarize(our_scores).as_row(), "vanilla": summarize(vanilla_scores).as_row()}

    print(f"corpus: {len(pages)} pages, {sum(len(b) for _, b, _ in pages) / 1024:.0f} KiB, "
          f"{args.rounds} rounds, trafilatura {trafilatura.__version__}")
    print(f"{'':24}{'ours':>12}{'vanilla':>12}")
    print(f"{'ms/page':24}{ms_ours:12.2f}{ms_vanilla:12.2f}")
    for key in rows["ours"]:
        if key == "pages":
            continue
        cells = [f"{rows[side][key]:12.3f}".replace("nan", "n/a") for side in ("ours", "vanilla")]
        print(f"{key:24}{''.join(cells)}")
    print(f"ratio ours/vanilla (time): {ms_ours / ms_vanilla:.2f}  (target <= 1.0, goal 0.6)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
