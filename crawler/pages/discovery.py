"""Page functions for discovery: robots.txt Sitemap lines, sitemaps (plain, gzip, indexes, broken),
RSS / Atom feeds (with Blogger's start-index pagination), and the links of an HTML page.

Each function takes bytes or a response and returns plain data; none needs a crawler, so the tests
call them on saved files.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from scrapy.http import Response, TextResponse

#: Largest sitemap or feed we unpack (the sitemap protocol's own limit is 50 MB uncompressed).
MAX_XML_BYTES = 50 * 1024 * 1024
#: Blogger feeds: the page size we ask for (Blogger's maximum is 150).
BLOGGER_PAGE_SIZE = 150

_LOC_RE = re.compile(rb"<loc>\s*(.*?)\s*</loc>(?:\s*<lastmod>\s*(.*?)\s*</lastmod>)?", re.S | re.I)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")


class TooLarge(ValueError):
    """A compressed sitemap or feed unpacks to more than ``MAX_XML_BYTES``."""


@dataclass(kw_only=True)
class Sitemap:
    """What a sitemap file lists."""

    kind: str
    """``urlset`` (pages), ``sitemapindex`` (more sitemaps) or ``unknown`` (unreadable)."""
    entries: list[tuple[str, str | None]] = field(default_factory=list)
    """(absolute URL, lastmod as written or None), in file order."""
    recovered: bool = False
    """True when the XML was broken and the entries were recovered leniently."""


@dataclass(kw_only=True)
class Feed:
    """What one page of an RSS or Atom feed lists."""

    entries: list[tuple[str, str | None]] = field(default_factory=list)
    """(post URL, updated/published as written or None)."""
    next_url: str | None = None
    """The next page of the feed (Atom rel=next, or Blogger start-index arithmetic)."""


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute, in order, without repeats."""
    found: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = urljoin(base_url, value.strip())
            if url not in found:
                found.append(url)
    return found


def unpack(body: bytes) -> bytes:
    """Gunzip (bounded) when the bytes are gzip, else return them as they are."""
    if body[:2] != b"\x1f\x8b":
        return body
    out = io.BytesIO()
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = body
    while data:
        out.write(decompressor.decompress(data, 1024 * 1024))
        if out.tell() > MAX_XML_BYTES:
            raise TooLarge(f"gzip unpacks to more than {MAX_XML_BYTES} bytes")
        data = decompressor.unconsumed_tail
    try:
        out.write(decompressor.flush())
    except zlib.error:
        pass
    return out.getvalue()


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _xml_root(body: bytes):
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Read a sitemap or sitemap index (gzip allowed); broken XML is read leniently, never fatal."""
    body = unpack(body)
    root = _xml_root(body)
    kind = _local(root.tag) if root is not None else "unknown"
    entries: list[tuple[str, str | None]] = []
    if kind in ("urlset", "sitemapindex"):
        for node in root:
            if _local(node.tag) not in ("url", "sitemap"):
                continue
            values = {_local(child.tag): (child.text or "").strip() for child in node}
            if values.get("loc"):
                entries.append((urljoin(url, values["loc"]), values.get("lastmod") or None))
    found = [(urljoin(url, m.group(1).decode("utf-8", "replace").strip()),
              (m.group(2) or b"").decode("ascii", "replace").strip() or None) for m in _LOC_RE.finditer(body)]
    if len(found) > len(entries):  # the parser gave up part way: trust the raw <loc> elements
        if kind not in ("urlset", "sitemapindex"):
            kind = "sitemapindex" if b"<sitemapindex" in body[:2048] else "urlset"
        return Sitemap(kind=kind, entries=found, recovered=True)
    return Sitemap(kind=kind, entries=entries)


def _blogger_next(url: str, root) -> str | None:
    """Blogger feeds page with start-index/max-results; openSearch says how many there are."""
    values = {_local(child.tag): (child.text or "").strip() for child in root}
    try:
        total, start, per_page = (int(values[k]) for k in ("totalresults", "startindex", "itemsperpage"))
    except (KeyError, ValueError):
        return None
    if per_page <= 0 or start + per_page > total:
        return None
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({"start-index": str(start + per_page), "max-results": str(per_page)})
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_feed(body: bytes, url: str) -> Feed:
    """Read one page of an RSS 2.0, RSS 1.0 or Atom feed; unreadable feeds give no entries."""
    root = _xml_root(unpack(body))
    if root is None:
        return Feed()
    entries: list[tuple[str, str | None]] = []
    next_url = None
    for node in root.iter():
        name = _local(node.tag)
        if name in ("item", "entry"):
            link, updated = None, None
            for child in node:
                cname = _local(child.tag)
                if cname == "link":
                    rel = child.get("rel", "alternate")
                    href = child.get("href") or (child.text or "").strip()
                    if href and rel == "alternate" and link is None:
                        link = href
                elif cname in ("updated", "pubdate", "published", "date") and updated is None:
                    updated = (child.text or "").strip() or None
            if link:
                entries.append((urljoin(url, link), updated))
        elif name == "link" and node.get("rel") == "next" and node.getparent() is root:
            next_url = urljoin(url, node.get("href", ""))
    if next_url is None and "/feeds/" in url:
        next_url = _blogger_next(url, root)
    return Feed(entries=entries, next_url=next_url or None)


def blogger_feed_url(home: str) -> str:
    """Blogger's posts feed, asked for the largest page size."""
    return urljoin(home, f"/feeds/posts/default?max-results={BLOGGER_PAGE_SIZE}&start-index=1")


def platform(response: Response) -> str:
    """``blogger``, ``wordpress`` or ``unknown``, from the generator meta tag and telltale paths."""
    if not isinstance(response, TextResponse):
        return "unknown"
    generator = " ".join(response.xpath("//meta[@name='generator']/@content").getall()).lower()
    head = response.text[:20000].lower()
    if "blogger" in generator or ".blogspot." in response.url or "blogger.com/static" in head:
        return "blogger"
    if "wordpress" in generator or "/wp-content/" in head or "/wp-includes/" in head or "wp-json" in head:
        return "wordpress"
    return "unknown"


def feed_links(response: TextResponse) -> list[str]:
    """Feeds the page announces with ``<link rel="alternate" type="application/rss+xml">`` and kin."""
    hrefs = []
    for node in response.xpath("//link[@href]"):
        rel = (node.attrib.get("rel") or "").lower().split()
        kind = (node.attrib.get("type") or "").lower()
        if "alternate" in rel and kind in _FEED_TYPES and "comments" not in node.attrib["href"]:
            hrefs.append(response.urljoin(node.attrib["href"]))
    return hrefs


def page_links(response: TextResponse) -> list[str]:
    """Every ``<a href>`` and ``<link rel=next/prev>`` of an HTML page, absolute, without fragments."""
    hrefs = response.xpath("//a[@href]/@href | //link[@rel='next' or @rel='prev']/@href").getall()
    out: list[str] = []
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
            continue
        try:
            out.append(response.urljoin(href).split("#", 1)[0])
        except ValueError:
            continue
    return out


__all__ = [
    "Feed", "Sitemap", "TooLarge", "blogger_feed_url", "feed_links", "page_links", "parse_feed", "parse_sitemap",
    "platform", "robots_sitemaps", "unpack",
]
