"""The Blogger-like theme of "Glow Skin Journal" (classic Blogger markup: div.post-body, widgets)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote

from .common import (
    BLOGGER_BLOGROLL,
    BLOGGER_PAGE_SIZE,
    FOOTER_CREDIT_SPAM,
    ORIGINS,
    SEED_POPULAR_SPAM,
    SITE_INFO,
    SOCIAL,
    Out,
    Post,
    SpamLedger,
    esc,
    expand,
    body_query_links,
    sitemap_index,
    sitemap_urlset,
    slugify,
)

SITE = "blogger"
O = ORIGINS[SITE]
INFO = SITE_INFO[SITE]
BLOG_ID = INFO["blog_id"]
AUTHOR_PROFILE = "https://www.blogger.com/profile/04417290051173906822"

CSS = """body{font:15px/1.6 Georgia,serif;margin:0;background:#fbf7f4;color:#333}
.content-outer{max-width:1040px;margin:0 auto;display:flex;flex-wrap:wrap}
.header-outer,.footer-outer,.tabs-outer{width:100%}.main-outer{flex:3;padding:1em}
.sidebar{flex:1;padding:1em;font-size:13px}.post-title{font-size:1.6em}
.tabs li{display:inline;margin-right:1em}.widget{margin-bottom:2em}
.footer-outer{text-align:center;font-size:12px;padding:2em 0}"""


def label_url(label: str, updated_max: str | None = None) -> str:
    url = f"{O}/search/label/{quote(label)}"
    if updated_max:
        url += f"?updated-max={quote(updated_max, safe=':')}&amp;max-results={BLOGGER_PAGE_SIZE}"
    return url


def ts(d: datetime) -> str:
    return d.isoformat(timespec="seconds")


def long_date(d: datetime) -> str:
    return f"{d:%A}, {d:%B} {d.day}, {d:%Y}"


def clock(d: datetime) -> str:
    return d.strftime("%I:%M %p").lstrip("0")


class Theme:
    def __init__(self, out: Out, posts: list[Post]):
        self.out = out
        self.posts = posts
        self.labels = Counter(label for p in posts for label in p.labels)
        self.popular = sorted(posts, key=lambda p: (-len(p.comments), p.slug))[:4]

    # ---- page frame -----------------------------------------------------------------------
    def page(self, *, title: str, canonical: str, main: str, ledger: SpamLedger, view: str,
             description: str = "") -> str:
        head_extra = ""
        if view == "item":
            head_extra = (f'<link rel="alternate" media="only screen and (max-width: 640px)" '
                          f'href="{esc(canonical)}?m=1">\n')
        return f"""<!DOCTYPE html>
<html class="v2" dir="ltr" lang="en" xmlns:b="http://www.google.com/2005/gml/b">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="blogger">
<title>{esc(title)}</title>
<link rel="canonical" href="{esc(canonical)}">
{head_extra}<meta name="description" content="{esc(description or INFO['tagline'])}">
<meta property="og:url" content="{esc(canonical)}">
<meta property="og:title" content="{esc(title)}">
<link rel="alternate" type="application/atom+xml" title="{esc(INFO['title'])} - Atom" href="{O}/feeds/posts/default">
<link rel="alternate" type="application/rss+xml" title="{esc(INFO['title'])} - RSS" href="{O}/feeds/posts/default?alt=rss">
<link rel="service.post" type="application/atom+xml" title="{esc(INFO['title'])} - Atom" href="https://www.blogger.com/feeds/{BLOG_ID}/posts/default">
<style id="page-skin-1" type="text/css">{CSS}</style>
</head>
<body class="loading {view}-view">
<div class="navbar section" id="navbar"><div class="widget Navbar" data-version="1" id="Navbar1"></div></div>
<div class="content-outer">
<header class="header-outer"><div class="section" id="header"><div class="widget Header" data-version="1" id="Header1">
<div id="header-inner"><div class="titlewrapper"><h1 class="title"><a href="{O}/">{esc(INFO['title'])}</a></h1></div>
<div class="descriptionwrapper"><p class="description"><span>{esc(INFO['tagline'])}</span></p></div></div>
</div></div></header>
<div class="tabs-outer"><div class="tabs section" id="crosscol"><div class="widget PageList" data-version="1" id="PageList1">
<div class="widget-content"><ul class="tabs">
<li><a href="{O}/">Home</a></li>
<li><a href="{label_url('Hair Loss')}">Hair Loss</a></li>
<li><a href="{label_url('Skincare')}">Skincare</a></li>
<li><a href="{O}/p/about.html">About</a></li>
<li><a href="{O}/p/disclaimer.html">Disclaimer</a></li>
</ul></div></div></div></div>
<div class="main-outer"><div class="main section" id="main"><div class="widget Blog" data-version="1" id="Blog1">
{main}
</div></div></div>
{self.sidebar()}
{self.footer(ledger)}
</div>
</body>
</html>
"""

    def sidebar(self) -> str:
        popular = "".join(
            f'<li><div class="item-content"><div class="item-title"><a href="{p.url}">{esc(p.title)}</a></div>'
            f'<div class="item-snippet">{esc(p.excerpt[:120])}</div></div></li>'
            for p in self.popular
        )
        labels = "".join(
            f'<li><a dir="ltr" href="{label_url(label)}">{esc(label)}</a> <span dir="ltr">({n})</span></li>'
            for label, n in sorted(self.labels.items())
        )
        blogroll = "".join(f'<li><a href="{esc(expand(h, SITE))}">{esc(t)}</a></li>' for h, t in BLOGGER_BLOGROLL)
        social = " ".join(f'<a href="{h}" rel="me">{t}</a>' for h, t in SOCIAL)
        return f"""<aside class="sidebar"><div class="sidebar section" id="sidebar-right-1">
<div class="widget Profile" data-version="1" id="Profile1"><h2>About Me</h2><div class="widget-content">
<a href="{AUTHOR_PROFILE}" rel="author"><img alt="Lena Hart" src="{O}/img/lena.svg" width="80" height="80"></a>
<dl class="profile-datablock"><dt class="profile-data"><a class="profile-name-link" href="{AUTHOR_PROFILE}" rel="author">Lena Hart</a></dt>
<dd class="profile-textblock">Skincare nerd, ex-pharmacy assistant, writing about what I actually use.</dd></dl>
<p class="social">{social}</p></div></div>
<div class="widget PopularPosts" data-version="1" id="PopularPosts1"><h2>Popular Posts</h2>
<div class="widget-content popular-posts"><ul>{popular}</ul></div></div>
<div class="widget Label" data-version="1" id="Label1"><h2>Labels</h2><div class="widget-content list-label-widget-content"><ul>{labels}</ul></div></div>
{self.archive_widget()}
<div class="widget LinkList" data-version="1" id="LinkList1"><h2>Blogroll</h2><div class="widget-content"><ul>{blogroll}</ul></div></div>
</div></aside>"""

    def archive_widget(self) -> str:
        years: dict[int, Counter] = {}
        for p in self.posts:
            years.setdefault(p.date.year, Counter())[p.date.month] += 1
        rows = []
        for year in sorted(years, reverse=True):
            months = "".join(
                f'<li><a class="post-count-link" href="{O}/{year}/{m:02d}/">{datetime(year, m, 1):%B}</a> '
                f'<span class="post-count" dir="ltr">({n})</span></li>'
                for m, n in sorted(years[year].items(), reverse=True)
            )
            rows.append(f'<li class="archivedate expanded"><a class="post-count-link" href="{O}/{year}/">{year}</a> '
                        f'<span class="post-count" dir="ltr">({sum(years[year].values())})</span>'
                        f'<ul class="hierarchy">{months}</ul></li>')
        return (f'<div class="widget BlogArchive" data-version="1" id="BlogArchive1"><h2>Blog Archive</h2>'
                f'<div class="widget-content"><div id="ArchiveList"><ul class="hierarchy">{"".join(rows)}</ul>'
                f'</div></div></div>')

    def footer(self, ledger: SpamLedger) -> str:
        spam = ledger.link(*FOOTER_CREDIT_SPAM)
        return f"""<footer class="footer-outer"><div class="footer section" id="footer">
<div class="widget Attribution" data-version="1" id="Attribution1"><div class="widget-content" style="text-align: center;">
&copy; 2024 {esc(INFO['title'])}. Powered by <a href="https://www.blogger.com" target="_blank">Blogger</a>.
Theme images by <a href="https://www.istockphoto.com/portfolio/Ollustrator" target="_blank">Ollustrator</a> |
Theme by <a href="https://www.skinthemes.net/">SkinThemes</a> | {spam}
</div></div></div></footer>"""

    # ---- posts ------------------------------------------------------------------------------
    def labels_line(self, p: Post) -> str:
        links = ", ".join(f'<a href="{label_url(label)}" rel="tag">{esc(label)}</a>' for label in p.labels)
        return f'<span class="post-labels">Labels: {links}</span>'

    def share(self, p: Post) -> str:
        targets = [("email", "Email This"), ("blog", "BlogThis!"), ("twitter", "Share to X"),
                   ("facebook", "Share to Facebook"), ("pinterest", "Share to Pinterest")]
        links = "".join(
            f'<a class="goog-inline-block share-button sb-{t}" href="https://www.blogger.com/share-post.g?'
            f'blogID={BLOG_ID}&amp;postID={p.post_id}&amp;target={t}" target="_blank" title="{label}">'
            f'<span class="share-button-link-text">{label}</span></a>'
            for t, label in targets
        )
        return f'<div class="post-share-buttons goog-inline-block">{links}</div>'

    def post_footer(self, p: Post) -> str:
        return f"""<div class="post-footer"><div class="post-footer-line post-footer-line-1">
<span class="post-author vcard">Posted by <span class="fn" itemprop="author" itemscope itemtype="http://schema.org/Person">
<a class="g-profile" href="{AUTHOR_PROFILE}" rel="author" title="author profile"><span itemprop="name">{esc(p.author)}</span></a></span></span>
<span class="post-timestamp">at <meta content="{p.url}" itemprop="url"><a class="timestamp-link" href="{p.url}" rel="bookmark" title="permanent link">
<abbr class="published" itemprop="datePublished" title="{ts(p.date)}">{clock(p.date)}</abbr></a></span>
<span class="post-comment-link"><a class="comment-link" href="{p.url}#comments">{len(p.comments)} comments</a></span>
{self.share(p)}</div>
<div class="post-footer-line post-footer-line-2">{self.labels_line(p)}</div></div>"""

    def comments(self, p: Post, ledger: SpamLedger) -> str:
        if p.seed:
            return f"""<section class="comments embed" data-num-comments="0" id="comments">
<a name="comments"></a><h3 class="title">Comments</h3>
<div class="comment-footer"><a class="comment-form-link" href="https://www.blogger.com/comment/fullpage/post/{BLOG_ID}/{p.post_id}">Post a Comment</a></div>
</section>"""
        items = []
        for i, c in enumerate(p.comments):
            cid = p.post_id * 100 + i
            if c.url and c.spam:
                who = ledger.link(c.url, c.author, ' rel="nofollow"')
            elif c.url:
                who = f'<a href="{esc(c.url)}" rel="nofollow">{esc(c.author)}</a>'
            else:
                who = f"<span>{esc(c.author)}</span>"
            when = f"{c.date:%B} {c.date.day}, {c.date:%Y} at {clock(c.date)}"
            items.append(
                f'<dt class="comment-author" id="c{cid}"><a name="c{cid}"></a>{who} said...</dt>\n'
                f'<dd class="comment-body" id="Blog1_cmt-{cid}"><p>{esc(c.text)}</p></dd>\n'
                f'<dd class="comment-footer"><span class="comment-timestamp"><a href="#c{cid}" title="comment permalink">'
                f"{when}</a></span></dd>"
            )
        return f"""<div class="comments" id="comments"><a name="comments"></a>
<h4>{len(p.comments)} comment{"" if len(p.comments) == 1 else "s"}:</h4>
<div id="comments-block-wrapper"><dl class="avatar-comment-indent" id="comments-block">
{chr(10).join(items)}
</dl></div>
<p class="comment-footer"><a href="https://www.blogger.com/comment/fullpage/post/{BLOG_ID}/{p.post_id}" onclick="">Post a Comment</a></p>
</div>"""

    def seed_popular(self, ledger: SpamLedger) -> str:
        items = []
        for href, title, snippet in SEED_POPULAR_SPAM:
            items.append(f"""<article class="post" role="article">
<h3 class="post-title">{ledger.link(href, title)}</h3>
<div class="post-header"><div class="post-header-line-1"><span class="byline post-timestamp">
<time datetime="2023-08-14T02:11:00-07:00">August 14, 2023</time></span></div></div>
<div class="item-content float-container"><div class="popular-posts-snippet snippet-container r-snippet-container">
<div class="snippet-item r-snippetized">{esc(snippet)}</div></div>
<div class="jump-link flat-button ripple"><a href="{esc(href)}" title="{esc(title)}">Read more</a></div></div>
</article>""")
            ledger.hrefs.append(href)  # the "Read more" link
        return f"""<div class="widget PopularPosts" data-version="2" id="PopularPosts2">
<h3 class="title">Popular posts from this blog</h3>
<div class="widget-content popular-posts"><div role="feed">
{chr(10).join(items)}
</div></div></div>"""

    def item_page(self, p: Post, newer: Post | None, older: Post | None) -> str:
        ledger: SpamLedger = p.extra["ledger"]
        pager = []
        if newer:
            pager.append(f'<span id="blog-pager-newer-link"><a class="blog-pager-newer-link" href="{newer.url}" '
                         f'id="Blog1_blog-pager-newer-link" title="Newer Post">Newer Post</a></span>')
        if older:
            pager.append(f'<span id="blog-pager-older-link"><a class="blog-pager-older-link" href="{older.url}" '
                         f'id="Blog1_blog-pager-older-link" title="Older Post">Older Post</a></span>')
        pager.append(f'<a class="home-link" href="{O}/">Home</a>')
        main = f"""<div class="blog-posts hfeed">
<div class="date-outer"><h2 class="date-header"><span>{long_date(p.date)}</span></h2>
<div class="date-posts"><div class="post-outer">
<div class="post hentry uncustomized-post-template" itemprop="blogPost" itemscope itemtype="http://schema.org/BlogPosting">
<a name="{p.post_id}"></a>
<h3 class="post-title entry-title" itemprop="name">{esc(p.title)}</h3>
<div class="post-header"><div class="post-header-line-1"></div></div>
<div class="post-body entry-content" id="post-body-{p.post_id}" itemprop="description articleBody">
{p.body_html}
<div style="clear: both;"></div>
</div>
{self.post_footer(p)}
</div>
{self.comments(p, ledger)}
</div></div></div>
</div>
{self.seed_popular(ledger) if p.seed else ''}
<div class="blog-pager" id="blog-pager">{' '.join(pager)}</div>
<div class="clear"></div>
<div class="post-feeds"></div>"""
        return self.page(title=f"{INFO['title']}: {p.title}", canonical=p.url, main=main, ledger=ledger,
                         view="item", description=p.excerpt)

    # ---- lists ------------------------------------------------------------------------------
    def snippet(self, p: Post) -> str:
        return f"""<div class="date-outer"><h2 class="date-header"><span>{long_date(p.date)}</span></h2>
<div class="date-posts"><div class="post-outer"><div class="post hentry">
<h3 class="post-title entry-title"><a href="{p.url}">{esc(p.title)}</a></h3>
<div class="post-body entry-content post-snippet" id="post-snippet-{p.post_id}"><div class="snippet-item">{esc(p.excerpt)}</div>
<div class="jump-link"><a href="{p.url}#more" title="{esc(p.title)}">Read more &#187;</a></div></div>
<div class="post-footer"><span class="post-author vcard">Posted by {esc(p.author)}</span> {self.labels_line(p)}</div>
</div></div></div></div>"""

    def list_page(self, *, title: str, canonical: str, posts: list[Post], older: str | None,
                  newer: str | None, status: str = "") -> str:
        ledger = SpamLedger()
        pager = []
        if newer:
            pager.append(f'<span id="blog-pager-newer-link"><a class="blog-pager-newer-link" href="{newer}" title="Newer Posts">Newer Posts</a></span>')
        if older:
            pager.append(f'<span id="blog-pager-older-link"><a class="blog-pager-older-link" href="{older}" title="Older Posts">Older Posts</a></span>')
        pager.append(f'<a class="home-link" href="{O}/">Home</a>')
        status_html = f'<div class="status-msg-wrap"><div class="status-msg-body">{status}</div></div>' if status else ""
        main = (f'{status_html}<div class="blog-posts hfeed">' + "\n".join(self.snippet(p) for p in posts) +
                f'</div>\n<div class="blog-pager" id="blog-pager">{" ".join(pager)}</div>\n'
                f'<div class="blog-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" '
                f'href="{O}/feeds/posts/default" target="_blank" type="application/atom+xml">Posts (Atom)</a></div></div>')
        return self.page(title=title, canonical=canonical, main=main, ledger=ledger, view="multiple")

    def paginated(self, posts: list[Post], first_path: str, first_file: str, title: str, status: str,
                  older_url, route_path: str, file_stem: str) -> list[str]:
        """Home or label listing with Blogger's ?updated-max= pagination; returns the page URLs."""
        chunks = [posts[i:i + BLOGGER_PAGE_SIZE] for i in range(0, len(posts), BLOGGER_PAGE_SIZE)]
        urls = []
        prev_url = None
        for n, chunk in enumerate(chunks, start=1):
            url = O + first_path if n == 1 else older_url(ts(chunks[n - 2][-1].date))
            nxt = older_url(ts(chunk[-1].date)) if n < len(chunks) else None
            html_text = self.list_page(title=title, canonical=url.replace("&amp;", "&"), posts=chunk,
                                       older=nxt, newer=prev_url, status=status if n == 1 else status)
            if n == 1:
                self.out.write(first_file, html_text)
            else:
                file = f"{file_stem}-page-{n}.html"
                self.out.write(file, html_text)
                self.out.route(route_path, file, {"updated-max": ts(chunks[n - 2][-1].date)})
            urls.append(url)
            prev_url = url
        return urls


def build(out: Out, posts: list[Post]) -> tuple[list[str], dict, list[str]]:
    """Write the whole Blogger site; returns (sitewide spam hrefs, duplicate URLs, archive paths)."""
    th = Theme(out, posts)
    for i, p in enumerate(posts):
        out.write(p.path, th.item_page(p, posts[i - 1] if i > 0 else None, posts[i + 1] if i + 1 < len(posts) else None))

    archives = []
    # home + /search?updated-max= older pages
    home_older = lambda t: f"{O}/search?updated-max={quote(t, safe=':')}&amp;max-results={BLOGGER_PAGE_SIZE}"  # noqa: E731
    archives += th.paginated(posts, "/", "/", INFO["title"], "", home_older, "/search", "search/older")
    # label pages
    for label in sorted(th.labels):
        mine = [p for p in posts if label in p.labels]
        older = lambda t, label=label: label_url(label, t)  # noqa: E731
        stem = f"search/label/{slugify(label)}"
        first = f"{stem}.html"
        archives += th.paginated(mine, f"/search/label/{quote(label)}", first,
                                 f"{INFO['title']}: {label}",
                                 f"Showing posts with the label <b>{esc(label)}</b>. "
                                 f'<a href="{O}/">Show all posts</a>', older, f"/search/label/{label}", stem)
        out.route(f"/search/label/{label}", first)
    # date archives
    by_month: dict[tuple[int, int], list[Post]] = {}
    for p in posts:
        by_month.setdefault((p.date.year, p.date.month), []).append(p)
    for (y, m), mine in by_month.items():
        path = f"/{y}/{m:02d}/"
        out.write(path, th.list_page(title=f"{INFO['title']}: {datetime(y, m, 1):%B %Y}", canonical=O + path,
                                     posts=mine, older=None, newer=None))
        archives.append(O + path)
    for y in sorted({p.date.year for p in posts}):
        mine = [p for p in posts if p.date.year == y]
        path = f"/{y}/"
        out.write(path, th.list_page(title=f"{INFO['title']}: {y}", canonical=O + path, posts=mine,
                                     older=None, newer=None))
        archives.append(O + path)
    static_pages(th, out)
    feeds(out, posts)
    sitemaps(out, posts)
    out.write("/404.html", th.page(title=f"{INFO['title']}", canonical=O + "/", ledger=SpamLedger(), view="error",
                                   main='<div class="status-msg-wrap"><div class="status-msg-body">Sorry, the page you '
                                        'were looking for in this blog does not exist.</div></div>'))
    out.write("/img/lena.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80">'
                               '<circle cx="40" cy="40" r="38" fill="#e8c4b8"/></svg>\n')
    duplicates = {p.path + "?m=1": p.path for p in posts}  # <link rel="alternate" media=…> on every post
    duplicates.update(body_query_links(posts, O))
    return [FOOTER_CREDIT_SPAM[0]], duplicates, [a.replace(O, "").replace("&amp;", "&") for a in archives]


def static_pages(th: Theme, out: Out) -> None:
    pages = {
        "about": ("About", "<p>Hi, I'm Lena. I worked behind a pharmacy counter for six years and answered the same "
                           "skincare questions every day, so I started writing the answers down. I am not a doctor; "
                           "nothing here is medical advice.</p><p>Say hello on "
                           '<a href="https://www.instagram.com/glowskinjournal/">Instagram</a>.</p>'),
        "disclaimer": ("Disclaimer", "<p>Posts on this blog reflect personal experience. Some links are affiliate "
                                     "links. Talk to a dermatologist or your GP about any skin or hair condition.</p>"),
    }
    for slug, (title, body) in pages.items():
        url = f"{O}/p/{slug}.html"
        main = (f'<div class="blog-posts hfeed"><div class="post-outer"><div class="post hentry">'
                f'<h3 class="post-title entry-title">{title}</h3><div class="post-body entry-content">{body}</div>'
                f"</div></div></div>")
        out.write(f"/p/{slug}.html", th.page(title=f"{INFO['title']}: {title}", canonical=url, main=main,
                                             ledger=SpamLedger(), view="static_page"))


def feeds(out: Out, posts: list[Post]) -> None:
    updated = max(p.date for p in posts)
    entries = []
    items = []
    for p in posts:
        cats = "".join(f'<category scheme="http://www.blogger.com/atom/ns#" term="{esc(label)}"/>' for label in p.labels)
        entries.append(f"""<entry><id>tag:blogger.com,1999:blog-{BLOG_ID}.post-{p.post_id}</id>
<published>{ts(p.date)}</published><updated>{ts(p.date)}</updated>{cats}
<title type="text">{esc(p.title)}</title>
<content type="html">{esc(p.body_html)}</content>
<link rel="replies" type="text/html" href="{p.url}#comment-form" title="{len(p.comments)} Comments"/>
<link rel="edit" type="application/atom+xml" href="https://www.blogger.com/feeds/{BLOG_ID}/posts/default/{p.post_id}"/>
<link rel="self" type="application/atom+xml" href="https://www.blogger.com/feeds/{BLOG_ID}/posts/default/{p.post_id}"/>
<link rel="alternate" type="text/html" href="{p.url}" title="{esc(p.title)}"/>
<author><name>{esc(p.author)}</name><uri>{AUTHOR_PROFILE}</uri><email>noreply@blogger.com</email></author>
<thr:total>{len(p.comments)}</thr:total></entry>""")
        cat_rss = "".join(f"<category domain=\"http://www.blogger.com/atom/ns#\">{esc(label)}</category>" for label in p.labels)
        items.append(f"""<item><guid isPermaLink="false">tag:blogger.com,1999:blog-{BLOG_ID}.post-{p.post_id}</guid>
<pubDate>{format_datetime(p.date)}</pubDate>{cat_rss}<title>{esc(p.title)}</title>
<description>{esc(p.body_html)}</description><link>{p.url}</link>
<author>noreply@blogger.com ({esc(p.author)})</author><thr:total>{len(p.comments)}</thr:total></item>""")
    atom = f"""<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' xmlns:gd="http://schemas.google.com/g/2005" xmlns:thr='http://purl.org/syndication/thread/1.0'>
<id>tag:blogger.com,1999:blog-{BLOG_ID}</id><updated>{ts(updated)}</updated>
<title type='text'>{esc(INFO['title'])}</title><subtitle type='html'>{esc(INFO['tagline'])}</subtitle>
<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='{O}/feeds/posts/default'/>
<link rel='self' type='application/atom+xml' href='{O}/feeds/posts/default'/>
<link rel='alternate' type='text/html' href='{O}/'/>
<author><name>Lena Hart</name><uri>{AUTHOR_PROFILE}</uri><email>noreply@blogger.com</email></author>
<generator version='7.00' uri='https://www.blogger.com'>Blogger</generator>
<openSearch:totalResults>{len(posts)}</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex><openSearch:itemsPerPage>25</openSearch:itemsPerPage>
{chr(10).join(entries)}
</feed>
"""
    rss = f"""<?xml version='1.0' encoding='UTF-8'?><rss xmlns:atom='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:thr='http://purl.org/syndication/thread/1.0' version='2.0'>
<channel><atom:id>tag:blogger.com,1999:blog-{BLOG_ID}</atom:id><lastBuildDate>{format_datetime(updated)}</lastBuildDate>
<title>{esc(INFO['title'])}</title><description>{esc(INFO['tagline'])}</description><link>{O}/</link>
<managingEditor>noreply@blogger.com (Lena Hart)</managingEditor><generator>Blogger</generator>
{chr(10).join(items)}
</channel></rss>
"""
    out.write("/feeds/posts/default.xml", atom)
    out.route("/feeds/posts/default", "feeds/posts/default.xml", content_type="application/atom+xml; charset=UTF-8")
    out.write("/feeds/posts/default-rss.xml", rss)
    out.route("/feeds/posts/default", "feeds/posts/default-rss.xml", {"alt": "rss"},
              content_type="application/rss+xml; charset=UTF-8")


def sitemaps(out: Out, posts: list[Post]) -> None:
    out.write("/sitemap.xml", sitemap_index([f"{O}/sitemap.xml?page=1"], max(p.date for p in posts)))
    out.write("/sitemap-page-1.xml", sitemap_urlset([(p.url, p.date) for p in posts]))
    out.route("/sitemap.xml", "sitemap-page-1.xml", {"page": "1"})
    out.write("/sitemap-pages.xml", sitemap_urlset([(f"{O}/p/about.html", None), (f"{O}/p/disclaimer.html", None)]))
    out.write("/robots.txt", f"""User-agent: Mediapartners-Google
Disallow: 

User-agent: *
Disallow: /search
Allow: /

Sitemap: {O}/sitemap.xml
Sitemap: {O}/sitemap-pages.xml
""")
