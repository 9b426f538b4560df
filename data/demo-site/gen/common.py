"""Shared helpers of the demo-site generator (see ../build.py).

Generate the bundled demo blogs from ``posts.toml`` (+ the seed text) into ``blogger/`` and ``wordpress/``.

Run ``python data/demo-site/build.py`` after editing ``posts.toml``; the generated files are committed, so
serving the demo (``audit.demo``) needs no build step. Standard library only.

Every URL the files contain is absolute and starts with a placeholder origin (``ORIGINS``); the demo
server swaps it for the real ``http://host:port`` when it serves a file.

Post bodies use a small markup (see ``posts.toml``):

* blocks are separated by blank lines; ``## `` / ``### `` headings, ``- `` bullets, ``1. `` numbered
  steps, ``> `` quotes, ``[1] …`` lines form a reference list;
* inline: ``[text](url)`` links (``/path`` is on the post's own site, ``{blogger}``/``{wordpress}``
  expand to a site's origin), ``**bold**``, ``[n]`` reference markers;
* claim annotations ``[[U:…]]`` unsupported, ``[[H:…]]`` hedged, ``[[S:…]]`` sourced, ``[[C:…]]``
  cautionary disclosure (no claim): the markers are dropped from the HTML and the sentences go to
  ``expected.json``;
* ``@spam:NAME`` on a line of its own inserts a spam block from ``SPAM_BLOCKS``.

Spam links are only ever emitted through ``SpamLedger.link`` so ``expected.json`` lists exactly the
spam links each post page carries.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

#: Placeholder origins written into the files; ``audit.demo`` replaces them per request.
ORIGINS = {
    "blogger": "https://glowskin.demo.invalid",
    "wordpress": "https://scalplab.demo.invalid",
}

#: The host name that selects each blog on the demo server (virtual hosts on one port).
HOSTS = {"blogger": "127.0.0.1", "wordpress": "localhost"}

SITE_INFO = {
    "blogger": {
        "name": "glow-skin-journal",
        "title": "Glow Skin Journal",
        "tagline": "Honest notes on skin, scalp and the routines in between.",
        "tz": timezone(timedelta(hours=-7)),
        "blog_id": "7312845590021746613",
    },
    "wordpress": {
        "name": "the-scalp-lab",
        "title": "The Scalp Lab",
        "tagline": "Hair loss, scalp care and what the evidence says",
        "tz": timezone.utc,
    },
}

# ---------------------------------------------------------------------------------------------
# Spam vocabulary: every spam link of the demo, by block. (href, anchor text)
# ---------------------------------------------------------------------------------------------

#: Theme footer credit line hijacked with a commercial link (every Blogger page).
FOOTER_CREDIT_SPAM = ("https://www.replica-watches-outlet.biz/", "cheap replica watches")
#: Blogroll entry that points to a casino (every WordPress page).
BLOGROLL_CASINO = ("https://luckyspin-casino-bonus.com/?ref=scalplab", "Lucky Spin Casino")
#: Hidden link farms and off-topic "related posts" blocks, placed with ``@spam:NAME``.
SPAM_BLOCKS: dict[str, list[tuple[str, str]]] = {
    "hidden-inline": [
        ("https://cheap-viagra-store.top/", "cheap viagra"),
        ("https://essay-writing-help.pro/order", "essay writing service"),
        ("https://followers-boost.shop/instagram", "buy instagram followers"),
    ],
    "hidden-inline-2": [
        ("https://cbd-gummies-wholesale.store/", "CBD gummies wholesale"),
        ("https://forex-signals-vip.trade/", "forex signals"),
    ],
    "hidden-class": [
        ("https://bet-online-sportsbook.win/", "online sportsbook"),
        ("https://cheap-flights-deal.xyz/", "cheap flights"),
        ("https://seo-backlinks-pack.click/", "buy backlinks"),
    ],
    "related-id": [
        ("https://slotgacor-terpercaya.xyz/situs-2024", "Situs Slot Gacor Terpercaya 2024"),
        ("https://agenbola-resmi.online/daftar", "Daftar Agen Judi Bola Resmi"),
        ("https://togel-menang.vip/cara", "Cara Menang Togel Online Setiap Hari"),
    ],
    "related-es": [
        ("https://prestamos-rapidos-ya.es/online", "Préstamos rápidos online sin papeleo"),
        ("https://casino-bono-gratis.es/", "Bono de casino gratis sin depósito"),
    ],
}
#: The seed page's Blogger "Popular posts from this blog" block: off-topic titles on spam domains.
SEED_POPULAR_SPAM = [
    ("https://velgen-kopen-online.nl/gids-voor-de-slimme-shopper.html",
     "Online Velgen Kopen: Een Gids voor de Slimme Shopper",
     "Velgen online kopen is tegenwoordig eenvoudiger dan ooit. In deze gids leggen we uit waar je op moet letten…"),
    ("https://catherine-deserts-travel.com/checking-out-the-enchantment.html",
     "Checking out the Enchantment from the Catherine Deserts",
     "The Catherine Deserts are a place of rare beauty, where the dunes shift with the wind and the nights…"),
    ("https://catherine-deserts-travel.com/exploring-the-enchantment.html",
     "Exploring the Enchantment on the Catherine Deserts",
     "Few destinations combine solitude and spectacle like the Catherine Deserts. Here is how to plan…"),
    ("https://autobanden-goedkoop-kopen.nl/tips-en-advies.html",
     "Goedkope Autobanden Kopen: Tips en Advies",
     "Nieuwe autobanden hoeven niet duur te zijn. Met deze tips vind je de beste deals…"),
]

# ---------------------------------------------------------------------------------------------
# Legitimate site furniture
# ---------------------------------------------------------------------------------------------

BLOGGER_BLOGROLL = [
    ("{wordpress}/", "The Scalp Lab"),
    ("https://www.aad.org/public", "American Academy of Dermatology"),
    ("https://www.nhs.uk/conditions/hair-loss/", "NHS: Hair loss"),
    ("https://dermnetnz.org/", "DermNet"),
]
WORDPRESS_BLOGROLL = [
    ("{blogger}/", "Glow Skin Journal"),
    ("https://www.bad.org.uk/", "British Association of Dermatologists"),
    ("https://www.nhs.uk/conditions/hair-loss/", "NHS: Hair loss"),
]
SOCIAL = [
    ("https://www.instagram.com/glowskinjournal/", "Instagram"),
    ("https://www.pinterest.com/glowskinjournal/", "Pinterest"),
]
WP_SOCIAL = [
    ("https://www.instagram.com/thescalplab/", "Instagram"),
    ("https://www.youtube.com/@thescalplab", "YouTube"),
]

BLOGGER_PAGE_SIZE = 6
WP_PAGE_SIZE = 5
WP_FEED_ITEMS = 10


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def expand(url: str, site: str) -> str:
    for name, origin in ORIGINS.items():
        url = url.replace("{" + name + "}", origin)
    if url.startswith("/"):
        url = ORIGINS[site] + url
    return url


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------


@dataclass
class SpamLedger:
    """Collects the spam links written into one page."""

    hrefs: list[str] = field(default_factory=list)

    def link(self, href: str, text: str, attrs: str = "") -> str:
        self.hrefs.append(href)
        return f'<a href="{esc(href)}"{attrs}>{esc(text)}</a>'


@dataclass
class Comment:
    author: str
    text: str
    date: datetime
    url: str | None = None
    spam: bool = False


@dataclass
class Post:
    site: str
    slug: str
    title: str
    date: datetime
    author: str
    labels: list[str]
    body_html: str
    excerpt: str
    claims: dict[str, list[str]]
    comments: list[Comment]
    spam_blocks: list[str]
    seed: bool = False
    post_id: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        d = self.date
        if self.site == "blogger":
            return f"/{d:%Y}/{d:%m}/{self.slug}.html"
        return f"/{d:%Y}/{d:%m}/{d:%d}/{self.slug}/"

    @property
    def url(self) -> str:
        return ORIGINS[self.site] + self.path


# ---------------------------------------------------------------------------------------------
# Body markup
# ---------------------------------------------------------------------------------------------

CLAIM_RE = re.compile(r"\[\[([UHSC]):(.+?)\]\]", re.S)
LINK_RE = re.compile(r"\[([^\]\[]+)\]\(([^)\s]+)\)")
REF_RE = re.compile(r"\[(\d{1,2})\](?!\()")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
KIND = {"U": "unsupported", "H": "hedged", "S": "sourced", "C": "cautionary"}


def plain(text: str) -> str:
    """The visible text of an inline-markup string."""
    text = LINK_RE.sub(r"\1", text)
    text = BOLD_RE.sub(r"\1", text)
    return " ".join(text.split())


def inline(text: str, site: str, claims: dict[str, list[str]]) -> str:
    def claim(m: re.Match) -> str:
        claims[KIND[m.group(1)]].append(plain(m.group(2)))
        return m.group(2)

    text = CLAIM_RE.sub(claim, text)
    out = esc(text)
    out = LINK_RE.sub(lambda m: f'<a href="{esc(expand(html.unescape(m.group(2)), site))}">{m.group(1)}</a>', out)
    out = REF_RE.sub(lambda m: f'<sup><a href="#ref-{m.group(1)}">[{m.group(1)}]</a></sup>', out)
    return BOLD_RE.sub(r"<strong>\1</strong>", out)


def render_body(source: str, site: str, ledger: SpamLedger) -> tuple[str, dict[str, list[str]]]:
    claims: dict[str, list[str]] = {k: [] for k in KIND.values()}
    parts = []
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = [ln.strip() for ln in block.strip().splitlines()]
        first = lines[0]
        if first.startswith("@spam:"):
            parts.append(spam_block(first[6:].strip(), site, ledger))
        elif first.startswith("### "):
            parts.append(f"<h3>{inline(first[4:], site, claims)}</h3>")
        elif first.startswith("## "):
            parts.append(f"<h2>{inline(first[3:], site, claims)}</h2>")
        elif first.startswith("- "):
            items = "".join(f"<li>{inline(ln[2:], site, claims)}</li>" for ln in lines)
            parts.append(f"<ul>{items}</ul>")
        elif re.match(r"\d+\. ", first):
            items = "".join(f"<li>{inline(ln.split('. ', 1)[1], site, claims)}</li>" for ln in lines)
            parts.append(f"<ol>{items}</ol>")
        elif re.match(r"\[\d+\] ", first):
            items = "".join(
                f'<li id="ref-{ln[1:ln.index("]")]}">{inline(ln[ln.index("]") + 2:], site, claims)}</li>'
                for ln in lines
            )
            parts.append(f'<ol class="references">{items}</ol>')
        elif first.startswith("> "):
            text = " ".join(ln[2:] for ln in lines)
            parts.append(f"<blockquote><p>{inline(text, site, claims)}</p></blockquote>")
        else:
            parts.append(f"<p>{inline(' '.join(lines), site, claims)}</p>")
    return "\n".join(parts), claims


def spam_block(name: str, site: str, ledger: SpamLedger) -> str:
    links = SPAM_BLOCKS[name]
    if name.startswith("hidden-inline"):
        inner = " ".join(ledger.link(h, t) for h, t in links)
        return f'<div style="display:none">{inner}</div>'
    if name == "hidden-class":
        inner = " ".join(ledger.link(h, t) for h, t in links)
        return f'<style>.wp-block-lnk{{display:none}}</style><div class="wp-block-lnk">{inner}</div>'
    heading = {"related-id": "Artikel Terkait", "related-es": "Artículos relacionados"}[name]
    items = "".join(f"<li>{ledger.link(h, t)}</li>" for h, t in links)
    return f'<div class="related-posts"><h3>{heading}</h3><ul>{items}</ul></div>'


def seed_body(text: str) -> tuple[str, str]:
    """Turn the seed page's text into (title, body HTML), stopping at its "Comments" trailer."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    title = lines[0].strip()
    parts: list[str] = []
    steps: list[str] = []
    for raw in lines[1:]:
        line = raw.strip()
        if line == "Comments":
            break
        if re.match(r"\d+\. ", line) and raw.startswith("  "):
            steps.append(f"<li>{esc(line.split('. ', 1)[1])}</li>")
            continue
        if steps:
            parts.append("<ol>" + "".join(steps) + "</ol>")
            steps = []
        if not line:
            continue
        if re.match(r"\d+\. ", line):
            parts.append(f"<h3>{esc(line)}</h3>")
        elif len(line) < 60 and not line.endswith((".", ":")):
            parts.append(f"<h2>{esc(line)}</h2>")
        else:
            parts.append(f"<p>{esc(line)}</p>")
    return title, "\n".join(parts)


def excerpt_of(body_html: str, words: int = 40) -> str:
    text = re.sub(r"<(style|div class=\"related-posts\")[^>]*>.*?</\w+>", " ", body_html, flags=re.S)
    text = re.sub(r'<div style="display:none">.*?</div>|<div class="wp-block-lnk">.*?</div>', " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def load_posts() -> list[Post]:
    data = tomllib.loads((HERE / "posts.toml").read_text(encoding="utf-8"))
    posts = []
    for i, entry in enumerate(data["post"]):
        site = entry["site"]
        tz = SITE_INFO[site]["tz"]
        date = datetime.fromisoformat(entry["date"]).replace(tzinfo=tz)
        ledger = SpamLedger()
        if "body_file" in entry:
            title, body = seed_body((HERE / entry["body_file"]).read_text(encoding="utf-8"))
            claims = {k: list(entry.get(k, [])) for k in KIND.values()}
            flat = html.unescape(re.sub(r"<[^>]+>", " ", body))
            flat = " ".join(flat.split())
            for sentences in claims.values():
                for s in sentences:
                    assert s in flat, f"seed claim not in body: {s}"
        else:
            title = entry["title"]
            body, claims = render_body(entry["body"], site, ledger)
        comments = [
            Comment(
                author=c["author"], text=c["text"], url=c.get("url"), spam=c.get("spam", False),
                date=date + timedelta(hours=c.get("after_hours", 20 + 7 * j)),
            )
            for j, c in enumerate(entry.get("comments", []))
        ]
        posts.append(Post(
            site=site, slug=entry["slug"], title=title, date=date, author=entry["author"],
            labels=entry["labels"], body_html=body, excerpt=excerpt_of(body), claims=claims,
            comments=comments, spam_blocks=re.findall(r"^\s*@spam:(\S+)", entry.get("body", ""), re.M),
            seed="body_file" in entry, post_id=(4000 + i * 37), extra={"ledger": ledger, **entry},
        ))
    return posts


# ---------------------------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------------------------


class Out:
    """Writes the files of one site and remembers routes for query-string URLs."""

    def __init__(self, site: str, out_dir: Path = HERE):
        self.site = site
        self.root = out_dir / site
        self.routes: list[dict] = []

    def write(self, rel_path: str, text: str) -> None:
        """``rel_path`` is a URL path; ``/x/`` goes to ``x/index.html``."""
        rel = rel_path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def route(self, path: str, file: str, params: dict | None = None, **extra) -> None:
        self.routes.append({"path": path, "params": params or {}, "file": file, **extra})

    def finish(self) -> None:
        (self.root / "_routes.json").write_text(json.dumps({"routes": self.routes}, indent=1) + "\n", encoding="utf-8")


def sitemap_urlset(urls: list[tuple[str, datetime | None]]) -> str:
    rows = []
    for loc, mod in urls:
        lastmod = f"<lastmod>{mod.isoformat()}</lastmod>" if mod else ""
        rows.append(f"  <url><loc>{esc(loc)}</loc>{lastmod}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")


def sitemap_index(locs: list[str], lastmod: datetime | None = None) -> str:
    mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
    rows = "\n".join(f"  <sitemap><loc>{esc(loc)}</loc>{mod}</sitemap>" for loc in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "\n</sitemapindex>\n")


def human_date(d: datetime) -> str:
    return f"{d:%B} {d.day}, {d:%Y}"


def body_query_links(posts: list[Post], origin: str) -> dict[str, str]:
    """Own-site links with a query string in post bodies (``?m=1``, ``?utm_…``): path → canonical path."""
    found = {}
    for p in posts:
        for href in re.findall(r'href="([^"]+)"', p.body_html):
            href = html.unescape(href)
            if href.startswith(origin) and "?" in href:
                path = href[len(origin):]
                found[path] = path.split("?")[0]
    return found
