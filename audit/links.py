"""Spam verdicts for the links outside the article body.

A verdict combines signals, each a machine-readable reason:

* ``hidden``                   the link is invisible to readers (CSS, ``hidden``, off-screen)
* ``vocab:<category>``         anchor or URL uses commercial spam vocabulary (rules/spam_vocab.jsonl)
* ``language:<code>``          the anchor is written in another language than the page
* ``offtopic``                 no word of the anchor belongs to the page or the site's topic
* ``spun``                     near-duplicate off-topic titles: article-spinner output
* ``dense_external_block``     the link sits in a block packed with links to many other sites
* ``comment_author_commercial`` a commenter's name link that is a keyword, not a name
* ``block_spam``               off-topic link in a block whose other links are spam
* ``spam_target``              another link on the page to the same target was judged spam

Site navigation, the site's own on-topic posts and labels, theme and platform credits, share
buttons and social profiles stay clean: the allow lists live in rules/spam_hosts.jsonl and
rules/spam_signals.jsonl. Body links are never judged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from urllib.parse import urljoin

import tldextract

from audit.defaults import section
from audit.language import WORD_LANGS, detect
from audit.models import Link

SETTINGS = section("links")
# Offline: the bundled public-suffix snapshot, private suffixes on so each blogspot blog is its own site.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Scripts written without spaces: their terms match as substrings.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def _rules(name: str) -> list[dict]:
    text = resources.files("audit").joinpath(f"rules/{name}").read_text("utf-8")
    rules = [json.loads(line) for line in text.splitlines() if line.strip()]
    for rule in rules:
        if "id" not in rule or "why" not in rule:
            raise ValueError(f"rules/{name}: every rule needs an id and a why: {rule}")
    return rules


def _normalise(text: str) -> str:
    """Lower-case words separated by single spaces (URL separators count as spaces)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_WORD.findall(text))


class Terms:
    """Whole-word phrase look-up by n-grams (a big regex alternation is far slower).

    Each term carries a label; ``found`` returns the (term, label) pairs in a text."""

    def __init__(self, labelled) -> None:
        self.phrases: dict[str, set] = {}
        unspaced: dict[str, set] = {}
        for term, label in labelled:
            if not term.strip():
                continue
            if _UNSPACED.search(term):
                unspaced.setdefault(term.strip().lower(), set()).add(label)
            else:
                self.phrases.setdefault(_normalise(term), set()).add(label)
        self.longest = max((p.count(" ") + 1 for p in self.phrases), default=0)
        self.unspaced = unspaced
        self.unspaced_re = re.compile("|".join(map(re.escape, sorted(unspaced, key=len, reverse=True)))) if unspaced else None

    def found(self, normalised: str) -> set:
        """(term, label) pairs occurring in an already ``_normalise``d text."""
        words = normalised.split()
        hits = set()
        for n in range(1, min(self.longest, len(words)) + 1):
            for i in range(len(words) - n + 1):
                gram = " ".join(words[i : i + n]) if n > 1 else words[i]
                for label in self.phrases.get(gram, ()):
                    hits.add((gram, label))
        if self.unspaced_re is not None and _UNSPACED.search(normalised):
            for term in self.unspaced_re.findall(normalised):
                hits.update((term, label) for label in self.unspaced[term])
        return hits

    def search(self, normalised: str) -> bool:
        return bool(self.found(normalised))


@dataclass(frozen=True)
class VocabGroup:
    id: str
    category: str
    external_only: bool


def _vocab_index() -> tuple[tuple[VocabGroup, ...], Terms]:
    groups, labelled = [], []
    for rule in _rules("spam_vocab.jsonl"):
        group = VocabGroup(rule["id"], rule["category"], bool(rule.get("external_only")))
        groups.append(group)
        labelled += [(term, group) for term in rule["terms"]]
    return tuple(groups), Terms(labelled)


VOCAB, VOCAB_TERMS = _vocab_index()
SIGNALS = {r["id"]: r for r in _rules("spam_signals.jsonl")}
COMMERCE = Terms((t, "commerce") for t in SIGNALS["commerce"]["terms"])
CREDIT = Terms((t, "credit") for t in SIGNALS["credit"]["terms"])
KEYWORD_NAME = Terms((t, "keyword") for t in SIGNALS["keyword_name"]["terms"])
GENERIC = frozenset(_normalise(" ".join(SIGNALS["generic"]["terms"])).split())
HOSTS = {r["id"]: frozenset(r["hosts"]) for r in _rules("spam_hosts.jsonl")}
# Host-name fragments that only spam domains contain ("slotgacor88.com", "best-casino.net").
HOST_STEMS = re.compile(
    r"casino|poker|viagra|cialis|porn|xxx|escort|judi|togel|gacor|sbobet|bokep|replica|essay|velg|"
    r"payday|sportsbet|betting|kasino|kasyno|bahis|slot(?:s|gacor|online|\d)|loans?\b|"
    r"writemy|mypaper|paperwrit|homework|assignmenthelp|dissertation|termpaper|onlinepharm|pharmacy-?online|"
    r"cheappills|buypills|followers|backlink|seoservice|gacor|maxwin|togel|bandar"
)
STOPWORDS = frozenset(WORD_LANGS)


def _stem(word: str) -> str:
    return word[:5]


def _page_stems(text: str) -> frozenset[str]:
    """Five-letter stems of the page's words, plus four-letter prefixes so "huid" meets "huidtypes"."""
    words = set(_normalise(text).split())
    return frozenset({w[:5] for w in words} | {w[:4] for w in words if len(w) > 4})


def _topic_stems() -> frozenset[str]:
    raw = json.loads(resources.files("audit").joinpath("data/topic_lexicon.json").read_text("utf-8"))
    words = " ".join(" ".join(v) for k, v in raw.items() if not k.startswith("_"))
    return frozenset(_stem(w) for w in _normalise(words).split())


TOPIC = _topic_stems()


# ---------------------------------------------------------------------------
# URLs


@lru_cache(maxsize=8192)
def resolve(href: str, base: str | None) -> str:
    """Absolute URL of ``href``; the stripped raw value when it cannot be resolved."""
    href = href.strip()
    if not base or href.lower().startswith(("javascript:", "mailto:", "tel:", "data:")):
        return href
    if href.startswith(("https://", "http://")) and "/." not in href:
        return href  # already absolute: urljoin would only cost time
    try:
        return urljoin(base, href)
    except ValueError:
        return href


# scheme-relative or http(s) URL: host (with user info and port), then the path
_URL_PARTS = re.compile(r"^(?:https?:)?//([^/?#]*)([^?#]*)", re.I)


def registered_domain(url: str) -> str:
    """The registered domain of an http(s) URL ("" when it has none: relative, mailto:, javascript:)."""
    m = _URL_PARTS.match(url)
    return _host_domain(m.group(1)) if m else ""


@lru_cache(maxsize=8192)
def _host_domain(netloc: str) -> str:
    host = netloc.rpartition("@")[2].lower()
    if host.startswith("["):
        return host if host.endswith("]") else ""  # IPv6 literal, or a malformed one
    host = host.split(":", 1)[0].strip(".")
    if not host:
        return ""
    return _TLD(host).top_domain_under_public_suffix or host


def _in_hosts(domain: str, group: str) -> bool:
    """True when the domain or one of its parents is listed ("foo.blogspot.com" → blogspot.com)."""
    hosts = HOSTS[group]
    while domain:
        if domain in hosts:
            return True
        domain = domain.partition(".")[2]
    return False


# ---------------------------------------------------------------------------
# Verdicts


_URLISH = re.compile(r"://|^www\.|\.(?:com|net|org|html?|php|jpe?g|png)\b", re.I)


def _without_urls(text: str) -> str:
    """Anchor text minus URL-looking tokens (image links often show their file URL)."""
    return " ".join(t for t in text.split() if not _URLISH.search(t))


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[list[str], list[str]]:
    """(all words, content words) of an anchor text; cached, sites repeat their menus on every page."""
    if "." in text:
        text = _without_urls(text)
    words = _normalise(text).split()
    content = [w for w in words if len(w) > 2 and w not in STOPWORDS and w not in GENERIC and not w.isdigit()]
    return words, content


class Facts:
    """What the judge knows about one link beyond the Link record (page structure read lazily)."""

    def __init__(self, link: Link, spot) -> None:
        self.link = link
        self.element = getattr(spot, "element", None)
        self.hidden_inline = bool(getattr(spot, "hidden_inline", False))
        self.words, self.content = _words(link.text)
        self.domain = registered_domain(link.href) if not link.internal else ""
        self.signals: list[str] = []

    @cached_property
    def block(self):
        return _block(self.element) if self.element is not None else None

    @cached_property
    def comment_author(self) -> bool:
        return self.link.region == "comments" and _is_comment_author(self.element, self.link)

    @cached_property
    def credit(self) -> bool:
        return self.element is not None and _is_credit(self.element)


def judge_links(
    links: list[Link],
    *,
    page_url: str | None,
    page_text: str,
    page_language: str,
    context: list | None = None,
) -> list[Link]:
    """Set ``spam`` and ``reasons`` on every non-body link (in place) and return the list."""
    page_stems = _page_stems(page_text)
    judged = []
    seen: dict = {}
    for link, spot in zip(links, context or [None] * len(links)):
        if link.region == "body":
            link.spam, link.reasons = False, []
            continue
        f = Facts(link, spot)
        # menus and widgets repeat links (desktop and mobile copies): same link, same signals
        key = (link.text, link.href, link.region, link.hidden, f.hidden_inline)
        f.signals = list(seen[key]) if key in seen else _signals(f, page_stems, page_language)
        seen[key] = f.signals
        judged.append(f)
    _spun(judged)
    _dense_blocks(judged)
    for f in judged:
        _decide(f)
    _contaminated_blocks(judged)
    _same_targets(judged)
    return links


def _signals(f: Facts, page_stems: frozenset, page_language: str) -> list[str]:
    link = f.link
    signals = []
    allowed = _in_hosts(f.domain, "social") or _in_hosts(f.domain, "platform")
    if link.hidden and not allowed and _web_link(link):
        signals.append("hidden" if _injected_hidden(f) else "hidden_by_theme")
    signals += _vocab(f)
    if allowed or not _web_link(link) or link.region in ("nav", "header") or (not link.internal and f.credit):
        return signals
    foreign = _foreign(f, page_language)
    if foreign:
        signals.append("language:" + foreign)
    if _offtopic(f, page_stems, strict=page_language != "en"):
        signals.append("offtopic")
    commerce = COMMERCE.found(" ".join(f.words))
    if len(commerce) >= 2 and not link.internal:
        signals.append("commercial_keywords")
    elif commerce:
        signals.append("commercial_anchor")
    if f.comment_author and not link.internal and _keyword_name(f):
        signals.append("comment_author_commercial")
    elif link.region == "comments" and not link.internal and len(KEYWORD_NAME.found(" ".join(f.words))) >= 2:
        signals.append("commercial_keywords")  # "best whitening cream" dropped into a comment
    return signals


def _keyword_name(f: Facts) -> bool:
    """A commenter "name" built from shop words, or too long to be a name."""
    text = " ".join(f.words)
    return bool(KEYWORD_NAME.search(text)) or len(f.content) >= 5


def _web_link(link: Link) -> bool:
    return link.href.startswith(("http://", "https://", "//")) or not link.href.split(":", 1)[0].isalpha()


def _injected_hidden(f: Facts) -> bool:
    """Inline-hidden links to other sites outside menus: how injected link blocks hide.

    Themes hide menus, tabs, pop-ups and mobile copies through their stylesheet, and hide
    their own internal links; those count only together with another signal."""
    return f.hidden_inline and not f.link.internal and f.link.region not in ("nav", "header")


def _vocab(f: Facts) -> list[str]:
    found = _found(" ".join(f.words))
    if f.domain:
        found = found | _found(_normalise(f.domain + " " + _path(f.link.href)))
    hits = {"vocab:" + group.category for _, group in found if not (group.external_only and f.link.internal)}
    if f.domain and not hits and HOST_STEMS.search(f.domain):
        hits.add("vocab:domain")
    return sorted(hits)


@lru_cache(maxsize=16384)
def _found(normalised: str) -> frozenset:
    return frozenset(VOCAB_TERMS.found(normalised))


def _path(href: str) -> str:
    m = _URL_PARTS.match(href)
    return m.group(2) if m else ""


def _foreign(f: Facts, page_language: str) -> str | None:
    if len(f.words) < SETTINGS["language_min_words"] or len(f.content) < 2:
        return None
    lang = _anchor_language(f.link.text)
    return lang if lang and lang != page_language else None


@lru_cache(maxsize=16384)
def _anchor_language(text: str) -> str | None:
    return detect(text, min_score=SETTINGS["language_min_score"])


def _offtopic(f: Facts, page_stems: frozenset, strict: bool) -> bool:
    """No word of the anchor is a topic word, and at most a quarter of them occur on the page.

    Common words ("check", "guide") turn up on any page, so one shared word is not enough to
    call a long anchor on-topic; on pages in other languages than the lexicon's, any shared
    word is."""
    if len(f.content) < SETTINGS["offtopic_min_words"]:
        return False
    if any(_stem(w) in TOPIC for w in f.content):
        return False
    shared = sum(_stem(w) in page_stems for w in f.content)
    return shared == 0 if strict else shared <= len(f.content) * SETTINGS["offtopic_max_shared"]


def _spun(judged: list[Facts]) -> None:
    """Near-duplicate off-topic titles on one page are spinner variants of one text."""
    candidates = [f for f in judged if "offtopic" in f.signals and f.link.region != "other"]
    sets = [frozenset(f.content) for f in candidates]
    for i, a in enumerate(candidates):
        for j in range(i + 1, len(candidates)):
            if a.words == candidates[j].words or _page_of(a.link.href) == _page_of(candidates[j].link.href):
                continue  # the same title twice, or one post linked under several titles
            overlap = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
            if overlap >= SETTINGS["spun_min_jaccard"] and min(len(sets[i]), len(sets[j])) >= 4:
                for f in (a, candidates[j]):
                    if "spun" not in f.signals:
                        f.signals.append("spun")


def _page_of(href: str) -> str:
    return href.split("#", 1)[0].split("?", 1)[0].rstrip("/")


# where link blocks are judged as blocks (menus are dense by design)
BLOCK_REGIONS = {"widget", "sidebar", "footer", "other", "comments"}


def _dense_blocks(judged: list[Facts]) -> None:
    blocks: dict = {}
    for f in judged:
        if f.link.region in BLOCK_REGIONS and f.block is not None:
            blocks.setdefault(f.block, []).append(f)
    for members in blocks.values():
        external = [f for f in members if f.domain and not _in_hosts(f.domain, "social") and not _in_hosts(f.domain, "platform")]
        domains = {f.domain for f in external}
        if (
            len(external) >= SETTINGS["dense_min_links"]
            and len(domains) >= SETTINGS["dense_min_domains"]
            and len(external) >= len(members) * SETTINGS["dense_min_share"]
        ):
            for f in external:
                if not f.credit:
                    f.signals.append("dense_external_block")


STRONG = {"hidden", "spun", "comment_author_commercial", "commercial_keywords"}
STRONG_PREFIXES = ("vocab:", "language:")
WEAK = {"offtopic", "dense_external_block", "hidden_by_theme", "commercial_anchor"}
# where a link of the site itself is furniture: spam vocabulary alone does not condemn it there
SITE_FURNITURE = ("nav", "header", "footer")


def _decide(f: Facts) -> None:
    link, signals = f.link, f.signals
    strong = [s for s in signals if s in STRONG or s.startswith(STRONG_PREFIXES)]
    weak = [s for s in signals if s in WEAK]
    if link.internal and link.region in SITE_FURNITURE:
        spam = len(strong) + len(weak) >= 2
    elif strong:
        spam = True
    elif link.internal or link.region in ("nav", "header"):
        spam = False
    else:
        spam = _weak_verdict(f, weak)
    link.spam = spam
    link.reasons = signals if spam else []


def _weak_verdict(f: Facts, weak: list[str]) -> bool:
    """External links with only circumstantial signals."""
    if "offtopic" in weak and f.link.region == "comments":
        return "commercial_anchor" in weak
    if "offtopic" in weak and f.link.region == "footer":
        return len(f.content) >= SETTINGS["offtopic_alone_min_words"]
    return len(weak) >= 2


def _contaminated_blocks(judged: list[Facts]) -> None:
    """An off-topic link among spam links of the same block is part of the same injection."""
    blocks: dict = {}
    for f in judged:
        if f.link.region in BLOCK_REGIONS and f.block is not None:
            blocks.setdefault(f.block, []).append(f)
    for members in blocks.values():
        spam = sum(f.link.spam for f in members)
        if spam and spam >= len(members) / 2:
            for f in members:
                if not f.link.spam and "offtopic" in f.signals:
                    f.link.spam = True
                    f.link.reasons = f.signals + ["block_spam"]


def _same_targets(judged: list[Facts]) -> None:
    """A "Read more" or image link to a page already judged spam is the same spam link."""
    targets = {_page_of(f.link.href) for f in judged if f.link.spam and not f.link.internal and _web_link(f.link)}
    for f in judged:
        if not f.link.spam and not f.link.internal and _page_of(f.link.href) in targets:
            f.link.spam = True
            f.link.reasons = f.signals + ["spam_target"]


# ---------------------------------------------------------------------------
# Page structure around a link

BLOCK_TAGS = {"ul", "ol", "dl", "table", "nav", "footer", "aside"}
_BLOCK_CLASS = re.compile(r"widget|blogroll|links|footer|sidebar|related|popular", re.I)
_AUTHOR_CLASS = re.compile(r"comment-author|comment_author|commenter|comment-meta|vcard|\bfn\b|\buser\b|author-name", re.I)


def _block(el):
    """The list, widget or footer that groups this link with its neighbours."""
    node = el.getparent()
    for _ in range(8):
        if node is None or node.tag in ("body", "html"):
            break
        if node.tag in BLOCK_TAGS or _BLOCK_CLASS.search(node.get("class") or ""):
            return node
        node = node.getparent()
    parent = el.getparent()
    return parent.getparent() if parent is not None and parent.getparent() is not None else parent


def _is_comment_author(el, link: Link) -> bool:
    if el is None:
        return False
    if "ugc" in link.rel and "external" in link.rel or "url" in (el.get("class") or "").split():
        return True
    node = el.getparent()
    for _ in range(3):
        if node is None:
            return False
        if node.tag == "cite" or _AUTHOR_CLASS.search((node.get("class") or "") + " " + (node.get("id") or "")):
            return True
        node = node.getparent()
    return False


def _is_credit(el) -> bool:
    """The link sits in a "Powered by …" / "Theme by …" line."""
    parent = el.getparent()
    if parent is None:
        return False
    line = " ".join(etree_text(parent).split())[:300]
    return bool(CREDIT.search(_normalise(line))) if len(line) < 300 else False


def etree_text(el) -> str:
    return "".join(el.itertext())
