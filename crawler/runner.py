"""Run the crawl of a list of sites in this process: one Scrapy crawler per site, a few at a time.

``crawl_sites`` is what ``skinaudit crawl`` and ``skinaudit run`` call, once per process (it starts
the Twisted reactor). It returns, per site, the counts the run records::

    {site: {new, changed, unchanged, gone, errors, blocked, duplicates, fetched, skipped, complete}}

Pages are stored as they arrive (``Store.save_fetch``, one transaction each, SQLite in WAL mode),
so a crawl killed at any moment keeps everything it stored. Each site's frontier lives in a Scrapy
JOBDIR (``data/jobs/<store>/<site>/``) while it runs: a crawl stopped cleanly (Ctrl-C once) resumes
from it; a JOBDIR left by a killed crawl is discarded (Scrapy's disk queue is only consistent after
a clean close) and the site is crawled again, cheaply, because stored pages come back as 304 or
are skipped on their unchanged sitemap lastmod.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audit.sites import SiteConfig
from audit.store import Store

logger = logging.getLogger(__name__)

COUNT_KEYS = ("new", "changed", "unchanged", "gone", "errors", "blocked", "duplicates", "fetched", "skipped", "complete")
#: Close reasons after which the site counts as completely crawled (unseen pages are then gone).
COMPLETE_REASONS = frozenset({"finished"})
#: Extra Scrapy settings as JSON (tests and operators): merged over crawler/settings.py.
SETTINGS_ENV = "SKINAUDIT_CRAWL_SETTINGS"
MARKER = "skinaudit-jobdir.json"
REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def project_settings(overrides: dict | None = None, redis_url: str | None = None):
    """crawler/settings.py, then $SKINAUDIT_CRAWL_SETTINGS, then ``overrides``; redis switches the scheduler."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    env = os.environ.get(SETTINGS_ENV)
    if env:
        settings.setdict(json.loads(env), priority="cmdline")
    if overrides:
        settings.setdict(dict(overrides), priority="cmdline")
    contact = settings.get("SKINAUDIT_CONTACT")
    if contact and settings.getpriority("USER_AGENT") < settings.getpriority("SKINAUDIT_CONTACT"):
        settings.set("USER_AGENT", settings["SKINAUDIT_USER_AGENT_TEMPLATE"].format(contact=contact), "cmdline")
    if redis_url:
        # Distributed crawling (scrapy-redis): a shared queue, dupefilter and politeness instead of the JOBDIR.
        from crawler.distributed import use_redis

        use_redis(settings, redis_url)
    settings.set("TWISTED_REACTOR", REACTOR, "cmdline")
    return settings


def site_settings(base, site: SiteConfig, jobdir: Path | None):
    """The settings of one site's crawler: its limits, its delay, its JOBDIR."""
    settings = base.copy()
    values: dict[str, Any] = {
        "CLOSESPIDER_PAGECOUNT": site.max_pages,
        "CLOSESPIDER_TIMEOUT": site.max_seconds,
    }
    if site.delay is not None:
        values["DOWNLOAD_DELAY"] = site.delay
        values["AUTOTHROTTLE_START_DELAY"] = site.delay
    if jobdir is not None:
        values["JOBDIR"] = str(jobdir)
    for key, value in values.items():
        settings.set(key, value, "spider")  # below overrides ("cmdline"): a benchmark can lift the limits
    return settings


# -- JOBDIR ------------------------------------------------------------------------------------


def jobdir_for(jobs_dir: str | Path, store: Store, site: SiteConfig) -> Path:
    key = hashlib.sha256(store.url.encode()).hexdigest()[:12]
    return Path(jobs_dir) / key / site.name


def read_marker(jobdir: Path) -> dict:
    try:
        return json.loads((jobdir / MARKER).read_text())
    except (OSError, ValueError):
        return {}


def prepare_jobdir(jobdir: Path, run_id: int) -> str:
    """``fresh``, ``resumed`` (a cleanly stopped crawl) or ``discarded`` (left by a killed crawl).

    The marker file lists the runs that worked on the frontier (see ``earlier_runs``).
    """
    status, runs = "fresh", []
    if jobdir.exists():
        marker = read_marker(jobdir)
        clean = marker.get("clean") is True
        status = "resumed" if clean else "discarded"
        if clean:
            runs = [int(r) for r in marker.get("runs", [])]
        else:
            shutil.rmtree(jobdir, ignore_errors=True)
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / MARKER).write_text(json.dumps({"clean": False, "runs": runs + [run_id]}))
    return status


def earlier_runs(jobdir: Path, run_id: int) -> list[int]:
    """Runs that began the frontier this run resumes: pages they saw count as seen by this run."""
    return [r for r in read_marker(jobdir).get("runs", []) if r != run_id]


def close_jobdir(jobdir: Path, reason: str) -> None:
    """Keep the frontier of a crawl stopped by a signal (to resume); drop it otherwise."""
    if reason == "shutdown":
        marker = read_marker(jobdir)
        (jobdir / MARKER).write_text(json.dumps({"clean": True, "runs": marker.get("runs", [])}))
    else:
        shutil.rmtree(jobdir, ignore_errors=True)


def adopt_earlier_runs(store: Store, site: str, runs: list[int], run_id: int) -> None:
    """A resumed crawl does not fetch again what the interrupted run already stored: count it as seen."""
    if not runs:
        return
    from audit.store import pages
    with store.engine.begin() as conn:
        conn.execute(pages.update().where(pages.c.site == site, pages.c.last_seen_run.in_(runs))
                     .values(last_seen_run=run_id))


# -- progress ----------------------------------------------------------------------------------


@dataclass
class SiteRun:
    site: SiteConfig
    crawler: Any = None
    jobdir: Path | None = None
    jobdir_status: str = "off"
    earlier_runs: list = field(default_factory=list)
    reason: str = "not started"
    counts: dict = field(default_factory=dict)

    def stat(self, key: str) -> int:
        if self.crawler is None or self.crawler.stats is None:
            return 0
        return int(self.crawler.stats.get_value(key, 0) or 0)

    def live(self) -> tuple[int, int, int]:
        fetched = self.stat("downloader/response_count")
        queued = max(0, self.stat("scheduler/enqueued") - self.stat("scheduler/dequeued"))
        errors = self.stat("skinaudit/events/error") + self.stat("skinaudit/events/blocked")
        return fetched, queued, errors


def progress_line(runs: list[SiteRun]) -> str:
    parts = []
    for run in runs:
        if run.reason == "not started" and run.crawler is None:
            continue
        fetched, queued, errors = run.live()
        done = "" if run.reason in ("running", "not started") else f" [{run.reason}]"
        parts.append(f"{run.site.name}: {fetched} fetched, {queued} queued, {errors} errors{done}")
    return "crawl  " + " | ".join(parts[-4:]) + (f"  (+{len(parts) - 4} sites)" if len(parts) > 4 else "")


def final_table(runs: list[SiteRun]) -> str:
    header = ("site", "fetched", "new", "changed", "unchanged", "gone", "dupes", "errors", "blocked", "end")
    rows = [header] + [(r.site.name, *(str(r.counts.get(k, 0)) for k in (
        "fetched", "new", "changed", "unchanged", "gone", "duplicates", "errors", "blocked")), r.reason) for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                               enumerate(zip(row, widths))).rstrip() for row in rows)


class Progress:
    """A live line on stderr (pages fetched / queued / errors per site), redrawn every interval."""

    def __init__(self, runs: list[SiteRun], interval: float, enabled: bool) -> None:
        self.runs, self.interval, self.enabled = runs, interval, enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.call = None

    def start(self) -> None:
        if not self.enabled:
            return
        from twisted.internet.task import LoopingCall

        self.call = LoopingCall(self.draw)
        self.call.start(self.interval, now=False)

    def draw(self) -> None:
        line = progress_line(self.runs)
        if self.tty:
            sys.stderr.write("\r" + line[:200].ljust(120))
        elif time.monotonic() - self.last >= 10:
            sys.stderr.write(line + "\n")
            self.last = time.monotonic()
        sys.stderr.flush()

    def stop(self) -> None:
        if self.call is not None and self.call.running:
            self.call.stop()
        if self.enabled and self.tty:
            sys.stderr.write("\r" + " " * 120 + "\r")


# -- audit alongside the crawl -------------------------------------------------------------------


def _audit_alongside(store_url: str, run_id: int, stop) -> None:
    from audit.worker import audit_loop

    while not stop.is_set():
        audit_loop(store_url, run_id, False)
        stop.wait(0.5)
    audit_loop(store_url, run_id, False)


def start_auditors(n: int, store: Store, run_id: int):
    if n <= 0:
        return None, []
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    procs = [ctx.Process(target=_audit_alongside, args=(store.url, run_id, stop), daemon=True) for _ in range(n)]
    for proc in procs:
        proc.start()
    return stop, procs


def stop_auditors(stop, procs) -> None:
    if stop is None:
        return
    stop.set()
    for proc in procs:
        proc.join()


# -- the crawl ---------------------------------------------------------------------------------


def mark_gone(store: Store, run: SiteRun, run_id: int) -> int:
    adopt_earlier_runs(store, run.site.name, run.earlier_runs, run_id)
    return store.mark_gone(run_id, run.site.name)


def counts_of(run: SiteRun, store: Store, run_id: int) -> dict:
    blocked = int(run.reason == "blocked" or run.stat("skinaudit/blocked/site") > 0)
    # Complete: the crawl ran out of URLs by itself, and every start page, sitemap and feed answered
    # (a site that is down, or a sitemap that failed, would otherwise make its posts look gone).
    complete = int(run.reason in COMPLETE_REASONS and not blocked and run.stat("skinaudit/discovery/failed") == 0)
    counts = {
        "new": run.stat("skinaudit/store/new"),
        "changed": run.stat("skinaudit/store/changed"),
        "unchanged": run.stat("skinaudit/store/unchanged"),
        "gone": mark_gone(store, run, run_id) if complete else 0,
        "errors": run.stat("skinaudit/events/error"),
        "blocked": blocked,
        "duplicates": run.stat("skinaudit/events/duplicate"),
        "fetched": run.stat("downloader/response_count"),
        "skipped": run.stat("skinaudit/events/skipped"),
        "complete": complete,
    }
    return counts


def record_site_outcome(run: SiteRun, store: Store, run_id: int) -> None:
    name = run.site.name
    if run.counts["blocked"]:
        refused = run.stat("skinaudit/blocked/responses")
        store.record_event(run_id, "blocked", site=name, url=run.site.start_urls[0],
                           detail=f"the site refuses the crawler ({refused} of {run.counts['fetched']} responses "
                                  f"were 401/403/451 or challenge pages); not crawled further")
    elif not run.counts["complete"]:
        why = run.reason if run.reason not in COMPLETE_REASONS else "a start page, sitemap or feed failed"
        store.record_event(run_id, "skipped", site=name, url=run.site.start_urls[0],
                           detail=f"crawl incomplete ({why}): pages not seen are not marked gone")
    if run.jobdir_status == "discarded":
        store.record_event(run_id, "error", site=name, detail="the previous crawl was killed: its frontier was "
                                                              "discarded and the site crawled again")


def crawl_sites(sites: list[SiteConfig], store: Store, run_id: int, *, redis_url: str | None = None,
                progress: bool = True, settings: dict | None = None) -> dict:
    """Crawl ``sites`` into ``store`` under ``run_id``; returns the per-site counts (see module doc)."""
    from scrapy.crawler import Crawler, CrawlerRunner
    from scrapy.utils.log import configure_logging
    from scrapy.utils.ossignal import install_shutdown_handlers
    from scrapy.utils.reactor import install_reactor

    from crawler.pipelines import known_pages
    from crawler.spiders.blog import BlogSpider

    base = project_settings(settings, redis_url)
    logs_dir = Path(base["SKINAUDIT_LOGS_DIR"])
    logs_dir.mkdir(parents=True, exist_ok=True)
    if not base.get("LOG_FILE"):
        base.set("LOG_FILE", str(logs_dir / f"crawl-{run_id}.log"), "cmdline")
    base.set("LOG_INSTALL_ROOT_HANDLER", True, "cmdline")
    root_level = logging.root.level
    configure_logging(base)  # lowers the root logger's level: restored after the crawl
    install_reactor(REACTOR)
    from twisted.internet import defer, reactor

    if redis_url:  # every worker of a distributed crawl writes under the first worker's run
        from crawler.distributed import join_run

        run_id = join_run(redis_url, run_id, [site.name for site in sites])
    runs: list[SiteRun] = []
    for site in sites:
        run = SiteRun(site=site)
        if not redis_url:
            run.jobdir = jobdir_for(base["SKINAUDIT_JOBS_DIR"], store, site)
        runs.append(run)

    runner = CrawlerRunner(base)
    semaphore = defer.DeferredSemaphore(max(1, base.getint("SKINAUDIT_CONCURRENT_SITES")))
    bar = Progress(runs, base.getfloat("SKINAUDIT_PROGRESS_INTERVAL"), progress)
    stop_event, auditors = start_auditors(base.getint("SKINAUDIT_AUDIT_INLINE"), store, run_id)

    stopping = []

    def crawl_one(run: SiteRun):
        if stopping:
            run.reason = "shutdown"
            return None
        if run.jobdir is not None:
            run.jobdir_status = prepare_jobdir(run.jobdir, run_id)
            run.earlier_runs = earlier_runs(run.jobdir, run_id)
            logger.info("%s: JOBDIR %s (%s)", run.site.name, run.jobdir, run.jobdir_status)
        run.crawler = Crawler(BlogSpider, site_settings(base, run.site, run.jobdir))
        run.reason = "running"

        def closed(spider, reason):
            run.reason = reason

        def finished(result):
            # After every spider_closed handler (Scrapy's SpiderState writes into the JOBDIR).
            if run.jobdir is not None:
                close_jobdir(run.jobdir, run.reason)
            return result

        from scrapy import signals
        run.crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        known = known_pages(store, run.site.name)
        return runner.crawl(run.crawler, site=run.site, known=known, run_id=run_id, store=store).addBoth(finished)

    def crawl_all():
        done = defer.DeferredList([semaphore.run(crawl_one, run) for run in runs], consumeErrors=True)
        done.addBoth(lambda results: (_log_failures(results), reactor.stop()))
        return done

    def shutdown(signum, _frame):
        # First Ctrl-C / SIGTERM: close every crawler cleanly (JOBDIRs are kept to resume); second: stop now.
        stopping.append(signum)
        install_shutdown_handlers(lambda *_: reactor.callFromThread(reactor.stop))
        reactor.callFromThread(runner.stop)

    started = time.monotonic()
    reactor.callWhenRunning(crawl_all)
    reactor.callWhenRunning(bar.start)
    reactor.callWhenRunning(install_shutdown_handlers, shutdown)
    try:
        reactor.run(installSignalHandlers=False)
    finally:
        bar.stop()
        stop_auditors(stop_event, auditors)
        logging.root.setLevel(root_level)  # the stages after the crawl (audit, reports) log as before
    results: dict[str, dict] = {}
    for run in runs:
        run.counts = counts_of(run, store, run_id)
        record_site_outcome(run, store, run_id)
        results[run.site.name] = run.counts
    if redis_url:
        from crawler.distributed import leave_run

        leave_run(redis_url, [site.name for site in sites], [run.crawler.spider.name for run in runs if run.crawler])
    if progress:
        sys.stderr.write(final_table(runs) + "\n")
        sys.stderr.write(f"crawl finished in {time.monotonic() - started:.1f}s; log: {base['LOG_FILE']}\n")
        sys.stderr.flush()
    return results


def _log_failures(results) -> None:
    for ok, value in results or []:
        if not ok:
            logger.error("a site's crawl failed: %s", value.getTraceback() if hasattr(value, "getTraceback") else value)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
