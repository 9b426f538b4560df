"""Item pipelines: one job each, outcomes counted in namespaced stats, drops with a reason.

``NearDuplicatePipeline`` (100)  fingerprints post bodies; a post already stored under another URL
                                 (same canonical this run, or a simhash within 6 bits) becomes a
                                 ``duplicate`` event instead of a second article.
``StorePipeline``         (300)  upserts posts (``Store.save_fetch``), touches unchanged ones, notes
                                 late sitemap lastmods.
``EventPipeline``         (400)  records errors, blocked responses, skips and duplicates.

They reach the store and the run id through the crawler's spider (``spider.store``, ``spider.run_id``),
set by ``crawler.runner``; no setting is read.

The helpers at the bottom read and write the few page columns the crawl needs beyond
``Store.save_fetches`` / ``touch_unchanged_many`` (conditional-request state, simhashes, "seen").
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
    """Stores posts: new / changed / unchanged from ``Store.save_fetches``; unchanged ones are only touched.

    Writes go in batches (one transaction per ``SKINAUDIT_STORE_BATCH`` posts, and at least every
    ``SKINAUDIT_STORE_FLUSH_SECONDS``): a killed crawl loses at most that much unstored work, which
    the next run fetches again. Stats: ``skinaudit/store/new``, ``…/changed``, ``…/unchanged`` and
    ``skinaudit/store/unchanged/<reason>`` (not-modified, sitemap-lastmod).
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.batch_size = crawler.settings.getint("SKINAUDIT_STORE_BATCH", 50)
        self.interval = crawler.settings.getfloat("SKINAUDIT_STORE_FLUSH_SECONDS", 1.0)
        self.pending: dict[str, FetchedPage] = {}
        self.touches: list[str] = []
        self.timer = None

    def open_spider(self) -> None:
        from twisted.internet.task import LoopingCall

        self.timer = LoopingCall(self.flush)
        self.timer.start(self.interval, now=False)

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()

    def process_item(self, item):
        if self.store is None:
            return item
        if isinstance(item, ArticleItem):
            fields = ItemAdapter(item).asdict()
            page = FetchedPage(**{k: fields[k] for k in (
                "url", "canonical_url", "site", "http_status", "fetched_at", "html", "encoding", "etag",
                "last_modified", "sitemap_lastmod", "simhash")})
            if page.canonical_url in self.pending:
                self.flush()
            self.pending[page.canonical_url] = page
        elif isinstance(item, UnchangedItem):
            self.touches.extend(item.canonical_urls)
            self.stats.inc_value("skinaudit/store/unchanged", len(item.canonical_urls))
            self.stats.inc_value(f"skinaudit/store/unchanged/{item.reason}", len(item.canonical_urls))
        elif isinstance(item, SitemapLastmod):
            waiting = self.pending.get(item.url)
            if waiting is not None:
                waiting.sitemap_lastmod = item.lastmod
            else:
                set_sitemap_lastmod(self.store, item.url, item.lastmod)
        if len(self.pending) + len(self.touches) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        store = self.store
        if store is None or not (self.pending or self.touches):
            return
        batch, self.pending = list(self.pending.values()), {}
        touches, self.touches = self.touches, []
        for status in store.save_fetches(self.run_id, batch):
            self.stats.inc_value(f"skinaudit/store/{status}")
        if touches:
            store.touch_unchanged_many(self.run_id, touches)


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
    cols = (pages.c.url, pages.c.canonical_url, pages.c.etag, pages.c.last_modified, pages.c.sitemap_lastmod,
            pages.c.fetched_at)
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
