"""audit.links and audit.regions: spam verdicts, regions, hidden links, rule files."""

from __future__ import annotations

import json
from importlib import resources

import lxml.html
import pytest

from audit.extract import extract
from audit.language import anchor_language, detect
from audit.links import _name_shaped, VOCAB, registered_domain, resolve
from audit.regions import HiddenMap, element_signal

URL = "https://glowskinjournal.blogspot.com/2024/05/scalp-microneedling.html"
ARTICLE = (
    "<h3 class='post-title'>Scalp microneedling</h3><div class='post-body entry-content'>"
    + "<p>Scalp microneedling uses fine needles on the skin of the scalp to support hair growth "
    "and follicles; dermatologists suggest care with minoxidil and a gentle routine.</p>" * 6
    + "</div>"
)


def page(block: str, *, head: str = "") -> str:
    return (f"<html lang='en'><head><title>Scalp microneedling</title>{head}</head><body>"
            f"<div class='widget Blog' id='Blog1'><div class='post'>{ARTICLE}</div></div>{block}</body></html>")


def verdict(block: str, text: str, **kw):
    ex = extract(page(block, **kw), URL)
    return next(link for link in ex.links if link.text == text)


SPAM = [
    # (what, block, anchor text, expected reason prefix)
    ("gambling vocabulary in a link list", "<div class='widget LinkList'><ul><li><a href='https://judi88.com/'>Situs Judi Slot Gacor</a></li></ul></div>",
     "Situs Judi Slot Gacor", "vocab:gambling"),
    ("loan vocabulary in the footer", "<footer><a href='https://cash.com/'>Payday Loans Online Fast</a></footer>", "Payday Loans Online Fast", "vocab:loans"),
    ("Dutch rims title on an English page", "<div class='widget PopularPosts'><article class='post'><h3 class='post-title'>"
     "<a href='/2024/04/velgen.html'>Online Velgen Kopen: Een Gids voor de Slimme Shopper</a></h3></article></div>",
     "Online Velgen Kopen: Een Gids voor de Slimme Shopper", "vocab:car_parts"),
    ("foreign language without vocabulary", "<aside class='sidebar'><ul><li><a href='https://zinsen.de/'>Die besten Zinsen für Ihr Tagesgeld im Vergleich</a></li></ul></aside>",
     "Die besten Zinsen für Ihr Tagesgeld im Vergleich", "language:de"),
    ("inline-hidden external link", "<div style='display:none'><a href='https://shop.biz/'>Garden Furniture Sale</a></div>", "Garden Furniture Sale", "hidden"),
    ("off-screen link", "<div style='position:absolute;left:-9999px'><a href='https://shop.biz/'>Garden Furniture</a></div>", "Garden Furniture", "hidden"),
    ("commercial comment author", "<div class='comments'><div class='comment'><cite class='user'><a href='https://essays.com/' rel='nofollow'>"
     "Cheap Custom Papers Online Store</a></cite><p>Great post!</p></div></div>", "Cheap Custom Papers Online Store", "comment_author_commercial"),
    ("keyword link inside a comment", "<div class='comments'><div class='comment'><cite class='user'>Ann</cite><p>Nice! I use "
     "<a href='https://glowshop.com/' rel='nofollow ugc'>best skin whitening cream</a> daily.</p></div></div>",
     "best skin whitening cream", "commercial_keywords"),
    ("Korean gambling in a widget", "<div class='widget HTML'><a href='https://toto.kr/'>토토사이트 추천</a></div>", "토토사이트 추천", "vocab:gambling"),
    ("credit line carrying a casino", "<footer><div class='widget Attribution'>Theme by <a href='https://casino-bonus.com/'>Casino Bonus</a></div></footer>",
     "Casino Bonus", "vocab:gambling"),
    ("money and offer words off-topic", "<footer><ul><li><a href='https://quickcash-now.xyz/'>borrow $800 before Friday</a></li></ul></footer>",
     "borrow $800 before Friday", "commercial_keywords"),
    ("keyword phrase in a credit line", "<footer><p class='site-info'>Designed by <a href='https://gutterpros.com/'>affordable roof gutter repairs Denver</a></p></footer>",
     "affordable roof gutter repairs Denver", "offtopic"),
    ("Polish keyword anchor without function words", "<aside class='sidebar'><ul><li><a href='https://meble.pl/'>tanie meble ogrodowe wysyłka</a></li></ul></aside>",
     "tanie meble ogrodowe wysyłka", "language:"),
    ("commenter named after a shop", "<div class='comments'><div class='comment'><cite class='user'><a href='https://moebel-hh.de/' rel='nofollow'>"
     "Gartenmöbel Hamburg Günstig</a></cite><p>Danke!</p></div></div>", "Gartenmöbel Hamburg Günstig", "comment_author_commercial"),
]


@pytest.mark.parametrize("what,block,text,reason", SPAM)
def test_spam(what, block, text, reason):
    link = verdict(block, text)
    assert link.spam, what
    assert any(r.startswith(reason) for r in link.reasons), link.reasons


def test_spun_titles_are_spam_and_own_posts_are_not():
    titles = ["Checking out the Enchantment from the Catherine Deserts", "Exploring the Enchantment on the Catherine Deserts",
              "Five Gentle Cleansers for Sensitive Skin"]
    items = "".join(f"<article class='post'><h3><a href='/2024/0{i + 1}/p{i}.html'>{t}</a></h3></article>" for i, t in enumerate(titles))
    ex = extract(page(f"<div class='widget PopularPosts'>{items}</div>"), URL)
    by_text = {link.text: link for link in ex.links}
    assert by_text[titles[0]].spam and "spun" in by_text[titles[0]].reasons
    assert by_text[titles[1]].spam
    assert not by_text[titles[2]].spam


def test_dense_off_topic_block_is_spam():
    anchors = ["Lakeside Roofing and Gutter Repair", "Orlando Vacation Villas With Pools", "Used Forklifts and Pallet Trucks",
               "Affordable Kitchen Remodeling Denver"]
    links = "".join(f"<a href='https://site{i}.com/'>{t}</a><br>" for i, t in enumerate(anchors))
    ex = extract(page(f"<section class='widget widget_text'><div class='textwidget'><p>{links}</p></div></section>"), URL)
    assert all(link.spam and "dense_external_block" in link.reasons for link in ex.links if link.text in anchors)


CLEAN = [
    ("site navigation", "<nav><ul><li><a href='/'>Home</a></li><li><a href='/p/about.html'>About</a></li><li><a href='/search/label/acne'>Acne</a></li></ul></nav>", "Home"),
    ("own on-topic post", "<div class='widget PopularPosts'><article class='post'><h3><a href='/2024/01/rosacea.html'>How I Finally Calmed My Rosacea Flare-Ups</a></h3></article></div>",
     "How I Finally Calmed My Rosacea Flare-Ups"),
    ("labels", "<div class='widget Label'><ul><li><a href='/search/label/hair%20loss'>hair loss</a></li></ul></div>", "hair loss"),
    ("platform credit", "<footer><div class='widget Attribution'>Powered by <a href='https://www.blogger.com'>Blogger</a></div></footer>", "Blogger"),
    ("theme credit", "<footer><p class='site-info'>Theme: Astra by <a href='https://wpastra.com/'>Brainstorm Force</a></p></footer>", "Brainstorm Force"),
    ("share button", "<div class='post-share-buttons'><a href='https://www.facebook.com/sharer/sharer.php?u=x'>Share to Facebook</a></div>", "Share to Facebook"),
    ("social profile", "<aside class='sidebar'><div class='widget'><a href='https://www.instagram.com/glowskin/'>Follow me on Instagram</a></div></aside>", "Follow me on Instagram"),
    ("on-topic blogroll", "<div class='widget LinkList'><ul><li><a href='https://labmuffin.com/'>Lab Muffin Beauty Science</a></li>"
     "<li><a href='https://a.com/'>Skin and Tonic</a></li><li><a href='https://b.com/'>Curly Hair Diaries</a></li>"
     "<li><a href='https://c.com/'>The Derm Review</a></li></ul></div>", "Lab Muffin Beauty Science"),
    ("study linked in a comment", "<div class='comments'><div class='comment'><cite class='user'>Ann</cite><p>See "
     "<a href='https://pubmed.ncbi.nlm.nih.gov/1/'>this trial on microneedling</a>.</p></div></div>", "this trial on microneedling"),
    ("commenter with a name", "<div class='comments'><div class='comment'><cite class='user'><a href='https://janeblog.com/' rel='nofollow'>Jane Porter</a></cite></div></div>", "Jane Porter"),
    ("collapsed submenu", "<style>.sub-menu{display:none}</style><nav><ul><li><a href='/c/'>Ingredients</a><ul class='sub-menu'><li><a href='/c/retinoids/'>Retinoids</a></li></ul></li></ul></nav>", "Retinoids"),
    ("skip link", "<a class='skip-link screen-reader-text' href='#content'>Skip to content</a>", "Skip to content"),
    ("hidden consent banner", "<div class='cookie-notice' style='display:none'>We use cookies. <a href='https://policies.example.org/'>Learn more</a></div>",
     "Learn more"),
    ("commenter whose site carries their name", "<div class='comments'><div class='comment'><cite class='user'><a href='https://sannevandijk.nl/' rel='nofollow'>"
     "Sanne van Dijk</a></cite></div></div>", "Sanne van Dijk"),
    ("commenter with an apostrophe in the name", "<div class='comments'><div class='comment'><cite class='user'><a href='https://liamobrien.ie/' rel='nofollow'>"
     "Liam O'Brien</a></cite></div></div>", "Liam O'Brien"),
    ("nude lipstick post", "<div class='widget PopularPosts'><article class='post'><h3><a href='/2024/02/nude.html'>My Five Favourite Nude Lipsticks</a></h3></article></div>",
     "My Five Favourite Nude Lipsticks"),
]


@pytest.mark.parametrize("what,block,text", CLEAN)
def test_not_spam(what, block, text):
    link = verdict(block, text)
    assert not link.spam, (what, link.reasons)
    assert link.reasons == []


def test_hidden_detection_inline_css_and_media():
    html = """<html><head><style>.gone{display:none} #off{position:absolute;left:-5000px}
      @media (max-width:600px){.mobile-hidden{display:none}} .menu a:hover{display:none}</style></head><body>
      <div class='gone'><a href='https://a.com'>a</a></div><div id='off'><a href='https://b.com'>b</a></div>
      <div class='mobile-hidden'><a href='https://c.com'>c</a></div><p hidden><a href='https://d.com'>d</a></p>
      <span style='font-size:0px'><a href='https://e.com'>e</a></span><a href='https://f.com' style='visibility: hidden'>f</a>
      <a href='https://g.com'>g</a></body></html>"""
    tree = lxml.html.document_fromstring(html)
    hidden = HiddenMap(tree)
    seen = {a.text: hidden.hidden_root(a) is not None for a in tree.iter("a")}
    assert seen == {"a": True, "b": True, "c": False, "d": True, "e": True, "f": True, "g": False}


REGIONS = [
    ("div", "widget PopularPosts", "widget"),
    ("div", "post-body entry-content", "body"),
    ("div", "comment-content entry-content", "comments"),
    ("div", "elementor-widget elementor-widget-theme-post-content", "body"),
    ("div", "elementor-widget-container", None),
    ("aside", "widget-area", "sidebar"),
    ("footer", "site-footer", "footer"),
    ("div", "jp-relatedposts", "widget"),
    ("div", "content-sidebar-wrap", None),
    ("nav", None, "nav"),
    ("div", "sharedaddy sd-sharing-enabled", "other"),
]


@pytest.mark.parametrize("tag,cls,expected", REGIONS)
def test_element_signal(tag, cls, expected):
    el = lxml.html.fragment_fromstring(f"<{tag}{f' class={cls!r}' if cls else ''}>x</{tag}>")
    assert element_signal(el) == expected


def test_registered_domain_is_offline_and_private_suffix_aware():
    assert registered_domain("https://glowskinjournal.blogspot.com/x") == "glowskinjournal.blogspot.com"
    assert registered_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert registered_domain("mailto:a@b.c") == "" and registered_domain("http://[::1") == ""
    assert resolve("../a", "https://x.com/b/c/") == "https://x.com/b/a"


LANGUAGES = [
    ("Online Velgen Kopen: Een Gids voor de Slimme Shopper", "nl"),
    ("Situs judi slot online terpercaya dan resmi", "id"),
    ("Die besten Felgen günstig kaufen", "de"),
    ("How to choose a gentle cleanser for your sensitive skin", "en"),
    ("Купить шины недорого", "ru"),
]


@pytest.mark.parametrize("text,lang", LANGUAGES)
def test_language(text, lang):
    assert detect(text, min_score=1.0) == lang


ANCHORS = [
    ("pożyczki na dowód bez zaświadczeń", True),
    ("harga ban mobil termurah", True),
    ("cheap flights and hotel deals", False),
    ("Giant Pandas Return to Zoo Atlanta", False),
]


@pytest.mark.parametrize("text,foreign", ANCHORS)
def test_anchor_language_of_keyword_anchors(text, foreign):
    lang = anchor_language(text, min_foreign=2, min_share=0.6)
    assert (lang not in (None, "en")) == foreign, lang


def test_english_headline_is_not_taken_for_czech():
    assert detect("Europe's richest man to spend $1B on a retail store", min_score=2.0) in ("en", None)


def test_rule_files_have_ids_and_reasons():
    ids = set()
    for name in ("spam_vocab.jsonl", "spam_signals.jsonl", "spam_hosts.jsonl"):
        for line in resources.files("audit").joinpath(f"rules/{name}").read_text("utf-8").splitlines():
            rule = json.loads(line)
            assert rule["id"] not in ids and rule["why"]
            ids.add(rule["id"])
    assert {group.category for group in VOCAB} >= {
        "gambling", "loans", "replica", "essay", "pharma", "crypto", "seo", "car_parts", "adult"}


@pytest.mark.parametrize("text, shaped", [
    ("Sam at The Scalp Lab", True),  # a commenter signing with their blog's name
    ("Jo @ Glow Journal", True),
    ("cheap loans at best rates", False),
    ("Maria de la Cruz", True),
])
def test_commenter_signatures_are_names(text, shaped):
    assert _name_shaped(text) is shaped



NEWS_URL = "https://www.example-news.com/2024/05/city-council-budget.html"
NEWS = ("<h1>Council passes budget</h1><article class='entry-content'>"
        + "<p>The city council passed the budget for the harbour district on Tuesday after a long debate "
        "about ferries, parking meters and the new library; councillors argued over the tram depot.</p>" * 6 + "</article>")


def news_page(block: str) -> str:
    return f"<html lang='en'><head><title>Council passes budget</title></head><body>{NEWS}{block}</body></html>"


def signals(html: str, url: str, text: str) -> tuple[bool, list[str]]:
    """(spam, signals computed) for the link with this text: the verdict keeps signals only with spam."""
    import audit.links as links

    seen, original = {}, links._decide

    def probe(f):
        seen[f.link.text] = list(f.signals)
        original(f)

    links._decide = probe
    try:
        link = next(link for link in extract(html, url).links if link.text == text)
    finally:
        links._decide = original
    return link.spam, seen.get(text, [])


def test_topic_words_match_inflections_not_shared_prefixes():
    from audit.links import _on_topic_word

    assert _on_topic_word("wrinkles") and _on_topic_word("moisturizing") and _on_topic_word("serums")
    # a five-letter prefix is no topic word ("complexion" / "completely"), nor half of a phrase ("make-up")
    assert not _on_topic_word("completely") and not _on_topic_word("make") and not _on_topic_word("side")


def test_topic_lexicon_counts_only_on_a_page_about_the_topic():
    # on a skincare page a post about cleansing is the site's own; on a council-budget page a
    # "cleansing" title among the site's posts is as off-topic as any other
    title = "Why You Should Hire a Specialist Window Cleansing Company"
    widget = (f"<div class='widget PopularPosts'><ul><li><a href='/2024/04/why-hire.html'>{title}</a></li>"
              "<li><a href='/2024/04/tram.html'>Councillors argue over the tram depot</a></li></ul></div>")
    assert "offtopic" in signals(news_page(widget), NEWS_URL, title)[1]
    spam, seen = signals(page(widget), URL, title)
    assert not spam and "offtopic" not in seen


OWN_POSTS = ["How I Calmed My Rosacea Flare-Ups", "Scalp Microneedling at Home: Week Two", "Minoxidil and Microneedling Together"]


def popular(extra: str) -> str:
    titles = OWN_POSTS[:2] + [extra] + OWN_POSTS[2:]
    items = "".join(f"<li><a href='/2024/0{i + 1}/post-{i}.html'>{t}</a></li>" for i, t in enumerate(titles))
    return f"<div class='widget PopularPosts'><ul>{items}</ul></div>"


def test_keyword_phrase_among_own_posts_is_spam():
    # a hacked blog's popular-posts list: the injector's post reads as a search phrase
    link = verdict(popular("recover lost wallet coins fast"), "recover lost wallet coins fast")
    assert link.spam and "offtopic_outlier" in link.reasons


def test_off_topic_headline_among_own_posts_is_not_spam():
    # a capitalised headline without shop words is the site's own post, however far from the article
    title = "Why Our Village Fair Moved to October"
    spam, seen = signals(page(popular(title)), URL, title)
    assert not spam and "offtopic_outlier" not in seen


def posts_widget(titles: list[str]) -> str:
    items = "".join(f"<li><a href='/2024/0{i + 1}/p{i}.html'>{t}</a></li>" for i, t in enumerate(titles))
    return f"<div class='widget PopularPosts'><ul>{items}</ul></div>"


def test_spinner_swapping_a_preposition_with_its_neighbours_and_its_one_place_variants():
    # "Quiet Beauty of" / "Silent Allure in": words and a preposition swapped in one run; the third
    # title differs from the second in one place only and is output of the same spinner run
    titles = ["Finding the Quiet Beauty of the Ardennes Farm Trails", "Finding the Silent Allure in the Ardennes Farm Trails",
              "Finding the Silent Allure from the Ardennes Farm Trails", OWN_POSTS[0], OWN_POSTS[1]]
    links = {link.text: link for link in extract(page(posts_widget(titles)), URL).links}
    assert all(links[t].spam and "spun" in links[t].reasons for t in titles[:3])
    assert not links[OWN_POSTS[0]].spam


def test_templated_titles_are_not_spun():
    # a series and a city template swap names and words in one place, not a preposition
    titles = ["Scalp Microneedling History: A Timeline", "Scalp Microneedling: Understanding Your Results",
              "Best Rosacea Dermatologists in Boston", "Best Rosacea Dermatologists in New York"]
    links = {link.text: link for link in extract(page(posts_widget(titles)), URL).links}
    assert not any(links[t].spam for t in titles), [links[t].reasons for t in titles]


def test_lower_case_keyword_anchor_with_a_second_signal_is_spam():
    # the injector's anchor is the keyword as people type it, linked from a sidebar widget
    block = "<aside class='sidebar'><div class='widget'><h3>Links</h3><ul><li><a href='https://tiles4u.net/'>discount roof tiles delivered nationwide</a></li></ul></div></aside>"
    link = verdict(block, "discount roof tiles delivered nationwide")
    assert link.spam and "search_phrase" in link.reasons


def test_lower_case_on_topic_link_alone_is_not_spam():
    # a fellow blogger's post linked in lower case: on-topic, no second signal
    block = "<aside class='sidebar'><div class='widget'><ul><li><a href='https://skinfriend.net/retinol'>my favourite retinol serums for beginners</a></li></ul></div></aside>"
    spam, seen = signals(page(block), URL, "my favourite retinol serums for beginners")
    assert not spam and "search_phrase" in seen


def test_foreign_anchor_sharing_one_word_with_the_page_is_still_foreign():
    # "interior" is on the page (the Interior Ministry) and in the Spanish keyword alike
    html = news_page("<aside class='sidebar'><ul>"
                     "<li><a href='https://jardin.es/'>cómo regar las plantas de interior en verano</a></li>"
                     "<li><a href='https://autos.example.com/'>Turbocharged Nissan Sentra Interior Unveiled</a></li></ul></aside>")
    html = html.replace("the tram depot.", "the tram depot and the interior ministry.")
    spam, seen = signals(html, NEWS_URL, "cómo regar las plantas de interior en verano")
    assert any(s.startswith("language:") for s in seen)
    # a headline of names carries no function words: one shared word keeps it on the page
    _, seen = signals(html, NEWS_URL, "Turbocharged Nissan Sentra Interior Unveiled")
    assert not any(s.startswith("language:") for s in seen)


def test_long_words_meet_the_page_on_six_letters():
    # "installation" shares five letters with "instability" on the page, not its stem
    html = news_page("<aside class='sidebar'><ul><li><a href='https://racks.example.net/'>Shelving Installation Crews</a></li></ul></aside>")
    html = html.replace("the tram depot.", "the tram depot and its instability.")
    assert "offtopic" in signals(html, NEWS_URL, "Shelving Installation Crews")[1]


def test_commenter_name_is_not_off_topic_spam():
    # a three-word name linking to the commenter's blog, on a page that shares none of its words
    block = ("<div class='comments'><div class='comment'><cite class='user'><a href='https://cookhappylivehealthy.org/' rel='nofollow'>"
             "Mary Collette Rogers</a></cite><p>Lovely read.</p></div></div>")
    spam, _ = signals(news_page(block), NEWS_URL, "Mary Collette Rogers")
    assert not spam


def test_spinner_run_of_different_length_starting_with_a_swapped_preposition():
    # on-topic spinner output: "Behind Gentle" / "Within Mild Present-day" swaps a preposition and
    # a phrase of another length in one run: two places, even between on-topic titles
    titles = ["The Secrets Behind Gentle Retinol Night Routines", "The Secrets Within Mild Present-day Retinol Night Routines",
              OWN_POSTS[0], OWN_POSTS[1]]
    links = {link.text: link for link in extract(page(posts_widget(titles)), URL).links}
    assert all(links[t].spam and "spun" in links[t].reasons for t in titles[:2])
    assert not links[OWN_POSTS[0]].spam


def test_credit_line_with_a_keyword_phrase_needs_only_one_more_signal():
    block = "<footer><div class='site-info'>Copyright 2024. Designed by <a href='https://quickfix.example.com/'>same week dishwasher repairs</a></div></footer>"
    link = verdict(block, "same week dishwasher repairs")
    assert link.spam and "credit_keyword" in link.reasons
    # the theme vendor's name in the same line stays clean
    block = "<footer><div class='site-info'>Copyright 2024. Designed by <a href='https://brightthemes.example.com/'>Bright Themes</a></div></footer>"
    assert not verdict(block, "Bright Themes").spam


def test_social_links_do_not_dilute_a_spam_block():
    # two injected links next to the site's social profiles: the off-topic one goes with the spam one
    block = ("<footer><ul class='footer-social'><li><a href='https://www.facebook.com/glowskin'>Facebook</a></li>"
             "<li><a href='https://www.instagram.com/glowskin/'>Instagram</a></li><li><a href='https://x.com/glowskin'>X</a></li>"
             "<li><a href='https://casino-bonus.com/'>Casino Bonus Codes</a></li>"
             "<li><a href='https://oaktables.example.net/'>Refinishing Antique Oak Tables</a></li></ul></footer>")
    link = verdict(block, "Refinishing Antique Oak Tables")
    assert link.spam and "block_spam" in link.reasons


def test_own_health_story_with_a_drug_name_is_not_pharma_spam_on_a_news_page():
    # the lexicon does not make anchors on-topic on a council-budget page, but a drug named in the
    # site's own health story ("doctors") is reporting, not a pharmacy link
    title = "Fake doctors and misleading claims drive OxyContin sales"
    widget = (f"<div class='widget PopularPosts'><ul><li><a href='/2024/04/oxy.html'>{title}</a></li>"
              "<li><a href='/2024/04/tram.html'>Councillors argue over the tram depot</a></li></ul></div>")
    spam, _ = signals(news_page(widget), NEWS_URL, title)
    assert not spam
