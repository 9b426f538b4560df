"""Page functions for post pages: is this response a post, what is its canonical URL, and the item.

``page_kind`` tells posts from listings (home, archives, tags, labels, search), static pages and
attachment pages, from the markup blog engines write (WordPress body classes, Blogger view classes,
``og:type``, JSON-LD), then the number of entries on the page, then the address.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import datetime, timezone

from scrapy.http import TextResponse

from crawler.items import ArticleItem
from crawler.urls import in_domains, normalize_url, url_kind

# -- vocabularies -------------------------------------------------------------------------------

#: WordPress / Blogger body classes of single posts.
POST_BODY_CLASSES = frozenset({"single-post", "single", "item-view", "post-view", "postid", "single-format-standard"})
#: Body classes of pages that list posts (home, archives, taxonomy, search, errors).
LISTING_BODY_CLASSES = frozenset({
    "archive", "category", "tag", "search", "search-results", "search-no-results", "blog", "home", "paged", "author",
    "date", "error404", "feed-view", "multiple-view", "home-view", "label-view", "archive-view", "search-view", "error-view", "index",
})
#: Body classes of static pages and attachment pages.
STATIC_BODY_CLASSES = frozenset({"page-template-default", "static-view", "static_page", "static_page-view",
                                 "page-template"})
ATTACHMENT_BODY_CLASSES = frozenset({"attachment", "attachmentid"})
#: JSON-LD / microdata types of a single post.
POST_TYPES = frozenset({"blogposting", "article", "newsarticle", "medicalwebpage", "reportagearticle", "techarticle"})
#: One entry of a listing page (WordPress, Blogger, generic themes).
ENTRY_XPATH = (
    "//article[not(ancestor::aside) and not(ancestor::footer) and not(ancestor::*[contains(@class,'related')])]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' post-outer ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' hentry ')][not(self::article)]"
)
#: Where the article body usually is, best first.
BODY_XPATHS = (
    "//*[@itemprop='articleBody']", "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-body ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    "//article", "//main", "//*[@id='content']", "//body",
)
_TEXT_XPATH = (".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::nav) and "
               "not(ancestor::aside) and not(ancestor::footer) and not(ancestor::form) and not(ancestor::noscript)]")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_LATIN = {"latin-1", "iso8859-1", "iso-8859-1", "ascii", "cp1252", "windows-1252", "us-ascii"}


def _classes(response: TextResponse) -> set[str]:
    raw = " ".join(response.xpath("//body/@class").getall()).lower().split()
    out = set(raw)
    out.update(c.split("-", 1)[0] for c in raw if c.startswith(("postid-", "attachmentid-")))
    return out


def _jsonld_types(response: TextResponse) -> set[str]:
    types: set[str] = set()
    for blob in response.xpath("//script[@type='application/ld+json']/text()").getall()[:5]:
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type")
                for value in (kind if isinstance(kind, list) else [kind]):
                    if isinstance(value, str):
                        types.add(value.lower())
                stack.extend(v for k, v in node.items() if k == "@graph")
    return types


def page_kind(response: TextResponse) -> str:
    """``post``, ``listing``, ``static``, ``attachment`` or ``other``."""
    classes = _classes(response)
    if classes & ATTACHMENT_BODY_CLASSES:
        return "attachment"
    if classes & POST_BODY_CLASSES:
        return "post"
    if classes & LISTING_BODY_CLASSES:
        return "listing"
    if classes & STATIC_BODY_CLASSES or "page" in classes:
        return "static"
    entries = len(response.xpath(ENTRY_XPATH))
    if entries >= 2:
        return "listing"
    og_type = (response.xpath("//meta[@property='og:type']/@content").get() or "").strip().lower()
    if og_type == "article" or _jsonld_types(response) & POST_TYPES:
        return "post"
    kind = url_kind(response.url)
    if kind in ("archive", "calendar", "search", "home"):
        return "listing"
    if kind == "attachment":
        return "attachment"
    if kind == "post" and entries <= 1:
        return "post"
    if entries == 1 and response.xpath("//h1") and len(body_text(response).split()) >= 150:
        return "post"
    return "other"


def canonical_url(response: TextResponse, domains: list[str]) -> str:
    """The normalised canonical link when it stays on the site, else the normalised URL."""
    for href in response.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content").getall():
        href = href.strip()
        if href:
            try:
                absolute = response.urljoin(href)
            except ValueError:
                continue
            if in_domains(absolute, domains):
                return normalize_url(absolute)
    return normalize_url(response.url)


def title_of(response: TextResponse) -> str:
    for query in ("//meta[@property='og:title']/@content", "//h1//text()", "//title/text()"):
        values = response.xpath(query).getall()
        text = " ".join(" ".join(values).split())
        if text:
            return text[:500]
    return ""


def published_of(response: TextResponse) -> str | None:
    """ISO 8601 date the post says it was published, from the usual places."""
    queries = (
        "//meta[@property='article:published_time']/@content", "//*[@itemprop='datePublished']/@content",
        "//*[@itemprop='datePublished']/@datetime", "//time[@datetime][1]/@datetime",
        "//abbr[contains(@class,'published')]/@title",
    )
    for query in queries:
        match = _DATE_RE.search(response.xpath(query).get() or "")
        if match:
            return match.group(0)
    return None


def body_text(response: TextResponse) -> str:
    """A rough article text (no scripts, navigation, sidebars or footers): enough to fingerprint."""
    for query in BODY_XPATHS:
        nodes = response.xpath(query)
        if nodes:
            text = " ".join(" ".join(nodes[0].xpath(_TEXT_XPATH).getall()).split())
            if len(text) > 200 or query == "//body":
                return text
    return ""


def encoding_of(response: TextResponse) -> str:
    """The codec that decodes the body; a Latin-1 label on bytes that are valid UTF-8 is taken as UTF-8."""
    declared = codecs.lookup(response.encoding).name
    if declared.replace("_", "-") in _LATIN:
        body = response.body
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return declared
        if any(b > 0x7F for b in body):
            return "utf-8"
    return declared


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


def article_item(response: TextResponse, *, site: str, domains: list[str], sitemap_lastmod: str | None = None,
                 discovered_via: str = "link") -> ArticleItem:
    """The item for a post page."""
    return ArticleItem(
        site=site, url=response.url, canonical_url=canonical_url(response, domains), http_status=response.status,
        fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), html=response.body,
        encoding=encoding_of(response), title=title_of(response), published=published_of(response),
        body_text=body_text(response), etag=header(response, "ETag"), last_modified=header(response, "Last-Modified"),
        sitemap_lastmod=sitemap_lastmod, discovered_via=discovered_via,
    )
