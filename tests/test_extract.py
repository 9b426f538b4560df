"""audit.extract: body text, metadata, link inventory and bad input, on fixture pages and snippets."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from audit.errors import UnusableInput
from audit.extract import Page, extract, flatten, main_text, without_controls
from audit.models import REGIONS

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(p.stem for p in PAGES.glob("*.html"))


def load(name: str):
    truth = json.loads((PAGES / f"{name}.json").read_text("utf-8"))
    return (PAGES / f"{name}.html").read_bytes(), truth


@pytest.fixture(scope="module", params=FIXTURES)
def page(request):
    html, truth = load(request.param)
    return extract(html, truth["url"]), truth, html


def test_main_text_is_extract_text(page):
    ex, truth, html = page
    assert main_text(html, truth["url"]) == ex.text


def test_body_kept(page):
    ex, truth, _ = page
    for snippet in truth["body_must_contain"]:
        assert snippet in ex.text


def test_no_spam_or_non_body_anchor_text_in_body(page):
    ex, truth, _ = page
    body = ex.text.lower()
    for link in truth["links"]:
        if link["spam"]:
            assert link["text"].lower() not in body, link
    for link in ex.links:
        if link.region != "body" and len(link.text.split()) >= 3:
            assert link.text.lower() not in body, link


def test_every_anchor_listed_once_with_a_region(page):
    ex, truth, _ = page
    assert len(ex.links) == len(truth["links"])
    assert {link.region for link in ex.links} <= set(REGIONS)


def test_body_links_stay_in_body(page):
    ex, truth, _ = page
    body_links = [link for link in ex.links if link.region == "body"]
    assert {link.text for link in body_links} >= {t["text"] for t in truth["links"] if t["placement"] == "body"}
    for link in body_links:
        assert not link.spam and link.reasons == []
        assert link.text in ex.text


def test_body_html_is_clean_and_keeps_body_links(page):
    ex, truth, _ = page
    tree = lxml.html.fragment_fromstring(ex.body_html)
    assert not tree.xpath("//script | //style | //iframe | //@*[starts-with(name(), 'on')]")
    for t in truth["links"]:
        if t["placement"] == "body":
            assert f'href="{t["href"]}"' in ex.body_html.replace("&amp;", "&")
        if t["spam"]:
            assert t["href"] not in ex.body_html


def test_text_has_paragraphs(page):
    ex, _, _ = page
    assert "\n\n" in ex.text and "\n\n\n" not in ex.text
    assert not any(0x2800 <= ord(ch) <= 0x28FF for ch in ex.text + ex.body_html)


METADATA = [
    ("blogger_clean", "Scalp Microneedling: A Careful Guide", "Maya Hart", "2024-05-14", "en"),
    ("wordpress_clean", "Niacinamide: What It Can and Cannot Do", None, "2024-02-03", "en"),
    ("blogger_dutch_clean", "Niacinamide: wat doet het voor je huid?", None, "2024-01-??", "nl"),
]


@pytest.mark.parametrize("name,title,author,published,language", METADATA)
def test_metadata(name, title, author, published, language):
    html, truth = load(name)
    ex = extract(html, truth["url"])
    assert ex.title == title
    if author:
        assert ex.author == author
    if "?" not in published:
        assert ex.published == published
    assert ex.language == language


# ---------------------------------------------------------------------------
# Bad input: a result or UnusableInput, never a crash

UNUSABLE = [
    ("empty string", ""),
    ("whitespace", "  \n\t "),
    ("empty bytes", b""),
    ("png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    ("nul bytes", b"\x00" * 2048),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("plain text", "just a sentence without any markup"),
]


@pytest.mark.parametrize("name,data", UNUSABLE)
def test_unusable_input(name, data):
    with pytest.raises(UnusableInput) as err:
        extract(data, None)
    assert "\n" not in str(err.value)


ARTICLE = "<p>" + "Sunscreen protects the skin from ultraviolet light every single day. " * 12 + "</p>"
ODD = [
    ("frameset", '<html><frameset cols="50%,50%"><frame src="a.html"><frame src="b.html"></frameset></html>'),
    ("no body", "<html><head><title>t</title></head></html>"),
    ("control characters", "<html><body><article>" + ARTICLE + "<p>a\x00b\x01c\x0bd\x7f \ud800 \ufffe</p></article></body></html>"),
    ("xml declaration", '<?xml version="1.0" encoding="utf-8"?><html><body><article>' + ARTICLE + "</article></body></html>"),
    ("deep nesting", "<html><body>" + "<div>" * 5000 + ARTICLE + "</div>" * 5000 + "</body></html>"),
    ("unclosed tags", "<html><body>" + "<div><span><b>" * 3000 + ARTICLE),
    ("bad urls", '<html><body><article>' + ARTICLE + '<a href="javascript:void(0)">js</a><a href="http://[::1">v6</a>'
                 '<a href="">self</a><a href="  /x ">rel</a><a href="mailto:a@b.c">mail</a><a href="//cdn.example.net/y">proto</a></article></body></html>'),
]


@pytest.mark.parametrize("name,html", ODD)
def test_odd_pages_give_a_result(name, html):
    ex = extract(html, "https://blog.example.com/2024/01/post.html")
    assert isinstance(ex.text, str)
    assert all(link.region in REGIONS for link in ex.links)
    assert main_text(html, "https://blog.example.com/2024/01/post.html") == ex.text


def test_control_characters_are_dropped():
    ex = extract(ODD[2][1], None)
    assert "Sunscreen protects" in ex.text and "\x00" not in ex.text


def test_urls_resolved_and_kept_raw_when_unresolvable():
    ex = extract(dict(ODD)["bad urls"], "https://blog.example.com/2024/01/post.html")
    hrefs = [link.href for link in ex.links]
    assert hrefs == ["javascript:void(0)", "http://[::1", "https://blog.example.com/2024/01/post.html",
                     "https://blog.example.com/x", "mailto:a@b.c", "https://cdn.example.net/y"]
    assert [link.internal for link in ex.links] == [True, True, True, True, True, False]


def test_base_href_resolves_links():
    html = ('<html><head><base href="https://cdn.other.org/dir/"></head><body><article>' + ARTICLE +
            '<p><a href="page.html">a page</a></p></article></body></html>')
    ex = extract(html, "https://blog.example.com/post")
    assert ex.links[0].href == "https://cdn.other.org/dir/page.html"
    assert not ex.links[0].internal


ENCODINGS = [
    ("meta charset", '<html><head><meta charset="windows-1252"></head><body><p>caf\xe9 cr\xe8me</p></body></html>'.encode("cp1252"), "café crème"),
    ("utf-8 bom", b"\xef\xbb\xbf<html><body><p>cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e</p></body></html>", "crème brûlée"),
    ("utf-16 bom", "<html><body><p>crème à l'huile</p></body></html>".encode("utf-16"), "crème à l'huile"),
    ("undeclared latin-1", "<html><body><p>S\xe9rum \xe0 la vitamine</p></body></html>".encode("latin-1"), "Sérum à la vitamine"),
]


@pytest.mark.parametrize("name,data,expected", ENCODINGS)
def test_bytes_are_decoded(name, data, expected):
    assert expected in extract(data, None).text


def test_big_page_gives_a_result_in_reasonable_time():
    para = "<p>" + "Retinol and niacinamide are common skincare ingredients. " * 4 + '<a href="/p%d">post %d</a></p>'
    html = "<html><body><article><div class='entry-content'>" + "".join(para % (i, i) for i in range(15000)) + "</div></article></body></html>"
    ex = extract(html, "https://x.example.com/a")
    assert len(ex.links) == 15000
    assert "Retinol and niacinamide" in ex.text


@pytest.mark.parametrize("text, expected", [
    ("plain text, é and 日本", "plain text, é and 日本"),
    ("a\x00b\x08c\x0bd\x1fe\x7ff", "abcdef"),
    ("tab\tnewline\ncr\r kept", "tab\tnewline\ncr\r kept"),
    ("non\ufffecharacters\uffff", "noncharacters"),
    ("lone \udc80surrogate", "lone surrogate"),
])
def test_without_controls(text, expected):
    assert without_controls(text) == expected


def test_markup_nested_deeper_than_libxml2_reads_keeps_its_text_and_links():
    # libxml2 stops at 2048 levels and drops the rest of the page; we read it again flattened
    html = ("<html><body>" + "<div class='wrap'>" * 5000 + ARTICLE + "</div>" * 5000
            + "<footer><a href='https://casino.example/'>best online casino bonus</a></footer></body></html>")
    ex = extract(html, "https://blog.example.com/2024/01/post.html")
    assert "Sunscreen protects" in ex.text
    assert [(link.href, link.region) for link in ex.links] == [("https://casino.example/", "footer")]
    assert "casino" not in ex.text


def test_flatten_drops_only_the_tags_below_the_limit():
    html = "<div><div><div><p>deep <b>text</b></p></div></div></div><br><img src=x>"
    assert flatten(html, 2) == "<div><div>  deep  text   </div></div><br><img src=x>"


def _page_with_container(outside_words: int):
    outside = " ".join(["promo"] * outside_words)
    return lxml.html.fromstring(
        f"<html><body><div class='intro'><p>{outside}</p></div>"
        "<div class='entry-content'><p>" + "Sunscreen protects the skin. " * 20 + "</p></div></body></html>"
    )


def test_trafilatura_reads_the_article_container_alone_when_it_holds_most_of_the_page():
    tree = _page_with_container(outside_words=10)
    reading = Page(tree, "https://blog.example.com/post.html")._reading_tree()
    assert reading is not tree and "promo" not in reading.text_content()
    assert "Sunscreen protects" in reading.text_content()
    assert "promo" in tree.text_content()  # the page itself is left whole for the link inventory


def test_trafilatura_reads_the_whole_page_when_the_container_holds_little_of_it():
    tree = _page_with_container(outside_words=400)
    assert Page(tree, "https://blog.example.com/post.html")._reading_tree() is tree


def test_the_only_article_element_is_a_container_but_one_of_many_is_not():
    story = "<article><p>" + "Retinol needs patience and sunscreen. " * 20 + "</p></article>"
    teaser = "<article><p>" + "Another story teaser here. " * 3 + "</p></article>"
    single = lxml.html.fromstring(f"<html><body><div><p>menu</p></div>{story}</body></html>")
    several = lxml.html.fromstring(f"<html><body>{story}{teaser}</body></html>")
    assert Page(single, None)._reading_tree() is not single
    assert Page(several, None)._reading_tree() is several


def test_a_container_with_most_paragraph_text_is_read_alone_even_under_a_heavy_menu():
    menu = "<ul>" + "".join(f"<li>menu entry number {i}</li>" for i in range(200)) + "</ul>"
    article = "<div class='entry-content'>" + "<p>Sunscreen protects the skin every day.</p>" * 10 + "</div>"
    tree = lxml.html.fromstring(f"<html><body>{menu}{article}<p>short footer note</p></body></html>")
    reading = Page(tree, None)._reading_tree()
    assert reading is not tree and "menu entry" not in reading.text_content()
