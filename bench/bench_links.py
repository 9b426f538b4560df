"""Link-spam benchmark on the fixture pages (tests/fixtures/pages/*.html + *.json).

For every placement it prints spam recall, the false-positive rate on legitimate links and,
for spam, the leak rate (spam anchor text found in the extracted body text). Targets from
issue 5: leak 0, recall >= 0.95, false positives <= 2 %. Usage: python bench/bench_links.py
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit.extract import extract  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "pages"
FLOORS = {"leak": 0.0, "recall": 0.95, "fp": 0.02}


def judge_page(html_path: Path) -> list[tuple[dict, object, bool]]:
    """(truth entry, extracted Link, leaked) for every link of one fixture page."""
    truth = json.loads(html_path.with_suffix(".json").read_text("utf-8"))
    ex = extract(html_path.read_bytes(), truth["url"])
    pending = defaultdict(list)
    for entry in truth["links"]:
        pending[(urljoin(truth["url"], entry["href"]), entry["text"])].append(entry)
    rows = []
    for link in ex.links:
        queue = pending.get((link.href, link.text))
        if not queue:
            raise SystemExit(f"{html_path.name}: extracted link not in the truth: {link.href} {link.text!r}")
        entry = queue.pop(0)
        leaked = entry["spam"] and entry["text"].lower() in ex.text.lower()
        rows.append((entry, link, leaked))
    missing = [k for k, q in pending.items() if q]
    if missing:
        raise SystemExit(f"{html_path.name}: links in the truth but not extracted: {missing}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=str(FIXTURES))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every misjudged link")
    args = ap.parse_args(argv)
    counts: dict[str, Counter] = defaultdict(Counter)
    misses = []
    for path in sorted(Path(args.fixtures).glob("*.html")):
        for entry, link, leaked in judge_page(path):
            c = counts[entry["placement"]]
            if entry["spam"]:
                c["spam"] += 1
                c["caught"] += link.spam
                c["leaked"] += leaked
            else:
                c["legit"] += 1
                c["fp"] += link.spam
            if link.spam != entry["spam"] or leaked:
                misses.append((path.name, entry["placement"], link.text, link.region, link.reasons, leaked))
    return report(counts, misses if args.verbose else [])


def report(counts: dict[str, Counter], misses: list) -> int:
    print(f"{'placement':<18}{'spam':>6}{'recall':>8}{'leak':>7}{'legit':>7}{'FP rate':>9}")
    total = Counter()
    for placement in sorted(counts):
        c = counts[placement]
        total.update(c)
        print(f"{placement:<18}{c['spam']:>6}{_rate(c['caught'], c['spam']):>8}{_rate(c['leaked'], c['spam']):>7}"
              f"{c['legit']:>7}{_rate(c['fp'], c['legit']):>9}")
    recall = total["caught"] / total["spam"] if total["spam"] else 1.0
    leak = total["leaked"] / total["spam"] if total["spam"] else 0.0
    fp = total["fp"] / total["legit"] if total["legit"] else 0.0
    print(f"{'all':<18}{total['spam']:>6}{recall:>8.3f}{leak:>7.3f}{total['legit']:>7}{fp:>9.3f}")
    for miss in misses:
        print("  misjudged:", *miss)
    ok = leak <= FLOORS["leak"] and recall >= FLOORS["recall"] and fp <= FLOORS["fp"]
    print("floors (leak 0, recall >= 0.95, FP <= 2 %):", "met" if ok else "NOT met")
    return 0 if ok else 1


def _rate(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


if __name__ == "__main__":
    raise SystemExit(main())
