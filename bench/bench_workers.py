"""1 worker vs 2 workers on this machine: store writes, the audit, and the distributed crawl.

    python bench/bench_workers.py [--pages 400] [--posts 600] [--json bench-workers.json]

Starts its own Redis and PostgreSQL on 127.0.0.1 (``tests/services.py``, the test fixtures' servers:
throwaway, fsync off) and the crawl tests' local blog (``tests/crawlsite``); without the Debian
binaries it says how to install them and exits 0.

* **store writes**: ``Store.save_fetch`` of ``--pages`` posts by 1 and by 2 writer processes at
  once (SQLite in WAL mode, PostgreSQL): rows/s, processes' start excluded.
* **audit**: ``audit_pending(store, workers=N)`` with the real audit over ``--pages`` stored posts,
  SQLite and PostgreSQL: pages/s while every worker runs, and the wall time including the
  processes' start (imports, spaCy load).
* **crawl**: N ``skinaudit crawl --redis … --store postgresql://…`` workers over a ``--posts`` blog,
  politeness delays off (benchmark only): pages/s between the first and the last request the
  server saw, and the wall time including the workers' start.

Each worker process runs in a session of its own, as separately started workers (systemd units,
other machines) would: with the kernel's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``)
all the processes of one session share one session's CPU share, so on a machine busy with other
work two workers in one session get no more CPU than one. ``--one-session`` measures that case.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
BIN = Path(sys.executable).parent

CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "CONCURRENT_REQUESTS": 32, "LOG_LEVEL": "INFO",
    "CLOSESPIDER_PAGECOUNT": 0, "CLOSESPIDER_TIMEOUT": 0,
    "MAX_IDLE_TIME_BEFORE_CLOSE": 1, "SKINAUDIT_REDIS_HEARTBEAT": 1, "SKINAUDIT_REDIS_POLL": 0.2,
}


def fetched_pages(blog, base: str, n: int):
    from audit.store import FetchedPage, now_iso

    for i in range(1, n + 1):
        url = f"{base}{blog.post_path(i)}"
        yield FetchedPage(url=url, canonical_url=url, site="bench", http_status=200, fetched_at=now_iso(),
                          html=blog.post_html(base, i).encode())


OWN_SESSIONS = os.environ.get("BENCH_ONE_SESSION") != "1"


def own_session() -> None:
    """Put this worker process in a new session (its own autogroup), once."""
    if OWN_SESSIONS and os.getpid() != os.getsid(0):
        os.setsid()


def _writer(store_url: str, part: int, parts: int, n: int, barrier, times) -> None:
    own_session()
    from audit.store import Store
    from crawlsite.server import Blog

    store = Store(store_url)
    run = store.start_run("crawl", ["bench"])
    mine = [page for k, page in enumerate(fetched_pages(Blog(n, False, 0.0, True, 300), "http://blog.bench", n))
            if k % parts == part]
    barrier.wait()  # every writer is ready: time the writes only
    started, cpu = time.time(), time.process_time()
    for page in mine:
        store.save_fetch(run, page)
    times.put((started, time.time(), time.process_time() - cpu))
    store.close()


def bench_writes(store_url: str, n: int, workers: int) -> tuple[float, float]:
    """(rows/s, writer CPU ms per row) of ``save_fetch`` (zlib, hash, upsert, commit per page) by
    ``workers`` processes at once."""
    from audit.store import Store

    Store(store_url).close()  # the schema, outside the timing
    ctx = multiprocessing.get_context("spawn")
    barrier, times = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(store_url, k, workers, n, barrier, times)) for k in range(workers)]
    for proc in procs:
        proc.start()
    spans = [times.get() for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
    return n / wall, 1000 * sum(cpu for _, _, cpu in spans) / n


def timed_audit(html, url):
    """The real audit, logging when each page is done (for the rate once every worker has started)."""
    from audit.check import audit_page

    if os.getpid() != int(os.environ.get("BENCH_PARENT", "0")):
        own_session()  # a pool process; the one-worker case runs in the benchmark's own session
    result = audit_page(html, url)
    with open(os.environ["BENCH_AUDIT_LOG"], "a") as log:
        log.write(f"{os.getpid()} {time.time()} {time.process_time()}\n")
    return result


def steady_rate(log: Path) -> tuple[float, float]:
    """(pages/s while all the workers were auditing, after each had loaded its models; CPU ms per page)."""
    done: dict[str, list[tuple[float, float]]] = {}
    for line in log.read_text().splitlines():
        pid, at, cpu = line.split()
        done.setdefault(pid, []).append((float(at), float(cpu)))
    start = max(marks[0][0] for marks in done.values())
    end = min(marks[-1][0] for marks in done.values())
    inside = sum(start < at <= end for marks in done.values() for at, _ in marks)
    cpu = sum(marks[-1][1] - marks[0][1] for marks in done.values())
    pages = sum(len(marks) - 1 for marks in done.values())
    return (inside / (end - start) if end > start else float("nan")), 1000 * cpu / max(1, pages)


def bench_audit(store_url: str, workers: int, workdir: Path) -> tuple[float, float, float]:
    """(steady pages/s, CPU ms per page, wall seconds) of ``audit_pending(workers=N)``, the real audit."""
    import sqlalchemy as sa

    from audit.store import Store, pages
    from audit.worker import audit_pending

    store = Store(store_url)
    with store.engine.begin() as conn:
        conn.execute(pages.update().values(audit_status="pending", audit_worker=None, audit_claimed_at=None))
        n = conn.execute(sa.select(sa.func.count()).select_from(pages)).scalar_one()
    log = workdir / f"audit-{time.time()}.log"
    os.environ["BENCH_AUDIT_LOG"] = str(log)
    started = time.perf_counter()
    summary = audit_pending(store, None, workers=workers, progress=False, audit=timed_audit)
    elapsed = time.perf_counter() - started
    assert summary.audited + summary.errors == n, summary
    store.close()
    return (*steady_rate(log), elapsed)


def bench_crawl(site, workdir: Path, redis_url: str, pg_url: str, workers: int) -> tuple[float, float, float]:
    """(pages/s seen by the server, workers' CPU ms per page with their start-up, wall seconds)."""
    import resource

    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    site.hits.clear()
    sites = workdir / "sites.toml"
    sites.write_text(f'[[site]]\nname = "bench"\nstart_urls = ["{site.url}/"]\nmax_pages = 100000\n')
    env = dict(os.environ, SKINAUDIT_CRAWL_SETTINGS=json.dumps(CRAWL_SETTINGS))
    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = []
    for k in range(workers):
        (workdir / f"w{k}").mkdir(exist_ok=True)
        procs.append(subprocess.Popen(
            [str(BIN / "skinaudit"), "crawl", "--sites", str(sites), "--redis", redis_url, "--store", pg_url],
            cwd=workdir / f"w{k}", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=OWN_SESSIONS))
    for proc in procs:
        proc.wait()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    posts = [hit for hit in site.hits if "/post-" in hit.path]
    span = max(hit.at for hit in site.hits) - min(hit.at for hit in site.hits)
    used = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    return len(posts) / span, 1000 * used / len(posts), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400, help="posts for the store and audit runs")
    parser.add_argument("--posts", type=int, default=600, help="posts of the crawled blog")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--one-session", action="store_true", help="keep every worker in this session")
    args = parser.parse_args(argv)
    if args.one_session:
        os.environ["BENCH_ONE_SESSION"] = "1"  # (read again by the spawned processes)
    global OWN_SESSIONS
    OWN_SESSIONS = not args.one_session
    os.environ["BENCH_PARENT"] = str(os.getpid())

    from services import PostgresServer, RedisServer, postgres_bindir

    bindir = postgres_bindir()
    if shutil.which("redis-server") is None or bindir is None:
        print("bench-workers: skipped: Redis or PostgreSQL is not installed "
              "(bash scripts/setup-services.sh installs them from Debian's packages)")
        return 0
    from crawlsite import CrawlSite

    redis_server, pg_server = RedisServer(shutil.which("redis-server")), PostgresServer(bindir)
    workdir = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    results: dict = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0], "own_sessions": OWN_SESSIONS}
    try:
        for engine in ("sqlite", "postgresql"):
            for workers in (1, 2):
                url = (str(workdir / f"{engine}-{workers}.sqlite") if engine == "sqlite"
                       else pg_server.create_database())
                rate, cpu = bench_writes(url, args.pages, workers)
                results[f"writes/{engine}/{workers}"] = {"rows_per_s": round(rate, 1), "cpu_ms_per_row": round(cpu, 2)}
                print(f"store writes  {engine:10} {workers} worker(s): {rate:7.1f} rows/s  "
                      f"({cpu:.2f} ms writer CPU per row)", flush=True)
                rate, cpu, elapsed = bench_audit(url, workers, workdir)
                results[f"audit/{engine}/{workers}"] = {"pages_per_s": round(rate, 1), "cpu_ms_per_page": round(cpu, 1),
                                                        "wall_s": round(elapsed, 1)}
                print(f"audit         {engine:10} {workers} worker(s): {rate:7.1f} pages/s once started  "
                      f"({cpu:.0f} ms CPU per page; {args.pages} pages in {elapsed:.1f}s wall with start-up)",
                      flush=True)
        with CrawlSite(posts=args.posts, traps=False, words=300) as site:
            for workers in (1, 2):
                rate, cpu, wall = bench_crawl(site, workdir, f"{redis_server.url}/0", pg_server.create_database(),
                                              workers)
                results[f"crawl/postgresql/{workers}"] = {"pages_per_s": round(rate, 1), "cpu_ms_per_page": round(cpu, 1),
                                                          "wall_s": round(wall, 1)}
                print(f"crawl (redis) postgresql {workers} worker(s): {rate:7.1f} pages/s  "
                      f"({cpu:.0f} ms worker CPU per page with start-up; {args.posts} posts, {wall:.1f}s wall)",
                      flush=True)
    finally:
        redis_server.stop()
        pg_server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_after"] = os.getloadavg()[0]
    print(f"load average (1 min) before {results['load_before']:.1f}, after {results['load_after']:.1f} "
          f"on {results['cpus']} CPUs")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
