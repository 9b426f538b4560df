"""The bundled demo blogs and the demo server (``audit.demo``): discovery files, posts, spam, ground truth.

Everything runs against the local server on 127.0.0.1; nothing touches the network. Requests go to
127.0.0.1 with an explicit ``Host`` header, which is how the server picks the blog.
"""

from __future__ import annotations

import html
import http.client
import importlib.util
import json
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from audit.demo import DEFAULT_ROOT, serve_demo

EXPECTED = json.loads((DEFAULT_ROOT / "expected.json").read_text(encoding="utf-8"))
SITES = ("blogger", "wordpress")
SEED = DEFAULT_ROOT / "seed" / "scalp-microneedling-guide.txt"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROBOTS_SITEMAPS = {"blogger": ["/sitemap.xml", "/sitemap-pages.xml"], "wordpress": ["/wp-sitemap.xml"]}
SEED_SPAM_TITLES = (
    "Online Velgen Kopen: Een Gids voor de Slimme Shopper",
    "Checking out the Enchantment from the Catherine Deserts",
    "Exploring the Enchantment on the Catherine Deserts",
)


class Fetched:
    def __init__(self, resp: http.client.HTTPResponse):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.body = resp.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Client:
    """Fetches from the demo server by site key and path (or absolute URL), following no redirects."""

    def __init__(self, demo):
        self.demo = demo

    def get(self, site_or_url: str, path: str = "/", headers: dict | None = None, method: str = "GET") -> Fetched:
        if "://" in site_or_url:
            parts = urlsplit(site_or_url)
            host, target = parts.netloc, parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            host, target = urlsplit(self.demo.sites[site_or_url]).netloc, path
        conn = http.client.HTTPConnection("127.0.0.1", self.demo.port, timeout=10)
        try:
            conn.request(method, target, headers={"Host": host, **(headers or {})})
            return Fetched(conn.getresponse())
        finally:
            conn.close()


class Anchors(HTMLParser):
    """Collects <a href> values and <link rel=canonical> of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")


def anchors(page: str) -> Anchors:
    parser = Anchors()
    parser.feed(page)
    parser.close()
    return parser


def visible_text(page: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"</?(a|sup|strong|em|b|i|span)\b[^>]*>", "", text)  # inline tags: no word break
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def sitemap_locs(client: Client, url: str) -> list[str]:
    """All page URLs of a sitemap or sitemap index, recursively."""
    resp = client.get(url)
    assert resp.status == 200, url
    root = ET.fromstring(resp.body)
    locs = [el.text.strip() for el in root.iter(f"{SM}loc")]
    if root.tag == f"{SM}sitemapindex":
        return [u for loc in locs for u in sitemap_locs(client, loc)]
    return locs


@pytest.fixture(scope="module")
def demo():
    with serve_demo() as server:
        yield server


@pytest.fixture(scope="module")
def client(demo) -> Client:
    return Client(demo)


def test_sites_are_virtual_hosts_on_one_loopback_port(demo):
    assert demo.port > 0
    assert demo.sites == {"blogger": f"http://127.0.0.1:{demo.port}", "wordpress": f"http://localhost:{demo.port}"}


@pytest.mark.parametrize("site", SITES)
def test_robots_txt_names_absolute_sitemaps_on_the_right_port(client, demo, site):
    resp = client.get(site, "/robots.txt")
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    sitemaps = [line.split(":", 1)[1].strip() for line in resp.text.splitlines() if line.startswith("Sitemap:")]
    assert sitemaps == [demo.sites[site] + p for p in ROBOTS_SITEMAPS[site]]
    assert "demo.invalid" not in resp.text


@pytest.mark.parametrize("site", SITES)
def test_sitemaps_list_every_post_with_absolute_urls(client, demo, site):
    urls = [u for entry in ROBOTS_SITEMAPS[site] for u in sitemap_locs(client, demo.sites[site] + entry)]
    assert urls and all(u.startswith(demo.sites[site] + "/") for u in urls)
    posts = {demo.sites[site] + p for p in EXPECTED["sites"][site]["post_paths"]}
    assert posts <= set(urls)


@pytest.mark.parametrize("site", SITES)
def test_every_sitemap_url_answers_200_html(client, demo, site):
    urls = [u for entry in ROBOTS_SITEMAPS[site] for u in sitemap_locs(client, demo.sites[site] + entry)]
    for url in urls:
        resp = client.get(url)
        assert resp.status == 200, url
        assert resp.headers["content-type"] == "text/html; charset=utf-8", url
        assert "demo.invalid" not in resp.text, url


def test_wordpress_sitemap_xml_redirects_to_the_core_sitemap_index(client, demo):
    resp = client.get("wordpress", "/sitemap.xml")
    assert resp.status == 301
    assert resp.headers["location"] == demo.sites["wordpress"] + "/wp-sitemap.xml"


@pytest.mark.parametrize("site", SITES)
def test_post_pages_carry_their_canonical_url(client, demo, site):
    for path in EXPECTED["sites"][site]["post_paths"]:
        page = client.get(site, path).text
        assert anchors(page).canonical == demo.sites[site] + path


@pytest.mark.parametrize("site", SITES)
def test_duplicate_urls_serve_the_post_with_its_canonical(client, demo, site):
    duplicates = EXPECTED["sites"][site]["duplicates"]
    assert duplicates
    for dup, canonical in duplicates.items():
        resp = client.get(site, dup)
        assert resp.status == 200, dup
        assert anchors(resp.text).canonical == demo.sites[site] + canonical, dup


@pytest.mark.parametrize(("site", "path", "ctype"), [
    ("blogger", "/feeds/posts/default", "application/atom+xml; charset=UTF-8"),
    ("blogger", "/feeds/posts/default?alt=rss", "application/rss+xml; charset=UTF-8"),
    ("wordpress", "/feed/", "application/rss+xml; charset=UTF-8"),
])
def test_feeds_are_linked_and_served(client, demo, site, path, ctype):
    home = client.get(site, "/").text
    assert f'href="{demo.sites[site]}{path}"' in home.replace("&amp;", "&")
    resp = client.get(site, path)
    assert resp.status == 200 and resp.headers["content-type"] == ctype
    ET.fromstring(resp.body)
    assert demo.sites[site] in resp.text and "demo.invalid" not in resp.text


def test_blogger_feed_pages_with_start_index_and_max_results(client):
    full = client.get("blogger", "/feeds/posts/default").text
    page = client.get("blogger", "/feeds/posts/default?start-index=3&max-results=5").text
    entries = re.findall(r"<link rel=\"alternate\" type=\"text/html\" href=\"([^\"]+)\"", full)
    paged = re.findall(r"<link rel=\"alternate\" type=\"text/html\" href=\"([^\"]+)\"", page)
    assert len(entries) == len(EXPECTED["sites"]["blogger"]["posts"])
    assert paged == entries[2:7]
    assert "start-index=8&amp;max-results=5" in page


@pytest.mark.parametrize("site", SITES)
def test_etag_and_last_modified_give_304(client, site):
    path = EXPECTED["sites"][site]["post_paths"][0]
    first = client.get(site, path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(site, path, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    assert client.get(site, path, {"If-Modified-Since": modified}).status == 304
    assert client.get(site, path, {"If-None-Match": '"stale"'}).status == 200
    assert client.get(site, path, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200


@pytest.mark.parametrize("site", SITES)
def test_unknown_paths_get_the_themed_404(client, site):
    resp = client.get(site, "/no/such/page.html")
    assert resp.status == 404 and resp.headers["content-type"].startswith("text/html")
    assert client.get(site, "/_routes.json").status == 404
    assert client.get(site, "/../sites.json").status == 404


def test_head_and_directory_redirect(client, demo):
    assert client.get("wordpress", "/", method="HEAD").body == b""
    resp = client.get("wordpress", "/category/hair-loss")
    assert resp.status == 301 and resp.headers["location"] == demo.sites["wordpress"] + "/category/hair-loss/"


def test_archives_paginate(client):
    for site in SITES:
        archives = EXPECTED["sites"][site]["archives"]
        paged = [a for a in archives if "/page/" in a or "updated-max=" in a]
        assert paged, site
        for path in archives:
            assert client.get(site, path).status == 200, (site, path)


def test_seed_post_has_the_seed_text_and_its_spam_block(client):
    seed = next(p for p in EXPECTED["sites"]["blogger"]["posts"] if p["seed"])
    page = client.get("blogger", seed["path"]).text
    body = page[page.index('class="post-body'):page.index('class="post-footer"')]
    body_text = visible_text("<div " + body)
    seed_text = SEED.read_text(encoding="utf-8")
    article = seed_text[seed_text.index("In recent years"):seed_text.index("\nComments")]
    for paragraph in (p.strip() for p in article.split("\n\n") if p.strip()):
        for line in paragraph.splitlines():
            assert " ".join(line.split()).removeprefix("1. ").removeprefix("2. ").removeprefix("3. ") in body_text
    assert not any(title in body_text for title in SEED_SPAM_TITLES)
    popular = page[page.index("Popular posts from this blog"):]
    for title in SEED_SPAM_TITLES:
        assert title in popular
    assert all(h in anchors(page).hrefs for h in seed["spam_links"])


@pytest.mark.parametrize("site", SITES)
def test_expected_spam_links_are_exactly_the_spam_anchors_of_each_post(client, site):
    posts = EXPECTED["sites"][site]["posts"]
    spam_vocabulary = {h for p in posts for h in p["spam_links"]}
    for post in posts:
        hrefs = anchors(client.get(site, post["path"]).text).hrefs
        found = Counter(h for h in hrefs if h in spam_vocabulary)
        assert found == Counter(post["spam_links"]), post["path"]


@pytest.mark.parametrize("site", SITES)
def test_expected_claim_sentences_are_in_the_post_text(client, site):
    for post in EXPECTED["sites"][site]["posts"]:
        text = visible_text(client.get(site, post["path"]).text)
        for kind, sentences in post["claims"].items():
            for sentence in sentences:
                assert sentence in text, (post["path"], kind, sentence)


def test_expected_json_agrees_with_the_files():
    totals = EXPECTED["totals"]
    assert totals["posts"] >= 25
    assert totals["posts"] == sum(len(EXPECTED["sites"][s]["posts"]) for s in SITES)
    for site in SITES:
        root = DEFAULT_ROOT / site
        for path in EXPECTED["sites"][site]["post_paths"]:
            file = root / path.lstrip("/")
            assert (file / "index.html" if path.endswith("/") else file).is_file(), path
    posts = [p for s in SITES for p in EXPECTED["sites"][s]["posts"]]
    assert sum(p["seed"] for p in posts) == 1
    assert totals["posts_without_claims"] >= 3
    assert totals["posts_with_unsupported"] and totals["posts_with_hedged"] and totals["posts_with_sourced"]
    assert totals["spam_links_on_posts"] == sum(len(p["spam_links"]) for p in posts)
    for p in posts:
        kinds = [k for k in ("unsupported", "hedged", "sourced") if p[f"has_{k}"]]
        assert p["claim_kinds"] == (kinds or ["none"])


def test_sites_manifest_matches_expected():
    manifest = json.loads((DEFAULT_ROOT / "sites.json").read_text(encoding="utf-8"))
    for site in SITES:
        assert manifest[site]["host"] == EXPECTED["hosts"][site]
        assert manifest[site]["placeholder_origin"] == EXPECTED["sites"][site]["placeholder_origin"]
        assert (Path(DEFAULT_ROOT) / manifest[site]["dir"]).is_dir()


def test_site_configs_name_both_blogs(demo):
    configs = {c["name"]: c["start_urls"] for c in demo.site_configs()}
    assert configs == {"glow-skin-journal": [demo.sites["blogger"] + "/"],
                       "the-scalp-lab": [demo.sites["wordpress"] + "/"]}


def test_python_m_audit_demo_prints_the_urls_and_stops_on_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "audit.demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=DEFAULT_ROOT.parent.parent)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", lines[1]).group(1))
        assert f"http://localhost:{port}/" in lines[2]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/robots.txt", headers={"Host": f"localhost:{port}"})
        assert "wp-sitemap.xml" in conn.getresponse().read().decode()
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # reaps the process and closes its pipes


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    """The demo site generated afresh from posts.toml into a temporary folder."""
    saved_path, saved_modules = list(sys.path), set(sys.modules)
    try:
        spec = importlib.util.spec_from_file_location("demo_site_build", DEFAULT_ROOT / "build.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # puts data/demo-site on sys.path to import its gen package
        out = tmp_path_factory.mktemp("demo-site")
        module.build(out)
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            del sys.modules[name]
    return out


def test_committed_files_are_what_build_py_generates(rebuilt):
    for name in ("blogger", "wordpress"):
        fresh = {p.relative_to(rebuilt): p.read_bytes() for p in (rebuilt / name).rglob("*") if p.is_file()}
        committed = {p.relative_to(DEFAULT_ROOT): p.read_bytes() for p in (DEFAULT_ROOT / name).rglob("*")
                     if p.is_file()}
        assert fresh.keys() == committed.keys(), "run python data/demo-site/build.py"
        stale = sorted(str(k) for k in fresh if fresh[k] != committed[k])
        assert not stale, f"run python data/demo-site/build.py; stale: {stale[:5]}"
    for name in ("sites.json", "expected.json"):
        assert (rebuilt / name).read_bytes() == (DEFAULT_ROOT / name).read_bytes(), name


def test_a_changed_file_gets_a_new_etag(rebuilt):
    with serve_demo(root=rebuilt) as server:
        client = Client(server)
        path = EXPECTED["sites"]["wordpress"]["post_paths"][0]
        etag = client.get("wordpress", path).headers["etag"]
        file = rebuilt / "wordpress" / path.strip("/") / "index.html"
        file.write_text(file.read_text(encoding="utf-8").replace("</article>", "<p>Updated.</p></article>", 1),
                        encoding="utf-8")
        resp = client.get("wordpress", path, {"If-None-Match": etag})
        assert resp.status == 200 and resp.headers["etag"] != etag and "Updated." in resp.text
