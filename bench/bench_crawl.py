"""bench-crawl: crawl a generated local blog of 5,000 posts and print pages/s, peak RSS and the time
of a second run when nothing changed.

    python bench/bench_crawl.py [--posts 5000] [--workers 2] [--skip-audit]

The blog is tests/crawlsite (a stdlib HTTP server on 127.0.0.1, in this process's threads) without
traps: a gzip sitemap with lastmod, ETag / Last-Modified on every post, 400-word posts. Each crawl is
a ``skinaudit crawl`` subprocess (startup included in the time) with politeness delays off
(benchmark only: AutoThrottle off, no download delay, 16 requests in flight).

1. audit off:  fetch + store, fresh store              → pages/s (target ≥ 100)
2. second run: same store, nothing changed              → seconds (target ≤ 10 % of run 1)
3. audit on:   fetch + store + audit, fresh store;      → pages/s end to end (target ≥ 20)
               ``--workers`` audit processes run alongside the crawl (SKINAUDIT_AUDIT_INLINE),
               the clock stops when every post is audited
Peak RSS is the largest resident set of any crawl or audit process (target < 400 MB).
CPU seconds (user + system, audit processes included) are printed too: on a shared machine the
pages per CPU-second say more than pages per wall-clock second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from crawlsite import CrawlSite  # noqa: E402

BIN = Path(sys.executable).parent
FAST = {
    "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "INFO", "SKINAUDIT_PROGRESS_INTERVAL": 5.0,
}
TARGETS = {"audit_off": 100.0, "audit_on": 20.0, "rss_mb": 400.0, "second_ratio": 0.10}


CPU: list[float] = []  # CPU seconds of each run (the process and the audit processes it waited for)


def run(cmd: list[str], workdir: Path, settings: dict) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB of it and its children); note its CPU time."""
    env = dict(os.environ, SKINAUDIT_CRAWL_SETTINGS=json.dumps(settings))
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"bench-crawl: {' '.join(cmd[1:3])} failed ({proc.returncode}):\n{err[-2000:]}")
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the audit processes, if any
    CPU.append(usage.ru_utime + usage.ru_stime)
    return elapsed, max(usage.ru_maxrss, children) / 1024


def stored(store: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(store) as conn:
        total = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
        audited = conn.execute("SELECT count(*) FROM pages WHERE audit_status IN ('done', 'error')").fetchone()[0]
    return total, audited


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="audit processes alongside the crawl")
    parser.add_argument("--skip-audit", action="store_true", help="only the audit-off runs")
    args = parser.parse_args(argv)
    print(f"bench-crawl: {args.posts} posts on a local blog; politeness delays off for the benchmark; "
          f"{os.cpu_count()} CPUs (shared machines give noisy figures)", flush=True)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp, CrawlSite(posts=args.posts, traps=False,
                                                                              words=400) as site:
        workdir = Path(tmp)
        sites = workdir / "sites.toml"
        sites.write_text(f'[[site]]\nname = "bench"\nstart_urls = ["{site.url}/"]\nmax_pages = {args.posts * 2}\n')
        store = workdir / "off.sqlite"
        crawl = [str(BIN / "skinaudit"), "crawl", "--sites", str(sites), "--store", str(store)]

        first, rss = run(crawl, workdir, FAST)
        posts, _ = stored(store)
        results.update(audit_off=posts / first, first_s=first, rss_mb=rss, audit_off_per_cpu_s=posts / CPU[-1])
        print(f"audit off : {posts} posts in {first:.1f}s = {posts / first:.0f} pages/s "
              f"(target ≥ {TARGETS['audit_off']:.0f}); {CPU[-1]:.1f} CPU-s = {posts / CPU[-1]:.0f} pages per "
              f"CPU-second; peak RSS {rss:.0f} MB", flush=True)

        hits = len(site.hits)
        second, rss2 = run(crawl, workdir, FAST)
        results.update(second_s=second, second_ratio=second / first, rss_mb=max(rss, rss2),
                       second_cpu_ratio=CPU[-1] / CPU[-2])
        print(f"second run: {second:.1f}s = {100 * second / first:.0f}% of the first (target ≤ 10%); "
              f"{len(site.hits) - hits} requests; {CPU[-1]:.1f} CPU-s = {100 * CPU[-1] / CPU[-2]:.0f}% of the "
              "first's", flush=True)

        if not args.skip_audit:
            store_on = workdir / "on.sqlite"
            settings = dict(FAST, SKINAUDIT_AUDIT_INLINE=args.workers)
            crawl_on = [str(BIN / "skinaudit"), "crawl", "--sites", str(sites), "--store", str(store_on)]
            crawled, rss3 = run(crawl_on, workdir, settings)
            audit_s, rss4 = run([str(BIN / "skinaudit"), "audit", "--store", str(store_on)], workdir, FAST)
            posts_on, audited = stored(store_on)
            total = crawled + audit_s
            cpu = CPU[-1] + CPU[-2]
            results.update(audit_on=audited / total, rss_mb=max(results["rss_mb"], rss3, rss4),
                           audit_on_per_cpu_s=audited / cpu)
            print(f"audit on  : {audited}/{posts_on} posts audited in {total:.1f}s (crawl with {args.workers} "
                  f"auditors alongside {crawled:.1f}s + the rest {audit_s:.1f}s) = {audited / total:.1f} pages/s "
                  f"(target ≥ {TARGETS['audit_on']:.0f}); {cpu:.0f} CPU-s = {audited / cpu:.1f} pages per CPU-second",
                  flush=True)
    print(f"peak RSS  : {results['rss_mb']:.0f} MB (target < {TARGETS['rss_mb']:.0f})")
    verdicts = [results["audit_off"] >= TARGETS["audit_off"], results["second_ratio"] <= TARGETS["second_ratio"],
                results["rss_mb"] < TARGETS["rss_mb"]]
    if "audit_on" in results:
        verdicts.append(results["audit_on"] >= TARGETS["audit_on"])
    print("targets   : " + ("all met" if all(verdicts) else "NOT all met"))
    print(json.dumps({k: round(v, 3) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
