"""Title, author and publication date of an article page, read from its markup.

Cheap XPath look-ups in the order publishers fill them in: Open Graph and article meta tags,
JSON-LD, microformats of Blogger and WordPress themes, then the URL. Each look-up walks the
whole tree, so they are compiled once and kept to plain attribute tests: a class token is found
with ``contains(@class, …)`` and checked in Python, because XPath's usual
``contains(concat(' ', normalize-space(@class), ' '), …)`` costs five times as much.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

# Where the title, author and date live, best source first.
META_TITLE_XPATHS = ("//meta[@property='og:title']/@content", "//meta[@name='twitter:title']/@content")
# the theme's own post heading (Blogger, WordPress), which carries no blog name: one pass finds both
HEADING_CLASSES = ("post-title", "entry-title")
HEADING_XPATH = "//*[contains(@class, '-title')]"
PAGE_TITLE_XPATHS = ("//h1", "//title")
AUTHOR_XPATHS = (
    "//meta[@name='author']/@content",
    "//meta[@property='article:author']/@content",
    "//meta[@name='parsely-author']/@content",
    "//*[@itemprop='author']//*[@itemprop='name']",
    "//*[contains(@class, 'post-author')]//*[contains(@class, 'fn')]",
    "//*[contains(@class, 'byline') or contains(@class, 'post-author')]//a[not(contains(@href, 'comment'))]",
    "//*[contains(@class, 'author') and contains(@class, 'vcard')]//*[contains(@class, 'fn')]",
    "//a[@rel='author']",
    "//*[@itemprop='author']",
)
DATE_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='date' or @name='pubdate' or @name='publish-date' or @name='dc.date' or @name='DC.date.issued']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//*[@itemprop='datePublished']/@content",
    "//abbr[contains(@class, 'published')]/@title",
    "//time[contains(@class, 'published') or contains(@class, 'entry-date')]/@datetime",
    "//time/@datetime",
)
JSONLD_XPATH = "//script[@type='application/ld+json']/text()"
XML_SPACE = re.compile(r"[ \t\r\n]+")

ISO_DATE = re.compile(r"((?:19|20)\d\d)-(\d\d)-(\d\d)")
URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)/")
SITE_SUFFIX = re.compile(r"\s+[-|–—:·»]\s+[^-|–—:·»]{2,60}$")


@dataclass
class Meta:
    title: str
    author: str | None
    published: str | None


def read(tree, url: str | None) -> Meta:
    ld = _json_ld(tree)
    return Meta(title=_title(tree, ld), author=_author(tree, ld), published=_published(tree, ld, url))


def base_url(tree, url: str | None) -> str | None:
    """The page's ``<base href>`` resolved against its URL, else the URL."""
    for href in _select(tree, "//base/@href", 1):
        href = href.strip()
        if href and not href.lower().startswith(("javascript:", "data:")):
            try:
                return urljoin(url or "", href)
            except ValueError:
                break
    return url


def html_language(tree) -> str | None:
    for lang in _select(tree, "/html/@lang | //meta[@http-equiv='content-language']/@content", 1):
        code = lang.strip().lower()[:2]
        if re.fullmatch(r"[a-z]{2}", code):
            return code
    return None


@lru_cache(maxsize=None)
def _compiled(xpath: str) -> etree.XPath:
    return etree.XPath(xpath)


def _select(tree, xpath: str, limit: int | None) -> list:
    return _compiled(xpath)(tree)[:limit]


def _first(tree, xpaths) -> str | None:
    for xpath in xpaths:
        text = _first_text(_select(tree, xpath, 3))
        if text:
            return text
    return None


def _first_text(found: list) -> str | None:
    for item in found:
        text = item if isinstance(item, str) else etree.tostring(item, method="text", encoding="unicode")
        text = " ".join(text.split())
        if text:
            return text
    return None


def _heading(tree) -> str | None:
    candidates = _select(tree, HEADING_XPATH, None)
    for token in HEADING_CLASSES:
        text = _first_text([el for el in candidates if token in XML_SPACE.split(el.get("class") or "")][:3])
        if text:
            return text
    return None


def _json_ld(tree) -> dict:
    """The first JSON-LD object that looks like an article."""
    for raw in _select(tree, JSONLD_XPATH, 5):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for item in _flatten(data):
            if isinstance(item, dict) and ("datePublished" in item or "author" in item):
                return item
    return {}


def _flatten(data):
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph", []))


def _title(tree, ld: dict) -> str:
    heading = _heading(tree)
    title = (
        _first(tree, META_TITLE_XPATHS) or heading or _first(tree, PAGE_TITLE_XPATHS)
        or (ld.get("headline") if isinstance(ld.get("headline"), str) else "") or ""
    )
    if heading and heading != title and heading in title:
        return heading[:500]  # the meta title carries the blog's name ("Blog: Post"); the theme's heading does not
    return SITE_SUFFIX.sub("", title)[:500] if len(title) > 20 else title[:500]


def _author(tree, ld: dict) -> str | None:
    author = ld.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    if not isinstance(author, str) or not author.strip():
        author = _first(tree, AUTHOR_XPATHS)
    if not author or author.startswith("http") or len(author) > 100:
        return None
    author = re.sub(r"^(?:posted\s+)?by\s+", "", author.strip(), flags=re.I)
    return author or None


def _published(tree, ld: dict, url: str | None) -> str | None:
    for value in _date_candidates(tree, ld):
        if isinstance(value, str):
            found = _iso(ISO_DATE.search(value))
            if found:
                return found
    return _iso(URL_DATE.search(url or ""))


def _date_candidates(tree, ld: dict):
    yield ld.get("datePublished")
    for xpath in DATE_XPATHS:
        yield from _select(tree, xpath, 1)


def _iso(m) -> str | None:
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
