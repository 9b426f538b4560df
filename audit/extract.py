"""Article body extraction with a link inventory.

trafilatura finds the article; our region model (``audit.regions``) decides where every link
sits, removes what trafilatura let through from related-posts, comment and footer blocks, and
``audit.links`` judges the non-body links. One parse per page: the inventory is taken on our
tree, and each anchor's text is wrapped in invisible markers (``audit.marks``) so the links
trafilatura keeps, and where it keeps them, can be told apart. When the region model finds an
article container holding most of the page's text, trafilatura reads a copy of that container
alone: the same article for a fraction of its XPath work.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import islice

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.xml import xmltotxt

from audit import marks, metadata
from audit.errors import UnusableInput
from audit.language import detect
from audit.links import judge_links, registered_domain, resolve
from audit.models import Extraction, Link
from audit.regions import (
    BODY,
    CODE_TAGS,
    REPORTED_AS,
    WEAK,
    Layout,
    element_signal,
    paragraph_len,
    text_len,
    text_of,
    visible_len,
)
from audit.defaults import section

SETTINGS = section("extract")

# C0 controls other than tab/newline/carriage return, DEL, and non-characters: lxml refuses them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_CONTROL_BYTES = bytes(range(9)) + b"\x0b\x0c" + bytes(range(14, 32)) + b"\x7f"
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_TAG = re.compile(r"<\s*[a-zA-Z!/?]")


def main_text(html: str | bytes, url: str | None = None) -> str:
    """The article body as plain text (what ``check`` reports as ``text``).

    Same steps as ``extract`` for the text, without the verdicts and metadata it does not need."""
    page = Page(parse(to_text(html)), url)
    return plain_text(page.body(), page.marking)


def extract(html: str | bytes, url: str | None = None) -> Extraction:
    """Title, byline, date, language, body text and HTML, and every link with its region."""
    tree = parse(to_text(html))
    meta = metadata.read(tree, url)
    page = Page(tree, url)
    postbody = page.body()
    links = page.links()
    body_html = to_html(postbody, links, page.marking)
    text = plain_text(postbody, page.marking)
    language = detect(text, default=None) or metadata.html_language(tree) or "en"
    topic = f"{meta.title}\n{text}"
    judge_links(links, page_url=url, page_text=topic, page_language=language, context=page.spots())
    return Extraction(
        url=url,
        title=meta.title,
        author=meta.author,
        published=meta.published,
        language=language,
        text=text,
        body_html=body_html,
        links=links,
    )


# ---------------------------------------------------------------------------
# Input


def to_text(html: str | bytes) -> str:
    """Decode (BOM, meta charset, UTF-8, cp1252), drop characters lxml refuses, reject non-HTML."""
    if html is None:
        raise UnusableInput("empty input")
    if isinstance(html, (bytes, bytearray)):
        html = decode(bytes(html))
    text = without_controls(html)
    if not text.strip():
        raise UnusableInput("empty input")
    if not _TAG.search(text[:100_000]):
        raise UnusableInput("not HTML: no markup found")
    return text


def without_controls(text: str) -> str:
    """``text`` without the characters lxml refuses.

    They are looked for in the UTF-8 bytes first: ``bytes.translate`` and substring search run
    at memory speed, a regex over a 100 kB page costs a millisecond, and almost no page has any."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return _CONTROL.sub("", text)
    if len(data.translate(None, _CONTROL_BYTES)) == len(data) and not any(c in data for c in _NONCHARACTERS):
        return text
    return _CONTROL.sub("", text)


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    head = raw[:4096]
    if head.count(b"\x00") > len(head) // 10 or _looks_binary(head):
        raise UnusableInput("binary input, not HTML")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(raw[:8192])
    declared = m.group(1).decode("ascii", "replace").lower() if m else "cp1252"
    if declared in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "utf-8", "utf8"):
        declared = "cp1252"  # what browsers do with undeclared or mislabelled Western pages
    try:
        return raw.decode(declared, errors="replace")
    except LookupError:
        return raw.decode("cp1252", errors="replace")


def _looks_binary(head: bytes) -> bool:
    # magic numbers of formats people feed by mistake: PDF, ZIP/Office, PNG, JPEG, GIF, gzip
    return head.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b"))


# trafilatura's parser settings, plus huge_tree: deeply nested pages parse instead of being cut.
PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, huge_tree=True
)
# Every element an HtmlElement, chosen in C: lxml.html's default lookup calls back into Python
# for each element proxy, which costs more than anything else we do per element.
PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_START_OR_END_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*>")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def parse(text: str):
    """The page as an lxml tree rooted at ``<html>``; UnusableInput when nothing parses."""
    text = _XML_DECLARATION.sub("", text.lstrip("\ufeff"), count=1)
    tree = _parse(text)
    if any("Excessive depth" in error.message for error in PARSER.error_log):
        tree = _parse(flatten(text, SETTINGS["max_depth"]))
    if tree is None or not len(tree):
        raise UnusableInput("no parseable HTML")
    return tree


def _parse(text: str):
    try:
        return lxml.html.document_fromstring(text, parser=PARSER)
    except (ValueError, etree.LxmlError) as err:
        raise UnusableInput(f"no parseable HTML: {err}") from None


def flatten(text: str, limit: int) -> str:
    """The markup without the start and end tags nested deeper than ``limit`` (text kept).

    A rough tag count, not a parser: it only runs on pages libxml2 gave up on."""
    depth, dropped = 0, Counter()

    def keep_or_drop(m: re.Match) -> str:
        nonlocal depth
        name = m.group(2).lower()
        if name in VOID_TAGS or m.group(0).endswith("/>"):
            return m.group(0)
        if not m.group(1):
            depth += 1
            if depth <= limit:
                return m.group(0)
            dropped[name] += 1
            return " "
        depth = max(depth - 1, 0)
        if dropped[name]:
            dropped[name] -= 1
            return " "
        return m.group(0)

    return _START_OR_END_TAG.sub(keep_or_drop, text)


# ---------------------------------------------------------------------------
# The page: link inventory, trafilatura run, region settlement


@dataclass
class Spot:
    """Where one link sits, before the spam verdict."""

    element: object
    structural: str | None
    under_body: bool
    source: object
    """The element that gave the region signal."""
    hidden: bool
    hidden_inline: bool = False
    """Hidden by its own markup (inline style / hidden attribute) rather than by the theme's CSS."""


class Page:
    """One parsed page: its anchors, which of them are hidden, and what trafilatura kept."""

    def __init__(self, tree, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self.layout = Layout(tree)
        self.anchors = self.layout.anchors
        self.hidden_map = self.layout.hidden
        self.kept: set[int] = set()
        self._structural: dict[int, tuple] = {}
        self._wrapper: dict = {}
        self._chars = None
        self.body_chars = 0
        self.hidden = self._cut_hidden()
        self._cut_regions()

    def _cut_hidden(self) -> list[bool]:
        """Which anchors are hidden; hidden blocks holding links are cut out so their text cannot leak.

        Every anchor's region is read here too, while the page is still whole."""
        infos = [self.layout.of(a) for a in self.anchors]
        self._structural = {i: info[:3] for i, info in enumerate(infos)}
        roots = [info[3] for info in infos]
        verdicts: dict = {}
        for root in roots:
            if root is not None and root not in verdicts:
                verdicts[root] = _is_small(root, self._page_chars())
        self._cut = {root for root, small in verdicts.items() if small}
        for root, small in verdicts.items():
            if small:
                _detach(root)
        self.hidden_inline = [r is not None and verdicts[r] and r in self.hidden_map.by_style for r in roots]
        return [r is not None and verdicts[r] for r in roots]

    def _cut_regions(self) -> None:
        """Cut comment, related-posts, sidebar and footer blocks out before extraction."""
        blocks = self.layout.prunable(self._page_chars(), SETTINGS["prune_max_share"], self._cut)
        for block in blocks:
            _detach(block)

    def _page_chars(self) -> int:
        if self._chars is None:
            self._chars = text_len(self.tree) or 1
        return self._chars

    def body(self):
        """trafilatura's body tree (still marked), without the text of non-body links."""
        self.marking = marks.Marking(self.anchors)
        try:
            postbody = self._extract_marked()
        finally:
            self.marking.unmark()
        self.kept = marks.kept_ids(postbody)
        self.body_chars = len(" ".join("".join(postbody.itertext()).split()))
        self._remove_residue(postbody)
        self._drop_title(postbody)
        return postbody

    def _extract_marked(self):
        """trafilatura on normal pages; on huge ones (its cost grows faster than the page) the
        article container's blocks, so a 20 MB page still gives an answer in seconds."""
        if sum(1 for _ in self.tree.iter()) > SETTINGS["max_elements"]:
            return _blocks_of(self.tree)
        try:
            doc = trafilatura.bare_extraction(
                self._reading_tree(), url=self.url, fast=True, include_comments=False, with_metadata=False
            )
        except RecursionError:
            return _blocks_of(self.tree)
        return doc.body if doc is not None and doc.body is not None else etree.Element("body")

    def _reading_tree(self):
        """What trafilatura reads: a copy of the article container alone, in a page of its own,
        when the container holds most of the page's visible or paragraph text; else the page."""
        least = visible_len(self.tree) * SETTINGS["container_min_share"]
        least_paragraphs = paragraph_len(self.tree) * SETTINGS["container_min_paragraph_share"]
        for container in self._containers():
            # menus and footers seldom sit in <p>: a container holding most paragraph text is the
            # article even on a page whose boilerplate outweighs it
            if text_len(container) >= least or 0 < least_paragraphs <= paragraph_len(container):
                page = lxml.html.Element("html")
                etree.SubElement(page, "body").append(copy.deepcopy(container))
                return page
        return self.tree

    def _containers(self):
        """Article containers, best first: those our region model names (still on the page, not
        inside a block cut before extraction), then the page's only ``<article>`` or ``<main>``."""
        root = self.tree.getroottree().getroot()
        yield from (el for el in self.layout.containers() if el.getroottree().getroot() is root)
        for tag in ("article", "main"):
            found = list(islice(self.tree.iter(tag), 2))
            if len(found) == 1:
                yield found[0]

    def _drop_title(self, postbody) -> None:
        """The article title is the ``title`` field, not the first line of the body."""
        first = next(iter(postbody), None)
        if first is None or first.tag != "head":
            return
        heading = _words(self.marking.restore("".join(first.itertext()), [None]))
        if heading and any(heading in t or t in heading for t in self._titles() if len(t) > 8):
            _detach(first)

    def _titles(self) -> list[str]:
        found = self.tree.xpath("//title/text() | //meta[@property='og:title']/@content")
        found += [text_of(h) for h in self.tree.iter("h1")]
        return [_words(t) for t in found[:8]]

    def structural(self, i: int) -> tuple:
        if i not in self._structural:
            self._structural[i] = self.layout.of(self.anchors[i])[:3]
        return self._structural[i]

    def region(self, i: int) -> str:
        region = self._region(i)
        return REPORTED_AS.get(region, region)

    def _region(self, i: int) -> str:
        structural, under_body, source = self.structural(i)
        if self.hidden[i]:
            return structural if structural not in (None, BODY, WEAK) else "other"
        if i in self.kept:
            if structural in (None, BODY, WEAK):
                return "body"
            if under_body and structural in SOFT_REGIONS:
                return "body"  # an aside or header inside the article text that trafilatura kept
            if structural != "comments" and self._wraps_article(source):
                return "body"  # a layout wrapper with a region-like name ("content-with-sidebar")
            return structural
        if structural == BODY:
            return "body"
        return structural if structural not in (None, WEAK) else "other"

    def _wraps_article(self, source) -> bool:
        if source not in self._wrapper:
            self._wrapper[source] = len(text_of(source)) >= self.body_chars * SETTINGS["wrapper_min_share"]
        return self._wrapper[source]

    def _remove_residue(self, postbody) -> None:
        """Drop the text trafilatura kept from non-body regions: their links and link-only blocks."""
        drop = {i for i in self.kept if self.region(i) != "body"}
        if not drop:
            return
        stats = marks.cut_spans(postbody, drop, BLOCKS)
        share = SETTINGS["residue_link_share"]
        for block, (removed, total) in stats.items():
            if removed and removed >= total * share and block is not postbody:
                _detach(block)
        _prune_empty(postbody)

    def links(self) -> list[Link]:
        base = metadata.base_url(self.tree, self.url)
        site = registered_domain(self.url or base or "")
        links = []
        for i, anchor in enumerate(self.anchors):
            href = resolve(anchor.get("href") or "", base)
            rel = anchor.get("rel")
            links.append(Link(
                href=href,
                text=_anchor_text(anchor),
                region=self.region(i),
                internal=registered_domain(href) in ("", site),
                rel=sorted({r.lower() for r in rel.split()}) if rel else [],
                hidden=self.hidden[i],
            ))
        return links

    def spots(self) -> list[Spot]:
        return [
            Spot(a, *self.structural(i), hidden=self.hidden[i], hidden_inline=self.hidden_inline[i])
            for i, a in enumerate(self.anchors)
        ]


TEXT_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "td", "th", "figcaption"}


def _blocks_of(tree):
    """A trafilatura-like body: one ``<p>`` per text block of the article container (or page)."""
    container = next((el for el in tree.iter() if isinstance(el.tag, str) and element_signal(el) == BODY), None)
    if container is None:
        container = tree.find("body") if tree.find("body") is not None else tree
    out = etree.Element("body")
    for el in container.iter(*TEXT_BLOCKS):
        if any(True for _ in el.iterdescendants(*TEXT_BLOCKS)):
            continue
        text = " ".join(etree.tostring(el, method="text", encoding="unicode", with_tail=False).split())
        if text:
            etree.SubElement(out, "p").text = text
    return out


def _is_small(root, page_len: int) -> bool:
    # a "hidden" block holding much of the page is a reveal-on-load trick, not hidden content
    if root.tag in ("body", "html") or root.xpath("boolean(.//*[@itemprop='articleBody'] | self::article | .//article)"):
        return False
    return text_len(root) < page_len * SETTINGS["hidden_max_share"]


# a kept link in these regions under the article container is article text (pull-quote, inline box)
SOFT_REGIONS = {"header", "meta", "footer", "sidebar", "widget", "other"}
BLOCKS = {"p", "item", "head", "quote", "cell", "row", "list", "table", "div", "code"}


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# Code and templates inside a link ("<picture><script type=text/template>…") are not its text:
# themes lazy-load images that way, and their markup read as text looks like spam.
_VISIBLE_TEXT = etree.XPath("descendant::text()[not(ancestor::script or ancestor::style or ancestor::template or ancestor::noscript)]")


def _anchor_text(el) -> str:
    if not len(el):  # most anchors hold only their text
        text = " ".join((el.text or "").split())
    elif next(el.iter(*CODE_TAGS), None) is not None:
        text = " ".join("".join(_VISIBLE_TEXT(el)).split())
    else:
        text = text_of(el)
    if text:
        return text
    img = el.find(".//img")
    return " ".join((img.get("alt") or "").split()) if img is not None else " ".join((el.get("title") or "").split())


def _detach(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _prune_empty(root) -> None:
    for el in list(root.iter("list", "table", "row", "quote")):
        if not "".join(el.itertext()).strip() and el.getparent() is not None:
            _detach(el)


# ---------------------------------------------------------------------------
# Output


def plain_text(postbody, marking) -> str:
    marks.restore(postbody, marking)
    text = xmltotxt(postbody, False)
    text = re.sub(r"\n{2,}", "\n", text).strip()
    return unicodedata.normalize("NFC", text.replace("\n", "\n\n"))


# trafilatura's XML vocabulary → HTML
HTML_TAGS = {"p": "p", "quote": "blockquote", "item": "li", "lb": "br", "code": "pre", "table": "table",
             "row": "tr", "cell": "td", "del": "del", "div": "div"}
HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def to_html(postbody, links: list[Link], marking) -> str:
    """Clean HTML of the body: only structural tags and real link targets, nothing executable."""
    out = etree.Element("div")
    _HtmlCopy(links, marking).children(postbody, out)
    return etree.tostring(out, method="html", encoding="unicode")


class _HtmlCopy:
    """Copies trafilatura's body tree into HTML, turning marked spans back into links."""

    def __init__(self, links: list[Link], marking) -> None:
        self.links = links
        self.marking = marking
        self.anchor = None
        self.current = [None]

    def children(self, src, dst) -> None:
        self.text(dst, None, src.text)
        for child in src:
            if not isinstance(child.tag, str):
                continue
            new = etree.SubElement(dst, _html_tag(child))
            self.anchor = None
            self.children(child, new)
            self.anchor = None
            self.text(dst, new, child.tail)

    def text(self, parent, after, text: str | None) -> None:
        """Append ``text`` to ``parent`` (after element ``after``)."""
        if not text:
            return
        pieces = marks.ANY.split(text)
        last = after
        self._append(parent, last, pieces[0])
        for token, piece in zip(marks.ANY.findall(text), pieces[1:]):
            if token == marks.END:
                if self.anchor is not None:
                    self.anchor.text = (self.anchor.text or "") + self.marking.restore(token, self.current)
                    last = self.anchor
                self.anchor = None
                self._append(parent, last, piece)
                continue
            self.current = [None]
            head = self.marking.restore(token, self.current)
            self.anchor = etree.SubElement(parent, "a")
            href = self.links[self.current[0]].href if self.current[0] < len(self.links) else ""
            if href.startswith(("http://", "https://", "mailto:", "/", "#")):
                self.anchor.set("href", href)
            self.anchor.text = head + piece
            last = self.anchor

    def _append(self, parent, after, piece: str) -> None:
        if not piece:
            return
        if self.anchor is not None and after is self.anchor:
            self.anchor.text = (self.anchor.text or "") + piece
        elif after is None:
            parent.text = (parent.text or "") + piece
        else:
            after.tail = (after.tail or "") + piece


def _html_tag(el) -> str:
    if el.tag == "head":
        rend = el.get("rend") or "h2"
        return rend if re.fullmatch(r"h[1-6]", rend) else "h2"
    if el.tag == "list":
        return "ol" if (el.get("rend") or "").startswith("o") else "ul"
    if el.tag == "hi":
        return HI_TAGS.get(el.get("rend") or "", "span")
    return HTML_TAGS.get(el.tag, "span")
