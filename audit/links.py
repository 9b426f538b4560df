"""Spam verdicts for the links outside the article body.

A verdict combines signals, each a machine-readable reason. Strong ones decide alone:

* ``hidden``                   inline-hidden keyword link to another site (not a consent banner's
                               "Learn more", not a one-word sister-site menu entry)
* ``vocab:<category>``         anchor or URL uses commercial spam vocabulary (rules/spam_vocab.jsonl);
                               not on the site's own on-topic posts
* ``language:<code>``          the anchor is written in another language than the page and the site's
                               own links (function words, or mostly no common English word)
* ``offtopic_outlier``         a keyword phrase sharing no word with the page among the site's own on-topic posts
* ``spun``                     near-duplicate titles with words swapped in place: article-spinner output
* ``comment_author_commercial`` a commenter's name link that is a keyword, not a name
* ``commercial_keywords``      two or more offer, shop or money tokens in an off-topic anchor
* ``link_farm``                keyword anchor in a block of many external links to many sites and
                               no internal link

Weak ones count together (or, for off-topic links in footers and comments, with enough words):

* ``offtopic``                 no topic word and (almost) no informative word shared with the page,
                               its title or the site's own menus
* ``commercial_anchor``        one offer, shop or money token ("borrow", "murah", "$500", "3%", "24h")
* ``spam_domain``              cheap TLD (.xyz, .vip …) or a domain name with digits and hyphens
* ``keyword_domain``           the domain spells out the anchor's keywords ("umzug-berlin-…")
* ``dense_external_block``     the link sits in a block packed with links to many other sites
* ``hidden_by_theme``          hidden by the stylesheet or in a menu (themes hide menus and pop-ups)
* ``credit_keyword``           a "Designed by …" credit line whose anchor is a phrase, not a name
* ``search_phrase``            an external anchor in lower case, as a keyword is typed ("cheap watch copies")

Added after the verdicts:

* ``block_spam``               off-topic link in a block whose other links are spam
* ``spam_target``              another link on the page to the same target was judged spam on strong evidence

Site navigation, the site's own on-topic posts and labels, theme and platform credits, share
buttons and social profiles stay clean: the allow lists live in rules/spam_hosts.jsonl and
rules/spam_signals.jsonl. Body links are never judged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from difflib import SequenceMatcher
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urljoin

import tldextract

from audit.defaults import section
from audit.language import ENGLISH_RANK, ENGLISH_STOP, WORD_LANGS, anchor_language
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
        # first word -> most words of a phrase starting with it: other words start no n-gram
        self.starts: dict[str, int] = {}
        for phrase in self.phrases:
            first, length = phrase.split(" ", 1)[0], phrase.count(" ") + 1
            self.starts[first] = max(self.starts.get(first, 0), length)
        self.unspaced = unspaced
        self.unspaced_re = re.compile("|".join(map(re.escape, sorted(unspaced, key=len, reverse=True)))) if unspaced else None

    def found(self, normalised: str) -> set:
        """(term, label) pairs occurring in an already ``_normalise``d text."""
        words = normalised.split()
        hits = set()
        for i, word in enumerate(words):
            longest = self.starts.get(word)
            if longest is None:
                continue
            for n in range(1, min(longest, len(words) - i) + 1):
                gram = " ".join(words[i : i + n]) if n > 1 else word
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
# shop and offer words in one look-up (the anchor is scanned once)
OFFER = Terms([(t, "commerce") for t in SIGNALS["commerce"]["terms"]] + [(t, "offer") for t in SIGNALS["offer"]["terms"]])
MONEY = re.compile(SIGNALS["money"]["pattern"], re.I)
CHEAP_TLDS = frozenset(SIGNALS["cheap_tlds"]["terms"])
PREPOSITIONS = frozenset(SIGNALS["prepositions"]["terms"])
CONSENT = Terms((t, "consent") for t in SIGNALS["consent"]["terms"])
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
    """Five letters, six for long words: "installation" is not "instability", "cleansing" is "cleanser"."""
    return word[:6] if len(word) >= SETTINGS["long_word_letters"] else word[:5]


# Words that say nothing about what a text is about: common English words, function words of any
# language, generic web words. As one set, a page's words are screened in one set operation.
UNINFORMATIVE = frozenset(
    {w for w, rank in ENGLISH_RANK.items() if rank < SETTINGS["topic_common_rank"]} | STOPWORDS | GENERIC
)


def _informative(word: str) -> bool:
    """A word rare enough in English to say what a text is about ("sourdough", not "check")."""
    return word not in UNINFORMATIVE


def _page_stems(text: str) -> tuple[frozenset[str], bool]:
    """Stems of the page's informative words, plus four-letter prefixes so "huid" meets "huidtypes";
    and whether the page is about the audited topics (uses enough words of the topic lexicon)."""
    # the same words as _normalise(text).split(), without joining and splitting a whole page
    words = [w for w in set(_WORD.findall(unicodedata.normalize("NFKC", text).lower())) - UNINFORMATIVE if len(w) > 2]
    # informative lexicon words only: "face", "care" and "night" are on any news page
    topical = sum(1 for w in words if _on_topic_word(w)) >= SETTINGS["topic_min_page_words"]
    stems = {w[:5] for w in words} | {w[:4] for w in words if len(w) > 4} | {w[:6] for w in words if len(w) > 5}
    return frozenset(stems), topical


def _topic_words() -> frozenset[str]:
    """Words of the topic lexicon. A phrase counts joined ("make-up" -> "makeup") and by its
    informative parts only: "make", "up", "side", "free" are no topic words on their own."""
    raw = json.loads(resources.files("audit").joinpath("data/topic_lexicon.json").read_text("utf-8"))
    words = set()
    for entry in (e for k, v in raw.items() if not k.startswith("_") for e in v):
        parts = _normalise(entry).split()
        words.add("".join(parts))
        if len(parts) > 1:
            words.update(p for p in parts if len(p) > 2 and _informative(p))
    return frozenset(words)


# inflections a topic word may carry ("wrinkles", "moisturized", "glowing"); a shared five-letter
# prefix is not enough ("complexion" is not "completely")
_INFLECTION = re.compile(r"(?:s|es|ed|d|ing|ly)$")


@lru_cache(maxsize=65536)
def _on_topic_word(word: str) -> bool:
    if word in TOPIC_WORDS:
        return True
    base = _INFLECTION.sub("", word)
    return len(base) >= 4 and base != word and (base in TOPIC_WORDS or base + "e" in TOPIC_WORDS)


TOPIC_WORDS = _topic_words()


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
    if _PLAIN_PATH.match(href):
        root = _site_root(base)
        if root is not None:
            return root + href  # what urljoin gives, without its parsing
    try:
        return urljoin(base, href)
    except ValueError:
        return href


# A root-relative path that urljoin leaves as it is: no dot segment, no empty segment, no
# parameters, query or fragment, nothing it strips or escapes.
_PLAIN_PATH = re.compile(r"/(?![./])(?:[A-Za-z0-9\-_~%!$&'()*+,=@]|/(?![./]))*\Z")


@lru_cache(maxsize=1024)
def _site_root(base: str) -> str | None:
    """``scheme://host`` of ``base`` as urljoin writes it, or None when urljoin fails on it."""
    try:
        root = urljoin(base, "/")
    except ValueError:
        return None
    return root[:-1] if root.endswith("/") else None


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
def _words(text: str) -> tuple[list[str], list[str], list[str]]:
    """(all words, content words, informative words) of an anchor text; cached, sites repeat their menus on every page."""
    if "." in text:
        text = _without_urls(text)
    words = _normalise(text).split()
    content = [w for w in words if len(w) > 2 and w not in STOPWORDS and w not in GENERIC and not w.isdigit()]
    return words, content, [w for w in content if _informative(w)]


class _lazy:
    """``functools.cached_property`` without the lock it takes on every first read (Python 3.11):
    the value lands in the instance's ``__dict__``, which later reads find first."""

    def __init__(self, func) -> None:
        self.func, self.name = func, func.__name__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class Facts:
    """What the judge knows about one link beyond the Link record (page structure read lazily)."""

    def __init__(self, link: Link, spot, structure: Structure | None = None) -> None:
        self.link = link
        self.element = getattr(spot, "element", None)
        self.hidden_inline = bool(getattr(spot, "hidden_inline", False))
        self.words, self.content, self.informative = _words(link.text)
        self.domain = registered_domain(link.href) if not link.internal else ""
        self.signals: list[str] = []
        self.structure = structure or Structure()

    @_lazy
    def block(self):
        return self.structure.block(self.element) if self.element is not None else None

    @_lazy
    def comment_author(self) -> bool:
        return self.link.region == "comments" and _is_comment_author(self.element, self.link)

    @_lazy
    def credit(self) -> bool:
        return self.element is not None and self.structure.credit(self.element)

    @_lazy
    def name_shaped(self) -> bool:
        return _name_shaped(self.link.text)

    @_lazy
    def offers(self) -> int:
        """Shop, offer and money evidence in the anchor ("buy", "cheap", "$500", "3% daily", "24h")."""
        return _offers(self.link.text, " ".join(self.words))


@lru_cache(maxsize=16384)
def _offers(text: str, normalised: str) -> int:
    return len({t for t, _ in OFFER.found(normalised)}) + len(MONEY.findall(text))


@dataclass(frozen=True)
class PageFacts:
    """Per-page facts computed once: the page's topic stems, language and the languages its own links use."""

    stems: frozenset
    language: str
    site_languages: frozenset
    topical: bool = True
    """The page is about the audited topics: only then does a topic-lexicon word make an anchor on-topic."""


def judge_links(
    links: list[Link],
    *,
    page_url: str | None,
    page_text: str,
    page_language: str,
    context: list | None = None,
) -> list[Link]:
    """Set ``spam`` and ``reasons`` on every non-body link (in place) and return the list."""
    judged, facts = [], []
    structure = Structure()
    for link, spot in zip(links, context or [None] * len(links)):
        if link.region == "body":
            link.spam, link.reasons = False, []
        else:
            facts.append(Facts(link, spot, structure))
    # the site's own menus and labels say what the site is about, as much as the article does
    furniture = " ".join(f.link.text for f in facts if f.link.internal and f.link.region in ("nav", "header"))
    stems, topical = _page_stems(page_text + "\n" + furniture)
    page = PageFacts(stems, page_language, _site_languages(facts, page_language), topical)
    seen: dict = {}
    for f in facts:
        # menus and widgets repeat links (desktop and mobile copies): same link, same signals
        key = (f.link.text, f.link.href, f.link.region, f.link.hidden, f.hidden_inline)
        f.signals = list(seen[key]) if key in seen else _signals(f, page)
        seen[key] = f.signals
        judged.append(f)
    _spun(judged)
    blocks = list(_blocks(judged).values())
    _dense_blocks(blocks)
    _odd_ones_out(blocks, page)
    for f in judged:
        _decide(f)
    _contaminated_blocks(blocks)
    _same_targets(judged)
    return links


def _site_languages(facts: list[Facts], page_language: str) -> frozenset:
    """Languages many of the page's own links are written in: the site's, whatever the article's."""
    counts: dict[str, int] = {}
    for f in facts:
        lang = _anchor_language(f.link.text, page_language) if _language_eligible(f) else None
        if lang:
            counts[lang] = counts.get(lang, 0) + 1
    least = max(SETTINGS["site_language_min_links"], len(facts) * SETTINGS["site_language_min_share"])
    return frozenset(lang for lang, n in counts.items() if n >= least)


def _signals(f: Facts, page: PageFacts) -> list[str]:
    link = f.link
    signals = []
    allowed = _allowed(f.domain)
    if link.hidden and not allowed and _web_link(link):
        signals.append("hidden" if _injected_hidden(f) else "hidden_by_theme")
    signals += _vocab(f, page)
    if allowed or not _web_link(link) or (link.internal and link.region in ("nav", "header")):
        return signals
    if not link.internal and link.region not in ("nav", "header") and _credit_name(f) and f.credit:
        return signals  # "Theme by ThemeGrill": a name in a credit line
    if not link.internal and link.region not in ("nav", "header") and len(f.content) >= 2 and f.credit:
        signals.append("credit_keyword")  # "Designed by <a keyword phrase>"
    on_topic = _on_topic(f, page)
    foreign = _foreign(f, page)
    if foreign and not (on_topic and _mostly_shared(f, page, foreign)) and not (f.name_shaped and len(f.words) <= 3):  # "Pieter de Vries"
        signals.append("language:" + foreign)
    # headlines and sentences (news widgets, partner boxes) are not keyword anchors
    keyword = len(f.words) <= SETTINGS["keyword_max_words"]
    if keyword and _offtopic(f, page):
        signals.append("offtopic")
    if keyword and f.offers >= 2 and not link.internal and not on_topic:
        signals.append("commercial_keywords")
    elif keyword and f.offers:
        signals.append("commercial_anchor")
    signals += _domain_signals(f)
    if keyword and _search_phrase(f):
        signals.append("search_phrase")
    if f.comment_author and not link.internal and _keyword_name(f):
        signals.append("comment_author_commercial")
    elif link.region == "comments" and not link.internal and len(KEYWORD_NAME.found(" ".join(f.words))) >= 2:
        signals.append("commercial_keywords")  # "best whitening cream" dropped into a comment
    return signals


# lower-case words that names and titles carry ("Pieter de Vries", "Theme by Kriesi", "Journal of …")
_PARTICLES = frozenset("de da di del della der den van von la le du dos das bin binti al el ibn y e and & st by of the for on".split())
_INITIAL = re.compile(r"^[A-Z]\.?$")
_SIGNATURE = re.compile(r"\s+(?:at|from|of|@|\||-|–)\s+")


@lru_cache(maxsize=16384)
def _name_shaped(text: str) -> bool:
    """A person's, brand's or theme's name: up to four capitalised words (particles allowed), no
    digits; or two names joined the way commenters sign ("Sam at The Scalp Lab", "Jo @ Glow")."""
    parts = _SIGNATURE.split(text)
    if len(parts) == 2 and all(parts):
        return all(_name_shaped(part) for part in parts)
    words = text.split()
    if not words or len(words) > 4 or any(c.isdigit() for c in text):
        return False
    if len(words) == 1:
        return True  # a handle or a brand ("glowgirl", "ThemeIsle")
    return all(w[:1].isupper() or w.lower() in _PARTICLES or _INITIAL.match(w) for w in words)


def _search_phrase(f: Facts) -> bool:
    """An external anchor written like a search query ("swiss watch copies cheap"): a phrase in lower
    case. Links a site puts in its widgets and footers carry names and titles, which are capitalised;
    an anchor chosen for ranking is the keyword as people type it."""
    text = f.link.text.strip()
    return (
        not f.link.internal
        and f.link.region in BLOCK_REGIONS
        and text[:1].isalpha() and text[:1].islower()
        and len(f.words) >= SETTINGS["search_phrase_min_words"]
        and len(f.content) >= 2
        and not _URLISH.search(text)
    )


def _credit_name(f: Facts) -> bool:
    """Only a name is exempt in a credit line: "Designed by <keyword phrase>" is the injector's trick."""
    return f.name_shaped and len(f.words) <= SETTINGS["credit_max_words"] and not f.offers


def _keyword_name(f: Facts) -> bool:
    """A commenter "name" built from shop words, money or numbers, too long or not shaped like a name,
    or repeating the words of the commenter's own domain ("Umzug Berlin" -> umzug-berlin-billig.de)."""
    text = " ".join(f.words)
    if KEYWORD_NAME.search(text) or f.offers or len(f.content) >= SETTINGS["keyword_name_min_words"]:
        return True
    if len(f.words) >= 2 and not f.name_shaped:
        return True
    # "Pieter de Vries" -> pieterdevries.nl is a person's own site
    # ("James O'Neill" is two words, however the apostrophe splits it)
    names = f.link.text.split()
    return len(names) >= 3 and not any(w.lower() in _PARTICLES for w in names) and _domain_echo(f) >= 2


def _web_link(link: Link) -> bool:
    return link.href.startswith(("http://", "https://", "//")) or not link.href.split(":", 1)[0].isalpha()


def _injected_hidden(f: Facts) -> bool:
    """Inline-hidden links to other sites outside menus: how injected link blocks hide.

    Themes hide menus, tabs, pop-ups and mobile copies through their stylesheet, and hide
    their own internal links; those count only together with another signal. A hidden link
    without content words ("Learn more", "Privacy policy") or in a consent banner is a banner
    waiting for its script, and a hidden one-word name ("MSNBC") is a sister-site menu: injected
    links carry keyword anchors."""
    if not f.hidden_inline or f.link.internal or f.link.region in ("nav", "header") or not f.content:
        return False
    if CONSENT.search(" ".join(f.words)):
        return False
    return len(f.content) >= 2 or bool(f.offers) or bool(_domain_signals(f))


def _vocab(f: Facts, page: PageFacts) -> list[str]:
    found = _found(" ".join(f.words))
    if f.domain:
        found = found | _url_found(f.domain, _path(f.link.href))
    if not found and not f.domain:
        return []
    if f.link.internal and (_on_topic(f, page) or any(_on_topic_word(w) for w in f.content)):
        # the site's own on-topic post ("Live at the Hollywood Casino Amphitheatre"), or its own
        # health story on any page ("Fake doctors drive OxyContin sales")
        return []
    hits = {"vocab:" + group.category for _, group in found if not (group.external_only and f.link.internal)}
    if f.domain and not hits and HOST_STEMS.search(f.domain):
        hits.add("vocab:domain")
    return sorted(hits)


@lru_cache(maxsize=16384)
def _url_found(domain: str, path: str) -> frozenset:
    return _found(_normalise(domain + " " + path))


@lru_cache(maxsize=8192)
def _allowed(domain: str) -> bool:
    """Share buttons, social profiles and platform links."""
    return bool(domain) and (_in_hosts(domain, "social") or _in_hosts(domain, "platform"))


@lru_cache(maxsize=16384)
def _found(normalised: str) -> frozenset:
    return frozenset(VOCAB_TERMS.found(normalised))


def _path(href: str) -> str:
    m = _URL_PARTS.match(href)
    return m.group(2) if m else ""


# ---------------------------------------------------------------------------
# Domains shaped like spam


@lru_cache(maxsize=8192)
def _domain_parts(domain: str) -> tuple[str, str]:
    parts = _TLD(domain)
    return parts.domain, parts.suffix


def _domain_signals(f: Facts) -> list[str]:
    """``spam_domain``: a cheap TLD or a name with digits and hyphens; ``keyword_domain``: the
    domain spells out the anchor's keywords ("Cheap Moving Boxes" -> cheapmovingboxes.net)."""
    if not f.domain or f.link.internal:
        return []
    name, suffix = _domain_parts(f.domain)
    signals = []
    if suffix.rsplit(".", 1)[-1] in CHEAP_TLDS or (any(c.isdigit() for c in name) and "-" in name):
        signals.append("spam_domain")
    if len(f.content) >= 3 and (not f.name_shaped or f.offers) and _domain_echo(f) >= 2:
        signals.append("keyword_domain")
    return signals


def _domain_echo(f: Facts) -> int:
    """How many of the anchor's longer words are spelt inside its domain name."""
    return _echo(tuple(f.content), f.domain) if f.domain else 0


@lru_cache(maxsize=16384)
def _echo(content: tuple, domain: str) -> int:
    name = _domain_parts(domain)[0].replace("-", "")
    return sum(1 for w in set(content) if len(w) >= 4 and _ascii(w)[:5] in name)


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


# ---------------------------------------------------------------------------
# Language and topic


def _language_eligible(f: Facts) -> bool:
    return len(f.words) >= SETTINGS["language_min_words"] and len(f.content) >= 2 and _web_link(f.link)


def _foreign(f: Facts, page: PageFacts) -> str | None:
    if not _language_eligible(f):
        return None
    lang = _anchor_language(f.link.text, page.language)
    return lang if lang and lang != page.language and lang not in page.site_languages else None


@lru_cache(maxsize=16384)
def _anchor_language(text: str, page_language: str) -> str | None:
    # the vocabulary test knows English words only: on other pages, function words decide
    return anchor_language(
        text,
        min_score=SETTINGS["language_min_score"],
        min_foreign=SETTINGS["language_min_foreign"] if page_language == "en" else 10**6,
        min_share=SETTINGS["language_min_foreign_share"],
    )


def _shared(f: Facts, page: PageFacts) -> int:
    return sum(_stem(w) in page.stems for w in f.informative)


def _on_topic(f: Facts, page: PageFacts) -> bool:
    """A topic word, or an informative word the page also uses."""
    return _topic_anchor(f, page) or _shared(f, page) > 0


def _topic_anchor(f: Facts, page: PageFacts) -> bool:
    """A word of the topic lexicon, on a page about the topic: on a news page "cleansing" or
    "concealed" says nothing about the site, and spam titles would pass for its own posts."""
    return page.topical and any(_on_topic_word(w) for w in f.content)


def _mostly_shared(f: Facts, page: PageFacts, language: str) -> bool:
    """Whether a foreign-looking anchor belongs to the page: a topic word, or half its informative
    words on the page. An anchor sharing one word with the page ("cuidar un bonsái en interior"
    on a page about the Interior Ministry) is still another language's keyword when it carries
    function words of another language and none of English; without them (names, "Turbocharged
    Nissan Sentra Nismo") one shared word keeps it."""
    if _topic_anchor(f, page) or _shared(f, page) * 2 >= max(len(f.informative), 1):
        return True
    function_words = [w for w in f.words if w in STOPWORDS]
    english = any(w in ENGLISH_STOP for w in function_words)
    return english or len(function_words) < SETTINGS["language_min_function_words"]


def _offtopic(f: Facts, page: PageFacts) -> bool:
    """No word of the anchor is a topic word, and (almost) none of its informative words occur on the page.

    Only informative words count: "check" or "guide" turn up on any page, "sourdough" does not.
    An anchor of common words only cannot be placed and is not off-topic."""
    if len(f.content) < SETTINGS["offtopic_min_words"] or not f.informative:
        return False
    if _topic_anchor(f, page):
        return False
    shared = _shared(f, page)
    return shared == 0 if page.language != "en" else shared <= len(f.informative) * SETTINGS["offtopic_max_shared"]


# ---------------------------------------------------------------------------
# Page-level signals


def _spun(judged: list[Facts]) -> None:
    """Near-duplicate titles in one block with different targets are spinner variants of one text.

    Spinners swap synonyms in several places ("Exploring the Hidden Magic of" / "Discovering the
    Secret Charm in"); templated sibling links differ in one slot ("KHNL FCC Public File" /
    "KGMB FCC Public File"), so a one-slot difference counts only between off-topic titles and
    never when the slot is a code or a number."""
    regions: dict = {}
    for f in judged:
        if f.link.region in SPUN_REGIONS and len(f.content) >= SETTINGS["spun_min_words"]:
            regions.setdefault(f.link.region, []).append(f)
    for members in regions.values():
        variants = []  # one-place variants: spinner output only when tied to a spun title
        for a, b in _similar_pairs(members):
            if a.words == b.words or _page_of(a.link.href) == _page_of(b.link.href):
                continue  # the same title twice, or one post linked under several titles
            places = _spun_places(a, b)
            if places >= 2 or (places == 1 and "offtopic" in a.signals and "offtopic" in b.signals):
                _mark_spun(a, b)
            elif places == 1:
                variants.append((a, b))
        _spread_spun(variants)


def _mark_spun(*facts: Facts) -> None:
    for f in facts:
        if "spun" not in f.signals:
            f.signals.append("spun")


def _spread_spun(variants: list) -> None:
    """A one-place variant of a spun title is one more output of the same spinner run."""
    changed = True
    while changed:
        changed = False
        for a, b in variants:
            if ("spun" in a.signals) != ("spun" in b.signals):
                _mark_spun(a, b)
                changed = True


def _similar_pairs(members: list[Facts]):
    """Pairs sharing at least two content words and a third of their words (an index, not all pairs)."""
    index: dict[str, list[int]] = {}
    for i, f in enumerate(members):
        for w in set(f.content):
            index.setdefault(w, []).append(i)
    for i, f in enumerate(members):
        shared: dict[int, int] = {}
        for w in set(f.content):
            for j in index[w]:
                if j > i:
                    shared[j] = shared.get(j, 0) + 1
        for j, n in shared.items():
            if n >= 2 and n >= min(len(set(f.content)), len(set(members[j].content))) / 3:
                yield f, members[j]


def _spun_places(a: Facts, b: Facts) -> int:
    """In how many places the words are swapped in place (0: not a spinner pair).

    Same frame, every difference a short replacement of words (no inserted or dropped clause,
    no number or code changed). A run swapping words and a preposition ("Hidden Magic of" /
    "Secret Charm in") is two places: templates swap names, spinners swap prepositions too."""
    if abs(len(a.words) - len(b.words)) > 2:
        return 0
    matcher = SequenceMatcher(None, a.words, b.words, autojunk=False)
    if matcher.ratio() < SETTINGS["spun_min_ratio"]:
        return 0
    slots = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    places = 0
    for tag, i1, i2, j1, j2 in slots:
        swapped = a.words[i1:i2] + b.words[j1:j2]
        if tag != "replace" or max(i2 - i1, j2 - j1) > SETTINGS["spun_max_run"] or any(not w.isalpha() for w in swapped):
            return 0
        places += _slot_places(a.words[i1:i2], b.words[j1:j2])
    return 0 if places == 1 and _codes(a, b) else places


def _slot_places(left: list[str], right: list[str]) -> int:
    """1, or 2 when the run swaps a preposition for another besides other words ("Behind
    Effective Modern" / "Within Powerful Present-day")."""
    if len(left) != len(right):
        ends = [(left[0], right[0]), (left[-1], right[-1])]
        swapped = any(x != y and x in PREPOSITIONS and y in PREPOSITIONS for x, y in ends)
        return 2 if swapped and max(len(left), len(right)) > 1 else 1
    changed = [(x, y) for x, y in zip(left, right) if x != y]
    prepositions = sum(x in PREPOSITIONS and y in PREPOSITIONS for x, y in changed)
    return 2 if prepositions and len(changed) > prepositions else 1


def _codes(a: Facts, b: Facts) -> bool:
    """Upper-case codes differ ("KHNL" / "KGMB"): a template, not a spinner."""
    return any(w.isupper() and len(w) > 1 for w in set(a.link.text.split()) ^ set(b.link.text.split()))


def _page_of(href: str) -> str:
    return href.split("#", 1)[0].split("?", 1)[0].rstrip("/")


# where link blocks are judged as blocks (menus are dense by design)
BLOCK_REGIONS = {"widget", "sidebar", "footer", "other", "comments"}
SPUN_REGIONS = {"widget", "sidebar", "footer", "other"}


def _dense_blocks(blocks: list[list[Facts]]) -> None:
    for members in blocks:
        external = [f for f in members if f.domain and not _allowed(f.domain)]
        domains = {f.domain for f in external}
        if not (
            len(external) >= SETTINGS["dense_min_links"]
            and len(domains) >= SETTINGS["dense_min_domains"]
            and len(external) >= len(members) * SETTINGS["dense_min_share"]
        ):
            continue
        # a link farm: many sites, not one internal link, keyword anchors rather than names
        farm = (
            len(external) >= SETTINGS["farm_min_links"]
            and len(domains) >= SETTINGS["farm_min_domains"]
            and not any(f.link.internal for f in members)
        )
        for f in external:
            if f.credit and _credit_name(f):
                continue
            f.signals.append("dense_external_block")
            if farm and len(f.content) >= SETTINGS["farm_min_words"] and not f.name_shaped:
                f.signals.append("link_farm")


def _odd_ones_out(blocks: list[list[Facts]], page: PageFacts) -> None:
    """A keyword phrase among the site's own post titles is a post someone else put there.

    A hacked site's "popular posts" list carries the injector's posts among the site's own. Topic
    alone does not tell them apart (news sites' lists wander from topic to topic), so the odd
    title, sharing no word with the page, must also read as a search phrase rather than a
    headline: written in lower case where the site capitalises its titles ("recover lost wallet
    fast"), or carrying shop or money words among own titles that are on-topic."""
    for members in blocks:
        titled = [f for f in members if f.link.internal and f.link.text[:1].isalpha()]
        if not SETTINGS["outlier_min_own"] < len(titled) <= SETTINGS["outlier_max_links"]:
            continue
        own = [f for f in titled if len(f.content) >= SETTINGS["outlier_min_words"]]
        on_topic = sum(_on_topic(f, page) for f in own)
        capitalised = sum(f.link.text[:1].isupper() for f in titled)
        for f in titled:
            # not one informative word of the page: a headline sharing one word is the site's own news
            if "offtopic" not in f.signals or _shared(f, page) or len(f.informative) < 2:
                continue
            others = len(titled) - 1
            lower = f.link.text[:1].islower() and capitalised >= others * SETTINGS["outlier_min_share"]
            shop = f.offers and len(own) > SETTINGS["outlier_min_own"] and on_topic >= (len(own) - 1) * SETTINGS["outlier_min_share"]
            if lower or shop:
                f.signals.append("offtopic_outlier")


def _blocks(judged: list[Facts]) -> dict:
    """Block element -> the judged links in it (lists, widgets, footer lines)."""
    blocks: dict = {}
    for f in judged:
        if f.link.region in BLOCK_REGIONS and f.block is not None:
            blocks.setdefault(f.block, []).append(f)
    return blocks


STRONG = {"hidden", "spun", "offtopic_outlier", "comment_author_commercial", "commercial_keywords", "link_farm"}
STRONG_PREFIXES = ("vocab:", "language:")
WEAK = {"credit_keyword", "search_phrase", "offtopic", "dense_external_block", "hidden_by_theme", "commercial_anchor", "spam_domain", "keyword_domain"}
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
    elif link.internal:
        spam = False
    elif link.region in ("nav", "header"):
        spam = "offtopic" in weak and len(weak) >= 2  # spam slipped into a menu
    else:
        spam = _weak_verdict(f, weak)
    link.spam = spam
    link.reasons = signals if spam else []


def _weak_verdict(f: Facts, weak: list[str]) -> bool:
    """External links with only circumstantial signals."""
    if "offtopic" in weak and f.link.region == "comments":
        # a commenter's own name ("Mary Collette Rogers") is off-topic on every page
        named = f.name_shaped and f.comment_author
        return len(weak) >= 2 or (len(f.informative) >= SETTINGS["comment_offtopic_min_words"] and not named)
    if "offtopic" in weak and f.link.region == "footer":
        # company names ("Turner Broadcasting System, Inc.") are off-topic too, but names
        return len(weak) >= 2 or (len(f.content) >= SETTINGS["offtopic_alone_min_words"] and not f.name_shaped)
    return len(weak) >= 2


def _contaminated_blocks(blocks: list[list[Facts]]) -> None:
    """An off-topic link among spam links of the same block is part of the same injection."""
    for members in blocks:
        # share buttons and social profiles sit next to anything: they neither accuse nor vouch
        judged_links = [f for f in members if not _allowed(f.domain)]
        spam = sum(f.link.spam for f in judged_links)
        if spam and spam >= len(judged_links) / 2:
            for f in judged_links:
                if not f.link.spam and "offtopic" in f.signals:
                    f.link.spam = True
                    f.link.reasons = f.signals + ["block_spam"]


def _same_targets(judged: list[Facts]) -> None:
    """A "Read more" or image link to a page already judged spam on strong evidence is the same spam link."""
    targets = {
        _page_of(f.link.href)
        for f in judged
        if f.link.spam and not f.link.internal and _web_link(f.link)
        and any(s in STRONG or s.startswith(STRONG_PREFIXES) for s in f.link.reasons)
    }
    for f in judged:
        if not f.link.spam and not f.link.internal and f.link.region not in ("nav", "header") and _page_of(f.link.href) in targets:
            f.link.spam = True
            f.link.reasons = f.signals + ["spam_target"]


# ---------------------------------------------------------------------------
# Page structure around a link

BLOCK_TAGS = {"ul", "ol", "dl", "table", "nav", "footer", "aside"}
_BLOCK_CLASS = re.compile(r"widget|blogroll|links|footer|sidebar|related|popular", re.I)
_AUTHOR_CLASS = re.compile(r"comment-author|comment_author|commenter|comment-meta|vcard|\bfn\b|\buser\b|author-name", re.I)


class Structure:
    """The page structure around links, read once per element: links of one list or line share
    their parent and ancestors, so each is looked at once however many links it holds."""

    def __init__(self) -> None:
        self._kinds: dict = {}  # element -> "stop" (body/html), "block" or None
        self._blocks: dict = {}  # parent element -> the block of the links below it
        self._credits: dict = {}  # parent element -> its text is a credit line

    def block(self, el):
        """The list, widget or footer that groups this link with its neighbours."""
        parent = el.getparent()
        if parent not in self._blocks:
            self._blocks[parent] = self._block_above(parent)
        return self._blocks[parent]

    def _block_above(self, parent):
        node = parent
        for _ in range(8):
            kind = "stop" if node is None else self._kind(node)
            if kind == "stop":
                break
            if kind == "block":
                return node
            node = node.getparent()
        return parent.getparent() if parent is not None and parent.getparent() is not None else parent

    def _kind(self, node) -> str | None:
        if node not in self._kinds:
            tag = node.tag
            if tag in ("body", "html"):
                self._kinds[node] = "stop"
            else:
                grouping = tag in BLOCK_TAGS or _BLOCK_CLASS.search(node.get("class") or "")
                self._kinds[node] = "block" if grouping else None
        return self._kinds[node]

    def credit(self, el) -> bool:
        """The link sits in a "Powered by …" / "Theme by …" line."""
        parent = el.getparent()
        if parent is None:
            return False
        if parent not in self._credits:
            self._credits[parent] = _is_credit_line(parent)
        return self._credits[parent]


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


CREDIT_LINE_MAX = 300  # characters: a longer text is a paragraph or a block, not a credit line


def _is_credit_line(el) -> bool:
    """The element's text is a short "Powered by …" / "Theme by …" line."""
    line = _text_start(el, CREDIT_LINE_MAX)
    return bool(CREDIT.search(_normalise(line))) if len(line) < CREDIT_LINE_MAX else False


def _text_start(el, limit: int) -> str:
    """The element's text with whitespace runs collapsed, cut at ``limit`` characters; reading stops
    there, so a link directly in a huge block costs no more than one in a short line."""
    pieces, read = [], 0
    for piece in el.itertext():
        pieces.append(piece)
        read += len(piece)
        if read > 2 * limit + 2:  # enough raw text for ``limit`` characters unless mostly spaces
            line = " ".join("".join(pieces).split())
            if len(line) >= limit:
                return line[:limit]
    return " ".join("".join(pieces).split())[:limit]
