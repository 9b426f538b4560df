"""Cheap language identification for page bodies and short anchor texts.

Non-Latin scripts decide by character ranges; Latin-script text by the function words of
``data/stopwords.json``. Good enough to tell "Online Velgen Kopen: Een Gids voor de Slimme
Shopper" (Dutch) from an English skincare page, and fast enough to run on every link.
"""

from __future__ import annotations

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
