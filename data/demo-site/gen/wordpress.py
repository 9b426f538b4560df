"""The WordPress-like theme of "The Scalp Lab" (underscores-style markup: article.post, div.entry-content)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote

from .common import (
    BLOGROLL_CASINO,
    ORIGINS,
    SITE_INFO,
    WORDPRESS_BLOGROLL,
    WP_FEED_ITEMS,
    WP_PAGE_SIZE,
    WP_SOCIAL,
    Out,
    Post,
    SpamLedger,
    body_query_links,
    esc,
    expand,
    human_date,
    sitemap_index,
    sitemap_urlset,
    slugify,
)

SITE = "wordpress"
O = ORIGINS[SITE]
INFO = SITE_INFO[SITE]
UTM = "?utm_source=sidebar&amp;utm_medium=popular_widget"

CSS = """body{font:16px/1.7 -apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222}
.site{max-width:1100px;margin:0 auto}.site-content{display:flex;gap:2em}.content-area{flex:3}
.widget-area{flex:1;font-size:14px}.main-navigation li{display:inline;margin-right:1em}
.screen-reader-text{position:absolute;clip:rect(1px,1px,1px,1px);width:1px;height:1px;overflow:hidden}
.site-footer{border-top:1px solid #ddd;padding:1em 0;font-size:13px}"""


def cat_url(name: str) -> str:
    return f"{O}/category/{slugify(name)}/"


def tag_url(name: str) -> str:
    return f"{O}/tag/{slugify(name)}/"


def author_url(name: str) -> str:
    return f"{O}/author/{slugify(name)}/"


def iso(d: datetime) -> str:
    return d.isoformat(timespec="seconds")


class Theme:
    def __init__(self, out: Out, posts: list[Post]):
        self.out = out
        self.posts = posts
        self.cats = Counter(c for p in posts for c in p.labels)
        self.popular = sorted(posts, key=lambda p: (-len(p.comments), p.slug))[:3]

    def page(self, *, title: str, canonical: str, main: str, body_class: str, ledger: SpamLedger,
             head_extra: str = "", description: str = "") -> str:
        return f"""<!doctype html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<meta name="description" content="{esc(description or INFO['tagline'])}">
<meta name="robots" content="max-image-preview:large">
<link rel="alternate" type="application/rss+xml" title="{esc(INFO['title'])} &raquo; Feed" href="{O}/feed/">
<link rel="canonical" href="{esc(canonical)}">
{head_extra}<meta name="generator" content="WordPress 6.5.3">
<style id="lumen-style-inline-css">{CSS}</style>
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{O}/" rel="home">{esc(INFO['title'])}</a></p>
<p class="site-description">{esc(INFO['tagline'])}</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Primary"><ul id="primary-menu" class="menu">
<li class="menu-item menu-item-home"><a href="{O}/">Home</a></li>
<li class="menu-item"><a href="{cat_url('Hair Loss')}">Hair Loss</a></li>
<li class="menu-item"><a href="{cat_url('Scalp Care')}">Scalp Care</a></li>
<li class="menu-item"><a href="{cat_url('Treatments')}">Treatments</a></li>
<li class="menu-item"><a href="{O}/about/">About</a></li>
</ul></nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
{main}
</main></div>
{self.sidebar(ledger)}
</div>
<footer id="colophon" class="site-footer"><div class="site-info">
<a href="https://wordpress.org/">Proudly powered by WordPress</a><span class="sep"> | </span>
Theme: Lumen by <a href="https://www.hollowthemes.com/lumen/">Hollow Themes</a>.
<span class="sep"> | </span>Follow us: {' '.join(f'<a href="{h}" rel="me">{t}</a>' for h, t in WP_SOCIAL)}
</div></footer>
</div>
</body>
</html>
"""

    def sidebar(self, ledger: SpamLedger) -> str:
        recent = "".join(f'<li><a href="{p.url}">{esc(p.title)}</a></li>' for p in self.posts[:5])
        popular = "".join(f'<li><a href="{p.url}{UTM}">{esc(p.title)}</a> <span class="count">'
                          f'({len(p.comments)} comments)</span></li>' for p in self.popular)
        cats = "".join(f'<li class="cat-item"><a href="{cat_url(c)}">{esc(c)}</a> ({n})</li>'
                       for c, n in sorted(self.cats.items()))
        months = sorted({(p.date.year, p.date.month) for p in self.posts}, reverse=True)
        archive = "".join(f'<li><a href="{O}/{y}/{m:02d}/">{datetime(y, m, 1):%B %Y}</a></li>' for y, m in months)
        blogroll = "".join(f'<li><a href="{esc(expand(h, SITE))}">{esc(t)}</a></li>' for h, t in WORDPRESS_BLOGROLL)
        blogroll += f"<li>{ledger.link(*BLOGROLL_CASINO)}</li>"
        return f"""<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="{O}/">
<label><span class="screen-reader-text">Search for:</span><input type="search" class="search-field" name="s"></label>
<input type="submit" class="search-submit" value="Search"></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>
<section id="popular-posts-3" class="widget widget_popular_posts"><h2 class="widget-title">Popular posts</h2><ul>{popular}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{cats}</ul></section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul>{archive}</ul></section>
<section id="linkcat-2" class="widget widget_links"><h2 class="widget-title">Blogroll</h2><ul class="xoxo blogroll">{blogroll}</ul></section>
</aside>"""

    def meta(self, p: Post, link: bool = True) -> str:
        return (f'<div class="entry-meta"><span class="posted-on">Posted on <a href="{p.url}" rel="bookmark">'
                f'<time class="entry-date published" datetime="{iso(p.date)}">{human_date(p.date)}</time></a></span>'
                f'<span class="byline"> by <span class="author vcard"><a class="url fn n" href="{author_url(p.author)}">'
                f"{esc(p.author)}</a></span></span></div>")

    def share(self, p: Post) -> str:
        u = quote(p.url, safe="")
        t = quote(p.title, safe="")
        links = [
            (f"https://www.facebook.com/sharer/sharer.php?u={u}", "Facebook"),
            (f"https://twitter.com/intent/tweet?url={u}&amp;text={t}", "X"),
            (f"https://pinterest.com/pin/create/button/?url={u}", "Pinterest"),
        ]
        items = "".join(f'<li><a class="share-{n.lower()}" href="{h}" rel="nofollow noopener" target="_blank">'
                        f"Share on {n}</a></li>" for h, n in links)
        return f'<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul>{items}</ul></div>'

    def comments(self, p: Post, ledger: SpamLedger) -> str:
        items = []
        for i, c in enumerate(p.comments):
            cid = p.post_id + i + 1
            if c.url and c.spam:
                who = ledger.link(c.url, c.author, ' class="url" rel="ugc external nofollow"')
            elif c.url:
                who = f'<a href="{esc(c.url)}" class="url" rel="ugc external nofollow">{esc(c.author)}</a>'
            else:
                who = esc(c.author)
            items.append(f"""<li id="comment-{cid}" class="comment {'even' if i % 2 == 0 else 'odd'} depth-1">
<article id="div-comment-{cid}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{who}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{p.url}#comment-{cid}"><time datetime="{iso(c.date)}">{human_date(c.date)} at {c.date:%H:%M}</time></a></div>
</footer><div class="comment-content"><p>{esc(c.text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond" data-commentid="{cid}">Reply</a></div>
</article></li>""")
        count = "One thought" if len(p.comments) == 1 else f"{len(p.comments)} thoughts"
        title = f"{count} on &ldquo;<span>{esc(p.title)}</span>&rdquo;"
        listing = (f'<h2 class="comments-title">{title}</h2><ol class="comment-list">{"".join(items)}</ol>'
                   if p.comments else "")
        return f"""<div id="comments" class="comments-area">
{listing}
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="{O}/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address will not be published.</p>
<p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>
<p class="comment-form-author"><label for="author">Name</label><input id="author" name="author" type="text"></p>
<p class="comment-form-url"><label for="url">Website</label><input id="url" name="url" type="url"></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
</form></div>
</div>"""

    def article(self, p: Post, ledger: SpamLedger, print_link: bool) -> str:
        cats = ", ".join(f'<a href="{cat_url(c)}" rel="category tag">{esc(c)}</a>' for c in p.labels)
        tags = ", ".join(f'<a href="{tag_url(t)}" rel="tag">{esc(t)}</a>' for t in p.extra.get("tags", []))
        classes = " ".join([f"post-{p.post_id}", "post", "type-post", "status-publish", "format-standard", "hentry"]
                           + [f"category-{slugify(c)}" for c in p.labels]
                           + [f"tag-{slugify(t)}" for t in p.extra.get("tags", [])])
        printer = (f'<a class="print-link" href="{p.url}print/" rel="nofollow">Print this article</a>'
                   if print_link else "")
        return f"""<article id="post-{p.post_id}" class="{classes}">
<header class="entry-header"><h1 class="entry-title">{esc(p.title)}</h1>
{self.meta(p)}</header>
<div class="entry-content">
{p.body_html}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in {cats}</span>
{f'<span class="tags-links">Tagged {tags}</span>' if tags else ''}
{printer}
{self.share(p)}</footer>
</article>"""

    def single(self, p: Post, newer: Post | None, older: Post | None) -> str:
        ledger: SpamLedger = p.extra["ledger"]
        nav = []
        if older:
            nav.append(f'<div class="nav-previous"><a href="{older.url}" rel="prev"><span class="nav-subtitle">'
                       f'Previous:</span> <span class="nav-title">{esc(older.title)}</span></a></div>')
        if newer:
            nav.append(f'<div class="nav-next"><a href="{newer.url}" rel="next"><span class="nav-subtitle">'
                       f'Next:</span> <span class="nav-title">{esc(newer.title)}</span></a></div>')
        main = (self.article(p, ledger, bool(p.extra.get("print_version"))) +
                f'\n<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">'
                f'Post navigation</h2><div class="nav-links">{"".join(nav)}</div></nav>\n' +
                self.comments(p, ledger))
        classes = f"post-template-default single single-post postid-{p.post_id} single-format-standard"
        return self.page(title=f"{p.title} – {INFO['title']}", canonical=p.url, main=main, body_class=classes,
                         ledger=ledger, description=p.excerpt,
                         head_extra=f'<meta property="article:published_time" content="{iso(p.date)}">\n')

    def print_page(self, p: Post) -> str:
        """A bare print view of a post at a second URL; its canonical points at the post."""
        return f"""<!doctype html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{esc(p.title)} – {esc(INFO['title'])} (print)</title>
<link rel="canonical" href="{p.url}"><meta name="robots" content="noindex, follow"></head>
<body class="print-view"><article class="post hentry"><h1 class="entry-title">{esc(p.title)}</h1>
<p class="entry-meta">{human_date(p.date)} · {esc(p.author)}</p>
<div class="entry-content">{p.body_html}</div></article>
<p><a href="{p.url}">Back to the article</a></p></body></html>
"""

    def listing(self, *, title: str, heading: str, base: str, posts: list[Post], body_class: str) -> list[str]:
        """An archive with /page/N/ pagination; returns the page paths."""
        chunks = [posts[i:i + WP_PAGE_SIZE] for i in range(0, len(posts), WP_PAGE_SIZE)]
        paths = []
        for n, chunk in enumerate(chunks, start=1):
            path = base if n == 1 else f"{base}page/{n}/"
            arts = []
            for p in chunk:
                arts.append(f"""<article id="post-{p.post_id}" class="post-{p.post_id} post type-post status-publish hentry">
<header class="entry-header"><h2 class="entry-title"><a href="{p.url}" rel="bookmark">{esc(p.title)}</a></h2>
{self.meta(p)}</header>
<div class="entry-summary"><p>{esc(p.excerpt)}</p><p><a class="more-link" href="{p.url}">Continue reading<span class="screen-reader-text"> "{esc(p.title)}"</span></a></p></div>
</article>""")
            pages = []
            for k in range(1, len(chunks) + 1):
                href = O + (base if k == 1 else f"{base}page/{k}/")
                pages.append(f'<span aria-current="page" class="page-numbers current">{k}</span>' if k == n
                             else f'<a class="page-numbers" href="{href}">{k}</a>')
            if n < len(chunks):
                pages.append(f'<a class="next page-numbers" href="{O}{base}page/{n + 1}/">Older posts</a>')
            if n > 1:
                prev = O + (base if n == 2 else f"{base}page/{n - 1}/")
                pages.insert(0, f'<a class="prev page-numbers" href="{prev}">Newer posts</a>')
            pager = (f'<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">Posts '
                     f'navigation</h2><div class="nav-links">{"".join(pages)}</div></nav>') if len(chunks) > 1 else ""
            head = f'<header class="page-header"><h1 class="page-title">{heading}</h1></header>' if heading else ""
            main = head + "\n".join(arts) + pager
            page_title = title if n == 1 else f"{title} – Page {n}"
            self.out.write(path, self.page(title=page_title, canonical=O + path, main=main,
                                           body_class=f"{body_class} paged-{n}", ledger=SpamLedger()))
            paths.append(path)
        return paths


def build(out: Out, posts: list[Post]) -> tuple[list[str], dict, list[str]]:
    """Write the whole WordPress site; returns (sitewide spam hrefs, duplicate URLs, archive paths)."""
    th = Theme(out, posts)
    duplicates = {}
    for i, p in enumerate(posts):
        out.write(p.path, th.single(p, posts[i - 1] if i > 0 else None, posts[i + 1] if i + 1 < len(posts) else None))
        if p.extra.get("print_version"):
            out.write(p.path + "print/", th.print_page(p))
            duplicates[p.path + "print/"] = p.path
    for p in th.popular:
        duplicates[p.path + UTM.replace("&amp;", "&")] = p.path
    duplicates.update(body_query_links(posts, O))

    archives = th.listing(title=f"{INFO['title']} – {INFO['tagline']}", heading="", base="/", posts=posts,
                          body_class="home blog")
    for c in sorted(th.cats):
        mine = [p for p in posts if c in p.labels]
        archives += th.listing(title=f"{c} Archives – {INFO['title']}", heading=f"Category: <span>{esc(c)}</span>",
                               base=f"/category/{slugify(c)}/", posts=mine, body_class="archive category")
    tags = sorted({t for p in posts for t in p.extra.get("tags", [])})
    for t in tags:
        mine = [p for p in posts if t in p.extra.get("tags", [])]
        archives += th.listing(title=f"{t} Archives – {INFO['title']}", heading=f"Tag: <span>{esc(t)}</span>",
                               base=f"/tag/{slugify(t)}/", posts=mine, body_class="archive tag")
    for a in sorted({p.author for p in posts}):
        mine = [p for p in posts if p.author == a]
        archives += th.listing(title=f"{a}, Author at {INFO['title']}", heading=f"Author: <span>{esc(a)}</span>",
                               base=f"/author/{slugify(a)}/", posts=mine, body_class="archive author")
    for y, m in sorted({(p.date.year, p.date.month) for p in posts}):
        mine = [p for p in posts if (p.date.year, p.date.month) == (y, m)]
        archives += th.listing(title=f"{datetime(y, m, 1):%B %Y} – {INFO['title']}",
                               heading=f"Month: <span>{datetime(y, m, 1):%B %Y}</span>",
                               base=f"/{y}/{m:02d}/", posts=mine, body_class="archive date")
    about = ('<article class="page type-page status-publish hentry"><header class="entry-header"><h1 class="entry-title">'
             'About</h1></header><div class="entry-content"><p>The Scalp Lab is written by Sam Okafor and Priya Desai, '
             'two people who lost (and partly kept) their hair and read the papers so you don\'t have to. We are not '
             'doctors. Nothing here replaces a visit to a dermatologist.</p></div></article>')
    out.write("/about/", th.page(title=f"About – {INFO['title']}", canonical=f"{O}/about/", main=about,
                                 body_class="page-template-default page", ledger=SpamLedger()))
    out.write("/404.html", th.page(title=f"Page not found – {INFO['title']}", canonical=f"{O}/", ledger=SpamLedger(),
                                   body_class="error404", main='<section class="error-404 not-found"><header class="page-header">'
                                   '<h1 class="page-title">Oops! That page can&rsquo;t be found.</h1></header></section>'))
    feed(out, posts)
    sitemaps(out, posts, th, tags)
    return [BLOGROLL_CASINO[0]], duplicates, archives


def feed(out: Out, posts: list[Post]) -> None:
    items = []
    for p in posts[:WP_FEED_ITEMS]:
        cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in p.labels + p.extra.get("tags", []))
        items.append(f"""<item>
<title>{esc(p.title)}</title>
<link>{p.url}</link>
<comments>{p.url}#comments</comments>
<dc:creator><![CDATA[{p.author}]]></dc:creator>
<pubDate>{format_datetime(p.date)}</pubDate>
{cats}
<guid isPermaLink="false">{O}/?p={p.post_id}</guid>
<description><![CDATA[{p.excerpt}]]></description>
<content:encoded><![CDATA[{p.body_html}]]></content:encoded>
<slash:comments>{len(p.comments)}</slash:comments>
</item>""")
    rss = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
<title>{esc(INFO['title'])}</title>
<atom:link href="{O}/feed/" rel="self" type="application/rss+xml" />
<link>{O}/</link>
<description>{esc(INFO['tagline'])}</description>
<lastBuildDate>{format_datetime(posts[0].date)}</lastBuildDate>
<language>en-US</language>
<sy:updatePeriod>hourly</sy:updatePeriod>
<sy:updateFrequency>1</sy:updateFrequency>
<generator>https://wordpress.org/?v=6.5.3</generator>
{chr(10).join(items)}
</channel>
</rss>
"""
    out.write("/feed/index.xml", rss)
    out.route("/feed/", "feed/index.xml", content_type="application/rss+xml; charset=UTF-8")
    out.route("/feed", "", redirect="/feed/")


def sitemaps(out: Out, posts: list[Post], th: Theme, tags: list[str]) -> None:
    subs = ["wp-sitemap-posts-post-1.xml", "wp-sitemap-posts-page-1.xml", "wp-sitemap-taxonomies-category-1.xml",
            "wp-sitemap-taxonomies-post_tag-1.xml", "wp-sitemap-users-1.xml"]
    out.write("/wp-sitemap.xml", sitemap_index([f"{O}/{s}" for s in subs]))
    out.write("/wp-sitemap-posts-post-1.xml", sitemap_urlset([(p.url, p.date) for p in posts]))
    out.write("/wp-sitemap-posts-page-1.xml", sitemap_urlset([(f"{O}/about/", None)]))
    out.write("/wp-sitemap-taxonomies-category-1.xml", sitemap_urlset([(cat_url(c), None) for c in sorted(th.cats)]))
    out.write("/wp-sitemap-taxonomies-post_tag-1.xml", sitemap_urlset([(tag_url(t), None) for t in tags]))
    out.write("/wp-sitemap-users-1.xml", sitemap_urlset([(author_url(a), None) for a in sorted({p.author for p in posts})]))
    out.route("/sitemap.xml", "", redirect="/wp-sitemap.xml")
    out.write("/robots.txt", f"""User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: {O}/wp-sitemap.xml
""")
