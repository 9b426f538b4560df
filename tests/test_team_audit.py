"""Parallel audit workers over one store: every page audited and saved exactly once, also when a
worker of the process pool is killed with SIGKILL mid-run (its pages are given back at once). The
same on PostgreSQL with independent workers, whose claims go stale and are taken over, is in
``tests/test_team.py``.

The audit itself is ``services.fake_audit`` (quick, and it logs every call), so these tests
measure the claiming, not the NLP."""

from __future__ import annotations

import collections
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit import store as store_module
from audit.store import FetchedPage, Store, now_iso
from audit.worker import ClaimPolicy, audit_pending
from services import fake_audit

PAGES = 40
FAST = ClaimPolicy(batch=5, heartbeat_s=0.5, stale_after_s=2, poll_s=0.2)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def filled(store_url):
    """A store with PAGES pending pages."""
    db = Store(store_url)
    run = db.start_run("crawl", ["blog"])
    for n in range(PAGES):
        url = f"http://blog.test/post-{n}"
        db.save_fetch(run, FetchedPage(url=url, canonical_url=url, site="blog", http_status=200,
                                       fetched_at=now_iso(), html=f"<p>post {n}</p>".encode()))
    yield db
    db.close()


@pytest.fixture
def audit_log(tmp_path, monkeypatch) -> Path:
    log = tmp_path / "audits.log"
    monkeypatch.setenv("SKINAUDIT_TEST_AUDIT_LOG", str(log))
    monkeypatch.setenv("SKINAUDIT_TEST_AUDIT_DELAY", "0.02")
    return log


def audits(log: Path) -> collections.Counter:
    """How often each URL was audited, and by which process ids."""
    lines = [line.split(" ", 1) for line in log.read_text().splitlines()]
    return collections.Counter(url for _pid, url in lines), {pid for pid, _url in lines}


def assert_saved_exactly_once(db: Store) -> None:
    assert db.audit_backlog() == {"done": PAGES}
    with db.engine.connect() as conn:
        per_page = conn.execute(sa.select(store_module.links.c.page_id, sa.func.count())
                                .group_by(store_module.links.c.page_id)).all()
        flags = conn.execute(sa.select(sa.func.count()).select_from(store_module.events)
                             .where(store_module.events.c.kind == "new_flag")).scalar_one()
    assert len(per_page) == PAGES and {n for _page, n in per_page} == {1}
    assert flags == PAGES


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # PostgreSQL: tests/test_team.py
def test_two_workers_share_the_work(filled, audit_log, monkeypatch):
    monkeypatch.setenv("SKINAUDIT_TEST_AUDIT_DELAY", "0.05")  # 2 s of work: both processes get some
    summary = audit_pending(filled, workers=2, progress=False, policy=FAST, audit=fake_audit)
    counts, pids = audits(audit_log)
    assert summary.audited == PAGES and summary.errors == 0 and summary.lost == 0
    assert len(counts) == PAGES and set(counts.values()) == {1}
    assert len(pids) == 2  # both processes did some of it
    assert_saved_exactly_once(filled)


def claimed_by_one_worker(db: Store) -> str | None:
    """A worker that holds claims and has already saved some pages (so it is mid-run)."""
    pages = store_module.pages
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(pages.c.audit_worker, pages.c.audit_status, sa.func.count())
                            .where(pages.c.audit_worker.is_not(None))
                            .group_by(pages.c.audit_worker, pages.c.audit_status)).all()
    done = {worker for worker, status, n in rows if status == "done" and n >= 5}
    running = {worker for worker, status, n in rows if status == "running"}
    return next(iter(sorted(done & running)), None)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # one machine: its default store
def test_a_killed_pool_worker_is_replaced_by_the_others(filled, audit_log):
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(
        summary=audit_pending(filled, workers=2, progress=False, policy=ClaimPolicy(batch=5, stale_after_s=600),
                              audit=fake_audit)))
    thread.start()
    try:
        wait_until(lambda: claimed_by_one_worker(filled) is not None)
        victim = claimed_by_one_worker(filled)
        os.kill(int(victim.rsplit(":", 1)[1]), signal.SIGKILL)
    finally:
        thread.join(60)
    summary = outcome["summary"]
    # stale_after_s=600: only the pool's release (not staleness) can have given the pages back
    assert len(summary.workers_died) == 1 and victim in summary.workers_died[0]
    counts, _pids = audits(audit_log)
    assert len(counts) == PAGES
    assert sum(counts.values()) - PAGES <= 5  # at most the killed worker's one unsaved batch again
    assert_saved_exactly_once(filled)


def interrupted_audit(html: str, url: str):
    if url.endswith("post-3"):
        raise KeyboardInterrupt
    return fake_audit(html, url)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_interrupted_worker_gives_its_claims_back(filled, audit_log):
    from audit.worker import audit_loop

    with pytest.raises(KeyboardInterrupt):
        audit_loop(filled.url, None, policy=FAST, audit=interrupted_audit)
    assert filled.audit_backlog() == {"done": 3, "pending": PAGES - 3}  # no claim left to go stale
