"""The sites file: which blogs to crawl and how far, validated into typed ``SiteConfig`` records.

A sites file is TOML with one ``[[site]]`` table per blog (see ``data/sites.example.toml``)::

    [[site]]
    name = "glow-skin-journal"
    start_urls = ["https://glowskinjournal.blogspot.com/"]
    max_pages = 1000

Every problem is reported as a ``SitesFileError`` with a one-line message that names the file,
the site and the key, so ``skinaudit run`` can print it and exit with status 2.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Defaults of the optional keys (also documented in data/sites.example.toml).
DEFAULT_MAX_PAGES = 5000
DEFAULT_MAX_DEPTH = 8
DEFAULT_MAX_SECONDS = 3600.0
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class SitesFileError(Exception):
    """The sites file cannot be used; the message is one line."""


@dataclass(kw_only=True)
class SiteConfig:
    """One blog to crawl."""

    name: str
    """Short unique name (letters, digits, ``.``, ``_``, ``-``); pages are stored under it."""
    start_urls: list[str]
    """Home page, sitemap or feed URLs (absolute http/https)."""
    allowed_domains: list[str] = field(default_factory=list)
    """Hosts the crawl stays on (subdomains included); default: the hosts of ``start_urls``."""
    max_pages: int = DEFAULT_MAX_PAGES
    """At most this many responses per run (the crawl of the site is then incomplete)."""
    max_depth: int = DEFAULT_MAX_DEPTH
    """At most this many link hops from a start URL."""
    max_seconds: float = DEFAULT_MAX_SECONDS
    """Stop the site's crawl after this many seconds (the crawl is then incomplete)."""
    include: list[str] = field(default_factory=list)
    """URL regexes (``re.search``); when given, only matching post URLs are stored."""
    exclude: list[str] = field(default_factory=list)
    """URL regexes (``re.search``) never requested."""
    delay: float | None = None
    """Seconds between requests to the site; None keeps the polite default (AutoThrottle, Crawl-delay)."""
    follow_archives: str = "auto"
    """``auto``: archive, tag and pagination pages are followed only when the sitemaps list no posts
    (a feed lists only the latest ones); ``always`` or ``never``."""

    def __post_init__(self) -> None:
        if not self.allowed_domains:
            self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# -- validation ----------------------------------------------------------------------------------

_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "name": (str, "a string"),
    "start_urls": (list, "a list of URLs"),
    "allowed_domains": (list, "a list of host names"),
    "max_pages": (int, "a positive integer"),
    "max_depth": (int, "a positive integer"),
    "max_seconds": ((int, float), "a positive number of seconds"),
    "include": (list, "a list of regexes"),
    "exclude": (list, "a list of regexes"),
    "delay": ((int, float), "a number of seconds"),
    "follow_archives": (str, '"auto", "always" or "never"'),
}


def _check_url(where: str, url: Any) -> str:
    if not isinstance(url, str):
        raise SitesFileError(f"{where}: start_urls must contain strings, got {url!r}")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SitesFileError(f"{where}: {url!r} is not an absolute http(s) URL")
    return url.strip()


def _check_list_of_str(where: str, key: str, value: list) -> list[str]:
    if not all(isinstance(item, str) and item for item in value):
        raise SitesFileError(f"{where}: {key} must be a list of non-empty strings")
    return list(value)


def _check_regexes(where: str, key: str, value: list) -> list[str]:
    for pattern in _check_list_of_str(where, key, value):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SitesFileError(f"{where}: {key} pattern {pattern!r} is not a valid regex ({exc})") from None
    return list(value)


def _check_types(where: str, table: dict) -> None:
    known = {f.name for f in fields(SiteConfig)}
    for key, value in table.items():
        if key not in known:
            raise SitesFileError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})")
        expected, what = _TYPES[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise SitesFileError(f"{where}: {key} must be {what}, got {value!r}")


def site_from_table(table: Any, index: int, source: str = "sites file") -> SiteConfig:
    """Validate one ``[[site]]`` table."""
    where = f"{source}: site #{index + 1}"
    if not isinstance(table, dict):
        raise SitesFileError(f"{where}: each [[site]] must be a table")
    if "name" in table and isinstance(table["name"], str):
        where = f"{source}: site {table['name']!r}"
    _check_types(where, table)
    for key in ("name", "start_urls"):
        if key not in table:
            raise SitesFileError(f"{where}: missing required key {key!r}")
    if not NAME_RE.match(table["name"]):
        raise SitesFileError(f"{where}: name must be letters, digits, '.', '_' or '-' (at most 100)")
    if not table["start_urls"]:
        raise SitesFileError(f"{where}: start_urls must not be empty")
    values = dict(table)
    values["start_urls"] = [_check_url(where, url) for url in table["start_urls"]]
    for key in ("allowed_domains",):
        if key in values:
            values[key] = [d.lower().strip(".") for d in _check_list_of_str(where, key, values[key])]
    for key in ("include", "exclude"):
        if key in values:
            values[key] = _check_regexes(where, key, values[key])
    for key in ("max_pages", "max_depth", "max_seconds"):
        if key in values and values[key] <= 0:
            raise SitesFileError(f"{where}: {key} must be positive, got {values[key]!r}")
    if "delay" in values and values["delay"] < 0:
        raise SitesFileError(f"{where}: delay must not be negative")
    if values.get("follow_archives", "auto") not in ("auto", "always", "never"):
        raise SitesFileError(f"{where}: follow_archives must be \"auto\", \"always\" or \"never\"")
    if "max_seconds" in values:
        values["max_seconds"] = float(values["max_seconds"])
    if values.get("delay") is not None:
        values["delay"] = float(values["delay"])
    return SiteConfig(**values)


def parse_sites(data: dict, source: str = "sites file") -> list[SiteConfig]:
    """Validate a parsed sites document."""
    extra = sorted(set(data) - {"site"})
    if extra:
        raise SitesFileError(f"{source}: unknown top-level key {extra[0]!r} (expected [[site]] tables)")
    tables = data.get("site")
    if not tables:
        raise SitesFileError(f"{source}: no [[site]] table")
    if not isinstance(tables, list):
        raise SitesFileError(f"{source}: 'site' must be an array of tables, written [[site]]")
    sites = [site_from_table(table, i, source) for i, table in enumerate(tables)]
    seen: set[str] = set()
    for site in sites:
        if site.name in seen:
            raise SitesFileError(f"{source}: site name {site.name!r} is used twice")
        seen.add(site.name)
    return sites


def load_sites(path: str | Path) -> list[SiteConfig]:
    """Read and validate a sites TOML file; raises ``SitesFileError`` with a one-line message."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SitesFileError(f"{path}: no such sites file") from None
    except IsADirectoryError:
        raise SitesFileError(f"{path}: is a directory, not a sites file") from None
    except OSError as exc:
        raise SitesFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise SitesFileError(f"{path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}: invalid TOML ({' '.join(str(exc).split())})") from None
    return parse_sites(data, str(path))


def demo_sites(server) -> list[SiteConfig]:
    """The bundled demo blogs as sites: ``server`` is an ``audit.demo.DemoServer``.

    Site names come from ``server.site_configs()`` (``glow-skin-journal``, ``the-scalp-lab``) when the
    server offers it, else from the keys of ``server.sites``.
    """
    entries = server.site_configs() if hasattr(server, "site_configs") else [
        {"name": name, "start_urls": [base.rstrip("/") + "/"]} for name, base in server.sites.items()]
    return [
        # our own loopback server: no need to wait between requests
        SiteConfig(name=entry["name"], start_urls=list(entry["start_urls"]), max_pages=2000, max_depth=8,
                   max_seconds=600.0, delay=0.0)
        for entry in sorted(entries, key=lambda e: e["name"])
    ]
