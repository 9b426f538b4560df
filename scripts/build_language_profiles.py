"""Build the language data for short texts: audit/data/language_trigrams.json and english_words.txt.gz.

Anchor texts are keyword phrases without function words, so the stop-word scorer of
audit/language.py rarely decides on them. Letter trigrams ("ść", "ijk", "kan_", "ung_") do: they
capture each language's spelling, diacritics and word endings. The profiles are counted over
the word lists of spacy-lookups-data (a project dependency): the lemma tables' forms and lemmas,
and for English the 60,000 most frequent words of its lexeme table (names included, so English
anchors with names stay English).

english_words.txt.gz lists the 40,000 most frequent English words, most frequent first: words
outside it are foreign (or rare), and a word's rank stands in for its document frequency when
the off-topic test weighs the words an anchor shares with the page.

Run again after upgrading spacy-lookups-data:  python scripts/build_language_profiles.py
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from collections import Counter
from pathlib import Path

import spacy_lookups_data

DATA = Path(spacy_lookups_data.__file__).parent / "data"
OUT = Path(__file__).resolve().parent.parent / "audit" / "data" / "language_trigrams.json"
ENGLISH = OUT.parent / "english_words.txt.gz"
ENGLISH_WORDS = 40000
# language -> lemma tables (Polish splits its table by part of speech)
TABLES = {
    "nl": ["nl_lemma_lookup"], "de": ["de_lemma_lookup"], "fr": ["fr_lemma_lookup"], "es": ["es_lemma_lookup"],
    "pt": ["pt_lemma_lookup"], "it": ["it_lemma_lookup"], "id": ["id_lemma_lookup"], "sv": ["sv_lemma_lookup"],
    "da": ["da_lemma_lookup"], "no": ["nb_lemma_lookup"], "tr": ["tr_lemma_lookup"], "cs": ["cs_lemma_lookup"],
    "ro": ["ro_lemma_lookup"], "hu": ["hu_lemma_lookup"], "ca": ["ca_lemma_lookup"], "hr": ["hr_lemma_lookup"],
    "lt": ["lt_lemma_lookup"],
    "pl": ["pl_lemma_lookup_noun", "pl_lemma_lookup_adj", "pl_lemma_lookup_verb", "pl_lemma_lookup_adv"],
}
WORDS_PER_LANGUAGE = 60000
TRIGRAMS_KEPT = 1500
_ALPHA = re.compile(r"^[^\W\d_]{2,}$")


def _load(name: str) -> dict:
    return json.loads(gzip.decompress((DATA / f"{name}.json.gz").read_bytes()))


def _sample(words: set[str]) -> list[str]:
    """A deterministic sample (by hash, not by length or alphabet) of the word list."""
    ranked = sorted(words, key=lambda w: hashlib.md5(w.encode()).hexdigest())
    return ranked[:WORDS_PER_LANGUAGE]


def _words(lang: str) -> list[str]:
    if lang == "en":
        probs = _load("en_lexeme_prob")
        top = sorted(probs, key=probs.get, reverse=True)
        return [w for w in (t.lower() for t in top) if _ALPHA.match(w)][:WORDS_PER_LANGUAGE]
    words = set()
    for table in TABLES[lang]:
        for form, lemma in _load(table).items():
            for w in (form.lower(), str(lemma).lower()):
                if _ALPHA.match(w):
                    words.add(w)
    return _sample(words)


def trigrams(word: str):
    padded = f"_{word}_"
    return (padded[i : i + 3] for i in range(len(padded) - 2))


def profile(words: list[str]) -> dict:
    counts = Counter(t for w in words for t in trigrams(w))
    total = sum(counts.values())
    kept = dict(counts.most_common(TRIGRAMS_KEPT))
    # log-probabilities in tenths; an unlisted trigram scores as half the rarest kept one
    rarest = min(kept.values())
    grams = {t: round(10 * math.log(c / total)) for t, c in kept.items()}
    return {"floor": round(10 * math.log(rarest / 2 / total)), "grams": grams}


def english_words() -> list[str]:
    probs = _load("en_lexeme_prob")
    words: dict[str, None] = {}
    for w in sorted(probs, key=probs.get, reverse=True):
        w = w.lower()
        if _ALPHA.match(w) and w.isascii():
            words.setdefault(w)
        if len(words) >= ENGLISH_WORDS:
            break
    return list(words)


def main() -> None:
    ENGLISH.write_bytes(gzip.compress(("\n".join(english_words()) + "\n").encode(), mtime=0))
    out = {"_why": __doc__.split("\n\n")[1].replace("\n", " ")}
    for lang in ["en", *TABLES]:
        out[lang] = profile(_words(lang))
        print(lang, len(out[lang]["grams"]))
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


if __name__ == "__main__":
    main()
