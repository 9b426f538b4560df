"""Article body extraction with a link inventory.

trafilatura finds the article; our region model (``audit.regions``) decides where every link
sits, removes what trafilatura let through from related-posts, comment and footer blocks, and
``audit.links`` judges the non-body links. One parse per page: the inventory is taken on our
tree, then each ``<a>`` gets a tracer href so the links trafilatura keeps can be told apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import trafilatura
from lxml import etree
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from audit import metadata
from audit.errors import UnusableInput
from audit.language import detect
from audit.links import judge_links, registered_domain, resolve
from audit.models import Extraction, Link
from audit.regions import BODY, WEAK, HiddenMap, RegionMap, iter_anchors, text_of
from audit.defaults import section

SETTINGS = section("extract")
TRACER = "http://sa.invalid/"
_TRACER_ID = re.compile(r"^http://sa\.invalid/(\d+)$")

# C0 controls other than tab/newline/carriage return, DEL, and non-characters: lxml refuses them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_TAG = re.compile(r"<\s*[a-zA-Z!/?]")


def main_text(html: str | bytes, url: str | None = None) -> str:
    """The article body as plain text (what ``check`` reports as ``text``)."""
    return extract(html, url).text


def extract(html: str | bytes, url: str | None = None) -> Extraction:
    """Title, byline, date, language, body text and HTML, and every link with its region."""
    source = to_text(html)
    tree = parse(source)
    page = Page(tree, url)
    meta = metadata.read(tree, url)
    postbody = page.run_trafilatura()
    page.settle_regions(postbody)
    page.remove_residue(postbody)
    body_html = page.body_html(postbody)
    text = plain_text(postbody)
    language = detect(text, default=None) or metadata.html_language(tree) or "en"
    links = judge_links(page.links, page_url=url, page_text=text, page_language=language, context=page.context)
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
    text = _CONTROL.sub("", html)
    if not text.strip():
        raise UnusableInput("empty input")
    if not _TAG.search(text[:100_000]):
        raise UnusableInput("not HTML: no markup found")
    return text


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


def parse(text: str):
    try:
        tree = load_html(text)
    except (ValueError, TypeError, etree.LxmlError) as err:
        raise UnusableInput(f"no parseable HTML: {err}") from None
    if tree is None or tree.find(".//body") is None and len(tree) == 0:
        raise UnusableInput("no parseable HTML")
    return tree


# ---------------------------------------------------------------------------
# The page: link inventory, trafilatura run, region settlement


@dataclass
class Spot:
    """Where one link sits, before the spam verdict."""

    element: object
    structural: str | None
    under_body: bool
    hidden_root: object
    hidden_inline: bool = False
    """Hidden by its own markup (inline style / hidden attribute) rather than by the theme's CSS."""


class Page:
    def __init__(self, tree, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self.base = metadata.base_url(tree, url)
        self.site = registered_domain(url or self.base or "")
        self.regions = RegionMap()
        self.hidden = HiddenMap(tree)
        self.links: list[Link] = []
        self.spots: list[Spot] = []
        self.kept: set[int] = set()
        self._inventory()

    def _inventory(self) -> None:
        for el in iter_anchors(self.tree):
            structural, under_body = self.regions.structural(el)
            href = resolve(el.get("href") or "", self.base)
            link = Link(
                href=href,
                text=_anchor_text(el),
                region="other",
                internal=registered_domain(href) in ("", self.site),
                rel=sorted({r.lower() for r in (el.get("rel") or "").split()}),
                hidden=False,
            )
            self.links.append(link)
            self.spots.append(Spot(el, structural, under_body, self.hidden.hidden_root(el)))
        self._drop_hidden()

    def _drop_hidden(self) -> None:
        """Mark hidden links and cut their hidden blocks out of the tree (so their text cannot leak)."""
        page_len = len(text_of(self.tree.find(".//body") if self.tree.find(".//body") is not None else self.tree)) or 1
        verdicts: dict = {}
        for link, spot in zip(self.links, self.spots):
            root = spot.hidden_root
            if root is None:
                continue
            if root not in verdicts:
                verdicts[root] = self._is_small(root, page_len)
            link.hidden = verdicts[root]
            spot.hidden_inline = link.hidden and root in self.hidden.by_style
        for root, small in verdicts.items():
            if small and root.getparent() is not None:
                _detach(root)

    def _is_small(self, root, page_len: int) -> bool:
        # a "hidden" block holding much of the page is a reveal-on-load trick, not hidden content
        if root.xpath("boolean(.//*[@itemprop='articleBody'] | self::article | .//article)"):
            return False
        return len(text_of(root)) < page_len * SETTINGS["hidden_max_share"]

    def run_trafilatura(self):
        for i, spot in enumerate(self.spots):
            spot.element.set("href", f"{TRACER}{i}")
        doc = trafilatura.bare_extraction(
            self.tree,
            url=self.url,
            include_comments=False,
            include_links=True,
            include_tables=True,
            with_metadata=False,
        )
        postbody = doc.body if doc is not None and doc.body is not None else etree.Element("body")
        for ref in postbody.iter("ref"):
            m = _TRACER_ID.match(ref.get("target") or "")
            if m:
                self.kept.add(int(m.group(1)))
        return postbody

    def settle_regions(self, postbody) -> None:
        for i, (link, spot) in enumerate(zip(self.links, self.spots)):
            link.region = self._region(i, spot, link)

    def _region(self, i: int, spot: Spot, link: Link) -> str:
        structural = spot.structural
        if link.hidden:
            return structural if structural not in (None, BODY, WEAK) else "other"
        if i in self.kept:
            if structural in (None, BODY, WEAK):
                return "body"
            if spot.under_body and structural in SOFT_REGIONS:
                return "body"  # an aside or header inside the article text that trafilatura kept
            return structural
        if structural in (BODY,):
            return "body"
        return structural if structural not in (None, WEAK) else "other"

    @property
    def context(self) -> list[Spot]:
        return self.spots

    def remove_residue(self, postbody) -> None:
        """Drop the text trafilatura kept from non-body regions: their links and link-only blocks."""
        for ref in list(postbody.iter("ref")):
            m = _TRACER_ID.match(ref.get("target") or "")
            if not m or self.links[int(m.group(1))].region == "body":
                continue
            block = _block_of(ref, postbody)
            if block is not None and _mostly_links(block, ref):
                _detach(block)
            else:
                _remove_keep_tail(ref)
        _prune_empty(postbody)

    def body_html(self, postbody) -> str:
        return to_html(postbody, self.links)


# a kept link in these regions under the article container is article text (pull-quote, inline box)
SOFT_REGIONS = {"header", "footer", "sidebar", "widget", "other"}
BLOCKS = {"p", "item", "head", "quote", "cell", "row", "list", "table", "div", "code"}


def _anchor_text(el) -> str:
    text = text_of(el)
    if text:
        return text
    img = el.find(".//img")
    return " ".join((img.get("alt") or "").split()) if img is not None else " ".join((el.get("title") or "").split())


def _block_of(el, root):
    node = el.getparent()
    while node is not None and node is not root:
        if node.tag in BLOCKS:
            return node
        node = node.getparent()
    return None


def _mostly_links(block, ref) -> bool:
    total = len(" ".join("".join(block.itertext()).split()))
    linked = sum(len(" ".join("".join(r.itertext()).split())) for r in block.iter("ref"))
    return total == 0 or linked >= total * SETTINGS["residue_link_share"]


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


def _remove_keep_tail(el) -> None:
    el.text = None
    for child in list(el):
        el.remove(child)
    _detach(el)


def _prune_empty(root) -> None:
    for el in list(root.iter("list", "table", "row", "quote")):
        if not "".join(el.itertext()).strip() and el.getparent() is not None:
            _detach(el)


# ---------------------------------------------------------------------------
# Output


def plain_text(postbody) -> str:
    body = etree.fromstring(etree.tostring(postbody))
    etree.strip_tags(body, "ref")
    text = xmltotxt(body, False)
    text = re.sub(r"\n{2,}", "\n", text).strip()
    return unicodedata.normalize("NFC", text.replace("\n", "\n\n"))


# trafilatura's XML vocabulary → HTML
HTML_TAGS = {"p": "p", "quote": "blockquote", "item": "li", "lb": "br", "code": "pre", "table": "table",
             "row": "tr", "cell": "td", "del": "del", "div": "div"}
HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def to_html(postbody, links: list[Link]) -> str:
    """Clean HTML of the body: only structural tags and real link targets, nothing executable."""
    out = etree.Element("div")
    _copy_children(postbody, out, links)
    return etree.tostring(out, method="html", encoding="unicode")


def _copy_children(src, dst, links: list[Link]) -> None:
    dst.text = src.text
    for child in src:
        if not isinstance(child.tag, str):
            continue
        new = etree.SubElement(dst, _html_tag(child))
        if child.tag == "ref":
            m = _TRACER_ID.match(child.get("target") or "")
            href = links[int(m.group(1))].href if m else child.get("target")
            if href and href.startswith(("http://", "https://", "mailto:", "/", "#")):
                new.set("href", href)
        _copy_children(child, new, links)
        new.tail = child.tail


def _html_tag(el) -> str:
    if el.tag == "head":
        rend = el.get("rend") or "h2"
        return rend if re.fullmatch(r"h[1-6]", rend) else "h2"
    if el.tag == "list":
        return "ol" if (el.get("rend") or "").startswith("o") else "ul"
    if el.tag == "hi":
        return HI_TAGS.get(el.get("rend") or "", "span")
    if el.tag == "ref":
        return "a"
    return HTML_TAGS.get(el.tag, "span")
