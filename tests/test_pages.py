"""Page functions on saved bytes: no crawler, no network.

Recorded pages come from the bundled demo blogs (``data/demo-site``, real Blogger / WordPress
markup with placeholder origins); edge cases are small inline documents.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, TextResponse

from crawler.pages.article import article_item, body_text, canonical_url, encoding_of, page_kind, published_of
from crawler.pages.discovery import (
    TooLarge, feed_links, page_links, parse_feed, parse_sitemap, platform, robots_sitemaps, unpack,
)

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo-site"
BLOGGER = "https://glowskin.demo.invalid"
WORDPRESS = "https://scalplab.demo.invalid"


def demo_page(site: str, rel: str, url: str) -> HtmlResponse:
    path = DEMO / site / rel
    if not path.exists():
        pytest.skip(f"{path} is not in the demo site")
    return HtmlResponse(url=url, body=path.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})


def html(body: str, url: str = "https://blog.example/x/", ctype: str = "text/html; charset=utf-8",
         raw: bytes | None = None) -> HtmlResponse:
    return HtmlResponse(url=url, body=raw if raw is not None else body.encode("utf-8"), headers={"Content-Type": ctype})


# -- page kinds -------------------------------------------------------------------------------


@pytest.mark.parametrize("site, rel, url, kind", [
    ("blogger", "2024/05/scalp-microneedling-guide.html", f"{BLOGGER}/2024/05/scalp-microneedling-guide.html", "post"),
    ("blogger", "index.html", f"{BLOGGER}/", "listing"),
    ("blogger", "search/older-page-2.html", f"{BLOGGER}/search?updated-max=2024-02-05T21:10:00-07:00", "listing"),
    ("blogger", "search/label/acne.html", f"{BLOGGER}/search/label/Acne", "listing"),
    ("blogger", "p/about.html", f"{BLOGGER}/p/about.html", "static"),
    ("blogger", "2024/index.html", f"{BLOGGER}/2024/", "listing"),
    ("wordpress", "2023/11/14/tretinoin-and-minoxidil/index.html",
     f"{WORDPRESS}/2023/11/14/tretinoin-and-minoxidil/", "post"),
    ("wordpress", "index.html", f"{WORDPRESS}/", "listing"),
    ("wordpress", "page/2/index.html", f"{WORDPRESS}/page/2/", "listing"),
    ("wordpress", "category/hair-care/index.html", f"{WORDPRESS}/category/hair-care/", "listing"),
    ("wordpress", "about/index.html", f"{WORDPRESS}/about/", "static"),
])
def test_page_kind_on_demo_pages(site, rel, url, kind):
    assert page_kind(demo_page(site, rel, url)) == kind


@pytest.mark.parametrize("doc, url, kind", [
    ('<body class="attachment single attachmentid-5"><img src=x></body>', "https://b.example/?attachment_id=5",
     "attachment"),
    ('<head><meta property="og:type" content="article"></head><body><h1>T</h1><p>x</p></body>',
     "https://b.example/my-post/", "post"),
    ('<head><script type="application/ld+json">{"@graph": [{"@type": "BlogPosting"}]}</script></head><body>x</body>',
     "https://b.example/my-post/", "post"),
    ("<body><article>a</article><article>b</article><article>c</article></body>", "https://b.example/whatever/",
     "listing"),
    ("<body><p>x</p></body>", "https://b.example/2024/05/slug.html", "post"),
    ("<body><p>x</p></body>", "https://b.example/tag/serum/", "listing"),
    ("<body><p>short</p></body>", "https://b.example/contact-us/", "other"),
])
def test_page_kind_from_markup_then_address(doc, url, kind):
    assert page_kind(html(doc, url)) == kind


# -- canonical URL, item fields ----------------------------------------------------------------


def test_mobile_copy_resolves_to_the_canonical_post():
    url = f"{BLOGGER}/2024/05/scalp-microneedling-guide.html"
    response = demo_page("blogger", "2024/05/scalp-microneedling-guide.html", url + "?m=1")
    assert canonical_url(response, ["glowskin.demo.invalid"]) == url


def test_offsite_canonical_is_ignored_and_the_url_normalised():
    response = html('<link rel="canonical" href="https://spam.example/x"><body>x</body>',
                    "https://Blog.Example:443/a/?utm_source=x&b=2&a=1#top")
    assert canonical_url(response, ["blog.example"]) == "https://blog.example/a/?a=1&b=2"


def test_article_item_of_the_seed_post():
    url = f"{BLOGGER}/2024/05/scalp-microneedling-guide.html"
    response = demo_page("blogger", "2024/05/scalp-microneedling-guide.html", url)
    item = article_item(response, site="glow-skin-journal", domains=["glowskin.demo.invalid"],
                        sitemap_lastmod="2024-05-01", discovered_via="sitemap")
    assert item.canonical_url == url and item.http_status == 200 and item.encoding == "utf-8"
    assert "Ultimate Guide to Skincare Treatments" in item.title
    assert item.published and len(item.published) == 10 and item.published[4] == "-"
    assert "micro-injuries" in item.body_text
    assert item.html == response.body and item.sitemap_lastmod == "2024-05-01"


def test_body_text_leaves_out_navigation_sidebars_and_scripts():
    doc = ("<body><nav>Home About</nav><article><div class='entry-content'><p>" + "word " * 60 +
           "</p><script>var x</script></div></article><aside>Popular posts</aside><footer>credit</footer></body>")
    text = body_text(html(doc))
    assert "word" in text and "Home" not in text and "Popular" not in text and "var x" not in text


@pytest.mark.parametrize("meta, expected", [
    ('<meta property="article:published_time" content="2024-03-05T10:00:00+00:00">', "2024-03-05"),
    ('<time datetime="2023-12-01">1 Dec</time>', "2023-12-01"),
    ("<p>no date</p>", None),
])
def test_published_date(meta, expected):
    assert published_of(html(f"<head></head><body>{meta}</body>")) == expected


def test_encoding_wrong_header_charset_on_utf8_bytes():
    raw = "<p>Crème brûlée</p>".encode("utf-8")
    assert encoding_of(html("", ctype="text/html; charset=iso-8859-1", raw=raw)) == "utf-8"


def test_encoding_meta_windows_1252():
    raw = '<meta charset="windows-1252"><p>Crème</p>'.encode("cp1252")
    response = html("", ctype="text/html", raw=raw)
    assert raw.decode(encoding_of(response)).endswith("Crème</p>")


def test_encoding_latin1_header_on_latin1_bytes_is_kept():
    raw = "<p>Crème</p>".encode("latin-1")
    assert encoding_of(html("", ctype="text/html; charset=iso-8859-1", raw=raw)) in ("cp1252", "iso8859-1")


# -- discovery ---------------------------------------------------------------------------------


def test_robots_sitemap_lines():
    text = (DEMO / "blogger" / "robots.txt").read_text()
    assert robots_sitemaps(text, f"{BLOGGER}/robots.txt") == [f"{BLOGGER}/sitemap.xml", f"{BLOGGER}/sitemap-pages.xml"]
    assert robots_sitemaps("user-agent: *\nsitemap: /s.xml\nSITEMAP: /s.xml\n", "https://b.example/robots.txt") == [
        "https://b.example/s.xml"]


def test_sitemap_index_and_urlset_of_the_demo():
    index = parse_sitemap((DEMO / "wordpress" / "wp-sitemap.xml").read_bytes(), f"{WORDPRESS}/wp-sitemap.xml")
    assert index.kind == "sitemapindex" and any("posts-post-1" in loc for loc, _ in index.entries)
    posts = parse_sitemap((DEMO / "wordpress" / "wp-sitemap-posts-post-1.xml").read_bytes(), WORDPRESS)
    assert posts.kind == "urlset" and len(posts.entries) == 13 and all(mod for _, mod in posts.entries)


def test_gzip_sitemap_and_bounded_unpacking(monkeypatch):
    xml = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a</loc></url></urlset>'
    assert parse_sitemap(gzip.compress(xml), "https://b.example/s.xml.gz").entries == [("https://b.example/a", None)]
    monkeypatch.setattr("crawler.pages.discovery.MAX_XML_BYTES", 1000)
    with pytest.raises(TooLarge):
        unpack(gzip.compress(b"\0" * 100_000))


def test_broken_sitemap_is_recovered():
    body = (b'<?xml version="1.0"?><urlset><url><loc>https://b.example/one/</loc><lastmod>2024-01-01</lastmod></url>'
            b"<url><loc>https://b.example/two/</loc></url><url><loc>&broken; <<<</url></urlset")
    sitemap = parse_sitemap(body, "https://b.example/s.xml")
    assert sitemap.kind == "urlset"
    assert ("https://b.example/one/", "2024-01-01") in sitemap.entries
    assert ("https://b.example/two/", None) in sitemap.entries


def test_sitemap_entities_are_not_expanded():
    body = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>https://b.example/&e;</loc></url></urlset>")
    for loc, _ in parse_sitemap(body, "https://b.example/s.xml").entries:
        assert "root:" not in loc


def test_not_a_sitemap():
    assert parse_sitemap(b"<html><body>404</body></html>", "https://b.example/sitemap.xml").entries == []


def test_blogger_atom_feed_and_its_start_index_pagination():
    body = (DEMO / "blogger" / "feeds" / "posts" / "default.xml").read_bytes()
    feed = parse_feed(body, f"{BLOGGER}/feeds/posts/default")
    assert feed.entries and all(url.endswith(".html") for url, _ in feed.entries)
    atom = (b"<feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'>"
            b"<openSearch:totalResults>300</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex>"
            b"<openSearch:itemsPerPage>150</openSearch:itemsPerPage>"
            b"<entry><link rel='replies' href='/c'/><link rel='alternate' href='/2024/01/a.html'/></entry></feed>")
    page = parse_feed(atom, "https://b.example/feeds/posts/default?max-results=150&start-index=1")
    assert page.entries == [("https://b.example/2024/01/a.html", None)]
    assert page.next_url == "https://b.example/feeds/posts/default?max-results=150&start-index=151"
    last = parse_feed(atom.replace(b">1</openSearch:startIndex", b">151</openSearch:startIndex"),
                      "https://b.example/feeds/posts/default?start-index=151")
    assert last.next_url is None


def test_wordpress_rss_feed():
    feed = parse_feed((DEMO / "wordpress" / "feed" / "index.xml").read_bytes(), f"{WORDPRESS}/feed/")
    assert len(feed.entries) == 10 and all(url.startswith(WORDPRESS) for url, _ in feed.entries)


def test_feed_links_platform_and_page_links():
    url = f"{BLOGGER}/2024/05/scalp-microneedling-guide.html"
    response = demo_page("blogger", "2024/05/scalp-microneedling-guide.html", url)
    assert f"{BLOGGER}/feeds/posts/default" in feed_links(response)
    assert platform(response) == "blogger"
    assert platform(demo_page("wordpress", "index.html", WORDPRESS + "/")) == "wordpress"
    links = page_links(html('<a href="/a#x">a</a><a href="mailto:x@y">m</a><a href="#top">t</a>'
                            '<link rel="next" href="/page/2/">', "https://b.example/"))
    assert links == ["https://b.example/a", "https://b.example/page/2/"]


def test_non_html_text_response_has_no_platform():
    assert platform(TextResponse(url="https://b.example/robots.txt", body=b"User-agent: *")) == "unknown"
