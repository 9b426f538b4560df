"""Team scale end to end: two ``skinaudit crawl --redis`` workers share one frontier in Redis and
one PostgreSQL store, then two audit workers share the audit. Every post is fetched, stored and
audited exactly once, politeness holds across the workers, and a crawl worker and an audit worker
killed with SIGKILL mid-run lose nothing.

The servers are started by ``tests/services.py`` (skipped without them); the blog is the crawl
tests' local site (``tests/crawlsite``), on 127.0.0.1."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from audit.store import Store, links, pages, runs
from audit.worker import ClaimPolicy
from crawlsite import CrawlSite

pytestmark = [pytest.mark.services, pytest.mark.slow]

BIN = Path(sys.executable).parent
TESTS = Path(__file__).resolve().parent
#: Loopback-fast settings: no AutoThrottle, quick heartbeats, a dead worker noticed after 2 s.
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0, "DOWNLOAD_TIMEOUT": 20, "LOG_LEVEL": "INFO",
    "MAX_IDLE_TIME_BEFORE_CLOSE": 1, "SKINAUDIT_REDIS_HEARTBEAT": 0.5, "SKINAUDIT_REDIS_DEAD_AFTER": 2,
    "SKINAUDIT_REDIS_POLL": 0.2,
}


def write_sites(path: Path, url: str, delay: float) -> Path:
    path.write_text(f'[[site]]\nname = "team"\nstart_urls = ["{url}/"]\ndelay = {delay}\n', encoding="utf-8")
    return path


def start_together(site: CrawlSite, redis_url: str, workers: int = 2) -> None:
    """Hold the site's answers until ``workers`` crawl workers have joined the crawl, so that a worker
    slow to start (imports on a busy machine) does not find the crawl already over."""
    gate = threading.Event()
    respond = site.respond
    site.respond = lambda *args: (gate.wait(30), respond(*args))[1]
    client = redis.Redis.from_url(redis_url)

    def opener():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and client.zcard("skinaudit:blog:team:workers") < workers:
            time.sleep(0.05)
        client.close()
        gate.set()

    threading.Thread(target=opener, daemon=True).start()


def crawl_worker(workdir: Path, sites: Path, redis_url: str, pg_url: str) -> subprocess.Popen:
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SKINAUDIT_CRAWL_SETTINGS=json.dumps(SETTINGS))
    cmd = [str(BIN / "skinaudit"), "crawl", "--sites", str(sites), "--redis", redis_url, "--store", pg_url]
    return subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(procs: list[subprocess.Popen], timeout: float = 90) -> list[str]:
    errors = []
    try:
        for proc in procs:
            errors.append(proc.communicate(timeout=timeout)[1])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return errors


def stored(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return ["/" + url.split("/", 3)[3] for (url,) in conn.execute(sa.select(pages.c.canonical_url))]


def post_fetches(site: CrawlSite) -> collections.Counter:
    return collections.Counter(hit.path for hit in site.hits if "/post-" in hit.path and hit.status == 200)


def wait_until(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_two_crawl_workers_and_two_audit_workers(tmp_path, redis_url, pg_url):
    delay = 0.08
    store = Store(pg_url)
    try:
        with CrawlSite(posts=24, traps=False, words=60) as site:
            sites = write_sites(tmp_path / "sites.toml", site.url, delay)
            start_together(site, redis_url)
            errors = finish([crawl_worker(tmp_path / f"w{k}", sites, redis_url, pg_url) for k in (1, 2)])
            assert all("crawl finished" in err for err in errors), errors
            hits = sorted(hit.at for hit in site.hits)
            expected = site.blog.expected_posts()
            fetches = post_fetches(site)
        # every post fetched once and stored once, by the two workers together
        assert sorted(stored(store)) == sorted(expected)
        assert set(fetches) == expected and set(fetches.values()) == {1}
        with store.engine.connect() as conn:
            shares = [json.loads(c)["team"]["fetched"] for (c,) in conn.execute(sa.select(runs.c.counts))]
            seen_runs = conn.execute(sa.select(sa.func.count(sa.distinct(pages.c.last_seen_run)))).scalar_one()
        assert len(shares) == 2 and min(shares) > 0, f"one worker did everything: {shares}"
        assert seen_runs == 1  # both wrote under one shared run: nothing is wrongly "gone"
        # politeness: the site's delay holds for the two workers together (not halved): the mean
        # gap is the delay, and no stretch of 10 delays holds more than 11 requests (+1 for jitter)
        gaps = [b - a for a, b in zip(hits, hits[1:])]
        assert sum(gaps) / len(gaps) >= 0.9 * delay
        assert max(sum(1 for t in hits if start <= t < start + 10 * delay) for start in hits) <= 12
        # the crawl is over: its frontier, dupefilter and holds are gone from Redis
        client = redis.Redis.from_url(redis_url)
        assert [k for k in client.keys("*") if not k.startswith(b"skinaudit:polite:")] == []
        client.close()

        # two audit processes, the real audit
        result = subprocess.run([str(BIN / "skinaudit"), "audit", "--workers", "2", "--store", pg_url],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert f"audited {len(expected)} pages (0 errors)" in result.stderr
        assert store.audit_backlog() == {"done": len(expected)}
    finally:
        store.close()


def holder_pid(client: redis.Redis, procs: list[subprocess.Popen]) -> subprocess.Popen | None:
    """A crawl worker that holds requests right now (its id is host:pid:suffix)."""
    for key in client.keys("skinaudit:*:inflight:*"):
        if client.hlen(key):
            pid = int(key.decode().rsplit(":", 2)[-2])
            for proc in procs:
                if proc.pid == pid:
                    return proc
    return None


def audit_worker(store_url: str, policy: ClaimPolicy, log: Path) -> subprocess.Popen:
    """``audit_loop`` in its own interpreter (as on another machine), with the quick stand-in audit
    (``services.fake_audit``: it logs every page it audits)."""
    code = ("from audit.worker import audit_loop, ClaimPolicy; from services import fake_audit; "
            f"audit_loop({store_url!r}, None, policy=ClaimPolicy(**{policy.__dict__!r}), audit=fake_audit)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
               SKINAUDIT_TEST_AUDIT_DELAY="0.03", SKINAUDIT_TEST_AUDIT_LOG=str(log))
    return subprocess.Popen([sys.executable, "-c", code], env=env)


def test_killed_crawl_worker_and_killed_audit_worker_lose_nothing(tmp_path, redis_url, pg_url):
    store = Store(pg_url)
    client = redis.Redis.from_url(redis_url)
    try:
        with CrawlSite(posts=50, traps=False, words=60) as site:
            sites = write_sites(tmp_path / "sites.toml", site.url, 0.04)
            start_together(site, redis_url)
            crawlers = [crawl_worker(tmp_path / f"w{k}", sites, redis_url, pg_url) for k in (1, 2)]
            try:
                wait_until(lambda: len(stored(store)) >= 12 and holder_pid(client, crawlers) is not None)
                victim = holder_pid(client, crawlers)
                victim.kill()
            finally:
                errors = finish(crawlers)
            survivor = next(proc for proc in crawlers if proc is not victim)
            assert victim.returncode == -signal.SIGKILL
            assert survivor.returncode == 0, errors
            expected = site.blog.expected_posts()
            fetches = post_fetches(site)
        paths = stored(store)
        assert len(paths) == len(set(paths)) and set(paths) == expected  # nothing lost, nothing twice
        assert set(fetches) == expected
        assert sum(fetches.values()) - len(expected) <= 4  # at most the victim's held requests again
        assert "crawl finished" in errors[crawlers.index(survivor)]

        # two audit workers; one is killed mid-run, the other takes its pages over once they go stale
        policy = ClaimPolicy(batch=5, heartbeat_s=0.5, stale_after_s=2, poll_s=0.2)
        log = tmp_path / "audits.log"
        auditors = [audit_worker(store.url, policy, log) for _ in range(2)]
        try:
            wait_until(lambda: store.audit_backlog().get("done", 0) >= 10)
            victim = auditors[0]
            victim.kill()
            auditors[1].wait(timeout=60)
        finally:
            for proc in auditors:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
        assert auditors[1].returncode == 0
        assert store.audit_backlog() == {"done": len(expected)}
        audited = collections.Counter(line.split(" ", 1)[1] for line in log.read_text().splitlines())
        assert len(audited) == len(expected)
        assert sum(audited.values()) - len(expected) <= policy.batch  # only the victim's unsaved batch again
        with store.engine.connect() as conn:
            saved = conn.execute(sa.select(links.c.page_id, sa.func.count()).group_by(links.c.page_id)).all()
            workers = {w for (w,) in conn.execute(sa.select(pages.c.audit_worker))}
        assert len(saved) == len(expected) and {n for _, n in saved} == {1}  # each result saved once
        assert all(w.endswith(f":{auditors[1].pid}") or w.endswith(f":{victim.pid}") for w in workers)
    finally:
        client.close()
        store.close()
