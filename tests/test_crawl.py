"""Whole crawls against the local trap server (tests/crawlsite), each in a ``skinaudit crawl`` subprocess.

A subprocess per crawl keeps Twisted's reactor out of the test process. The server runs in a thread
of the test process and logs every request it gets, so the tests can check what was *not* fetched.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit.store import Store, events, pages, runs
from crawlsite import CrawlSite

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
#: Fast, deterministic politeness for loopback tests (the defaults are for real sites).
FAST = {
    "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "DOWNLOAD_TIMEOUT": 2.5,
    "RETRY_TIMES": 1, "DOWNLOAD_MAXSIZE": 1024 * 1024, "SKINAUDIT_BACKOFF_BASE": 0.2, "LOG_LEVEL": "INFO",
}


def write_sites(path: Path, *sites: dict) -> Path:
    lines = []
    for site in sites:
        lines.append("[[site]]")
        for key, value in site.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def crawl_command(workdir: Path, sites: Path, settings: dict | None = None) -> tuple[list[str], dict]:
    env = dict(os.environ, SKINAUDIT_CRAWL_SETTINGS=json.dumps({**FAST, **(settings or {})}))
    return [str(BIN / "skinaudit"), "crawl", "--sites", str(sites), "--store", str(workdir / "store.sqlite")], env


def crawl(workdir: Path, sites: Path, settings: dict | None = None) -> subprocess.CompletedProcess:
    cmd, env = crawl_command(workdir, sites, settings)
    result = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(store_path: Path, query) -> list:
    store = Store(store_path)
    with store.engine.connect() as conn:
        out = conn.execute(query).all()
    store.close()
    return out


def last_counts(store_path: Path) -> dict:
    return json.loads(rows(store_path, sa.select(runs.c.counts).order_by(runs.c.id.desc()).limit(1))[0][0])


def stored_paths(store_path: Path, site: str) -> list[str]:
    found = rows(store_path, sa.select(pages.c.canonical_url).where(pages.c.site == site))
    return sorted("/" + url.split("/", 3)[3] for (url,) in found)


# -- one crawl of the trap site and the fortress, many checks ----------------------------------


def crawl_together(*jobs: tuple[Path, Path]) -> list[str]:
    """Run several crawls at once (they are independent; this halves the wait on two cores)."""
    procs = []
    for workdir, sites in jobs:
        cmd, env = crawl_command(workdir, sites)
        procs.append(subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True))
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    for proc, err in zip(procs, errors):
        assert proc.returncode == 0, err[-3000:]
    return errors


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """The trap site with the fortress beside it, and a trap site without sitemaps, crawled at once."""
    trap_dir, fallback_dir = tmp_path_factory.mktemp("trapcrawl"), tmp_path_factory.mktemp("fallback")
    with CrawlSite(posts=8, traps=True, crawl_delay=0.1) as site, \
            CrawlSite(posts=25, traps=True, sitemaps=False) as bare:
        trap_sites = write_sites(trap_dir / "sites.toml",
                                 {"name": "traps", "start_urls": [site.url + "/"], "max_depth": 4},
                                 {"name": "fortress", "start_urls": [site.fortress_url + "/"]})
        bare_sites = write_sites(fallback_dir / "sites.toml",
                                 {"name": "blog", "start_urls": [bare.url + "/"], "max_depth": 3})
        stderr, _ = crawl_together((trap_dir, trap_sites), (fallback_dir, bare_sites))
    return {"trap": {"site": site, "store": trap_dir / "store.sqlite", "stderr": stderr, "workdir": trap_dir},
            "fallback": {"site": bare, "store": fallback_dir / "store.sqlite"}}


@pytest.fixture(scope="module")
def trap_crawl(crawls):
    return crawls["trap"]


def test_stores_every_post_once_under_its_canonical_url(trap_crawl):
    site = trap_crawl["site"]
    paths = stored_paths(trap_crawl["store"], "traps")
    assert len(paths) == len(set(paths))
    expected = site.blog.expected_posts()
    # post-3 and its near-duplicate copy: whichever came first is stored, the other reported
    copies = {"/2024/01/04/post-3/", "/2024/06/06/near-dup-post/"}
    assert set(paths) - copies == expected - copies
    assert len(set(paths) & copies) == 1


def test_tracking_parameters_mobile_switch_and_amp_copy_fold_into_one_post(trap_crawl):
    site = trap_crawl["site"]
    post1 = [p for p in site.paths() if p.startswith("/2024/01/02/post-1/")]
    assert post1 == ["/2024/01/02/post-1/"]  # utm_*, #comments and ?m=1 normalised before requesting
    duplicates = rows(trap_crawl["store"], sa.select(events.c.url, events.c.detail).where(events.c.kind == "duplicate"))
    details = " ".join(detail for _, detail in duplicates)
    assert "canonical link" in details and "simhash" in details


def test_traps_are_reported_not_followed(trap_crawl):
    site = trap_crawl["site"]
    paths = site.paths()
    assert not [p for p in paths if p.startswith("/private/")], "robots.txt Disallow ignored"
    assert not [p for p in paths if p.startswith(("/search", "/files/", "/?attachment", "/calendar"))]
    assert sum(p.startswith("/redirect-loop") for p in paths) <= 6
    assert paths.count("/error-500/") == 2  # one retry, then reported
    found = {(kind, url.split("/", 3)[3]): detail for kind, url, detail in rows(
        trap_crawl["store"], sa.select(events.c.kind, events.c.url, events.c.detail).where(events.c.site == "traps"))}
    assert found[("error", "error-500/")] == "HTTP 500"
    assert "took longer than" in found[("error", "timeout-post/")]
    assert "DOWNLOAD_MAXSIZE" in found[("skipped", "bomb/")]
    assert found[("skipped", "2024/06/07/report/")] == "not HTML (application/pdf)"
    assert found[("skipped", "private/secret-post/")] == "Forbidden by robots.txt"


def test_retry_after_is_honoured(trap_crawl):
    site = trap_crawl["site"]
    flaky = [hit for hit in site.hits if hit.path == "/2024/06/02/flaky-post/"]
    assert [hit.status for hit in flaky] == [503, 200]
    assert flaky[1].at - flaky[0].at >= 0.95
    assert "/2024/06/02/flaky-post/" in stored_paths(trap_crawl["store"], "traps")


def test_robots_crawl_delay_is_applied(trap_crawl):
    site = trap_crawl["site"]
    times = [hit.at for hit in site.hits if hit.host == "127.0.0.1" and hit.path != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    gaps.sort()
    # timestamps are taken by the server's threads: allow scheduling noise on single gaps
    assert gaps[len(gaps) // 2] >= 0.095 and gaps[0] >= 0.06, "requests closer than robots.txt Crawl-delay: 0.1"


def test_charsets_wrong_missing_and_meta_are_decoded(trap_crawl):
    found = rows(trap_crawl["store"], sa.select(pages.c.url, pages.c.html, pages.c.encoding)
                 .where(pages.c.url.like("%charset%") | pages.c.url.like("%latin1%")))
    assert len(found) == 3
    for url, html, encoding in found:
        assert "Crème brûlée" in zlib.decompress(html).decode(encoding), (url, encoding)


def test_blocking_site_is_reported_blocked_not_evaded(trap_crawl):
    site = trap_crawl["site"]
    assert len(site.paths("localhost")) <= 4
    counts = last_counts(trap_crawl["store"])
    assert counts["fortress"]["blocked"] == 1 and counts["fortress"]["new"] == 0
    assert counts["fortress"]["complete"] == 0
    blocked = rows(trap_crawl["store"], sa.select(events.c.detail)
                   .where(events.c.site == "fortress", events.c.kind == "blocked", events.c.url.like("%/")))
    assert any("refuses the crawler" in detail for (detail,) in blocked)
    assert {hit.agent for hit in site.hits} == {"skinaudit/0.1 (blog audit crawler; +no contact configured)"}


def test_counts_and_logs(trap_crawl):
    counts = last_counts(trap_crawl["store"])["traps"]
    assert counts["new"] == 13 and counts["duplicates"] == 2 and counts["complete"] == 1
    assert counts["errors"] == 2 and counts["gone"] == 0 and counts["blocked"] == 0
    assert "site" in trap_crawl["stderr"] and "traps" in trap_crawl["stderr"]  # the final table
    logs = list((trap_crawl["workdir"] / "data" / "logs").glob("crawl-*.log"))
    assert logs and "Spider closed" in logs[0].read_text()
    assert not list((trap_crawl["workdir"] / "data" / "jobs").glob("*/*")), "a finished crawl leaves no JOBDIR"


# -- incremental runs ----------------------------------------------------------------------------


def test_second_run_fetches_only_what_changed_and_a_site_that_is_down_marks_nothing_gone(tmp_path):
    with CrawlSite(posts=12, traps=False) as site:
        sites = write_sites(tmp_path / "sites.toml", {"name": "blog", "start_urls": [site.url + "/"]})
        crawl(tmp_path, sites)
        assert last_counts(tmp_path / "store.sqlite")["blog"]["new"] == 12
        first_hits = len(site.hits)

        site.edit(2)
        site.remove(5)
        site.hits.clear()
        crawl(tmp_path, sites)
        counts = last_counts(tmp_path / "store.sqlite")["blog"]
        assert counts["new"] == 0 and counts["changed"] == 1 and counts["gone"] == 1
        assert counts["unchanged"] == 10
        post_hits = [p for p in site.paths() if p.startswith("/2024/")]
        # unchanged posts are skipped on their sitemap lastmod or answered 304, never downloaded again
        assert all(hit.status in (200, 304) for hit in site.hits)
        downloaded = [h.path for h in site.hits if h.path.startswith("/2024/") and h.status == 200]
        assert downloaded == ["/2024/01/03/post-2/"]
        assert len(site.hits) < first_hits
        assert post_hits.count("/2024/01/03/post-2/") == 1

    status = dict(rows(tmp_path / "store.sqlite", sa.select(pages.c.url, pages.c.change_status)))
    assert sorted(status.values()).count("gone") == 1
    assert status[f"{site.url}/2024/01/03/post-2/"] == "changed"

    # the server is gone now (connection refused): the site is down, and nothing may be marked gone
    crawl(tmp_path, sites, {"RETRY_TIMES": 0})
    counts = last_counts(tmp_path / "store.sqlite")["blog"]
    assert counts["complete"] == 0 and counts["gone"] == 0 and counts["errors"] >= 1
    after = dict(rows(tmp_path / "store.sqlite", sa.select(pages.c.url, pages.c.change_status)))
    assert sorted(after.values()).count("gone") == 1


def test_without_sitemaps_archives_are_followed_and_the_calendar_is_bounded(crawls):
    site, paths = crawls["fallback"]["site"], crawls["fallback"]["site"].paths()
    stored = set(stored_paths(crawls["fallback"]["store"], "blog"))
    # the feed lists 5 posts; the rest are found through /page/N/ pagination (fallback link crawl)
    assert {site.blog.post_path(i) for i in range(1, 26)} - {"/2024/01/04/post-3/"} <= stored
    assert any(p.startswith("/page/") for p in paths)
    assert 1 <= sum(p.startswith("/calendar/") for p in paths) <= 8


# -- crash safety --------------------------------------------------------------------------------


def test_sigkill_mid_crawl_then_rerun_loses_nothing_and_stores_nothing_twice(tmp_path):
    with CrawlSite(posts=100, traps=False, words=120, crawl_delay=0.01) as site:
        sites = write_sites(tmp_path / "sites.toml", {"name": "big", "start_urls": [site.url + "/"]})
        cmd, env = crawl_command(tmp_path, sites, {"CONCURRENT_REQUESTS_PER_DOMAIN": 1})
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        store_path = tmp_path / "store.sqlite"
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            if store_path.exists():
                try:
                    with sqlite3.connect(store_path, timeout=5) as conn:
                        stored = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
                except sqlite3.OperationalError:  # the schema is not there yet
                    continue
                if stored >= 25:
                    break
        assert proc.poll() is None, "the crawl finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        before = {url: html for url, html in rows(store_path, sa.select(pages.c.canonical_url, pages.c.html_hash))}
        assert len(before) >= 25
        assert list((tmp_path / "data" / "jobs").glob("*/big")), "the killed crawl left its JOBDIR"

        site.hits.clear()
        crawl(tmp_path, sites)
    after = rows(store_path, sa.select(pages.c.canonical_url, pages.c.html_hash, pages.c.change_status))
    urls = [url for url, _, _ in after]
    assert len(urls) == len(set(urls)) == 100
    assert {url: h for url, h, _ in after if url in before} == before  # nothing lost or altered
    refetched = [h for h in site.hits if h.path.startswith("/2024/") and h.status == 200]
    assert len(refetched) <= 100 - len(before) + 5  # stored pages were not downloaded again
    kinds = [kind for (kind,) in rows(store_path, sa.select(events.c.detail).where(events.c.kind == "error"))]
    assert any("was killed" in detail for detail in kinds)


def test_ctrl_c_keeps_the_frontier_and_the_next_run_resumes_it(tmp_path):
    with CrawlSite(posts=80, traps=False, words=120, crawl_delay=0.01) as site:
        sites = write_sites(tmp_path / "sites.toml", {"name": "big", "start_urls": [site.url + "/"]})
        cmd, env = crawl_command(tmp_path, sites, {"CONCURRENT_REQUESTS_PER_DOMAIN": 1})
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
            if sum(h.path.startswith("/2024/") for h in site.hits) >= 20:
                break
        assert proc.poll() is None, "the crawl finished before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-2000:]
        markers = list((tmp_path / "data" / "jobs").glob("*/big/skinaudit-jobdir.json"))
        assert markers and json.loads(markers[0].read_text())["clean"] is True
        first = last_counts(tmp_path / "store.sqlite")["big"]
        assert first["complete"] == 0 and first["gone"] == 0 and 0 < first["new"] < 80

        before = len(site.hits)
        crawl(tmp_path, sites)
        posts_fetched = [h.path for h in site.hits[before:] if h.path.startswith("/2024/")]
    counts = last_counts(tmp_path / "store.sqlite")["big"]
    assert counts["complete"] == 1 and counts["gone"] == 0
    assert first["new"] + counts["new"] == 80  # the resumed frontier fetched what was left, nothing twice
    assert len(posts_fetched) == len(set(posts_fetched)) <= 80 - first["new"] + 2
    assert not list((tmp_path / "data" / "jobs").glob("*/big")), "a finished crawl leaves no JOBDIR"
    statuses = [s for (s,) in rows(tmp_path / "store.sqlite", sa.select(pages.c.change_status))]
    assert len(statuses) == 80 and "gone" not in statuses

