"""Claim-stage benchmark (``make bench-claims``).

Scores ../shared/claims/dev.jsonl (flag, claim and 3-way figures, category accuracy, the
confusion matrix), hedge F1 on ../shared/claims/external/pei2021-certainty, and sentences per
second over at least 1 MB of article text built from the project's own case sentences.
Skips with a message when ../shared is missing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit.claims import get_stage  # noqa: E402
from audit.claims.evaluate import hedge_f1, predict, read_jsonl, score  # noqa: E402
from audit.models import LABELS  # noqa: E402

DEFAULT_SHARED = Path(os.environ.get("SKINAUDIT_SHARED", ROOT.parent / "shared"))
CASES = ROOT / "tests" / "claims_cases.jsonl"
SPEED_BYTES = 1_100_000


def print_scores(title: str, figures: dict) -> None:
    print(f"== {title} (n={figures['n']})")
    print(
        "flag (unsupported) P/R/F1: {flag_precision:.3f} / {flag_recall:.3f} / {flag_f1:.3f}".format(**figures)
    )
    print("claim vs no_claim P/R/F1: {claim_precision:.3f} / {claim_recall:.3f} / {claim_f1:.3f}".format(**figures))
    print("3-way accuracy: {accuracy:.3f}   3-way macro-F1: {macro_f1:.3f}".format(**figures))
    print("category accuracy (gold claims): {category_accuracy:.3f}".format(**figures))
    short = {"unsupported_claim": "unsup", "supported_or_hedged_claim": "supp/hedged", "no_claim": "no_claim"}
    print("confusion (rows gold, columns predicted):")
    print(" " * 14 + "".join(f"{short[p]:>13}" for p in LABELS))
    for gold in LABELS:
        print(f"{short[gold]:>14}" + "".join(f"{figures['confusion'][gold][p]:>13}" for p in LABELS))


def print_errors(cases: list[dict], findings: list) -> None:
    for case, found in zip(cases, findings):
        if (case["label"], case["category"]) != (found.label, found.category):
            print(f"- gold {case['label']}/{case['category']} got {found.label}/{found.category}")
            print(f"  text: {case['text'][:160]}")
            print(f"  trigger={found.trigger!r} hedge={found.hedge!r} source={found.source!r} rules={found.rule_ids}")


def article_text(sentences: list[str], size: int, seed: int = 7) -> list[str]:
    """Articles of 4-8 paragraphs of 2-6 sentences, drawn from our own case sentences."""
    rng = random.Random(seed)
    articles, total = [], 0
    while total < size:
        paragraphs = [" ".join(rng.choices(sentences, k=rng.randint(2, 6))) for _ in range(rng.randint(4, 8))]
        text = "\n\n".join(paragraphs)
        articles.append(text)
        total += len(text.encode("utf-8"))
    return articles


def speed(stage) -> None:
    sentences = [case["text"] for case in read_jsonl(CASES)]
    articles = article_text(sentences, SPEED_BYTES)
    size = sum(len(a.encode("utf-8")) for a in articles)
    started, cpu_started = time.perf_counter(), time.process_time()
    count = sum(stage.find_claims(text).sentences for text in articles)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"== speed: {count} sentences in {size / 1e6:.2f} MB ({len(articles)} articles), one process")
    print(f"sentences/s: {count / elapsed:,.0f} wall clock ({elapsed:.2f} s); {count / cpu:,.0f} per CPU second")
    if cpu < 0.8 * elapsed:
        print("note: the process got less than 80% of a CPU (a busy machine); the CPU figure is the stage's own speed")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the dev sentences judged wrongly")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder (default %(default)s)")
    args = parser.parse_args(argv)
    dev_path = args.shared / "claims" / "dev.jsonl"
    pei_path = args.shared / "claims" / "external" / "pei2021-certainty" / "mapped.jsonl"
    stage = get_stage()
    cases = read_jsonl(CASES)
    print_scores("own cases tests/claims_cases.jsonl", score(cases, predict(stage, cases)))
    if not dev_path.exists():
        print(f"SKIP dev and pei2021 figures: {args.shared} not found (pass --shared or set SKINAUDIT_SHARED)")
    else:
        dev = read_jsonl(dev_path)
        findings = predict(stage, dev)
        print_scores("dev ../shared/claims/dev.jsonl", score(dev, findings))
        if args.errors:
            print_errors(dev, findings)
    if pei_path.exists():
        hedge = hedge_f1(stage, read_jsonl(pei_path))
        print(f"== pei2021 hedge (certainty <=3 vs >=5, n={hedge['n']}): "
              f"P/R/F1 {hedge['precision']:.3f} / {hedge['recall']:.3f} / {hedge['f1']:.3f}")
    speed(stage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
