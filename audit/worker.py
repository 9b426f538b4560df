"""The audit stage over the store: workers claim pending pages, audit them and save the results.

A claim is atomic (see ``Store.claim_pending``), so several workers, in one process pool or on
several machines, never audit a page twice. A worker renews its claims while it works (a
heartbeat); a worker that dies stops renewing, and once its claims are older than
``ClaimPolicy.stale_after_s`` any other worker takes its pages again. A worker also saves only
while it still holds the claim, so a page taken over from a slow worker is stored once.

Within one machine ``audit_pending(..., workers=N)`` watches its N processes and gives a killed
process's pages back at once, without waiting for the claims to go stale.

Run a worker on any machine that reaches the store::

    skinaudit audit --workers 2 --store postgresql://user@db-host/skinaudit
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Callable

from tqdm import tqdm

from audit.errors import UnusableInput
from audit.store import Store

BATCH = 20


@dataclass(frozen=True)
class ClaimPolicy:
    """How a worker claims, keeps and gives up pages."""

    batch: int = BATCH
    """Pages taken per claim."""
    heartbeat_s: float = 30.0
    """How often a working worker renews its claims."""
    stale_after_s: int = 120
    """A claim not renewed for this long belongs to a dead worker and is taken again."""
    poll_s: float = 2.0
    """How often an idle worker looks again while other workers still hold claims."""


@dataclass
class AuditSummary:
    audited: int = 0
    errors: int = 0
    lost: int = 0
    """Pages this worker audited but could not save: its claim had been taken over."""
    workers_died: list[str] = field(default_factory=list)

    def add(self, other: "AuditSummary") -> None:
        self.audited += other.audited
        self.errors += other.errors
        self.lost += other.lost
        self.workers_died += other.workers_died


def worker_name(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"


def _default_audit(html, url):
    from audit.check import audit_page

    return audit_page(html, url)


def audit_one(store: Store, run_id: int | None, page, *, worker: str | None = None,
              audit: Callable | None = None) -> bool | None:
    """Audit one claimed page: True when saved, False when recorded as an error, None when lost.

    A page that cannot be audited is recorded, never fatal. With ``worker`` the result is saved
    only while that worker still holds the page's claim.
    """
    audit = audit or _default_audit
    try:
        result = audit(page.html, page.url)
    except UnusableInput as exc:
        return False if store.save_audit_error(page.id, str(exc), worker=worker) else None
    except Exception as exc:  # noqa: BLE001 - one bad page must not lose the run
        message = f"{exc.__class__.__name__}: {exc}"
        return False if store.save_audit_error(page.id, message, worker=worker) else None
    return True if store.save_audit(run_id, page.id, result, worker=worker) else None


def audit_loop(store_url: str, run_id: int | None, progress: bool = False, *,
               policy: ClaimPolicy = ClaimPolicy(), audit: Callable | None = None) -> AuditSummary:
    """Claim and audit batches until no page is pending or held by another worker."""
    store = Store(store_url)
    summary = AuditSummary()
    name = worker_name()
    bar = tqdm(desc="audit", unit="page", disable=not progress, leave=False)
    try:
        while True:
            batch = store.claim_pending(name, policy.batch, policy.stale_after_s)
            if not batch:
                if store.audit_backlog().get("running", 0) == 0:
                    break
                time.sleep(policy.poll_s)  # others are working; their claims may go stale
                continue
            renewed = time.monotonic()
            for page in batch:
                outcome = audit_one(store, run_id, page, worker=name, audit=audit)
                summary.audited += outcome is True
                summary.errors += outcome is False
                summary.lost += outcome is None
                bar.update(1)
                if time.monotonic() - renewed > policy.heartbeat_s:
                    store.renew_claims(name)
                    renewed = time.monotonic()
    except BaseException:  # Ctrl-C or a store error: the next worker need not wait for staleness
        store.release_claims(name)
        raise
    finally:
        bar.close()
        store.close()
    return summary


def _child(store_url: str, run_id: int | None, policy: ClaimPolicy, audit: Callable | None, results) -> None:
    results.put((os.getpid(), audit_loop(store_url, run_id, False, policy=policy, audit=audit)))


def audit_pending(store: Store, run_id: int | None = None, workers: int = 1, progress: bool = True, *,
                  policy: ClaimPolicy = ClaimPolicy(), audit: Callable | None = None) -> AuditSummary:
    """Audit every pending page of the store with ``workers`` processes.

    ``audit(html, url) -> PageAudit`` replaces ``audit.check.audit_page`` (a module-level function,
    so that spawned processes can import it).
    """
    if workers <= 1:
        return audit_loop(store.url, run_id, progress, policy=policy, audit=audit)
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no reactor or engine state is inherited
    results = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(store.url, run_id, policy, audit, results), daemon=True)
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    total = _watch(store, procs, results, progress)
    for proc in procs:
        proc.join()
    results.close()
    results.join_thread()
    if total.workers_died and store.audit_backlog().get("pending", 0):
        # the last process standing died too: finish here rather than leave pages pending
        total.add(audit_loop(store.url, run_id, False, policy=policy, audit=audit))
    return total


def _finished(backlog: dict[str, int]) -> int:
    return backlog.get("done", 0) + backlog.get("error", 0)


def _watch(store: Store, procs, results, progress: bool) -> AuditSummary:
    """Wait for the worker processes; give a dead one's pages back at once; sum their summaries."""
    total = AuditSummary()
    running = {proc.pid: proc for proc in procs}
    backlog = store.audit_backlog()
    already = _finished(backlog)
    bar = tqdm(desc="audit", unit="page", disable=not progress, leave=False,
               total=backlog.get("pending", 0) + backlog.get("running", 0))
    while running:
        while not results.empty():
            pid, summary = results.get()
            total.add(summary)
        for pid, proc in list(running.items()):
            if proc.exitcode is None:
                continue
            del running[pid]
            if proc.exitcode != 0:
                name = worker_name(pid)
                store.release_claims(name)
                total.workers_died.append(f"{name} (exit {proc.exitcode})")
        if progress:
            bar.update(_finished(store.audit_backlog()) - already - bar.n)
        time.sleep(0.2)
    while not results.empty():
        total.add(results.get()[1])
    bar.close()
    return total
