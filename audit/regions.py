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
        return self.fits(el.tag, el.get("id"), (el.get("class") or "").split())

    def fits(self, tag: str, ident: str | None, names) -> bool:
        """Whether an element with this tag, id and class names matches."""
        if self.tag and tag != self.tag:
            return False
        if self.ident and ident != self.ident:
            return False
        return all(c in names for c in self.classes)


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

    def candidates(self, tag: str, ident: str | None, names: list[str]) -> list:
        """The selectors whose last compound fits an element with this tag, id and class names."""
        found = []
        if ident and ident in self.by_id:
            found += self.by_id[ident]
        if self.by_class:
            for name in names:
                found += self.by_class.get(name, ())
        found += self.by_tag.get(tag, ())
        return [sel for sel in found if sel[-1].fits(tag, ident, names)]


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
        self._no_rules = not (self.rules.by_id or self.rules.by_class or self.rules.by_tag)
        self._candidates: dict = {}  # (tag, class, id) -> selectors whose last compound fits
        self._above: dict = {}  # (element, selector id, compounds left) -> matched above it
        self._parts: dict = {}  # element -> (tag, id, class names)

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
        get = el.get
        return self.hiding(el, el.tag, get("class"), get("id"), get("style"), get("hidden"))

    def hiding(self, el, tag: str, cls, ident, style, hidden) -> str | None:
        """How ``el`` itself is hidden: "inline" (its own markup), "css" (the page's stylesheet)
        or None; the other arguments are its tag and attribute values, already read."""
        if hidden is not None and tag != "input":
            return "inline"
        if style and HIDING.search(style):
            return "inline"
        if self._no_rules:
            return None
        key = (tag, cls, ident)
        candidates = self._candidates.get(key)
        if candidates is None:
            candidates = self._candidates[key] = self.rules.candidates(tag, ident, cls.split() if cls else [])
        for selector in candidates:
            if len(selector) == 1 or self._matched_above(el, selector):
                return "css"
        return None

    def _matched_above(self, el, selector: tuple) -> bool:
        """Whether ``selector[:-1]`` matches ancestors of ``el``, each compound above the next.

        Nearest ancestors are taken first (greedy, as a descendant combinator allows); every
        (ancestor, compounds left) state is memoised, so sibling elements share their walk."""
        above, key = self._above, id(selector)
        left = len(selector) - 1
        node = el.getparent()
        visited = []
        while True:
            if not left or node is None:
                result = not left
                break
            state = (node, key, left)
            result = above.get(state)
            if result is not None:
                break
            visited.append(state)
            if selector[left - 1].fits(*self._parts_of(node)):
                left -= 1
            node = node.getparent()
        for state in visited:
            above[state] = result
        return result

    def _parts_of(self, el) -> tuple:
        parts = self._parts.get(el)
        if parts is None:
            parts = self._parts[el] = (el.tag, el.get("id"), (el.get("class") or "").split())
        return parts


# What a tag alone says, for elements without class, id, role or itemprop.
TAG_SIGNALS = {**TAG_REGIONS, "article": WEAK, "main": WEAK}
_OUTSIDE = object()  # "not under <body>": such elements are never prunable
# An element's state: (region signal, under an article container, signal element, hidden root,
# nearest BODY or prunable element above it under <body> or _OUTSIDE). <body> and <html> reset it.
_BODY_STATE = (None, False, None, None, None)
_HTML_STATE = (None, False, None, None, _OUTSIDE)


class Layout:
    """Region and hidden-ness of every element, from one top-down pass over the page.

    Each element's state is its parent's, updated by what the element itself says, so no
    element is looked at twice and no anchor walks up its ancestors. The same pass collects
    the anchors, and the article containers and prunable regions for ``prunable``."""

    def __init__(self, tree) -> None:
        self.hidden = HiddenMap(tree)
        self.anchors: list = []
        """Every ``<a>`` with an href attribute, in document order."""
        self._cache: dict = {}
        self._regions: list = []
        """(element, its signal, the nearest such element above it) for BODY and PRUNED_REGIONS
        signals under ``<body>``, in document order."""
        self._walk(tree)

    def _walk(self, tree) -> None:
        # The hot loop of the page set-up: lxml charges for every attribute read, so the
        # attribute names come in one call and only the values that exist are read.
        cache, hidden = self._cache, self.hidden
        for el in tree.iter(etree.Element):
            tag = el.tag
            if tag == "body" or tag == "html":
                cache[el] = _BODY_STATE if tag == "body" else _HTML_STATE
                continue
            state = cache.get(el.getparent(), _HTML_STATE)
            names = el.keys()
            if not names:  # no attributes: only the tag can say something, and it hides nothing
                signal = TAG_SIGNALS.get(tag)
                cache[el] = self._signalled(el, state, signal) if signal else state
                continue
            get = el.get
            cls = get("class") if "class" in names else None
            ident = get("id") if "id" in names else None
            role = get("role") if "role" in names else None
            itemprop = get("itemprop") if "itemprop" in names else None
            if cls or ident or role or itemprop:
                signal = _signal(tag, cls, ident, role, itemprop)
            else:
                signal = TAG_SIGNALS.get(tag)
            if signal:
                state = self._signalled(el, state, signal)
            if state[3] is None:
                style = get("style") if "style" in names else None
                how = hidden.hiding(el, tag, cls, ident, style, "" if "hidden" in names else None)
                if how:
                    state = state[:3] + (el,) + state[4:]
                    if how == "inline":
                        hidden.by_style.add(el)
            if tag == "a" and "href" in names:
                self.anchors.append(el)
            cache[el] = state

    def _signalled(self, el, state: tuple, signal: str) -> tuple:
        """The state of ``el`` given its parent's and its own signal (recorded for ``prunable``)."""
        region, under_body, source, root, above = state
        if above is not _OUTSIDE and (signal == BODY or signal in PRUNED_REGIONS):
            self._regions.append((el, signal, above))
            above = el
        if signal == BODY:
            if region not in CONTAINING_REGIONS:
                region, under_body, source = BODY, True, el
        elif signal == WEAK:
            if region is None:
                region, source = WEAK, el
        else:
            region, source = signal, el
        return (region, under_body, source, root, above)

    def of(self, el) -> tuple:
        """(region signal or None, under an article container, signal element, hidden root or None)."""
        return self._cache.get(el, _BODY_STATE)[:4]

    def containers(self) -> list:
        """Article containers (BODY signals) under ``<body>``, in document order, outer first."""
        return [el for el, signal, _ in self._regions if signal == BODY]

    def prunable(self, page_chars: int, max_share: float, removed: set) -> list:
        """Outermost non-body regions that can be cut before extraction.

        Only on pages with an article container, never an element that holds one, and inside an
        article container only blocks named by class (a related-posts box), not bare
        ``<aside>``/``<header>`` tags. A candidate holding ``max_share`` of the page's text is a
        mis-named wrapper and stays. Elements under a hidden root in ``removed`` (already cut
        from the page) do not count."""
        candidates, bodies = self._scan(removed)
        if not bodies:
            return []
        limit = page_chars * max_share
        # no candidate holds an article container: the scan does not take containers inside candidates
        return [el for el in candidates if text_len(el) < limit]

    def _scan(self, removed: set) -> tuple[list, list]:
        """(outermost prunable regions, article containers outside any such region)."""
        candidates, bodies = [], []
        state: dict = {None: (False, False)}  # element -> (inside an article container, inside a candidate)
        cache = self._cache
        for el, signal, above in self._regions:
            if removed and cache[el][3] in removed:
                continue
            in_body, in_candidate = state[above]
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


def iter_anchors(tree):
    """Every ``<a>`` with an href attribute, in document order."""
    for el in tree.iter("a"):
        if el.get("href") is not None:
            yield el


def text_len(el) -> int:
    """Length of an element's text, whitespace included (cheap, for comparing block sizes)."""
    return len(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


# Elements whose text is code, not something a reader sees.
CODE_TAGS = ("script", "style", "template", "noscript")


def visible_len(el) -> int:
    """``text_len`` without the text of scripts, styles and templates."""
    code = sum(len(e.text or "") for e in el.iter(*CODE_TAGS))
    return text_len(el) - code


def paragraph_len(el) -> int:
    """Length of the text in the ``<p>`` elements below ``el``."""
    return sum(len(p.text_content()) for p in el.iter("p"))


def text_of(el) -> str:
    return " ".join(etree.tostring(el, method="text", encoding="unicode", with_tail=False).split())


# Regions cut from the page before extraction: what they hold is never article text.
PRUNED_REGIONS = {"comments", "widget", "sidebar", "footer", "meta"}
# Internal signals reported under a public region name.
REPORTED_AS = {"meta": "header"}


def _named(el, signal: str) -> bool:
    """The region comes from a class/id name, not from the tag alone."""
    attrib = el.attrib
    return bool(attrib.get("class") or attrib.get("id")) and TAG_REGIONS.get(el.tag) != signal
