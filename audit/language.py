"""Cheap language identification for page bodies and short anchor texts.

Non-Latin scripts decide by character ranges; Latin-script text by the function words of
``data/stopwords.json``. Good enough to tell "Online Velgen Kopen: Een Gids voor de Slimme
Shopper" (Dutch) from an English skincare page, and fast enough to run on every link.

Short keyword anchors ("pożyczki bez BIK", "jual velg murah") have no function words; for them
``anchor_language`` adds letter-trigram profiles (``data/language_trigrams.json``, built by
scripts/build_language_profiles.py), which carry each language's diacritics, spelling and word
endings.
"""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Unicode blocks that identify a language (or a family we report by its main language).
SCRIPTS = (
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    # Vietnamese: Latin letters with stacked tone marks (ạ ả ấ … ỹ) and đ ơ ư
    ("vi", re.compile(r"[\u1ea0-\u1ef9\u0111\u01a1\u01b0]")),
)


def _load_stopwords() -> dict[str, dict[str, float]]:
    raw = json.loads(resources.files("audit").joinpath("data/stopwords.json").read_text("utf-8"))
    langs = {lang: set(words) for lang, words in raw.items() if not lang.startswith("_")}
    owners: dict[str, int] = {}
    for words in langs.values():
        for word in words:
            owners[word] = owners.get(word, 0) + 1
    # a word shared by k languages is weak evidence for each of them
    return {word: {lang: 1 / owners[word] for lang, ws in langs.items() if word in ws} for word in owners}


WORD_LANGS = _load_stopwords()


_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _script_language(text: str) -> str | None:
    sample = text[:2000]
    if sample.isascii():
        return None
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None
    for lang, pattern in SCRIPTS:
        if len(pattern.findall(sample)) > letters * 0.3:
            return lang
    return None


def detect(text: str, *, min_score: float = 2.0, default: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``, or ``default`` when the evidence is too thin."""
    script = _script_language(text)
    if script:
        return script
    scores: dict[str, float] = {}
    for word in _WORD.findall(text[:3000].lower()):  # a few hundred words settle it
        langs = WORD_LANGS.get(word)
        if langs is None or len(word) < 2:
            continue  # "s" of "Europe's", "a", "v": too ambiguous across languages
        for lang, weight in langs.items():
            scores[lang] = scores.get(lang, 0.0) + weight
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:2]
    if not ranked or ranked[0][1] < min_score:
        return default
    if len(ranked) > 1 and ranked[0][1] < ranked[1][1] * 1.3:
        return default
    return ranked[0][0]


def _load_trigrams() -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    raw = json.loads(resources.files("audit").joinpath("data/language_trigrams.json").read_text("utf-8"))
    profiles = {lang: p["grams"] for lang, p in raw.items() if not lang.startswith("_")}
    floors = {lang: p["floor"] for lang, p in raw.items() if not lang.startswith("_")}
    return profiles, floors


TRIGRAMS, TRIGRAM_FLOORS = _load_trigrams()


def trigram_scores(text: str) -> tuple[dict[str, float], int]:
    """Mean log-probability (tenths) per trigram of ``text``'s words under each language, and the trigram count."""
    grams = [w[i : i + 3] for w in (f"_{w}_" for w in _WORD.findall(text.lower())) for i in range(len(w) - 2)]
    if not grams:
        return {}, 0
    scores = {}
    for lang, profile in TRIGRAMS.items():
        floor = TRIGRAM_FLOORS[lang]
        scores[lang] = sum(profile.get(g, floor) for g in grams) / len(grams)
    return scores, len(grams)


def _load_english() -> dict[str, int]:
    raw = gzip.decompress(resources.files("audit").joinpath("data/english_words.txt.gz").read_bytes()).decode("utf-8")
    return {w: rank for rank, w in enumerate(raw.split())}


# word -> frequency rank among English words (0 = "the"); absent = not a common English word
ENGLISH_RANK = _load_english()
# function words only English has ("the", "for", "with"; not "in" or "die")
ENGLISH_STOP = frozenset(w for w, langs in WORD_LANGS.items() if langs.get("en") == 1)


def foreign_words(text: str) -> tuple[list[str], list[str]]:
    """(content words, those that are no common English word) of a short text."""
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 2]
    content = [w for w in words if w not in WORD_LANGS]
    return content, [w for w in content if w not in ENGLISH_RANK]


def anchor_language(text: str, *, min_foreign: int, min_share: float, min_score: float = 2.0) -> str | None:
    """Language of a short text: script, then function words, then vocabulary.

    A keyword anchor without function words is foreign when most of its content words are no
    common English word; English-only function words ("the", "for") keep it English. The
    language reported is the one whose letter trigrams fit those words best."""
    by_words = detect(text, min_score=min_score)
    if by_words:
        return by_words
    if any(w in ENGLISH_STOP for w in _WORD.findall(text.lower())):
        return None
    content, foreign = foreign_words(text)
    if len(foreign) < min_foreign or len(foreign) < len(content) * min_share:
        return None
    scores, _ = trigram_scores(" ".join(foreign))
    return max((lang for lang in scores if lang != "en"), key=scores.get)
