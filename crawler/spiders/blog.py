"""The blog spider: one crawl per site. It only navigates; page functions turn responses into data.

Discovery order (see docs/crawling.md):
1. robots.txt ``Sitemap:`` lines (else ``/sitemap.xml`` and ``/wp-sitemap.xml``), sitemap indexes, gzip;
2. feeds announced by ``<link rel="alternate">`` and the platform's own (WordPress ``/feed/``,
   Blogger ``/feeds/posts/default`` paged with start-index / max-results);
3. the start pages and the links of every fetched page: post links always; archive, tag, calendar
   and pagination links only when the sitemaps gave no posts (``follow_archives = "auto"``).

Incremental: a post whose sitemap ``<lastmod>`` equals the stored one is not fetched at all (unless
its last download is older than ``SKINAUDIT_RECHECK_DAYS``: sitemaps lie); any other stored post is
fetched with If-None-Match / If-Modified-Since, and a 304 counts as unchanged.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from audit.sites import SiteConfig
from crawler.items import CrawlEvent, SitemapLastmod, UnchangedItem
from crawler.middlewares import Blocked
from crawler.pages.article import article_item, page_kind
from crawler.pages.discovery import (
    TooLarge, blogger_feed_url, feed_links, page_links, parse_feed, parse_sitemap, platform, robots_sitemaps,
)
from crawler.urls import in_domains, normalize_url, url_kind

#: Request priorities: discovery first, then posts, then listings.
PRIORITY = {"robots": 300, "sitemap": 200, "feed": 150, "start": 100, "post": 50, "page": 20, "listing": 0}
#: Sitemap locations tried when robots.txt names none.
GUESSED_SITEMAPS = ("/sitemap.xml", "/wp-sitemap.xml")
#: Link kinds that are never requested.
NEVER = frozenset({"asset", "attachment", "search", "engine"})
#: Pagination of listings: not counted as a link hop (the page budget still bounds it).
PAGINATION_RE = re.compile(r"/page/\d+/?$|[?&](?:updated-max|paged|start-index)=", re.I)
#: Largest sitemap or feed download (the sitemap protocol's limit).
XML_MAXSIZE = 50 * 1024 * 1024
#: Statuses that mean "you are not welcome", reported as blocked.
BLOCKED_STATUSES = frozenset({401, 403, 451})


class BlogSpider(scrapy.Spider):
    """Crawls one site of the sites file: ``crawler.runner`` starts one crawler per site."""

    name = "blog"

    def __init__(self, site: SiteConfig, *, known: dict[str, dict] | None = None, run_id: int | None = None,
                 store: Any = None, **kwargs: Any) -> None:
        super().__init__(name=f"blog:{site.name}", **kwargs)
        self.site = site
        self.store = store  # written to by the pipelines only
        self.run_id = run_id
        self.known = known or {}  # store state of the site's posts, keyed by URL and canonical URL
        self.allowed_domains = list(site.allowed_domains)
        self._include = [re.compile(p) for p in site.include]
        self._exclude = [re.compile(p) for p in site.exclude]
        self._requested: set[str] = set()
        self._handled: set[str] = set()
        self._deferred: dict[str, int] = {}
        self._lastmods: dict[str, str] = {}  # sitemap lastmod of URLs first found through links
        self._feeds: set[str] = set()
        self._platform_probed: set[str] = set()
        self.index_posts = 0
        self.recheck_before = ""  # posts fetched before this are asked again even with an unchanged lastmod
        self.fallback = site.follow_archives == "always"

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "BlogSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        days = crawler.settings.getfloat("SKINAUDIT_RECHECK_DAYS", 7.0)
        spider.recheck_before = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
        return spider

    # -- entry ------------------------------------------------------------------------------

    async def start(self):
        hosts = []
        for url in self.site.start_urls:
            root = urljoin(url, "/")
            if root not in hosts:
                hosts.append(root)
        for root in hosts:
            yield Request(urljoin(root, "/robots.txt"), callback=self.parse_robots, errback=self.robots_failed,
                          priority=PRIORITY["robots"], meta={"dont_obey_robotstxt": True, "hops": 0},
                          dont_filter=True)
        for url in self.site.start_urls:
            kind = url_kind(url)
            if kind in ("sitemap", "feed"):
                for request in (self._sitemap if kind == "sitemap" else self._feed)(url, hops=0):
                    yield request
            else:
                self._requested.add(normalize_url(url))
                yield Request(url, callback=self.parse_page, errback=self.page_failed, priority=PRIORITY["start"],
                              meta={"via": "start", "hops": 0}, dont_filter=True)

    # -- robots, sitemaps, feeds --------------------------------------------------------------

    def parse_robots(self, response: Response):
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        sitemaps = robots_sitemaps(text, response.url) if response.status == 200 else []
        for url in sitemaps or [urljoin(response.url, path) for path in GUESSED_SITEMAPS]:
            yield from self._sitemap(url, hops=0, guessed=not sitemaps)

    def robots_failed(self, failure):
        if failure.check(Blocked):
            yield self._failure_event(failure)
            return
        response = getattr(failure.value, "response", None)
        if response is not None:  # 404 and kin: no robots.txt, so no Sitemap lines either
            for path in GUESSED_SITEMAPS:
                yield from self._sitemap(urljoin(failure.request.url, path), hops=0, guessed=True)

    def _sitemap(self, url: str, *, hops: int, guessed: bool = False) -> Iterator[Request]:
        url = normalize_url(url)
        if url in self._requested or not self._allowed(url):
            return
        self._requested.add(url)
        yield Request(url, callback=self.parse_sitemap, errback=self.index_failed, priority=PRIORITY["sitemap"],
                      meta={"hops": hops, "guessed": guessed, "download_maxsize": XML_MAXSIZE,
                            "download_warnsize": XML_MAXSIZE}, dont_filter=True)

    def _feed(self, url: str, *, hops: int, guessed: bool = False) -> Iterator[Request]:
        url = normalize_url(url)
        if url in self._requested or not self._allowed(url):
            return
        self._requested.add(url)
        self._feeds.add(url)
        yield Request(url, callback=self.parse_feed, errback=self.index_failed, priority=PRIORITY["feed"],
                      meta={"hops": hops, "guessed": guessed, "download_maxsize": XML_MAXSIZE}, dont_filter=True)

    def parse_sitemap(self, response: Response):
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except TooLarge as exc:
            yield self._event(response.url, "error", f"sitemap skipped: {exc}")
            return
        if sitemap.recovered:
            yield self._event(response.url, "error", f"broken sitemap XML: {len(sitemap.entries)} URLs recovered")
        if sitemap.kind == "sitemapindex":
            for loc, _ in sitemap.entries:
                yield from self._sitemap(loc, hops=response.meta.get("hops", 0))
        elif sitemap.kind == "urlset":
            unchanged: list[str] = []  # one item for all the posts skipped on their lastmod
            for loc, lastmod in sitemap.entries:
                yield from self._index_entry(loc, lastmod, "sitemap", unchanged)
            if unchanged:
                yield UnchangedItem(site=self.site.name, canonical_urls=unchanged, reason="sitemap-lastmod")
        elif not response.meta.get("guessed"):
            yield self._event(response.url, "error", "not a sitemap (no <urlset> or <sitemapindex>)")

    def parse_feed(self, response: Response):
        feed = parse_feed(response.body, response.url)
        for link, updated in feed.entries:
            yield from self._index_entry(link, None, "feed")
        if feed.next_url and feed.entries:
            yield from self._feed(feed.next_url, hops=response.meta.get("hops", 0))

    def index_failed(self, failure):
        if failure.request.meta.get("guessed"):
            return  # a guessed location that does not exist is not an error
        self._discovery_failed(failure)
        yield self._failure_event(failure)

    def _index_entry(self, url: str, lastmod: str | None, via: str,
                     unchanged: list[str] | None = None) -> Iterator[Any]:
        """A URL listed by a sitemap or feed: a post unless its address says it is a listing."""
        kind = url_kind(normalize_url(url))
        if kind in ("archive", "calendar", "home", "static"):
            yield from self._listing(url, hops=1)
            return
        if kind in NEVER or kind in ("sitemap", "feed"):
            return
        if via == "sitemap":  # a feed lists the latest posts only: it does not replace the archives
            self.index_posts += 1
        yield from self._post(url, via=via, hops=1, lastmod=lastmod, unchanged=unchanged)

    # -- pages ------------------------------------------------------------------------------

    def parse_page(self, response: Response):
        meta = response.meta
        state = self.known.get(normalize_url(response.request.url))
        if response.status == 304:
            if state:
                yield UnchangedItem(site=self.site.name, canonical_urls=[state["canonical_url"]], reason="not-modified")
            return
        if not isinstance(response, HtmlResponse):
            ctype = (response.headers.get("Content-Type") or b"?").decode("latin-1")
            yield self._event(response.url, "skipped", f"not HTML ({ctype.split(';')[0]})")
            return
        kind = page_kind(response)
        if kind == "post" and self._included(response.url):
            yield article_item(response, site=self.site.name, domains=self.allowed_domains,
                               sitemap_lastmod=meta.get("lastmod") or self._lastmods.get(normalize_url(response.url)),
                               discovered_via=meta.get("via", "link"))
        elif kind == "post":
            yield self._event(response.url, "skipped", "post outside the site's include patterns")
        yield from self._discover(response, kind)

    def _discover(self, response: HtmlResponse, kind: str) -> Iterator[Any]:
        hops = response.meta.get("hops", 0)
        root = urljoin(response.url, "/")
        if root not in self._platform_probed:
            self._platform_probed.add(root)
            engine = platform(response)
            if engine == "blogger":
                yield from self._feed(blogger_feed_url(root), hops=hops, guessed=True)
            elif engine == "wordpress":
                yield from self._feed(urljoin(root, "/feed/"), hops=hops, guessed=True)
        for url in feed_links(response):
            yield from self._feed(url, hops=hops)
        if kind == "attachment" or hops >= self.site.max_depth:
            return
        for url in page_links(response):
            yield from self._follow(url, hops=hops)

    def _follow(self, url: str, *, hops: int) -> Iterator[Any]:
        n = normalize_url(url)
        if not self._allowed(n):
            return
        kind = url_kind(n)
        if kind in NEVER:
            return
        if kind == "sitemap":
            yield from self._sitemap(n, hops=hops)
        elif kind == "feed":
            if "comments" not in n:
                yield from self._feed(n, hops=hops)
        elif kind in ("archive", "calendar"):
            yield from self._listing(n, hops=hops if PAGINATION_RE.search(n) else hops + 1)
        elif kind == "post":
            yield from self._post(n, via="link", hops=hops + 1)
        else:  # home, static, other: the page decides what it is
            yield from self._page(n, hops=hops + 1)

    def _post(self, url: str, *, via: str, hops: int, lastmod: str | None = None,
              unchanged: list[str] | None = None) -> Iterator[Any]:
        n = normalize_url(url)
        if lastmod and n in self._requested and n not in self._lastmods:
            self._lastmods[n] = lastmod
            yield SitemapLastmod(site=self.site.name, url=n, lastmod=lastmod)
        if n in self._requested or n in self._handled or not self._allowed(n) or not self._included(n):
            return
        state = self.known.get(n)
        if state and lastmod and state.get("sitemap_lastmod") == lastmod \
                and (state.get("fetched_at") or "") >= self.recheck_before:
            self._handled.add(n)
            if unchanged is not None:
                unchanged.append(state["canonical_url"])
            else:
                yield UnchangedItem(site=self.site.name, canonical_urls=[state["canonical_url"]], reason="sitemap-lastmod")
            return
        self._requested.add(n)
        headers = {}
        if state and state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state and state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        meta = {"via": via, "hops": hops, "lastmod": lastmod, "known": bool(state),
                "handle_httpstatus_list": [304]}
        yield Request(n, callback=self.parse_page, errback=self.page_failed, headers=headers,
                      priority=PRIORITY["post"], meta=meta)

    def _page(self, url: str, *, hops: int) -> Iterator[Request]:
        if url in self._requested or url in self._handled or hops > self.site.max_depth:
            return
        self._requested.add(url)
        yield Request(url, callback=self.parse_page, errback=self.page_failed, priority=PRIORITY["page"],
                      meta={"via": "link", "hops": hops})

    def _listing(self, url: str, *, hops: int) -> Iterator[Request]:
        n = normalize_url(url)
        if n in self._requested or hops > self.site.max_depth or not self._allowed(n):
            return
        if not self.fallback:
            if self.site.follow_archives == "auto":
                self._deferred.setdefault(n, hops)
            return
        self._requested.add(n)
        yield Request(n, callback=self.parse_page, errback=self.page_failed, priority=PRIORITY["listing"],
                      meta={"via": "link", "hops": hops})

    def page_failed(self, failure):
        if failure.request.meta.get("via") == "start":
            self._discovery_failed(failure)
        yield self._failure_event(failure)

    def _discovery_failed(self, failure) -> None:
        """A start page, sitemap or feed failed: what it lists is unknown, so nothing may be marked gone."""
        self.crawler.stats.inc_value("skinaudit/discovery/failed")
        self.logger.warning("discovery failed at %s: the crawl of %s is incomplete", failure.request.url,
                            self.site.name)

    # -- fallback: archives when the sitemaps gave no posts ------------------------------

    def _idle(self) -> None:
        if self.fallback or self.site.follow_archives != "auto":
            return
        self.fallback = True
        if self.index_posts:
            self.crawler.stats.set_value("skinaudit/discovery/listings_not_followed", len(self._deferred))
            return
        self.logger.info("no posts in sitemaps or feeds: following %d archive links", len(self._deferred))
        scheduled = 0
        for url, hops in sorted(self._deferred.items()):
            for request in self._listing(url, hops=hops):
                self.crawler.engine.crawl(request)
                scheduled += 1
        self._deferred.clear()
        if scheduled:
            raise DontCloseSpider

    # -- helpers ----------------------------------------------------------------------------

    def _allowed(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and in_domains(url, self.allowed_domains) and not any(
            p.search(url) for p in self._exclude)

    def _included(self, url: str) -> bool:
        return not self._include or any(p.search(url) for p in self._include)

    def _event(self, url: str, kind: str, detail: str, known: bool = False) -> CrawlEvent:
        return CrawlEvent(site=self.site.name, url=url, kind=kind, detail=detail, known=known)

    def _failure_event(self, failure) -> CrawlEvent:
        request = failure.request
        known = bool(request.meta.get("known"))
        if failure.check(HttpError):
            status = failure.value.response.status
            kind = "blocked" if status in BLOCKED_STATUSES else "error"
            return self._event(request.url, kind, f"HTTP {status}", known=known and status not in (404, 410))
        if failure.check(Blocked):
            return self._event(request.url, "blocked", str(failure.value), known=known)
        if failure.check(IgnoreRequest):
            return self._event(request.url, "skipped", str(failure.value) or "ignored", known=known)
        detail = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        return self._event(request.url, "error", " ".join(detail.split())[:300], known=known)
