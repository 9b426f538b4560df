"""Article extraction side by side: audit.extract:main_text against trafilatura on AEB.

Runs ../shared/tools/extraction_eval.py once per extractor in the same run (same machine,
same load) and prints F1 overall, F1 on the WordPress/Blogger pages and pages/s, plus our
speed relative to trafilatura's. Usage: python bench/bench_extract.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACTORS = (("audit.extract:main_text", "ours"), ("trafilatura", "trafilatura"))
# Floors from issue 5: F1 overall / WordPress+Blogger, and speed relative to trafilatura.
FLOORS = {"f1": 0.960, "blog_f1": 0.970, "speed_ratio": 0.8}


def run_eval(shared: Path, extractor: str, repeat: int) -> dict:
    cmd = [
        sys.executable, str(shared / "tools" / "extraction_eval.py"),
        "--corpus", "aeb", "--data-dir", str(shared / "extraction" / "aeb"),
        "--extractor", extractor, "--json", "--bootstrap", "0", "--repeat", str(repeat),
    ]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data folder")
    ap.add_argument("--repeat", type=int, default=3, help="timing passes per extractor (median)")
    args = ap.parse_args(argv)
    shared = Path(args.shared).resolve()
    if not (shared / "extraction" / "aeb").is_dir():
        print(f"skipped: {shared}/extraction/aeb is not there")
        return 0
    results = {name: run_eval(shared, spec, args.repeat) for spec, name in EXTRACTORS}
    print(f"{'extractor':<14}{'F1':>8}{'WP/Blogger F1':>16}{'pages/s':>10}{'errors':>8}")
    for name, r in results.items():
        print(f"{name:<14}{r['f1']:>8.3f}{r['blog']['f1']:>16.3f}{r['pages_per_second']:>10.1f}{r['errors']:>8}")
    ours, theirs = results["ours"], results["trafilatura"]
    ratio = ours["pages_per_second"] / theirs["pages_per_second"]
    print(f"speed ratio ours/trafilatura: {ratio:.2f}")
    ok = ours["f1"] >= FLOORS["f1"] and ours["blog"]["f1"] >= FLOORS["blog_f1"] and ratio >= FLOORS["speed_ratio"]
    print("floors (F1 >= 0.960, WP/Blogger F1 >= 0.970, speed >= 0.8x):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
