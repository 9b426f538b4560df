"""A generated WordPress-like blog with crawler traps, served on 127.0.0.1 for the crawl tests and
the crawl benchmark (standard library only).

Two virtual hosts on one port:

* ``http://127.0.0.1:PORT``  the blog: ``posts`` generated posts with ETag / Last-Modified (304 on a
  match), a gzip sitemap with lastmod behind a sitemap index, an RSS feed, a home page with
  pagination, tags and, when ``traps`` is on: a redirect loop, an infinite calendar, a 500, a
  timeout, a slow post, a 503-then-200 post with Retry-After, a robots.txt Disallow and
  Crawl-delay, a gzip bomb, a PDF served at a post-like address, posts with a windows-1252 meta
  charset / no charset / a wrong header charset, a sitemap with broken XML, one post under several
  URLs (tracking parameters, ``?m=1``, an AMP copy with a canonical link) and a near-duplicate post.
* ``http://localhost:PORT``  a fortress: 403 to everything.

``site.edit(n)`` changes post n (new body, new lastmod), ``site.remove(n)`` makes it 404 and drops it
from the sitemap; ``site.hits`` logs every request as (host, path, monotonic time, status).
"""

from __future__ import annotations

import gzip
import hashlib
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

WORDS = (
    "skin scalp serum retinol niacinamide barrier moisture routine cleanser sunscreen acne pores texture "
    "hydration ceramide peptide vitamin night morning layer gentle exfoliate redness calm oil dry "
    "sensitive follicle shedding density minoxidil massage rosemary ketoconazole shampoo conditioner "
    "week month result patience patch test dermatologist study journal evidence trial review note "
    "bottle texture scent price pump apply rinse towel pillow diet sleep stress water"
).split()
BASE_DATE = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
ACCENTED = "Crème brûlée for the skin: café-au-lait spots and naïve routines"


@dataclass
class Hit:
    host: str
    path: str
    at: float
    status: int
    agent: str = ""


def words_for(seed: int, n: int) -> str:
    return " ".join(random.Random(seed).choices(WORDS, k=n))


class Blog:
    """The content of the generated blog (no HTTP here)."""

    def __init__(self, posts: int, traps: bool, crawl_delay: float, sitemaps: bool, words: int):
        self.n = posts
        self.traps = traps
        self.crawl_delay = crawl_delay
        self.sitemaps = sitemaps
        self.words = words
        self.versions: dict[int, int] = {}
        self.removed: set[int] = set()
        self.flaky_served = 0
        self._paths = {self.post_path(i): i for i in range(1, posts + 1)}
        self._html: dict[tuple[int, int, int], bytes] = {}

    # -- addresses ------------------------------------------------------------------------

    @staticmethod
    def date(i: int) -> datetime:
        return BASE_DATE + timedelta(days=i)

    def post_path(self, i: int) -> str:
        d = self.date(i)
        return f"/{d:%Y/%m/%d}/post-{i}/"

    def post_ids(self) -> list[int]:
        return [i for i in range(1, self.n + 1) if i not in self.removed]

    def post_at(self, path: str) -> int | None:
        i = self._paths.get(path)
        return None if i is None or i in self.removed else i

    def lastmod(self, i: int) -> datetime:
        return self.date(i) + timedelta(hours=self.versions.get(i, 0))

    #: Trap posts: path -> (title, kind)
    TRAP_POSTS = {
        "/2024/06/01/slow-post/": "A slow post",
        "/2024/06/02/flaky-post/": "A post behind a 503",
        "/2024/06/03/latin1-post/": "A windows-1252 post",
        "/2024/06/04/nocharset-post/": "A post without a charset",
        "/2024/06/05/wrong-charset-post/": "A post with a wrong charset",
        "/2024/06/06/near-dup-post/": "A near-duplicate post",
    }

    def expected_posts(self) -> set[str]:
        """Paths of the posts a correct crawl stores (near-duplicate: post-3 or its copy, see tests)."""
        paths = {self.post_path(i) for i in self.post_ids()}
        if self.traps:
            paths |= set(self.TRAP_POSTS) - {"/2024/06/06/near-dup-post/"}
        return paths

    # -- pages ----------------------------------------------------------------------------

    def page(self, base: str, title: str, body: str, *, classes: str, canonical: str | None = None,
             extra_head: str = "", charset_meta: str = '<meta charset="utf-8">') -> str:
        canonical_tag = f'<link rel="canonical" href="{base}{canonical}">' if canonical else ""
        og = '<meta property="og:type" content="article">' if "single" in classes else ""
        return (f"<!DOCTYPE html><html lang=en><head>{charset_meta}<title>{title}</title>{canonical_tag}{og}"
                f'<meta name="generator" content="WordPress 6.5">'
                f'<link rel="alternate" type="application/rss+xml" href="{base}/feed/">{extra_head}</head>'
                f'<body class="{classes}"><header><nav><a href="{base}/">Home</a> <a href="{base}/about/">About</a>'
                f' <a href="{base}/tag/serum/">Serums</a></nav></header><main>{body}</main>'
                f'<aside><h3>Recent posts</h3>{self.recent(base)}</aside>'
                f'<footer>Theme by <a href="https://wordpress.org/">WordPress</a></footer></body></html>')

    def recent(self, base: str) -> str:
        ids = [i for i in range(self.n, 0, -1) if i not in self.removed][:5][::-1]
        return "<ul>" + "".join(f'<li><a href="{base}{self.post_path(i)}">Post {i}</a></li>' for i in ids) + "</ul>"

    def post_body(self, i: int) -> str:
        text = words_for(i, self.words)
        version = self.versions.get(i, 0)
        update = f"<p>Update {version}: {words_for(10_000 + i * 7 + version, 60)}</p>" if version else ""
        return f"<p>{text}</p>{update}"

    def post_html(self, base: str, i: int) -> str:
        path = self.post_path(i)
        body = (f'<article class="post hentry"><h1>Post {i}</h1><time datetime="{self.date(i):%Y-%m-%d}">'
                f"{self.date(i):%d %b %Y}</time><div class=\"entry-content\">{self.post_body(i)}</div>"
                f'<p><a href="{base}/tag/serum/">serum</a></p></article>')
        nav = ""
        if i > 1:
            nav += f'<a rel="prev" href="{base}{self.post_path(i - 1)}">Previous</a>'
        if i < self.n:
            nav += f' <a rel="next" href="{base}{self.post_path(i + 1)}">Next</a>'
        return self.page(base, f"Post {i}", body + nav, classes=f"single single-post postid-{i}", canonical=path)

    def listing(self, base: str, ids: list[int], title: str, classes: str, more: str = "") -> str:
        entries = "".join(
            f'<article class="post hentry"><h2><a href="{base}{self.post_path(i)}">Post {i}</a></h2>'
            f"<p>{words_for(i, 20)}</p></article>" for i in ids)
        return self.page(base, title, entries + more, classes=classes)

    def home(self, base: str, page_no: int = 1) -> str:
        ids = list(reversed(self.post_ids()))
        chunk = ids[(page_no - 1) * 10: page_no * 10]
        more = ""
        if page_no * 10 < len(ids):
            more += f'<a class="next" href="{base}/page/{page_no + 1}/">Older posts</a>'
        if page_no == 1 and self.traps:
            more += self.trap_links(base)
        return self.listing(base, chunk, "Home", "home blog" if page_no == 1 else "blog paged", more)

    def trap_links(self, base: str) -> str:
        links = [
            "/redirect-loop/", "/error-500/", "/timeout-post/", "/bomb/", "/private/secret-post/",
            "/calendar/?month=2024-01", "/search?s=serum", "/?attachment_id=5", "/files/guide.pdf",
            "/2024/06/07/report/",
            "/2024/01/02/post-1/?utm_source=newsletter&utm_medium=email#comments", "/2024/01/02/post-1/?m=1",
            "/amp/post-2/", *self.TRAP_POSTS,
        ]
        out = "".join(f'<a href="{base}{link}">{link}</a> ' for link in links)
        host = urlsplit(base)
        return out + f'<a href="http://localhost:{host.port}/">a friend</a>'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "CrawlSite._Server"

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def do_GET(self):  # noqa: N802
        site: CrawlSite = self.server.site
        host = (self.headers.get("Host") or "").split(":")[0]
        status, headers, body, delay = site.respond(host, self.path, self.headers)
        site.hits.append(Hit(host, self.path, time.monotonic(), status, self.headers.get("User-Agent", "")))
        if delay:
            time.sleep(delay)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class CrawlSite:
    """The test server (a context manager): ``.url`` the blog, ``.fortress_url`` the 403 site."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        site: "CrawlSite"

    def __init__(self, *, posts: int = 8, traps: bool = True, crawl_delay: float = 0.0, sitemaps: bool = True,
                 words: int = 300) -> None:
        self.blog = Blog(posts, traps, crawl_delay, sitemaps, words)
        self.hits: list[Hit] = []
        self.httpd = self._Server(("127.0.0.1", 0), Handler)
        self.httpd.site = self
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.fortress_url = f"http://localhost:{self.port}"
        self._bomb = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def __enter__(self) -> "CrawlSite":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def edit(self, i: int) -> None:
        self.blog.versions[i] = self.blog.versions.get(i, 0) + 1

    def remove(self, i: int) -> None:
        self.blog.removed.add(i)

    def paths(self, host: str = "127.0.0.1") -> list[str]:
        return [hit.path for hit in self.hits if hit.host == host]

    # -- responses ------------------------------------------------------------------------

    @staticmethod
    def html(text: str, charset: str = "utf-8", status: int = 200, header_charset: str | None = "utf-8"):
        ctype = "text/html" + (f"; charset={header_charset}" if header_charset else "")
        return status, {"Content-Type": ctype}, text.encode(charset), 0.0

    @staticmethod
    def conditional(body: bytes, ctype: str, modified: datetime, request_headers):
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if request_headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b"", 0.0
        return 200, headers, body, 0.0

    def respond(self, host: str, target: str, request_headers):
        if host == "localhost":
            return 403, {"Content-Type": "text/html"}, b"<html><title>403 Forbidden</title>Go away</html>", 0.0
        blog, base = self.blog, self.url
        parts = urlsplit(target)
        path, query = parts.path, parts.query
        if path == "/robots.txt":
            lines = ["User-agent: *", "Disallow: /private/"]
            if blog.crawl_delay:
                lines.append(f"Crawl-delay: {blog.crawl_delay}")
            if blog.sitemaps:
                lines.append(f"Sitemap: {base}/sitemap_index.xml")
                if blog.traps:
                    lines.append(f"Sitemap: {base}/broken-sitemap.xml")
            return 200, {"Content-Type": "text/plain"}, ("\n".join(lines) + "\n").encode(), 0.0
        if blog.sitemaps and path == "/sitemap_index.xml":
            body = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9"><sitemap><loc>{base}/sitemap-posts.xml.gz</loc></sitemap>'
                    f"<sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap></sitemapindex>")
            return 200, {"Content-Type": "application/xml"}, body.encode(), 0.0
        if blog.sitemaps and path == "/sitemap-posts.xml.gz":
            rows = "".join(f"<url><loc>{base}{blog.post_path(i)}</loc><lastmod>{blog.lastmod(i).isoformat()}</lastmod>"
                           "</url>" for i in blog.post_ids())
            xml = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   + rows + "</urlset>")
            return 200, {"Content-Type": "application/x-gzip"}, gzip.compress(xml.encode(), 5), 0.0
        if blog.sitemaps and path == "/sitemap-pages.xml":
            body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{base}/</loc></url><url><loc>{base}/about/</loc></url></urlset>")
            return 200, {"Content-Type": "application/xml"}, body.encode(), 0.0
        if blog.sitemaps and blog.traps and path == "/broken-sitemap.xml":
            body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{base}/2024/06/01/slow-post/</loc></url><url><loc>{base}/2024/06/02/flaky-post/</loc>"
                    "</url><url><loc>&broken; <<<</url></urlset")
            return 200, {"Content-Type": "application/xml"}, body.encode(), 0.0
        if path == "/feed/":
            items = "".join(f"<item><title>Post {i}</title><link>{base}{blog.post_path(i)}</link></item>"
                            for i in blog.post_ids()[-5:])
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode(), 0.0
        if path == "/":
            if query:  # ?attachment_id=5 and other parameter pages
                return self.html(blog.page(base, "Attachment", "<img src=x>", classes="attachment single"))
            return self.html(blog.home(base))
        if path.startswith("/page/"):
            page_no = int(path.strip("/").split("/")[-1] or 1)
            return self.html(blog.home(base, page_no))
        if path == "/tag/serum/":
            return self.html(blog.listing(base, blog.post_ids()[:5], "Serums", "archive tag"))
        if path == "/about/":
            return self.html(blog.page(base, "About", "<p>About this blog.</p>", classes="page page-template-default"))
        i = blog.post_at(path)
        if i is not None:
            key = (i, blog.versions.get(i, 0), len(blog.removed))
            body = blog._html.get(key)
            if body is None:
                body = blog._html[key] = blog.post_html(base, i).encode("utf-8")
            return self.conditional(body, "text/html; charset=utf-8", blog.lastmod(i), request_headers)
        if blog.traps:
            trap = self.trap(path, query, base)
            if trap is not None:
                return trap
        return 404, {"Content-Type": "text/html"}, b"<html><title>Not found</title></html>", 0.0

    def trap(self, path: str, query: str, base: str):
        blog = self.blog

        def post(title: str, text: str, **kw):
            body = f'<article><h1>{title}</h1><div class="entry-content"><p>{text}</p></div></article>'
            return blog.page(base, title, body, classes="single single-post", canonical=path, **kw)

        if path == "/redirect-loop/":
            return 302, {"Location": f"{base}/redirect-loop-2/"}, b"", 0.0
        if path == "/redirect-loop-2/":
            return 302, {"Location": f"{base}/redirect-loop/"}, b"", 0.0
        if path == "/error-500/":
            return 500, {"Content-Type": "text/html"}, b"<html>oops</html>", 0.0
        if path == "/timeout-post/":
            return 200, {"Content-Type": "text/html"}, b"<html>late</html>", 5.0
        if path == "/bomb/":
            return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, self._bomb, 0.0
        if path.startswith("/private/"):
            return self.html(post("Secret", words_for(99, 200)))
        if path.startswith("/calendar/"):
            month = query.split("=")[-1] if "=" in query else "2024-01"
            year, mon = (int(x) for x in month.split("-"))
            nxt = f"{year + mon // 12}-{mon % 12 + 1:02d}"
            prev = f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"
            body = (f'<a href="{base}/calendar/?month={nxt}">next</a> <a href="{base}/calendar/?month={prev}">prev</a>'
                    f'<a href="{base}/calendar/{year}/{mon:02d}/day/1/">day</a>')
            return self.html(blog.page(base, f"Calendar {month}", body, classes="archive date"))
        if path == "/2024/06/07/report/":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 not a web page", 0.0
        if path == "/amp/post-2/":  # the same post again, its canonical link pointing to the original
            return self.html(blog.post_html(base, 2))
        if path == "/2024/06/01/slow-post/":
            status, headers, body, _ = self.html(post("A slow post", words_for(601, 250)))
            return status, headers, body, 0.5
        if path == "/2024/06/02/flaky-post/":
            blog.flaky_served += 1
            if blog.flaky_served == 1:
                return 503, {"Content-Type": "text/html", "Retry-After": "1"}, b"<html>busy</html>", 0.0
            return self.html(post("A post behind a 503", words_for(602, 250)))
        if path == "/2024/06/03/latin1-post/":
            return self.html(post("Latin", ACCENTED + " " + words_for(603, 250),
                                  charset_meta='<meta charset="windows-1252">'), charset="cp1252", header_charset=None)
        if path == "/2024/06/04/nocharset-post/":
            return self.html(post("No charset", ACCENTED + " " + words_for(604, 250), charset_meta=""),
                             header_charset=None)
        if path == "/2024/06/05/wrong-charset-post/":
            return self.html(post("Wrong charset", ACCENTED + " " + words_for(605, 250),
                                  charset_meta=""), header_charset="iso-8859-1")
        if path == "/2024/06/06/near-dup-post/":
            text = words_for(3, blog.words).split()
            text[len(text) // 2] = "different"
            body = (f'<article class="post hentry"><h1>Post 3 (copy)</h1><div class="entry-content"><p>{" ".join(text)}'
                    "</p></div></article>")
            return self.html(blog.page(base, "Post 3 copy", body, classes="single single-post", canonical=path))
        return None


if __name__ == "__main__":  # python tests/crawlsite/server.py: serve until Ctrl-C
    with CrawlSite() as site:
        print(site.url, site.fortress_url, flush=True)
        threading.Event().wait()
