"""Item pipelines: one job each, outcomes counted in namespaced stats, drops with a reason.

``NearDuplicatePipeline`` (100)  fingerprints post bodies; a post already stored under another URL
                                 (same canonical this run, or a simhash within 3 bits) becomes a
                                 ``duplicate`` event instead of a second article.
``StorePipeline``         (300)  upserts posts (``Store.save_fetch``), touches unchanged ones, notes
                                 late sitemap lastmods.
``EventPipeline``         (400)  records errors, blocked responses, skips and duplicates.

They reach the store and the run id through the crawler's spider (``spider.store``, ``spider.run_id``),
set by ``crawler.runner``; no setting is read.

The helpers at the bottom read and write the few page columns the crawl needs beyond
``Store.save_fetch`` / ``touch_unchanged`` (conditional-request state, simhashes, "seen").
"""

from __future__ import annotations

import sqlalchemy as sa
from itemadapter import ItemAdapter

from audit.store import FetchedPage, Store, pages
from crawler.dedupe import NearDuplicateIndex, simhash, to_hex
from crawler.items import ArticleItem, CrawlEvent, SitemapLastmod, UnchangedItem
from crawler.urls import normalize_url


class CrawlPipeline:
    """Base: the crawler's stats, and the store and run id the runner gave the spider."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def store(self) -> Store | None:
        return getattr(self.crawler.spider, "store", None)

    @property
    def run_id(self) -> int | None:
        return getattr(self.crawler.spider, "run_id", None)


class NearDuplicatePipeline(CrawlPipeline):
    """Posts seen twice: the same canonical URL fetched under two addresses, or near-identical bodies.

    Stats: ``skinaudit/dedupe/fingerprinted``, ``skinaudit/dedupe/same_canonical``,
    ``skinaudit/dedupe/near_duplicate``.
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.index = NearDuplicateIndex()
        self.stored_this_run: dict[str, str] = {}

    def open_spider(self) -> None:
        if self.store is not None:
            for canonical, value in site_simhashes(self.store, self.crawler.spider.site.name):
                self.index.add(canonical, int(value, 16))

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        first_url = self.stored_this_run.get(item.canonical_url)
        if first_url is not None and first_url != item.url:
            self.stats.inc_value("skinaudit/dedupe/same_canonical")
            return CrawlEvent(site=item.site, url=item.url, kind="duplicate",
                              detail=f"same post as {item.canonical_url} (canonical link)")
        value = simhash(item.body_text)
        if value is not None:
            self.stats.inc_value("skinaudit/dedupe/fingerprinted")
            item.simhash = to_hex(value)
            other = self.index.find(item.canonical_url, value)
            if other is not None:
                self.stats.inc_value("skinaudit/dedupe/near_duplicate")
                return CrawlEvent(site=item.site, url=item.canonical_url, kind="duplicate",
                                  detail=f"near-duplicate of {other} (simhash)")
            self.index.add(item.canonical_url, value)
        self.stored_this_run[item.canonical_url] = item.url
        return item


class StorePipeline(CrawlPipeline):
    """Stores posts: new / changed / unchanged from ``save_fetch``; unchanged ones are only touched.

    Stats: ``skinaudit/store/new``, ``…/changed``, ``…/unchanged`` and
    ``skinaudit/store/unchanged/<reason>`` (not-modified, sitemap-lastmod).
    """

    def process_item(self, item):
        store = self.store
        if store is None:
            return item
        if isinstance(item, ArticleItem):
            fields = ItemAdapter(item).asdict()
            page = FetchedPage(**{k: fields[k] for k in (
                "url", "canonical_url", "site", "http_status", "fetched_at", "html", "encoding", "etag",
                "last_modified", "sitemap_lastmod")})
            status = store.save_fetch(self.run_id, page)
            if status != "unchanged" and item.simhash:
                set_simhash(store, item.canonical_url, item.simhash)
            self.stats.inc_value(f"skinaudit/store/{status}")
        elif isinstance(item, UnchangedItem):
            store.touch_unchanged(self.run_id, item.canonical_url)
            self.stats.inc_value("skinaudit/store/unchanged")
            self.stats.inc_value(f"skinaudit/store/unchanged/{item.reason}")
        elif isinstance(item, SitemapLastmod):
            set_sitemap_lastmod(store, item.url, item.lastmod)
        return item


class EventPipeline(CrawlPipeline):
    """Records crawl events in the store; a failed fetch of a stored post still counts as seen.

    Stats: ``skinaudit/events/<kind>``.
    """

    def process_item(self, item):
        if not isinstance(item, CrawlEvent):
            return item
        self.stats.inc_value(f"skinaudit/events/{item.kind}")
        store = self.store
        if store is not None:
            store.record_event(self.run_id, item.kind, site=item.site, url=item.url, detail=item.detail)
            if item.known:
                touch_seen(store, self.run_id, item.url)
        return item


# -- store helpers for the crawl ----------------------------------------------------------------


def known_pages(store: Store, site: str) -> dict[str, dict]:
    """Conditional-request state of the site's stored posts, keyed by normalised URL and canonical URL."""
    cols = (pages.c.url, pages.c.canonical_url, pages.c.etag, pages.c.last_modified, pages.c.sitemap_lastmod)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(pages.c.site == site, pages.c.change_status != "gone")).all()
    known: dict[str, dict] = {}
    for row in rows:
        state = dict(row._mapping)
        known[normalize_url(row.url)] = state
        known[normalize_url(row.canonical_url)] = state
    return known


def site_simhashes(store: Store, site: str) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(pages.c.canonical_url, pages.c.simhash)
                            .where(pages.c.site == site, pages.c.simhash.is_not(None))).all()
    return [(row.canonical_url, row.simhash) for row in rows]


def set_simhash(store: Store, canonical_url: str, value: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(pages.update().where(pages.c.canonical_url == canonical_url).values(simhash=value))


def set_sitemap_lastmod(store: Store, url: str, lastmod: str) -> None:
    """Only a page fetched this run can be stored: its content is as new as the sitemap says."""
    with store.engine.begin() as conn:
        conn.execute(pages.update().where(sa.or_(pages.c.canonical_url == url, pages.c.url == url))
                     .values(sitemap_lastmod=lastmod))


def touch_seen(store: Store, run_id: int, url: str) -> None:
    """A stored post that could not be fetched this time (5xx, timeout) is not gone."""
    key = normalize_url(url)
    with store.engine.begin() as conn:
        conn.execute(pages.update().where(sa.or_(pages.c.canonical_url == key, pages.c.url == url))
                     .values(last_seen_run=run_id))
