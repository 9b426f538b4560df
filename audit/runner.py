"""The stages chained: crawl → audit → report, for a sites file or for the bundled demo blogs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from audit.store import Store

DEMO_PORT = 8737  # a stable port keeps the demo's URLs, and so its store, the same from run to run


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> int:
    say(f"skinaudit: {message}")
    return 2


def run(sites, store_url: str, reports_dir: str | Path) -> int:
    """Crawl the sites, audit what is new or changed, write the reports; print a short summary."""
    from audit.reports import build_reports
    from audit.worker import audit_pending
    from crawler.runner import crawl_sites

    started = time.monotonic()
    store = Store(store_url)
    run_id = store.start_run("run", [site.name for site in sites])
    try:
        counts = crawl_sites(sites, store, run_id)
        audited = audit_pending(store, run_id)
        store.finish_run(run_id, counts)
    except BaseException:
        store.finish_run(run_id, {}, status="failed")
        raise
    model = build_reports(store, reports_dir)
    say(f"run {run_id}: {audited.audited} pages audited ({audited.errors} errors) in {time.monotonic() - started:.1f}s")
    say(model.summary_line())
    say(f"reports: {(Path(reports_dir) / 'index.html').resolve()}")
    store.close()
    return 0


def run_sites(sites_file: str, store: str, reports: str) -> int:
    from audit.sites import SitesFileError, load_sites

    try:
        sites = load_sites(sites_file)
    except SitesFileError as exc:
        return fail(str(exc))
    return run(sites, store, reports)


def run_demo(store: str, reports: str) -> int:
    from audit.demo import serve_demo
    from audit.sites import demo_sites

    try:
        server = serve_demo(port=DEMO_PORT)
    except OSError:
        server = serve_demo(port=0)
    with server:
        say(f"demo blogs served at {', '.join(server.sites.values())}")
        return run(demo_sites(server), store, reports)


def crawl_only(sites_file: str, store: str, redis_url: str | None = None) -> int:
    from audit.sites import SitesFileError, load_sites
    from crawler.runner import crawl_sites

    try:
        sites = load_sites(sites_file)
    except SitesFileError as exc:
        return fail(str(exc))
    db = Store(store)
    run_id = db.start_run("crawl", [site.name for site in sites])
    db.finish_run(run_id, crawl_sites(sites, db, run_id, redis_url=redis_url))
    return 0


def audit_only(store: str, workers: int = 1) -> int:
    from audit.worker import audit_pending

    db = Store(store)
    run_id = db.start_run("audit", [])
    summary = audit_pending(db, run_id, workers=workers)
    db.finish_run(run_id, {"audited": summary.audited, "errors": summary.errors})
    say(f"audited {summary.audited} pages ({summary.errors} errors)")
    return 0


def report_only(store: str, reports: str) -> int:
    from audit.reports import build_reports

    model = build_reports(Store(store), reports)
    say(model.summary_line())
    say(f"reports: {(Path(reports) / 'index.html').resolve()}")
    return 0
