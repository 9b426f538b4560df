"""What the spider yields: typed, keyword-only dataclasses, read by the pipelines through ItemAdapter.

``ArticleItem``   a fetched post page (page function ``crawler.pages.article.article_item``).
``UnchangedItem`` known posts that did not change (304 Not Modified, or an unchanged sitemap lastmod).
``SitemapLastmod`` a sitemap lastmod that arrived after its post was already requested.
``CrawlEvent``    something the run should report that is not a stored post (errors, blocked, skips,
                  near-duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class ArticleItem:
    """A post page as fetched, before storage."""

    site: str
    """Name of the site (``SiteConfig.name``)."""
    url: str
    """The URL the response came from (after redirects)."""
    canonical_url: str
    """Normalised ``<link rel=canonical>`` when it points into the site, else the normalised URL: the store key."""
    http_status: int
    """HTTP status of the response (200, or 203 for some caches)."""
    fetched_at: str
    """ISO 8601 timestamp (UTC, seconds) of the fetch."""
    html: bytes = field(repr=False)
    """The raw response body (decompressed), exactly as served."""
    encoding: str
    """Python codec name that decodes ``html`` (header, BOM, ``<meta charset>``, then detection)."""
    title: str = ""
    """Page title (``og:title``, first ``<h1>`` or ``<title>``), whitespace-collapsed."""
    published: str | None = None
    """ISO 8601 date (YYYY-MM-DD) the post says it was published, or None."""
    body_text: str = field(default="", repr=False)
    """Rough article text, used only to fingerprint near-duplicates (the audit extracts the real body)."""
    etag: str | None = None
    """ETag response header, sent back as If-None-Match next run."""
    last_modified: str | None = None
    """Last-Modified response header (HTTP date), sent back as If-Modified-Since next run."""
    sitemap_lastmod: str | None = None
    """``<lastmod>`` of the sitemap entry (or feed ``updated``) that led here, as written there."""
    discovered_via: str = "link"
    """How the URL was found: ``sitemap``, ``feed``, ``link`` or ``start``."""
    simhash: str | None = None
    """16 hex digits: 64-bit simhash of ``body_text`` (set by the near-duplicate pipeline)."""


@dataclass(kw_only=True)
class UnchangedItem:
    """Stored posts that are still there and have not changed: not fetched again, or answered 304."""

    site: str
    """Name of the site."""
    canonical_urls: list[str]
    """The store keys of the posts (one for a 304; all the skipped entries of a sitemap at once)."""
    reason: str
    """``not-modified`` (HTTP 304) or ``sitemap-lastmod`` (same lastmod as last run, not fetched)."""


@dataclass(kw_only=True)
class SitemapLastmod:
    """A sitemap ``<lastmod>`` for a post that was already requested through a link this run."""

    site: str
    """Name of the site."""
    url: str
    """Normalised URL of the post."""
    lastmod: str
    """``<lastmod>`` as written in the sitemap: next run skips the post while it stays the same."""


@dataclass(kw_only=True)
class CrawlEvent:
    """Something worth reporting that is not a stored post."""

    site: str
    """Name of the site."""
    url: str
    """The URL concerned ('' for the site as a whole)."""
    kind: str
    """``error``, ``blocked``, ``skipped`` or ``duplicate`` (the store's event kinds)."""
    detail: str = ""
    """One line: HTTP status, exception, the reason for a skip, or the post it duplicates."""
    known: bool = False
    """True when ``url`` is a stored post whose fetch failed: it is still counted as seen, not gone."""
