"""Keeps spaCy's tokenizer cache filled with the words of the texts the claim stage reads.

spaCy caches how it splits each space-separated word, but within one call it stops saving words
after the first special case it meets (a newline, "it's", "Dr."), and it stops for good after
10,000 words. Most words of an article therefore went through the prefix, suffix and infix
regexes on every call, which made tokenizing the biggest cost of the claim stage. Tokenizing the
new words of a text once, where no special case comes before them, fills the cache, and
make_doc then looks each word up.

Only speed changes: spaCy splits a cached word exactly as it would split it again, and special
cases are applied to the whole text after the lookup, as before.
"""

from __future__ import annotations

import re
import string

from spacy.tokenizer import Tokenizer

# words kept in spaCy's cache (it never evicts); a crawl's vocabulary of space-separated words,
# punctuation attached, fits in this many, and each costs well under 100 bytes
CACHE_WORDS = 200_000
# special cases hold an apostrophe, a full stop or a colon ("it's", "Dr.", ":)"), but for a few
# ("cannot", "gonna") that the rule table names
SPECIAL_SIGNS = re.compile(r"['’.:]")
PUNCTUATION = string.punctuation + "“”‘’«»…–—"


class WordCache:
    """Tokenizes each new word once, where spaCy is sure to cache it."""

    def __init__(self, tokenizer: Tokenizer, size: int = CACHE_WORDS):
        self.tokenizer = tokenizer
        self.size = size
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, size)
        self.seen: set[str] = set()

    def add(self, text: str) -> None:
        """Put the words of ``text`` that were not seen before into the cache."""
        words = text.split()
        if len(self.seen) >= self.size or self.seen.issuperset(words):
            return
        new = set(words) - self.seen
        risky = [w for w in new if self._may_be_special(w)]
        safe = new.difference(risky)
        if safe:
            self.tokenizer(" ".join(safe))  # none of these stops the caching of the others
        for word in risky:
            self.tokenizer(word)  # on its own, a special case only goes uncached itself
        self.seen |= new

    def _may_be_special(self, word: str) -> bool:
        """Whether the word may be or hold a special case (if in doubt, it is only slower)."""
        rules = self.tokenizer.rules
        return SPECIAL_SIGNS.search(word) is not None or word in rules or word.strip(PUNCTUATION) in rules
