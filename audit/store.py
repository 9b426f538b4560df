"""The store: runs, pages, links, claims, triage and per-run events, in SQLite or PostgreSQL.

One schema (SQLAlchemy Core) serves both engines. SQLite runs in WAL mode so a crawl killed with
SIGKILL loses nothing that was committed, and every write is an idempotent upsert keyed by the
page's canonical URL, so rerunning (or resuming) a crawl never stores a page twice.

Life of a page:
    crawl   save_fetch()  -> change status new / changed / unchanged, audit_status pending when new or changed
    audit   claim_pending() -> save_audit() (or save_audit_error())
    gone    mark_gone() for pages a complete crawl of their site no longer found
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from audit.models import PageAudit

if TYPE_CHECKING:  # pandas is imported when a frame is asked for: the crawl and the CLI start faster
    import pandas as pd

DEFAULT_STORE = Path("data/skinaudit.sqlite")
SCHEMA_VERSION = 2

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # crawl | audit | run
    sa.Column("started_at", sa.String(32), nullable=False),
    sa.Column("finished_at", sa.String(32)),
    sa.Column("status", sa.String(16), nullable=False),  # running | done | failed
    sa.Column("sites", sa.Text, nullable=False, default="[]"),  # JSON list of site names
    sa.Column("counts", sa.Text, nullable=False, default="{}"),  # JSON: per-site new/changed/unchanged/gone/errors
)

pages = sa.Table(
    "pages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("canonical_url", sa.String(2048), nullable=False, unique=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("site", sa.String(200), nullable=False, index=True),
    sa.Column("http_status", sa.Integer),
    sa.Column("fetched_at", sa.String(32)),
    sa.Column("etag", sa.String(512)),
    sa.Column("last_modified", sa.String(64)),
    sa.Column("sitemap_lastmod", sa.String(64)),
    sa.Column("html", sa.LargeBinary),  # zlib-compressed raw HTML bytes
    sa.Column("encoding", sa.String(40)),
    sa.Column("html_hash", sa.String(64)),
    sa.Column("first_run", sa.Integer),
    sa.Column("last_seen_run", sa.Integer),
    sa.Column("change_status", sa.String(16), nullable=False, default="new"),  # new|changed|unchanged|gone
    sa.Column("change_run", sa.Integer),  # the run that set change_status
    sa.Column("duplicate_of", sa.String(2048)),  # canonical URL of a near-duplicate already stored
    sa.Column("simhash", sa.String(16)),
    # audit results (filled by save_audit)
    sa.Column("audit_status", sa.String(16), nullable=False, default="pending"),  # pending|running|done|error|skipped
    sa.Column("audit_worker", sa.String(100)),
    sa.Column("audit_claimed_at", sa.String(32)),
    sa.Column("audited_at", sa.String(32)),
    sa.Column("audit_error", sa.Text),
    sa.Column("body_hash", sa.String(64)),
    sa.Column("title", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("published", sa.String(32)),
    sa.Column("language", sa.String(8)),
    sa.Column("words", sa.Integer),
    sa.Column("sentences", sa.Integer),
    sa.Column("text", sa.Text),
    sa.Column("body_html", sa.Text),
    sa.Column("quality", sa.Integer),
    # claim_pending() reads pending and running pages in id order: keep it an index scan
    sa.Index("ix_pages_audit_claim", "audit_status", "id"),
)

links = sa.Table(
    "links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("href", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("internal", sa.Boolean, nullable=False),
    sa.Column("rel", sa.Text, nullable=False),  # JSON list
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Column("spam", sa.Boolean, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),  # JSON list
)

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("sentence_hash", sa.String(64), nullable=False),
    sa.Column("sentence", sa.Text, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("label", sa.String(32), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("trigger", sa.Text),
    sa.Column("hedge", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("rule_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("reasons", sa.Text, nullable=False),  # JSON list
    sa.Column("suggestion", sa.Text, nullable=False),
)

# Editor decisions on a flag, keyed by the article and the sentence's hash so they survive reruns
# for as long as the sentence is unchanged.
triage = sa.Table(
    "triage",
    metadata,
    sa.Column("canonical_url", sa.String(2048), primary_key=True),
    sa.Column("sentence_hash", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # open | accepted | false_alarm | fixed
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

# What happened in a run that is not a stored page: fetch errors, blocked sites, skipped pages,
# near-duplicates, and the flag / spam-link changes the "changes" report shows.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, index=True),
    sa.Column("site", sa.String(200)),
    sa.Column("url", sa.String(2048)),
    sa.Column("kind", sa.String(32), nullable=False),  # error|blocked|skipped|duplicate|new_flag|resolved_flag|new_spam
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("at", sa.String(32), nullable=False),
)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _ago(seconds: float) -> str:
    """The ISO 8601 timestamp (UTC) ``seconds`` ago, comparable as text with ``now_iso()``."""
    moment = datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() - seconds, timezone.utc)
    return moment.isoformat(timespec="seconds")


def sha256(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def sentence_key(sentence: str) -> str:
    """Hash of a sentence with whitespace folded: the key triage decisions are stored under."""
    return sha256(" ".join(sentence.split()))


@dataclass(kw_only=True)
class FetchedPage:
    """A fetched post as the crawler hands it to the store."""

    url: str
    canonical_url: str
    site: str
    http_status: int
    fetched_at: str
    """ISO 8601 timestamp (UTC)."""
    html: bytes
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    sitemap_lastmod: str | None = None
    simhash: str | None = None
    """16 hex digits: simhash of the article body, for near-duplicate detection (``save_fetches``)."""


@dataclass(kw_only=True)
class PendingPage:
    """A stored page waiting for its audit."""

    id: int
    url: str
    canonical_url: str
    site: str
    html: str


def _engine_url(store: str | Path) -> str:
    text = str(store)
    if "://" in text:
        return text.replace("postgresql://", "postgresql+psycopg://", 1) if text.startswith("postgresql://") else text
    Path(text).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{text}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # the wait first: switching a new file to WAL needs its write lock, which another worker
    # opening the same new store may hold for a moment
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _add_claim_index(conn) -> None:
    next(i for i in pages.indexes if i.name == "ix_pages_audit_claim").create(conn, checkfirst=True)


#: schema_version -> the step that brings a store from the version before it to this one.
MIGRATIONS = {
    2: _add_claim_index,
}
MIGRATION_LOCK = 0x5A1A0D17  # pg_advisory_xact_lock key held while creating or migrating the schema


def _insert(dialect: str, table: sa.Table):
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` on both engines."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class Store:
    """Opens (and creates or migrates) the store at a path or a database URL."""

    def __init__(self, store: str | Path = DEFAULT_STORE) -> None:
        self.url = _engine_url(store)
        self.engine = sa.create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _migrate(self) -> None:
        """Create the tables, then run the migrations between the stored schema_version and ours.

        Several workers may open a new store at once: they take turns, under an advisory lock on
        PostgreSQL and under the database's write lock (``BEGIN IMMEDIATE``) on SQLite.
        """
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            elif self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            metadata.create_all(conn)
            self._run_migrations(conn)
            conn.commit()

    @staticmethod
    def _run_migrations(conn) -> None:
        row = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).first()
        if row is None:  # a new store: create_all made the current schema
            conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            return
        version = int(row.value)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](conn)
        if version < SCHEMA_VERSION:
            conn.execute(meta_table.update().where(meta_table.c.key == "schema_version")
                         .values(value=str(SCHEMA_VERSION)))

    def close(self) -> None:
        self.engine.dispose()

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, kind: str, sites: list[str]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.insert().values(kind=kind, started_at=now_iso(), status="running", sites=json.dumps(sites))
            )
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, counts: dict, status: str = "done") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(finished_at=now_iso(), status=status, counts=json.dumps(counts, sort_keys=True))
            )

    # -- crawl side -------------------------------------------------------------------------

    def page_state(self, canonical_url: str) -> dict | None:
        """What a conditional request needs: etag, last_modified, sitemap_lastmod, html_hash."""
        cols = [pages.c.id, pages.c.etag, pages.c.last_modified, pages.c.sitemap_lastmod, pages.c.html_hash]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*cols).where(pages.c.canonical_url == canonical_url)).first()
        return dict(row._mapping) if row else None

    def save_fetch(self, run_id: int, page: FetchedPage) -> str:
        """Upsert a fetched page; return its change status (new, changed or unchanged)."""
        html_hash = sha256(page.html)
        values = dict(
            url=page.url, site=page.site, http_status=page.http_status, fetched_at=page.fetched_at,
            etag=page.etag, last_modified=page.last_modified, sitemap_lastmod=page.sitemap_lastmod,
            last_seen_run=run_id,
        )
        old_query = (sa.select(pages.c.id, pages.c.html_hash, pages.c.audit_status)
                     .where(pages.c.canonical_url == page.canonical_url).with_for_update())
        with self.engine.begin() as conn:
            old = conn.execute(old_query).first()
            if old is None:
                # Two workers may fetch the same page at once: the loser of the insert updates instead.
                inserted = conn.execute(_insert(self.dialect, pages).values(
                    canonical_url=page.canonical_url, html=zlib.compress(page.html), encoding=page.encoding,
                    html_hash=html_hash, first_run=run_id, change_status="new", change_run=run_id,
                    audit_status="pending", **values,
                ).on_conflict_do_nothing(index_elements=[pages.c.canonical_url]).returning(pages.c.id)).first()
                if inserted is not None:
                    return "new"
                old = conn.execute(old_query).first()
            if old.html_hash == html_hash:
                conn.execute(pages.update().where(pages.c.id == old.id).values(**values, **self._unchanged(run_id)))
                return "unchanged"
            conn.execute(pages.update().where(pages.c.id == old.id).values(
                html=zlib.compress(page.html), encoding=page.encoding, html_hash=html_hash,
                change_status="changed", change_run=run_id, audit_status="pending", **values,
            ))
            return "changed"

    def save_fetches(self, run_id: int, batch: list[FetchedPage]) -> list[str]:
        """``save_fetch`` for a batch of pages in one transaction (the crawler's fast path).

        Same rules and statuses as ``save_fetch``, in the order of ``batch``; also stores each page's
        simhash. A canonical URL that occurs twice in the batch, or that another writer inserted
        meanwhile, goes through ``save_fetch`` after the batch.
        """
        seen: set[str] = set()
        first: list[FetchedPage] = []
        later: list[int] = []
        for i, page in enumerate(batch):
            (later.append(i) if page.canonical_url in seen else first.append(page))
            seen.add(page.canonical_url)
        statuses = dict(zip((p.canonical_url for p in first), self._save_batch(run_id, first)))
        out = []
        for i, page in enumerate(batch):
            out.append(self.save_fetch(run_id, page) if i in later or statuses[page.canonical_url] == "retry"
                       else statuses[page.canonical_url])
        return out

    def _save_batch(self, run_id: int, batch: list[FetchedPage]) -> list[str]:
        if not batch:
            return []
        hashes = [sha256(page.html) for page in batch]
        with self.engine.begin() as conn:
            old = {row.canonical_url: row for row in conn.execute(
                sa.select(pages.c.id, pages.c.canonical_url, pages.c.html_hash)
                .where(pages.c.canonical_url.in_([p.canonical_url for p in batch])).with_for_update())}
            statuses, inserts, same, changed = [], [], [], []
            for page, html_hash in zip(batch, hashes):
                values = dict(
                    url=page.url, site=page.site, http_status=page.http_status, fetched_at=page.fetched_at,
                    etag=page.etag, last_modified=page.last_modified, sitemap_lastmod=page.sitemap_lastmod,
                    last_seen_run=run_id,
                )
                prev = old.get(page.canonical_url)
                if prev is None:
                    inserts.append(dict(values, canonical_url=page.canonical_url, html=zlib.compress(page.html),
                                        encoding=page.encoding, html_hash=html_hash, first_run=run_id,
                                        change_status="new", change_run=run_id, audit_status="pending",
                                        simhash=page.simhash))
                    statuses.append("new")
                elif prev.html_hash == html_hash:
                    same.append(dict(values, _id=prev.id, change_status="unchanged", change_run=run_id))
                    statuses.append("unchanged")
                else:
                    changed.append(dict(values, _id=prev.id, html=zlib.compress(page.html), encoding=page.encoding,
                                        html_hash=html_hash, change_status="changed", change_run=run_id,
                                        audit_status="pending", simhash=page.simhash))
                    statuses.append("changed")
            if inserts:
                done = conn.execute(_insert(self.dialect, pages).on_conflict_do_nothing(
                    index_elements=[pages.c.canonical_url]), inserts).rowcount
                if done != len(inserts):  # another writer inserted some meanwhile: redo those one by one
                    mine = {row.canonical_url for row in conn.execute(
                        sa.select(pages.c.canonical_url).where(
                            pages.c.canonical_url.in_([r["canonical_url"] for r in inserts]),
                            pages.c.first_run == run_id, pages.c.html_hash.in_([r["html_hash"] for r in inserts])))}
                    statuses = ["retry" if s == "new" and p.canonical_url not in mine else s
                                for s, p in zip(statuses, batch)]
            for rows in (same, changed):
                if rows:  # executemany: bind names must differ from the column names
                    keys = [k for k in rows[0] if k != "_id"]
                    conn.execute(pages.update().where(pages.c.id == sa.bindparam("_id"))
                                 .values({k: sa.bindparam("v_" + k) for k in keys}),
                                 [{"_id": r["_id"], **{"v_" + k: r[k] for k in keys}} for r in rows])
        return statuses

    def touch_unchanged_many(self, run_id: int, canonical_urls: list[str]) -> None:
        """A 304 or an unchanged sitemap lastmod, for many pages in one transaction: still there, not changed."""
        with self.engine.begin() as conn:
            for start in range(0, len(canonical_urls), 500):
                chunk = canonical_urls[start:start + 500]
                conn.execute(pages.update().where(pages.c.canonical_url.in_(chunk))
                             .values(last_seen_run=run_id, **self._unchanged(run_id)))

    @staticmethod
    def _unchanged(run_id: int) -> dict:
        return dict(change_status="unchanged", change_run=run_id)

    def mark_gone(self, run_id: int, site: str) -> int:
        """Pages of a completely crawled site that this run did not see are gone."""
        with self.engine.begin() as conn:
            result = conn.execute(
                pages.update()
                .where(pages.c.site == site, pages.c.last_seen_run != run_id, pages.c.change_status != "gone")
                .values(change_status="gone", change_run=run_id)
            )
            return result.rowcount

    def record_event(self, run_id: int | None, kind: str, *, site: str = "", url: str = "", detail: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(events.insert().values(run_id=run_id, site=site, url=url, kind=kind, detail=detail, at=now_iso()))

    # -- audit side -------------------------------------------------------------------------

    def claim_pending(self, worker: str, limit: int = 20, stale_after_s: int = 600) -> list[PendingPage]:
        """Atomically take up to ``limit`` pending pages (or ones a dead worker left running).

        On PostgreSQL the select locks its rows with ``FOR UPDATE SKIP LOCKED``, so concurrent
        workers take disjoint batches without waiting for each other. The status test repeated in
        the ``UPDATE … RETURNING`` makes the claim atomic on SQLite too: a row another worker took
        in between no longer matches, and only the rows this worker got come back. A claim older
        than ``stale_after_s`` (see ``renew_claims``) belongs to a dead worker.
        """
        claimable = sa.or_(
            pages.c.audit_status == "pending",
            sa.and_(pages.c.audit_status == "running", pages.c.audit_claimed_at < _ago(stale_after_s)),
        )
        ids = sa.select(pages.c.id).where(claimable).order_by(pages.c.id).limit(limit)
        if self.dialect == "postgresql":
            ids = ids.with_for_update(skip_locked=True)
        with self.engine.begin() as conn:
            taken = [row.id for row in conn.execute(ids)]
            if not taken:
                return []
            rows = conn.execute(
                pages.update().where(pages.c.id.in_(taken), claimable)
                .values(audit_status="running", audit_worker=worker, audit_claimed_at=now_iso())
                .returning(pages.c.id, pages.c.url, pages.c.canonical_url, pages.c.site, pages.c.html,
                           pages.c.encoding)
            ).all()
        return [self._pending(row) for row in sorted(rows, key=lambda row: row.id)]

    def renew_claims(self, worker: str) -> int:
        """A live worker's heartbeat: its running claims are fresh again (and not taken as stale)."""
        with self.engine.begin() as conn:
            return conn.execute(
                pages.update().where(pages.c.audit_worker == worker, pages.c.audit_status == "running")
                .values(audit_claimed_at=now_iso())
            ).rowcount

    def release_claims(self, worker: str) -> int:
        """Give a (dead or stopping) worker's unfinished pages back to the pending pool."""
        with self.engine.begin() as conn:
            return conn.execute(
                pages.update().where(pages.c.audit_worker == worker, pages.c.audit_status == "running")
                .values(audit_status="pending", audit_claimed_at=None)
            ).rowcount

    def audit_backlog(self) -> dict[str, int]:
        """How many pages are in each audit status (pending, running, done, error, …)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(pages.c.audit_status, sa.func.count()).group_by(pages.c.audit_status))
            return {status: n for status, n in rows}

    def _owns(self, conn, page_id: int, worker: str | None) -> bool:
        """Lock the page row; with ``worker``, only while that worker still holds its claim."""
        if worker is None:
            conn.execute(sa.select(pages.c.id).where(pages.c.id == page_id).with_for_update())
            return True
        return bool(conn.execute(
            pages.update().where(pages.c.id == page_id, pages.c.audit_worker == worker,
                                 pages.c.audit_status == "running")
            .values(audit_claimed_at=now_iso())
        ).rowcount)

    @staticmethod
    def _pending(row) -> PendingPage:
        raw = zlib.decompress(row.html) if row.html else b""
        html = raw.decode(row.encoding or "utf-8", errors="replace")
        return PendingPage(id=row.id, url=row.url, canonical_url=row.canonical_url, site=row.site, html=html)

    def save_audit(self, run_id: int | None, page_id: int, audit: PageAudit, *, worker: str | None = None) -> bool:
        """Replace a page's audit results and record new / resolved flags and new spam links.

        With ``worker``, the results are saved only while that worker still holds the page's claim
        (a worker too slow for its claim, which another worker took over, saves nothing); returns
        whether they were saved.
        """
        ex = audit.extraction
        body_hash = sha256(ex.text)
        with self.engine.begin() as conn:
            if not self._owns(conn, page_id, worker):
                return False
            old = conn.execute(sa.select(pages.c.body_hash, pages.c.change_status, pages.c.canonical_url, pages.c.site)
                               .where(pages.c.id == page_id)).first()
            old_flags = self._flag_map(conn, page_id)
            old_spam = self._spam_hrefs(conn, page_id)
            conn.execute(links.delete().where(links.c.page_id == page_id))
            conn.execute(claims.delete().where(claims.c.page_id == page_id))
            if ex.links:
                conn.execute(links.insert(), [self._link_row(page_id, i, link) for i, link in enumerate(ex.links)])
            if audit.claims.claims:
                conn.execute(claims.insert(), [self._claim_row(page_id, i, c) for i, c in enumerate(audit.claims.claims)])
            status = old.change_status
            if status == "changed" and old.body_hash == body_hash:
                status = "unchanged"  # the HTML moved (a widget, a date) but the article did not
            conn.execute(pages.update().where(pages.c.id == page_id).values(
                audit_status="done", audited_at=now_iso(), audit_error=None, body_hash=body_hash,
                title=ex.title, author=ex.author, published=ex.published, language=ex.language,
                words=len(ex.text.split()), sentences=audit.claims.sentences, text=ex.text,
                body_html=ex.body_html, quality=audit.quality, change_status=status,
            ))
            self._diff_events(conn, run_id, old, old_flags, old_spam, audit)
        return True

    @staticmethod
    def _flag_map(conn, page_id: int) -> dict[str, str]:
        rows = conn.execute(sa.select(claims.c.sentence_hash, claims.c.sentence)
                            .where(claims.c.page_id == page_id, claims.c.label == "unsupported_claim"))
        return {row.sentence_hash: row.sentence for row in rows}

    @staticmethod
    def _spam_hrefs(conn, page_id: int) -> set[str]:
        rows = conn.execute(sa.select(links.c.href).where(links.c.page_id == page_id, links.c.spam.is_(True)))
        return {row.href for row in rows}

    def _diff_events(self, conn, run_id, old, old_flags, old_spam, audit: PageAudit) -> None:
        new_flags = {sentence_key(c.sentence): c.sentence for c in audit.claims.claims if c.label == "unsupported_claim"}
        new_spam = {link.href for link in audit.extraction.links if link.spam}
        rows = [("new_flag", new_flags[k]) for k in new_flags.keys() - old_flags.keys()]
        rows += [("resolved_flag", old_flags[k]) for k in old_flags.keys() - new_flags.keys()]
        rows += [("new_spam", href) for href in sorted(new_spam - old_spam)]
        if rows:
            conn.execute(events.insert(), [
                dict(run_id=run_id, site=old.site, url=old.canonical_url, kind=kind, detail=detail, at=now_iso())
                for kind, detail in rows
            ])

    @staticmethod
    def _link_row(page_id: int, position: int, link) -> dict:
        return dict(
            page_id=page_id, position=position, href=link.href, text=link.text, region=link.region,
            internal=link.internal, rel=json.dumps(link.rel), hidden=link.hidden, spam=link.spam,
            reasons=json.dumps(link.reasons),
        )

    @staticmethod
    def _claim_row(page_id: int, position: int, claim) -> dict:
        return dict(
            page_id=page_id, position=position, sentence_hash=sentence_key(claim.sentence), sentence=claim.sentence,
            start=claim.start, end=claim.end, label=claim.label, category=claim.category, trigger=claim.trigger,
            hedge=claim.hedge, source=claim.source, rule_ids=json.dumps(claim.rule_ids),
            reasons=json.dumps(claim.reasons), suggestion=claim.suggestion,
        )

    def save_audit_error(self, page_id: int, message: str, *, worker: str | None = None) -> bool:
        """Record why a page could not be audited (with ``worker``: only while it holds the claim)."""
        with self.engine.begin() as conn:
            if not self._owns(conn, page_id, worker):
                return False
            conn.execute(pages.update().where(pages.c.id == page_id)
                         .values(audit_status="error", audit_error=message[:2000], audited_at=now_iso()))
        return True

    # -- triage -----------------------------------------------------------------------------

    def set_triage(self, canonical_url: str, sentence_hash: str, status: str, note: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(triage.delete().where(triage.c.canonical_url == canonical_url,
                                               triage.c.sentence_hash == sentence_hash))
            conn.execute(triage.insert().values(canonical_url=canonical_url, sentence_hash=sentence_hash,
                                                status=status, note=note, updated_at=now_iso()))

    # -- reading ----------------------------------------------------------------------------

    def frame(self, table: sa.Table, *, drop: tuple[str, ...] = ()) -> "pd.DataFrame":
        """A whole table as a DataFrame (the reports' input), minus heavy columns."""
        cols = [c for c in table.c if c.name not in drop]
        with self.engine.connect() as conn:
            import pandas as pd

            return pd.read_sql(sa.select(*cols), conn)
