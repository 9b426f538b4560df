"""Report benchmark (``make bench-report``): every report for 5,000 stored articles.

Budget: under 60 s and under 1 GB of memory. A child process fills a fresh SQLite store with
synthetic audited articles (about 800 words, 8 claims and 30 links each, over 20 sites and two
runs, with triage decisions and change events); this process then times ``build_reports`` on it
and prints the wall time and its peak RSS (the child's memory is not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIME_BUDGET_S = 60.0
MEMORY_BUDGET_MB = 1024.0
CATEGORIES = ["disease_treatment", "biological_effect", "safety", "absolute_or_guarantee", "authority_or_proof"]
REGIONS = ["footer", "sidebar", "widget", "comments", "nav", "header", "other"]
WORDS = ("skin serum retinol barrier collagen hydration scalp follicle minoxidil peptide niacinamide cleanser "
         "moisturiser sunscreen texture glow routine night morning gentle layer apply patch test results weeks "
         "dermatologist study journal evidence redness irritation").split()
CLAIMS = [
    ("This serum cures acne in a week.", "unsupported_claim", "disease_treatment"),
    ("Retinol boosts collagen production deep in the dermis.", "unsupported_claim", "biological_effect"),
    ("It is completely safe for everyone.", "unsupported_claim", "safety"),
    ("Results are guaranteed or your money back.", "unsupported_claim", "absolute_or_guarantee"),
    ("Dermatologists agree it is the best.", "unsupported_claim", "authority_or_proof"),
    ("A 2019 study in JAAD found it may reduce redness.", "supported_or_hedged_claim", "biological_effect"),
    ("It may help calm the look of redness.", "supported_or_hedged_claim", "disease_treatment"),
]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 20))
    return " ".join(words).capitalize() + "."


def _article(rng: random.Random, n: int) -> tuple[str, list[dict]]:
    """~800 words in paragraphs with claim sentences spliced in, and the claims with their offsets."""
    paragraphs, claims, offset = [], [], 0
    for _ in range(10):
        sentences = [_sentence(rng) for _ in range(rng.randint(3, 6))]
        if rng.random() < 0.8:
            sentence, label, category = rng.choice(CLAIMS)
            sentence = f"{sentence[:-1]} ({n}-{len(claims)})."
            sentences.insert(rng.randint(0, len(sentences)), sentence)
            claims.append({"sentence": sentence, "label": label, "category": category})
        paragraphs.append(" ".join(sentences))
    text = "\n\n".join(paragraphs)
    for claim in claims:
        start = text.index(claim["sentence"])
        claim.update(start=start, end=start + len(claim["sentence"]))
    return text, claims


def generate(path: Path, articles: int, seed: int = 5) -> None:
    from audit import store as st

    rng = random.Random(seed)
    store = st.Store(path)
    run1, run2 = store.start_run("run", []), store.start_run("run", [])
    store.finish_run(run1, {})
    store.finish_run(run2, {})
    page_rows, link_rows, claim_rows, triage_rows, event_rows = [], [], [], [], []
    html = zlib.compress(b"<html><body>synthetic</body></html>")
    for n in range(articles):
        site = f"site-{n % 20:02d}"
        url = f"https://{site}.example/{2020 + n % 5}/{n % 12 + 1:02d}/post-{n}.html"
        text, claims = _article(rng, n)
        status = rng.choices(["new", "changed", "unchanged", "gone"], [2, 1, 6, 0.3])[0]
        body_html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        page_rows.append(dict(
            id=n + 1, canonical_url=url, url=url, site=site, http_status=200, fetched_at=st.now_iso(),
            html=html, html_hash=str(n), first_run=run1, last_seen_run=run2, change_status=status,
            change_run=run2 if status != "unchanged" else run1, audit_status="done", audited_at=st.now_iso(),
            title=f"Post {n}: {_sentence(rng)[:60]}", author=f"Author {n % 37}", published=f"2024-{n % 12 + 1:02d}-01",
            language="en", words=len(text.split()), sentences=text.count("."), text=text, body_html=body_html,
            quality=rng.randint(0, 100),
        ))
        for i, c in enumerate(claims):
            key = st.sentence_key(c["sentence"])
            claim_rows.append(dict(
                page_id=n + 1, position=i, sentence_hash=key, sentence=c["sentence"], start=c["start"], end=c["end"],
                label=c["label"], category=c["category"], trigger="cures", hedge=None,
                source="JAAD 2019" if "JAAD" in c["sentence"] else None, rule_ids=json.dumps(["claim.rule"]),
                reasons=json.dumps(["a reason"]), suggestion="Cite a study or describe a cosmetic effect."))
            if rng.random() < 0.05:
                triage_rows.append(dict(canonical_url=url, sentence_hash=key, status="false_alarm", note="checked",
                                        updated_at=st.now_iso()))
            if status == "changed" and c["label"] == "unsupported_claim" and rng.random() < 0.3:
                event_rows.append(dict(run_id=run2, site=site, url=url, kind="new_flag", detail=c["sentence"],
                                       at=st.now_iso()))
        for i in range(30):
            region = "body" if i < 5 else rng.choice(REGIONS)
            spam = region != "body" and rng.random() < 0.08
            href = f"https://spam-{rng.randint(0, 999)}.example/x" if spam else f"https://{site}.example/p/{i}"
            link_rows.append(dict(page_id=n + 1, position=i, href=href, text=_sentence(rng)[:40], region=region,
                                  internal=not spam, rel="[]", hidden=spam and rng.random() < 0.3, spam=spam,
                                  reasons=json.dumps(["vocab:gambling"] if spam else [])))
            if spam and status == "changed" and rng.random() < 0.5:
                event_rows.append(dict(run_id=run2, site=site, url=url, kind="new_spam", detail=href, at=st.now_iso()))
    with store.engine.begin() as conn:
        for table, rows in ((st.pages, page_rows), (st.claims, claim_rows), (st.links, link_rows),
                            (st.triage, triage_rows), (st.events, event_rows)):
            for i in range(0, len(rows), 2000):
                conn.execute(table.insert(), rows[i:i + 2000])
    store.close()
    print(f"store: {articles} articles, {len(claim_rows)} claims, {len(link_rows)} links, "
          f"{len(triage_rows)} triage decisions, {len(event_rows)} events")


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants (shared pages counted once), from /proc."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


class PeakMemory(threading.Thread):
    """Samples the process tree's PSS every 250 ms: the real memory the build needs at its peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.done = 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.peak = max(self.peak, _tree_pss_mb(os.getpid()))


def build(store_path: Path, out: Path) -> dict:
    """Time ``build_reports`` in this (fresh) process; its peak RSS and its workers' largest."""
    from audit.reports import build_reports
    from audit.store import Store

    sampler = PeakMemory()
    sampler.start()
    started = time.monotonic()
    model = build_reports(Store(store_path), out, progress=True)
    seconds = time.monotonic() - started
    sampler.done.set()
    sampler.join()
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_s": round(own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime, 1),
        "pss_mb": round(sampler.peak),
        "seconds": round(seconds, 1),
        "articles": len(model.articles),
        "summary": model.summary_line(),
        "main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "workers": min(os.cpu_count() or 1, 8),
        "size_mb": round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--generate", metavar="STORE", help=argparse.SUPPRESS)  # child: fill the store
    parser.add_argument("--build", nargs=2, metavar=("STORE", "OUT"), help=argparse.SUPPRESS)  # child: measure
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep the store and reports")
    args = parser.parse_args(argv)
    if args.generate:
        generate(Path(args.generate), args.articles)
        return 0
    if args.build:
        print(json.dumps(build(Path(args.build[0]), Path(args.build[1]))))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "bench.sqlite"
        db.unlink(missing_ok=True)
        started = time.monotonic()
        subprocess.run([sys.executable, __file__, "--generate", str(db), "--articles", str(args.articles)],
                       check=True)
        print(f"generated in {time.monotonic() - started:.1f}s (not counted)")
        load_before = os.getloadavg()[0]
        result = subprocess.run([sys.executable, __file__, "--build", str(db), str(work / "reports")],
                                check=True, stdout=subprocess.PIPE, text=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        # Workers are forked from the main process and share most of its pages: RSS counts those
        # pages in every process, PSS (sampled from /proc) counts them once. PSS is the budget figure;
        # without /proc, main + workers × largest worker RSS stands in (pessimistic).
        total_mb = figures["pss_mb"] or figures["main_mb"] + figures["workers"] * figures["worker_mb"]
        print(figures["summary"])
        # Wall time depends on what else the machine runs; CPU time (main process and workers) does not.
        print(f"bench-report: {figures['articles']} articles → {figures['size_mb']} MB of reports in "
              f"{figures['seconds']} s wall ({figures['cpu_s']} s of CPU over {figures['workers']} cores); "
              f"peak memory {total_mb} MB (PSS of the process tree; RSS: main {figures['main_mb']} MB, largest of "
              f"{figures['workers']} workers {figures['worker_mb']} MB); budget {TIME_BUDGET_S:.0f} s, "
              f"{MEMORY_BUDGET_MB:.0f} MB; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        ok = figures["seconds"] < TIME_BUDGET_S and total_mb < MEMORY_BUDGET_MB
        print("bench-report: " + ("within budget" if ok else "OVER BUDGET"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
