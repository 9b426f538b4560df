"""The crawl's small parts without a crawl: URL normalisation and kinds, near-duplicates, Retry-After,
settings layering, JOBDIR bookkeeping and the progress table."""

from __future__ import annotations

import json

import pytest

from audit.sites import SiteConfig
from crawler.dedupe import NearDuplicateIndex, distance, simhash, to_hex
from crawler.middlewares import BlockedSiteMiddleware, retry_after_seconds
from crawler.runner import (
    SiteRun, close_jobdir, earlier_runs, final_table, prepare_jobdir, project_settings, site_settings,
)
from crawler.urls import in_domains, normalize_url, url_kind


@pytest.mark.parametrize("url, expected", [
    ("HTTPS://Blog.Example:443/a/b/?utm_source=x&utm_medium=y#frag", "https://blog.example/a/b/"),
    ("https://blog.example/2024/05/post.html?m=1", "https://blog.example/2024/05/post.html"),
    ("https://blog.example/p?b=2&a=1&fbclid=zz&gclid=1", "https://blog.example/p?a=1&b=2"),
    ("http://blog.example:80//x//y", "http://blog.example/x/y"),
    ("http://127.0.0.1:8737/a", "http://127.0.0.1:8737/a"),
    ("https://blog.example", "https://blog.example/"),
    ("https://blog.example/caf%C3%A9/", "https://blog.example/caf%C3%A9/"),
    ("https://blog.example/2024/01/x/?replytocom=12#respond", "https://blog.example/2024/01/x/"),
])
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url, kind", [
    ("https://b.example/2024/05/scalp-microneedling.html", "post"),
    ("https://b.example/2024/05/21/rosemary-oil/", "post"),
    ("https://b.example/?p=123", "post"),
    ("https://b.example/2024/05/", "archive"),
    ("https://b.example/2024/", "archive"),
    ("https://b.example/2024/05/page/2/", "archive"),
    ("https://b.example/page/3/", "archive"),
    ("https://b.example/tag/serum/", "archive"),
    ("https://b.example/category/hair-loss/", "archive"),
    ("https://b.example/search/label/Acne", "archive"),
    ("https://b.example/author/lena/", "archive"),
    ("https://b.example/search?updated-max=2024-02-05T21:10:00-07:00&max-results=6", "calendar"),
    ("https://b.example/calendar/?month=2024-01", "calendar"),
    ("https://b.example/?s=serum", "search"),
    ("https://b.example/search?q=acne", "search"),
    ("https://b.example/?attachment_id=5", "attachment"),
    ("https://b.example/wp-content/uploads/2024/05/a.jpg", "asset"),
    ("https://b.example/files/guide.pdf", "asset"),
    ("https://b.example/feed/", "feed"),
    ("https://b.example/feeds/posts/default?alt=rss", "feed"),
    ("https://b.example/wp-sitemap.xml", "sitemap"),
    ("https://b.example/sitemap-posts.xml.gz", "sitemap"),
    ("https://b.example/wp-login.php", "engine"),
    ("https://b.example/p/about.html", "engine"),
    ("https://b.example/p/skincare-glossary.html", "static"),
    ("https://b.example/", "home"),
    ("https://b.example/my-favourite-serum/", "other"),
])
def test_url_kind(url, kind):
    assert url_kind(url) == kind


def test_in_domains_includes_subdomains_only():
    assert in_domains("https://www.blog.example/x", ["blog.example"])
    assert not in_domains("https://evilblog.example/x", ["blog.example"])
    assert not in_domains("mailto:x@blog.example", ["blog.example"])


TEXT = " ".join(f"word{i % 97} serum{i % 13} scalp{i % 7}" for i in range(200))


def test_simhash_near_and_far():
    base = simhash(TEXT)
    edited = simhash(TEXT.replace("word5 ", "changed ", 1))
    other = simhash(" ".join(f"other{i % 89} text{i % 11}" for i in range(300)))
    assert base is not None and distance(base, edited) <= 6 and distance(base, other) > 12
    assert simhash("too short") is None
    assert len(to_hex(base)) == 16


def test_near_duplicate_index_ignores_the_page_itself():
    index = NearDuplicateIndex()
    index.add("https://b.example/a", simhash(TEXT))
    near = simhash(TEXT.replace("word5 ", "changed ", 1))
    assert index.find("https://b.example/b", near) == "https://b.example/a"
    assert index.find("https://b.example/a", near) is None
    assert index.find("https://b.example/c", simhash(" ".join(f"x{i % 50} y{i % 9}" for i in range(300)))) is None


def test_retry_after_seconds_and_http_dates():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize("status, body, headers, refused", [
    (403, b"nope", {}, True),
    (200, b"<html><title>Just a moment...</title></html>", {}, True),
    (503, b"<script src='/cdn-cgi/challenge-platform/x.js'></script>", {}, True),
    (200, b"<p>We use a captcha on our contact form.</p>", {}, False),
    (200, b"ok", {"cf-mitigated": "challenge"}, True),
    (404, b"not found", {}, False),
])
def test_refusals_and_challenges(status, body, headers, refused):
    from scrapy.http import HtmlResponse

    response = HtmlResponse(url="https://b.example/", status=status, body=body, headers=headers)
    assert BlockedSiteMiddleware.is_refusal(response) is refused


def test_settings_layers(monkeypatch):
    monkeypatch.setenv("SKINAUDIT_CRAWL_SETTINGS", json.dumps({"DOWNLOAD_TIMEOUT": 3}))
    base = project_settings({"SKINAUDIT_CONTACT": "ops@example.org"})
    assert base.getbool("ROBOTSTXT_OBEY") and base.getint("DOWNLOAD_TIMEOUT") == 3
    assert "ops@example.org" in base["USER_AGENT"] and base["USER_AGENT"].startswith("skinaudit/")
    site = SiteConfig(name="s", start_urls=["https://b.example/"], max_pages=10, delay=2.5)
    per_site = site_settings(base, site, None)
    assert per_site.getint("CLOSESPIDER_PAGECOUNT") == 10 and per_site.getfloat("DOWNLOAD_DELAY") == 2.5


def test_jobdir_kept_after_a_clean_stop_discarded_after_a_kill(tmp_path):
    jobdir = tmp_path / "site"
    assert prepare_jobdir(jobdir, 1) == "fresh"
    (jobdir / "requests.queue").mkdir()
    close_jobdir(jobdir, "shutdown")  # Ctrl-C: Scrapy saved the queue
    assert prepare_jobdir(jobdir, 2) == "resumed" and (jobdir / "requests.queue").exists()
    assert earlier_runs(jobdir, 2) == [1]  # run 1's pages count as seen by run 2
    # killed: the marker still says "running"
    assert prepare_jobdir(jobdir, 3) == "discarded" and not (jobdir / "requests.queue").exists()
    close_jobdir(jobdir, "finished")
    assert not jobdir.exists()


def test_final_table():
    run = SiteRun(site=SiteConfig(name="glow", start_urls=["https://b.example/"]), reason="finished",
                  counts={"fetched": 40, "new": 14, "duplicates": 1})
    table = final_table([run])
    assert table.splitlines()[0].split()[:3] == ["site", "fetched", "new"]
    assert table.splitlines()[1].split() == ["glow", "40", "14", "0", "0", "0", "1", "0", "0", "finished"]


def test_start_urls_may_be_sitemaps_feeds_or_pages():
    import asyncio

    from crawler.spiders.blog import BlogSpider

    site = SiteConfig(name="s", start_urls=["https://b.example/wp-sitemap.xml", "https://b.example/feed/",
                                            "https://b.example/"])
    spider = BlogSpider(site)

    async def collect():
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    callbacks = [(r.url, r.callback.__name__) for r in requests]
    assert callbacks == [
        ("https://b.example/robots.txt", "parse_robots"),
        ("https://b.example/wp-sitemap.xml", "parse_sitemap"),
        ("https://b.example/feed/", "parse_feed"),
        ("https://b.example/", "parse_page"),
    ]


def test_crawl_exits_2_on_an_unusable_sites_file(tmp_path, capsys):
    from audit.cli import main

    assert main(["crawl", "--sites", str(tmp_path / "nope.toml"), "--store", str(tmp_path / "s.sqlite")]) == 2
    assert "no such sites file" in capsys.readouterr().err
