"""URL normalisation and URL-only page kinds: what the spider needs to decide before fetching.

``normalize_url`` folds the spellings of one address into one key (lower-case scheme and host, no
default port, no fragment, no tracking parameters, no Blogger mobile switch ``?m=1``, sorted query).
``url_kind`` guesses from the address alone what a link points to; the page itself has the last
word (``crawler.pages.article.page_kind``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only track the visit: dropped from every URL.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "spm", "share", "amp", "shared",
    "replytocom",  # WordPress comment-reply links: the same post again
    "m",  # Blogger's mobile switch (?m=1 / ?m=0)
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}

# -- URL-only page kinds, each group with what it catches -------------------------------------

#: Files that are never articles (images, media, documents, archives, code).
ASSET_RE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|mp[34]|m4a|webm|mov|avi|wav|ogg|pdf|docx?|xlsx?|pptx?|"
    r"zip|gz|tgz|rar|7z|exe|dmg|apk|css|js|json|woff2?|ttf|eot)$", re.I)
#: Sitemaps (robots.txt Sitemap lines, WordPress core, Yoast/RankMath indexes, Blogger).
SITEMAP_RE = re.compile(r"(?:sitemap[^/]*\.xml(?:\.gz)?|/sitemap\.xml\.gz)$", re.I)
#: Feeds: WordPress /feed/, Blogger /feeds/posts/default, plain .rss/.atom/.xml feeds.
FEED_RE = re.compile(r"(?:/feed/?(?:rss2?|atom|rdf)?/?$|/feeds/(?:posts|comments)/|\.(?:rss|atom)$|/rss/?$|/atom\.xml$)", re.I)
#: Blogger post permalinks: /YYYY/MM/slug.html.
BLOGGER_POST_RE = re.compile(r"^/\d{4}/\d{2}/[^/]+\.html$")
#: WordPress date permalinks: /YYYY/MM/DD/slug/ or /YYYY/MM/slug/.
WP_POST_RE = re.compile(r"^/\d{4}/\d{2}/(?:\d{2}/)?(?!page/)[^/]+/?$")
#: Date archives: /YYYY/, /YYYY/MM/, /YYYY/MM/DD/, Blogger /YYYY_MM_DD_archive.html.
DATE_ARCHIVE_RE = re.compile(r"^/\d{4}(?:/\d{2}(?:/\d{2})?)?/?$|_archive\.html$")
#: Listing pages: pagination, authors, WordPress taxonomy, Blogger labels and "older posts".
ARCHIVE_RE = re.compile(r"/page/\d+/?$|/author/|/archives?/|/(?:category|tag|topics?|label|labels)/|/search/label/", re.I)
#: Calendars and other parameter-driven listings that can go on for ever.
CALENDAR_RE = re.compile(r"/calendar|/events?/|[?&](?:date|month|year|day|ical|tribe-bar-date|paged|updated-max|"
                         r"updated-min|published-max|start-index|max-results|by-date)=", re.I)
#: Search result pages (never followed: they are endless and repeat posts).
SEARCH_RE = re.compile(r"^/search/?$|[?&](?:s|q|search)=", re.I)
#: Attachment and media pages (WordPress ?attachment_id=, /attachment/ slugs).
ATTACHMENT_RE = re.compile(r"[?&]attachment_id=|/attachment/|/wp-content/uploads/", re.I)
#: Pages of the blog engine itself: login, admin, comment posting, share buttons.
ENGINE_RE = re.compile(r"/wp-(?:admin|login|json|includes)|/xmlrpc\.php|/comment-page-|/trackback/?$|/share|"
                       r"/cdn-cgi/|/feeds/\d+/comments|/b/post-preview|/(?:p|page)/(?:privacy|contact|about)", re.I)
#: Static pages (Blogger /p/…): not posts, but worth a look for links.
STATIC_RE = re.compile(r"^/p/[^/]+\.html$")


def _clean_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
             if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)]
    return urlencode(sorted(pairs), doseq=True)


@lru_cache(maxsize=65536)
def normalize_url(url: str) -> str:
    """One spelling per address: the key for deduplication and the store's fallback canonical URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/%:@!$&'()*+,;=~-._")
    path = re.sub(r"/{2,}", "/", path)
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def in_domains(url: str, domains: list[str]) -> bool:
    """True when the URL's host is one of ``domains`` or a subdomain of one."""
    host = host_of(url)
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


@lru_cache(maxsize=65536)
def url_kind(url: str) -> str:
    """What a link most likely points to, from its address alone.

    One of: ``asset``, ``sitemap``, ``feed``, ``engine``, ``attachment``, ``search``, ``calendar``,
    ``archive``, ``post``, ``static``, ``home``, ``other`` (``other`` may still be a post: WordPress
    ``/%postname%/`` permalinks look like any page, so the page decides).
    """
    parts = urlsplit(url)
    path, query = parts.path or "/", parts.query
    full = path + ("?" + query if query else "")
    if SITEMAP_RE.search(path):
        return "sitemap"
    if ASSET_RE.search(path):
        return "asset"
    for kind, pattern in (("feed", FEED_RE), ("engine", ENGINE_RE),
                          ("attachment", ATTACHMENT_RE), ("search", SEARCH_RE), ("calendar", CALENDAR_RE)):
        if pattern.search(full):
            return kind
    if DATE_ARCHIVE_RE.search(path) or ARCHIVE_RE.search(path):
        return "archive"
    if re.search(r"[?&]p=\d+", full) or BLOGGER_POST_RE.match(path) or WP_POST_RE.match(path):
        return "post"
    if STATIC_RE.match(path):
        return "static"
    if path == "/" and not query:
        return "home"
    return "other"


def matches_any(url: str, patterns: list[re.Pattern]) -> bool:
    return any(p.search(url) for p in patterns)
