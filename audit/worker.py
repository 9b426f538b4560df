"""The audit stage over the store: workers claim pending pages, audit them and save the results.

A claim is atomic (see ``Store.claim_pending``), so several workers, in one process pool or on
several machines, never audit a page twice, and pages a killed worker left half-done are taken
again once their claim goes stale.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from dataclasses import dataclass

from tqdm import tqdm

from audit.errors import UnusableInput
from audit.store import Store

BATCH = 20


@dataclass
class AuditSummary:
    audited: int = 0
    errors: int = 0

    def add(self, other: "AuditSummary") -> None:
        self.audited += other.audited
        self.errors += other.errors


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def audit_one(store: Store, run_id: int | None, page) -> bool:
    """Audit one claimed page; a page that cannot be audited is recorded, never fatal."""
    from audit.check import audit_page

    try:
        store.save_audit(run_id, page.id, audit_page(page.html, page.url))
        return True
    except UnusableInput as exc:
        store.save_audit_error(page.id, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad page must not lose the run
        store.save_audit_error(page.id, f"{exc.__class__.__name__}: {exc}")
    return False


def audit_loop(store_url: str, run_id: int | None, progress: bool = False) -> AuditSummary:
    """Claim and audit batches until nothing is pending."""
    store = Store(store_url)
    summary = AuditSummary()
    name = worker_name()
    bar = tqdm(desc="audit", unit="page", disable=not progress, leave=False)
    while batch := store.claim_pending(name, BATCH):
        for page in batch:
            ok = audit_one(store, run_id, page)
            summary.audited += ok
            summary.errors += not ok
            bar.update(1)
    bar.close()
    store.close()
    return summary


def audit_pending(store: Store, run_id: int | None = None, workers: int = 1, progress: bool = True) -> AuditSummary:
    """Audit every pending page of the store with ``workers`` processes."""
    if workers <= 1:
        return audit_loop(store.url, run_id, progress)
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no reactor or engine state is inherited
    with ctx.Pool(workers) as pool:
        results = pool.starmap(audit_loop, [(store.url, run_id, False)] * workers)
    total = AuditSummary()
    for result in results:
        total.add(result)
    return total
