"""Region model: where on the page each element sits, and whether readers can see it.

Blog themes name their layout in class and id attributes (``sidebar``, ``widget PopularPosts``,
``site-footer``, ``comment-author``) and in HTML5 tags and ARIA roles. The nearest ancestor
with such a signal decides an element's region; an article container (``post-body``,
``entry-content``) stops the walk. Hidden-ness comes from the ``hidden`` attribute, inline
styles and the page's own ``<style>`` rules (outside ``@media`` blocks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

# ---------------------------------------------------------------------------
# Region vocabularies (class/id names, lower-cased). Order matters: the first group that
# matches one of an element's names gives its region.

# The article itself: a link below one of these is in the body unless a nearer signal says not.
STRONG_BODY = re.compile(
    r"(?:^|[-_])(?:post-body|postbody|post-body-\w+|entry-content|entry_content|entrycontent|post-content|"
    r"postcontent|post_content|article-body|articlebody|article-content|article__body|"
    r"article__content|entry-body|story-body|td-post-content|single-content|the-content|"
    r"post-entry|entry|blog-post-content|single-post-content|post-inner-content|c-entry-content|"
    r"field-name-body|field--name-body|node-content|article-text|articletext|story-content)$"
)
# Weak article signals: a related-posts widget also lists ``article.post`` items, so these
# do not stop the walk.
WEAK_BODY = re.compile(r"^(?:post|hentry|type-post|post-outer|blog-post|single-post|post-wrapper|main|content)$")

# Names that only describe page layout state, not a region ("has-sidebar", "content-sidebar-wrap").
LAYOUT_NOISE = re.compile(r"^(?:has|no|with|without|is|show|hide|enable|disable)[-_]|content.*sidebar|sidebar.*content|layout")

# (region, pattern) in priority order; patterns match one class name or the id.
REGION_NAMES = (
    # bylines, dates, labels and category lines around the article (not article text)
    # ("meta" is reported as the "header" region, but unlike a page header it is cut before extraction)
    ("meta", re.compile(r"^(?:post-meta|entry-meta|post-author|byline|post-byline|posted-on|post-labels|post-timestamp|entry-date|date-header|post-date|cat-links|tags-links|post-tags|entry-tags)$")),
    # comment threads, reply forms, comment author links
    ("comments", re.compile(r"(?:^|[-_])(?:comments?|commentlist|comment-list|disqus|respond|replies|discussion)(?:$|[-_\d])|^(?:dsq|disqus)")),
    # related / popular / recent posts, blogrolls and link lists: widget blocks
    ("widget", re.compile(
        r"related|popular|recent-?posts|recentposts|yarpp|crp_|rp4wp|you-may|youmay|more-from|"
        r"blogroll|linkcat|linklist|link-list|blog-list|bloglist|featuredpost|recommended|trending|latest-posts|"
        r"^ads?$|^ad[-_]|adsbygoogle|advert|sponsor|^textwidget$")),
    # share buttons and follow-us rows
    ("other", re.compile(r"(?:^|[-_])(?:share|sharing|sharedaddy|addtoany|a2a|social|sociable|shariff)(?:$|[-_\d])")),
    ("sidebar", re.compile(r"sidebar|side-bar|^secondary$|widget-area|widgetarea|^aside")),
    ("footer", re.compile(r"footer|colophon|site-info|copyright|credits?$|attribution|^bottom")),
    ("nav", re.compile(r"(?:^|[-_])(?:nav|navbar|navigation|menu|menubar|breadcrumbs?|pager|pagination|skip-link|topbar|tabs)(?:$|[-_\d])|^navbar|^menu|pager$")),
    ("header", re.compile(r"header|masthead|site-branding|site-title|^banner$|^branding$")),
    ("widget", re.compile(r"(?:^|[-_])widget")),
)
COMMENT_NAME = re.compile(r"(?:^|[-_])comments?(?:$|[-_])|^commentlist$")
ANY_REGION_NAME = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in REGION_NAMES))
# Blogger wraps every block in ``div.widget.<Type>``; the type says more than "widget".
BLOGGER_WIDGETS = {"blog": None, "header": "header", "pagelist": "nav", "attribution": "footer", "navbar": "nav"}

TAG_REGIONS = {"nav": "nav", "aside": "sidebar", "footer": "footer", "header": "header"}
ROLE_REGIONS = {"navigation": "nav", "banner": "header", "contentinfo": "footer", "complementary": "sidebar"}

BODY, WEAK = "body", "weak"
# Regions that can hold a post-like snippet without it being the article.
CONTAINING_REGIONS = {"comments", "widget", "sidebar", "footer"}


def element_signal(el) -> str | None:
    """What this element alone says about its region: a region name, BODY, WEAK or None."""
    attrib = el.attrib
    if not attrib:
        return TAG_REGIONS.get(el.tag) or (WEAK if el.tag in ("article", "main") else None)
    return _signal(el.tag, attrib.get("class"), attrib.get("id"), attrib.get("role"), attrib.get("itemprop"))


@lru_cache(maxsize=16384)
def _signal(tag: str, cls: str | None, ident: str | None, role: str | None, itemprop: str | None) -> str | None:
    if itemprop == "articleBody":
        return BODY
    names = cls.split() if cls else []
    if ident:
        names.append(ident)
    facts = [_name_facts(n) for n in names]
    if cls and "widget" in cls.lower().split():  # Blogger: div.widget.<Type>
        for f in facts:
            if f.blogger is not None:
                return f.blogger or None
    region = _names_region(facts)
    if region:
        return region
    if role in ROLE_REGIONS:
        return ROLE_REGIONS[role]
    if tag in TAG_REGIONS:
        return TAG_REGIONS[tag]
    if any(f.strong for f in facts):
        return BODY
    if tag in ("article", "main") or role in ("main", "article") or any(f.weak for f in facts):
        return WEAK
    return None


# Page builders prefix every block with their own "widget"/"module" word; the rest names the block.
BUILDER_PREFIX = re.compile(r"^(?:elementor-widget(?:-|$)|elementor-|et_pb_|wp-block-|fl-module-|fl-|vc_|td_block_|td-|jeg_|tdb-|kt-|uagb-|gb-)")


@dataclass(frozen=True)
class NameFacts:
    """What one class name or id says (cached: names repeat across elements and pages)."""

    comment: bool
    strong: bool
    weak: bool
    rank: int
    """Index of the first REGION_NAMES pattern it matches, len(REGION_NAMES) when none."""
    blogger: str | None
    """For Blogger widget type names: the region ("" for the Blog widget itself), else None."""


@lru_cache(maxsize=32768)
def _name_facts(raw: str) -> NameFacts:
    lowered = raw.lower()
    blogger = (BLOGGER_WIDGETS[lowered] or "") if lowered in BLOGGER_WIDGETS else None
    name = BUILDER_PREFIX.sub("", lowered)
    strong = bool(name and STRONG_BODY.search(name))
    if not name or LAYOUT_NOISE.search(name):
        return NameFacts(False, strong, False, len(REGION_NAMES), blogger)
    rank = len(REGION_NAMES)
    if ANY_REGION_NAME.search(name):  # most names ("clearfix", "col-md-6") match none: one search
        rank = next((i for i, (_, pattern) in enumerate(REGION_NAMES) if pattern.search(name)), rank)
    return NameFacts(bool(COMMENT_NAME.search(name)), strong, bool(WEAK_BODY.match(name)), rank, blogger)


def _names_region(facts: list[NameFacts]) -> str | None:
    if any(f.comment for f in facts):
        return "comments"  # WordPress themes call each comment's text "comment-content entry-content"
    if any(f.strong for f in facts):
        return None  # the article container beats a stray "content" name pattern
    rank = min((f.rank for f in facts), default=len(REGION_NAMES))
    return REGION_NAMES[rank][0] if rank < len(REGION_NAMES) else None


# ---------------------------------------------------------------------------
# Hidden elements

# Declarations that hide an element (inline or in a stylesheet rule).
HIDING = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)|"
    r"(?:left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|pt|rem)|"
    r"(?<![-\w])(?:width|height|max-height|max-width)\s*:\s*0(?:px)?\s*(?:;|$|!)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)",
    re.I,
)


# The same declarations for stylesheets, one literal-led pattern each (a single alternation is
# ten times slower on a 100 kB theme stylesheet). Zero sizes and opacity are left out here:
# themes use them for responsive embeds and fade-in effects, not to hide links.
SHEET_HIDING = tuple(re.compile(p) for p in (  # matched on lower-cased CSS: re.I disables the fast prefix scan
    r"display\s*:\s*none",
    r"visibility\s*:\s*hidden",
    r"font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)",
    r"left\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|pt|rem)",
    r"top\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|pt|rem)",
    r"indent\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|pt|rem)",
))


@dataclass(frozen=True)
class Compound:
    tag: str | None
    ident: str | None
    classes: tuple[str, ...]

    def matches(self, el) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        if self.ident and el.get("id") != self.ident:
            return False
        if self.classes:
            names = set((el.get("class") or "").split())
            return all(c in names for c in self.classes)
        return True


_COMPOUND = re.compile(r"^([a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)$")
_UNSUPPORTED = re.compile(r"[:\[\]+~*()@]")


def _parse_selector(selector: str) -> tuple[Compound, ...] | None:
    if _UNSUPPORTED.search(selector):
        return None
    parts = selector.replace(">", " ").split()
    compounds = []
    for part in parts:
        m = _COMPOUND.match(part)
        if not m:
            return None
        tag = m.group(1).lower() if m.group(1) else None
        pieces = re.findall(r"[.#][\w-]+", m.group(2))
        ident = next((p[1:] for p in pieces if p[0] == "#"), None)
        classes = tuple(p[1:] for p in pieces if p[0] == ".")
        compounds.append(Compound(tag, ident, classes))
    return tuple(compounds) or None


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# An @-rule with its block (@media, @supports, @keyframes, @font-face), one nesting level deep;
# applied repeatedly it peels deeper nesting. Rules inside @media only apply to some screens.
_AT_BLOCK = re.compile(r"@[^{};]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}|@[^{};]*;")


def _top_level_rules(css: str):
    """(selectors, declarations) of the top-level rules whose declarations hide something."""
    css = _CSS_COMMENT.sub("", css)
    for _ in range(3):
        if "@" not in css:
            break
        css = _AT_BLOCK.sub("", css)
    seen = set()
    lowered = css.lower()
    if len(lowered) != len(css):  # a few non-ASCII letters change length when lower-cased
        css = lowered
    starts = sorted(m.start() for pattern in SHEET_HIDING for m in pattern.finditer(lowered))
    for pos in starts:
        open_ = css.rfind("{", 0, pos)
        if open_ < 0 or open_ in seen or css.rfind("}", 0, pos) > open_:
            continue  # not inside a declaration block, or a rule already taken
        seen.add(open_)
        start = css.rfind("}", 0, open_) + 1
        yield css[start:open_].strip(), css[open_ + 1 : css.find("}", open_)]


@dataclass
class HidingRules:
    """Stylesheet selectors that hide elements, indexed by the last compound's id/class/tag."""

    by_id: dict
    by_class: dict
    by_tag: dict

    def hides(self, el) -> bool:
        candidates = []
        ident = el.get("id")
        if ident and ident in self.by_id:
            candidates += self.by_id[ident]
        for name in (el.get("class") or "").split():
            candidates += self.by_class.get(name, ())
        candidates += self.by_tag.get(el.tag, ())
        return any(_matches(sel, el) for sel in candidates)


def _matches(selector: tuple[Compound, ...], el) -> bool:
    if not selector[-1].matches(el):
        return False
    rest = list(selector[:-1])
    node = el.getparent()
    while rest and node is not None:
        if isinstance(node.tag, str) and rest[-1].matches(node):
            rest.pop()
        node = node.getparent()
    return not rest


@lru_cache(maxsize=64)
def hiding_rules(css: str) -> HidingRules:
    rules = HidingRules({}, {}, {})
    for selectors, declarations in _top_level_rules(css):
        if not HIDING.search(declarations):
            continue
        for selector in selectors.split(","):
            parsed = _parse_selector(selector.strip())
            if not parsed:
                continue
            last = parsed[-1]
            if last.ident:
                rules.by_id.setdefault(last.ident, []).append(parsed)
            elif last.classes:
                rules.by_class.setdefault(last.classes[0], []).append(parsed)
            elif last.tag:
                rules.by_tag.setdefault(last.tag, []).append(parsed)
    return rules


def page_hiding_rules(tree) -> HidingRules:
    css = "\n".join(style.text or "" for style in tree.iter("style"))
    return hiding_rules(css[:2_000_000])


class HiddenMap:
    """Memoised "is this element or an ancestor hidden" walk."""

    def __init__(self, tree) -> None:
        self.rules = page_hiding_rules(tree)
        self._cache: dict = {}
        self.by_style: set = set()
        """Hidden roots hidden by their own markup (inline style, hidden attribute): what injectors use."""

    def hidden_root(self, el):
        """The outermost hidden ancestor-or-self of ``el``, or None when it is visible."""
        chain = []
        node = el
        root = None
        while node is not None and node.tag not in ("body", "html"):
            if node in self._cache:
                root = self._cache[node]
                break
            chain.append(node)
            node = node.getparent()
        for node in reversed(chain):
            if root is None and isinstance(node.tag, str):
                how = self._hides(node)
                if how:
                    root = node
                    if how == "inline":
                        self.by_style.add(node)
            self._cache[node] = root
        return root

    def _hides(self, el) -> str | None:
        if el.get("hidden") is not None and el.tag != "input":
            return "inline"
        style = el.get("style")
        if style and HIDING.search(style):
            return "inline"
        return "css" if self.rules.hides(el) else None


class Layout:
    """Region and hidden-ness of elements in one memoised ancestor walk (both per anchor)."""

    def __init__(self, tree) -> None:
        self.hidden = HiddenMap(tree)
        self._cache: dict = {}

    def of(self, el) -> tuple:
        """(region signal or None, under an article container, signal element, hidden root or None)."""
        cache = self._cache
        chain = []
        node = el
        state = None
        while node is not None and node.tag not in ("body", "html"):
            state = cache.get(node)
            if state is not None:
                break
            chain.append(node)
            node = node.getparent()
        region, under_body, source, root = state or (None, False, None, None)
        hides = self.hidden._hides
        for node in reversed(chain):
            if isinstance(node.tag, str):
                signal = element_signal(node)
                if signal == BODY:
                    if region not in CONTAINING_REGIONS:
                        region, under_body, source = BODY, True, node
                elif signal == WEAK:
                    if region is None:
                        region, source = WEAK, node
                elif signal:
                    region, source = signal, node
                if root is None and node.attrib:
                    how = hides(node)
                    if how:
                        root = node
                        if how == "inline":
                            self.hidden.by_style.add(node)
            cache[node] = (region, under_body, source, root)
        return region, under_body, source, root


def iter_anchors(tree):
    """Every ``<a>`` with an href attribute, in document order."""
    for el in tree.iter("a"):
        if el.get("href") is not None:
            yield el


def text_len(el) -> int:
    """Length of an element's text, whitespace included (cheap, for comparing block sizes)."""
    return len(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def text_of(el) -> str:
    return " ".join(etree.tostring(el, method="text", encoding="unicode", with_tail=False).split())


# Regions cut from the page before extraction: what they hold is never article text.
PRUNED_REGIONS = {"comments", "widget", "sidebar", "footer", "meta"}
# Internal signals reported under a public region name.
REPORTED_AS = {"meta": "header"}


# Elements that can carry a region signal; the rest of the page is skipped in C.
_SIGNAL_CARRIERS = etree.XPath(
    "//body//*[@class or @id or @role or @itemprop] | //body//nav | //body//aside | //body//footer"
    " | //body//header | //body//article | //body//main"
)


def prunable(tree, page_chars: int, max_share: float) -> list:
    """Outermost non-body regions that can be cut before extraction.

    Only on pages with an article container, never an element that holds one, and inside an
    article container only blocks named by class (a related-posts box), not bare
    ``<aside>``/``<header>`` tags. A candidate holding ``max_share`` of the page's text is a
    mis-named wrapper and stays."""
    candidates, bodies = _scan(tree)
    if not bodies:
        return []
    keep = set()
    for body in bodies:
        keep.update(body.iterancestors())
    limit = page_chars * max_share
    return [el for el in candidates if el not in keep and text_len(el) < limit]


def _scan(tree) -> tuple[list, list]:
    """(outermost prunable regions, article containers outside any such region)."""
    signals = {}
    for el in _SIGNAL_CARRIERS(tree):
        signal = element_signal(el)
        if signal == BODY or signal in PRUNED_REGIONS:
            signals[el] = signal
    candidates, bodies = [], []
    state: dict = {}  # element -> (inside an article container, inside a candidate), itself included
    for el, signal in signals.items():  # document order: ancestors come first
        in_body = in_candidate = False
        for ancestor in el.iterancestors():
            if ancestor in state:
                in_body, in_candidate = state[ancestor]
                break
        if signal == BODY:
            if not in_candidate:
                bodies.append(el)
            state[el] = (True, in_candidate)
        elif not in_candidate and (not in_body or _named(el, signal)):
            candidates.append(el)
            state[el] = (in_body, True)
        else:
            state[el] = (in_body, in_candidate)
    return candidates, bodies


def _named(el, signal: str) -> bool:
    """The region comes from a class/id name, not from the tag alone."""
    attrib = el.attrib
    return bool(attrib.get("class") or attrib.get("id")) and TAG_REGIONS.get(el.tag) != signal
