"""An allowlist cleaner for the article body HTML shown (and offered for copying) in vetting sheets.

Extraction already strips scripts and spam, but the body is still scraped markup: this keeps
only plain article elements and a few harmless attributes, so what an editor copies to republish
carries no script, event handler, style, form, frame or ``javascript:`` URL.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree, html

# Elements kept as they are (their attributes are filtered below).
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
    "q", "cite", "pre", "code", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr",
    "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "span", "div", "section", "article", "time",
})
# Elements dropped together with everything inside them.
DROPPED_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "select", "textarea", "option", "svg", "math", "link", "meta", "base",
    "head", "title", "audio", "video", "source", "track", "canvas", "dialog", "portal",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
URL_ATTRIBUTES = {"href", "src"}
SAFE_SCHEMES = {"http", "https", "mailto", ""}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_url(url: str | None) -> str | None:
    """The URL if its scheme is harmless (http, https, mailto or relative), else None."""
    if not url:
        return None
    probe = _CONTROL.sub("", url)
    try:
        scheme = urlsplit(probe).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in SAFE_SCHEMES else None


def clean_body_html(fragment: str) -> str:
    """The fragment with only allowlisted elements and attributes left."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for element in list(root.iter()):
        if element is root:
            continue
        if not isinstance(element.tag, str):  # comments, processing instructions
            element.drop_tree()
            continue
        tag = element.tag.lower()
        if tag in DROPPED_TAGS:
            element.drop_tree()
        elif tag not in ALLOWED_TAGS:
            element.drop_tag()
        else:
            _filter_attributes(element, tag)
    return html.tostring(root, encoding="unicode")[len("<div>"):-len("</div>")]


def _filter_attributes(element, tag: str) -> None:
    allowed = ALLOWED_ATTRIBUTES.get(tag, set())
    for name in list(element.attrib):
        value = element.attrib[name]
        if name.lower() not in allowed or (name.lower() in URL_ATTRIBUTES and safe_url(value) is None):
            del element.attrib[name]
    if tag == "a" and "href" in element.attrib:
        element.attrib["rel"] = "nofollow noopener noreferrer"
