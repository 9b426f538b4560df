"""The store on SQLite and on PostgreSQL: schema and migrations, idempotent upserts, concurrent
writers and atomic audit claims. The PostgreSQL cases start a throwaway server (``tests/services.py``)
and are skipped when PostgreSQL is not installed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from audit import store as store_module
from audit.models import ClaimFinding, ClaimsResult, Extraction, Link, PageAudit
from audit.store import FetchedPage, Store, now_iso

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)]


@pytest.fixture(params=ENGINES)
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def open_store(store_url):
    """Store(store_url), closed at the end of the test whatever happens."""
    opened = []

    def opener() -> Store:
        opened.append(Store(store_url))
        return opened[-1]

    yield opener
    for db in opened:
        db.close()


@pytest.fixture
def store(open_store):
    return open_store()


def fetched(n: int, body: str = "post", site: str = "blog") -> FetchedPage:
    url = f"http://blog.test/{n}"
    return FetchedPage(url=url + "?utm_source=x", canonical_url=url, site=site, http_status=200,
                       fetched_at=now_iso(), html=f"<html><body><p>{body} {n}</p></body></html>".encode())


def page_audit(n: int) -> PageAudit:
    link = Link(href=f"http://spam.test/{n}", text="cheap pills", region="footer", internal=False, spam=True,
                reasons=["vocab:pharma"])
    claim = ClaimFinding(sentence=f"Serum {n} cures hair loss.", start=0, end=24, label="unsupported_claim",
                         category="disease_treatment", rule_ids=["claims.cure"], reasons=["cure verb"])
    extraction = Extraction(url=f"http://blog.test/{n}", title=f"Post {n}", text=f"Serum {n} cures hair loss.",
                            links=[link])
    return PageAudit(extraction=extraction, claims=ClaimsResult(sentences=1, claims=[claim]), quality=50)


def count(db: Store, table: sa.Table, *where) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


# -- schema -----------------------------------------------------------------------------------


def test_schema_is_created_once_and_versioned(open_store):
    open_store()
    second = open_store()  # opening an existing store creates nothing and changes nothing
    names = set(sa.inspect(second.engine).get_table_names())
    assert {"meta", "runs", "pages", "links", "claims", "triage", "events"} <= names
    indexes = {i["name"] for i in sa.inspect(second.engine).get_indexes("pages")}
    assert "ix_pages_audit_claim" in indexes
    with second.engine.connect() as conn:
        version = conn.execute(sa.select(store_module.meta_table.c.value)
                               .where(store_module.meta_table.c.key == "schema_version")).scalar_one()
    assert int(version) == store_module.SCHEMA_VERSION


def test_a_version_1_store_is_migrated(open_store):
    db = open_store()
    with db.engine.begin() as conn:  # make it look like a store written before the claim index
        conn.execute(sa.text("DROP INDEX ix_pages_audit_claim"))
        conn.execute(store_module.meta_table.update().values(value="1"))
    db.close()
    db = open_store()
    assert "ix_pages_audit_claim" in {i["name"] for i in sa.inspect(db.engine).get_indexes("pages")}
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(store_module.meta_table.c.value)).scalar_one() == str(store_module.SCHEMA_VERSION)


def test_workers_opening_a_new_store_at_once(open_store):
    barrier = threading.Barrier(4)

    def opener(_):
        barrier.wait()
        open_store()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(opener, range(4)))
    assert count(open_store(), store_module.meta_table) == 1


# -- crawl side -------------------------------------------------------------------------------


def test_save_fetch_is_an_idempotent_upsert(store):
    run = store.start_run("crawl", ["blog"])
    assert store.save_fetch(run, fetched(1)) == "new"
    assert store.save_fetch(run, fetched(1)) == "unchanged"
    assert store.save_fetch(run, fetched(1, body="edited")) == "changed"
    assert count(store, store_module.pages) == 1
    assert store.page_state("http://blog.test/1")["html_hash"] is not None


def test_concurrent_crawl_writers_store_each_page_once(open_store):
    """Four writers save the same 40 pages at the same time: 40 rows, one "new" per page, no error."""
    store = open_store()
    run = store.start_run("crawl", ["blog"])
    writers = [open_store() for _ in range(4)]
    barrier = threading.Barrier(4)

    def writer(db):
        barrier.wait()
        return [db.save_fetch(run, fetched(n)) for n in range(40)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(writer, writers))
    assert count(store, store_module.pages) == 40
    assert sum(status == "new" for statuses in results for status in statuses) == 40
    assert all(status in ("new", "unchanged") for statuses in results for status in statuses)


# -- audit side -------------------------------------------------------------------------------


def fill(store: Store, n: int) -> int:
    run = store.start_run("crawl", ["blog"])
    for i in range(n):
        store.save_fetch(run, fetched(i))
    return run


def test_claims_are_disjoint_under_contention(open_store):
    store = open_store()
    fill(store, 120)
    workers = [open_store() for _ in range(4)]
    barrier = threading.Barrier(4)

    def worker(k):
        barrier.wait()
        taken = []
        while batch := workers[k].claim_pending(f"w{k}", limit=7):
            taken += [page.id for page in batch]
        return taken

    with ThreadPoolExecutor(4) as pool:
        claimed = [page_id for taken in pool.map(worker, range(4)) for page_id in taken]
    assert len(claimed) == 120
    assert len(set(claimed)) == 120
    assert store.audit_backlog() == {"running": 120}


def test_claimed_page_carries_its_html(store):
    fill(store, 1)
    [page] = store.claim_pending("w1")
    assert page.canonical_url == "http://blog.test/0"
    assert "post 0" in page.html
    assert store.claim_pending("w2") == []


def test_stale_claims_are_taken_over_and_the_slow_worker_saves_nothing(store):
    fill(store, 3)
    slow = store.claim_pending("slow")
    assert len(slow) == 3
    with store.engine.begin() as conn:  # the slow worker's claims are older than the stale limit
        conn.execute(store_module.pages.update().values(audit_claimed_at="2000-01-01T00:00:00+00:00"))
    taken = store.claim_pending("fresh", stale_after_s=60)
    assert [p.id for p in taken] == [p.id for p in slow]
    assert store.save_audit(None, slow[0].id, page_audit(0), worker="slow") is False
    assert store.save_audit_error(slow[1].id, "boom", worker="slow") is False
    assert store.save_audit(None, taken[0].id, page_audit(0), worker="fresh") is True
    assert count(store, store_module.links) == 1
    assert store.audit_backlog() == {"done": 1, "running": 2}


def test_renewed_claims_are_not_stale(store):
    fill(store, 2)
    store.claim_pending("alive")
    with store.engine.begin() as conn:
        conn.execute(store_module.pages.update().values(audit_claimed_at="2000-01-01T00:00:00+00:00"))
    assert store.renew_claims("alive") == 2
    assert store.claim_pending("other", stale_after_s=60) == []


def test_released_claims_are_pending_again(store):
    fill(store, 4)
    store.claim_pending("dead", limit=3)
    assert store.release_claims("dead") == 3
    assert store.audit_backlog() == {"pending": 4}
    assert len(store.claim_pending("next")) == 4


def test_saving_an_audit_twice_keeps_one_copy_of_its_rows(store):
    fill(store, 1)
    [page] = store.claim_pending("w")
    assert store.save_audit(None, page.id, page_audit(0))
    assert store.save_audit(None, page.id, page_audit(0))
    assert count(store, store_module.links) == 1
    assert count(store, store_module.claims) == 1
    assert count(store, store_module.events, store_module.events.c.kind == "new_flag") == 1
