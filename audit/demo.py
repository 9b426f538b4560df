"""The demo server: serves the bundled demo blogs (``data/demo-site/``) on 127.0.0.1, standard library only.

One port, two virtual hosts chosen by the ``Host`` header (``data/demo-site/sites.json``):
``127.0.0.1:PORT`` is the Blogger-like "Glow Skin Journal", ``localhost:PORT`` the WordPress-like
"The Scalp Lab". The files are written with placeholder origins (``https://glowskin.demo.invalid``,
``https://scalplab.demo.invalid``); every HTML/XML/text response has them replaced with the real
``http://host:port``, so canonical links, sitemaps and feeds are absolute and correct.

What it does, like the real platforms:

* ``/dir/`` serves ``dir/index.html``; ``/dir`` redirects to ``/dir/``; unknown paths get the site's
  themed ``404.html`` with status 404; files whose name starts with ``_`` are never served;
* URLs with a query string go through the site's ``_routes.json`` (Blogger ``/search?updated-max=…``
  pagination, ``/search/label/…``, ``/feeds/posts/default?alt=rss``, ``/sitemap.xml?page=1``,
  WordPress redirects such as ``/sitemap.xml`` → ``/wp-sitemap.xml``); any other query parameter
  (``?m=1``, ``utm_*``) is ignored, so such URLs are duplicates of the page, told apart by canonical;
* the Blogger Atom feed honours ``start-index`` and ``max-results``;
* ``ETag`` (hash of the body) and ``Last-Modified`` (file mtime), with ``304 Not Modified`` on
  ``If-None-Match`` / ``If-Modified-Since``; files are read on every request, so editing a copy of the
  site (``serve_demo(root=copy)``) changes what is served (handy for incremental-crawl tests).

Use::

    with serve_demo() as demo:
        demo.sites          # {"blogger": "http://127.0.0.1:PORT", "wordpress": "http://localhost:PORT"}
        demo.url("wordpress", "/wp-sitemap.xml")

or ``python -m audit.demo [--port N]`` (serves until Ctrl-C).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

log = logging.getLogger(__name__)

#: The bundled demo site (``data/demo-site`` next to the ``audit`` package in a source checkout).
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "data" / "demo-site"
BIND = "127.0.0.1"

#: Content types by file suffix; ``.xml`` is refined by sniffing (Atom, RSS or plain XML).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
}
TEXT_SUFFIXES = {".html", ".xml", ".txt", ".css", ".js", ".json", ".svg"}
ATOM_TYPE = "application/atom+xml; charset=UTF-8"
RSS_TYPE = "application/rss+xml; charset=UTF-8"
ENTRY_RE = re.compile(r"<entry>.*?</entry>", re.S)


@dataclass
class Site:
    """One virtual host of the demo server."""

    key: str
    host: str
    root: Path
    placeholder: str
    name: str = ""
    title: str = ""
    routes: list[dict] = field(default_factory=list)
    origin: str = ""

    def replace_origins(self, text: str, sites: list["Site"]) -> str:
        for site in sites:
            text = text.replace(site.placeholder, site.origin)
            text = text.replace(quote(site.placeholder, safe=""), quote(site.origin, safe=""))
        return text


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""


def load_sites(root: Path) -> list[Site]:
    """Read ``sites.json`` and each site's ``_routes.json``."""
    manifest = json.loads((root / "sites.json").read_text(encoding="utf-8"))
    sites = []
    for key, info in manifest.items():
        site_root = root / info["dir"]
        routes_file = site_root / "_routes.json"
        routes = json.loads(routes_file.read_text(encoding="utf-8"))["routes"] if routes_file.exists() else []
        sites.append(Site(key=key, host=info["host"], root=site_root, placeholder=info["placeholder_origin"],
                          name=info.get("name", key), title=info.get("title", key), routes=routes))
    return sites


class DemoApp:
    """Maps a request (host, target, headers) to a response; no sockets, so it is easy to test."""

    def __init__(self, sites: list[Site]):
        self.sites = sites

    def site_for(self, host_header: str | None) -> Site:
        host = (host_header or "").rsplit(":", 1)[0].strip("[]").lower() if host_header else ""
        return next((s for s in self.sites if s.host == host), self.sites[0])

    def handle(self, host_header: str | None, target: str, headers) -> Response:
        site = self.site_for(host_header)
        parts = urlsplit(target)
        path = unquote(parts.path or "/")
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        route = self.match_route(site, path, params)
        if route and route.get("redirect"):
            return Response(HTTPStatus.MOVED_PERMANENTLY, {"Location": site.origin + route["redirect"]})
        file = self.resolve(site, route["file"] if route else path)
        if file is None:
            return self.not_found(site)
        if file.is_dir():
            return Response(HTTPStatus.MOVED_PERMANENTLY, {"Location": site.origin + quote(path) + "/"})
        body, ctype = self.render(site, file, route)
        if ctype.startswith("application/atom+xml") and ({"start-index", "max-results"} & params.keys()):
            body = paginate_atom(body, params, site.origin + path)
        return self.conditional(body, ctype, file, headers)

    @staticmethod
    def match_route(site: Site, path: str, params: dict[str, str]) -> dict | None:
        best = None
        for route in site.routes:
            if route["path"] != path or any(params.get(k) != v for k, v in route["params"].items()):
                continue
            if best is None or len(route["params"]) > len(best["params"]):
                best = route
        return best

    @staticmethod
    def resolve(site: Site, rel: str) -> Path | None:
        rel = rel.lstrip("/")
        candidate = (site.root / rel).resolve()
        root = site.root.resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            index = candidate / "index.html"
            if rel and not rel.endswith("/"):
                return candidate if index.exists() else None
            candidate = index
        if not candidate.is_file() or candidate.name.startswith("_"):
            return None
        return candidate

    def render(self, site: Site, file: Path, route: dict | None) -> tuple[bytes, str]:
        data = file.read_bytes()
        ctype = (route or {}).get("content_type") or CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        if file.suffix in TEXT_SUFFIXES:
            text = data.decode("utf-8")
            if file.suffix == ".xml" and not (route or {}).get("content_type"):
                head = text[:400]
                ctype = ATOM_TYPE if "<feed" in head else RSS_TYPE if "<rss" in head else ctype
            data = site.replace_origins(text, self.sites).encode("utf-8")
        return data, ctype

    def not_found(self, site: Site) -> Response:
        page = site.root / "404.html"
        body = site.replace_origins(page.read_text(encoding="utf-8"), self.sites).encode() if page.exists() \
            else b"<!doctype html><title>Not found</title><h1>Not found</h1>"
        return Response(HTTPStatus.NOT_FOUND, {"Content-Type": CONTENT_TYPES[".html"]}, body)

    @staticmethod
    def conditional(body: bytes, ctype: str, file: Path, headers) -> Response:
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        mtime = int(file.stat().st_mtime)
        out = {"Content-Type": ctype, "ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True),
               "Cache-Control": "max-age=0, must-revalidate"}
        inm = headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            if "*" in tags or etag in tags:
                return Response(HTTPStatus.NOT_MODIFIED, out)
        elif headers.get("If-Modified-Since"):
            try:
                since = parsedate_to_datetime(headers["If-Modified-Since"]).timestamp()
            except (TypeError, ValueError, IndexError):
                since = None
            if since is not None and mtime <= since:
                return Response(HTTPStatus.NOT_MODIFIED, out)
        return Response(HTTPStatus.OK, out, body)


def paginate_atom(body: bytes, params: dict[str, str], feed_url: str) -> bytes:
    """Blogger feed paging: keep entries ``start-index`` (1-based) … ``+max-results``, add a next link."""
    text = body.decode("utf-8")
    entries = ENTRY_RE.findall(text)
    if not entries:
        return body
    try:
        start = max(1, int(params.get("start-index", "1")))
        size = max(1, min(500, int(params.get("max-results", "25"))))
    except ValueError:
        return body
    head = text[:text.index(entries[0])]
    tail = text[text.rindex(entries[-1]) + len(entries[-1]):]
    head = re.sub(r"<openSearch:startIndex>\d+<", f"<openSearch:startIndex>{start}<", head)
    head = re.sub(r"<openSearch:itemsPerPage>\d+<", f"<openSearch:itemsPerPage>{size}<", head)
    if start - 1 + size < len(entries):
        nxt = f"{feed_url}?start-index={start + size}&amp;max-results={size}"
        head = head.replace("<link rel='alternate'", f"<link rel='next' type='application/atom+xml' href='{nxt}'/>\n"
                                                      "<link rel='alternate'", 1)
    return (head + "\n".join(entries[start - 1:start - 1 + size]) + tail).encode("utf-8")


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "skinaudit-demo/1.0"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.respond(send_body=False)

    def respond(self, send_body: bool) -> None:
        app: DemoApp = self.server.demo_app  # type: ignore[attr-defined]
        try:
            resp = app.handle(self.headers.get("Host"), self.path, self.headers)
        except Exception:  # a bug must not kill the connection silently
            log.exception("demo server error on %s", self.path)
            resp = Response(HTTPStatus.INTERNAL_SERVER_ERROR, {"Content-Type": CONTENT_TYPES[".txt"]}, b"error\n")
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if resp.status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if send_body and resp.status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(resp.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (signature of the base class)
        log.debug("%s %s", self.address_string(), format % args)


class DemoServer:
    """The running demo server (a context manager); ``serve_demo`` starts one."""

    def __init__(self, root: Path = DEFAULT_ROOT, port: int = 0):
        self.root = Path(root)
        self._sites = load_sites(self.root)
        self._httpd = ThreadingHTTPServer((BIND, port), DemoHandler)
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        for site in self._sites:
            site.origin = f"http://{site.host}:{self.port}"
        self._httpd.demo_app = DemoApp(self._sites)  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"demo-server-{self.port}", daemon=True)

    @property
    def sites(self) -> dict[str, str]:
        """Site key (``blogger``, ``wordpress``) → base URL without a trailing slash."""
        return {s.key: s.origin for s in self._sites}

    def url(self, site: str, path: str = "/") -> str:
        return self.sites[site] + path

    def site_configs(self) -> list[dict]:
        """``[[site]]`` entries for a sites file: name (``glow-skin-journal``, ``the-scalp-lab``) and start URL."""
        return [{"name": s.name, "title": s.title, "start_urls": [s.origin + "/"]} for s in self._sites]

    def start(self) -> "DemoServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> "DemoServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_demo(root: Path = DEFAULT_ROOT, port: int = 0) -> DemoServer:
    """Start the demo server on 127.0.0.1 (``port=0``: a free port) in a background thread."""
    return DemoServer(root, port).start()


def describe(server: DemoServer) -> str:
    """The lines ``serve-demo`` prints: each blog's home, sitemap and feed."""
    entry = {"blogger": ("/sitemap.xml", "/feeds/posts/default"), "wordpress": ("/wp-sitemap.xml", "/feed/")}
    lines = [f"Demo blogs from {server.root}:"]
    for key, base in server.sites.items():
        sitemap, feed = entry.get(key, ("/sitemap.xml", "/"))
        lines.append(f"  {key:<10} {base}/   sitemap {base}{sitemap}   feed {base}{feed}")
    return "\n".join(lines)


def serve_forever_cli(port: int = 0, root: Path = DEFAULT_ROOT) -> int:
    """Serve until Ctrl-C, printing the URLs first; returns the exit status."""
    try:
        server = serve_demo(root, port)
    except OSError as exc:
        print(f"skinaudit: cannot serve the demo site: {exc}", file=sys.stderr)
        return 2
    print(describe(server), flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audit.demo", description="Serve the bundled demo blogs.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="demo-site folder")
    args = parser.parse_args(argv)
    return serve_forever_cli(args.port, args.root)


if __name__ == "__main__":
    sys.exit(main())
