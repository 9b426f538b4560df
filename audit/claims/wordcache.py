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

from spacy.tokenizer import Tokenizer

# words kept in spaCy's cache (it never evicts); a crawl's vocabulary of space-separated words,
# punctuation attached, fits in this many, and each costs well under 100 bytes
CACHE_WORDS = 200_000
# runs of two or more spaces, tabs or line breaks are tokens of their own ("\n\n"), less a
# leading space, which belongs to the word before
SPACES = re.compile(r"\s{2,}")


class WordCache:
    """Tokenizes each new word once, where spaCy is sure to cache it."""

    def __init__(self, tokenizer: Tokenizer, size: int = CACHE_WORDS):
        self.tokenizer = tokenizer
        self.size = size
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, size)
        self.seen: set[str] = set()

    def add(self, text: str) -> None:
        """Put the words of ``text`` that were not seen before into the cache."""
        if len(self.seen) >= self.size:
            return
        spaces = set(SPACES.findall(text))
        spaces |= {run[1:] for run in spaces if run[0] == " "}
        new = (set(text.split()) | spaces) - self.seen
        if not new:
            return
        specials = self.tokenizer.rules
        # a word of letters only is split by no prefix, suffix or infix rule, so unless it is a
        # special case itself it cannot stop the caching: these go in one call
        letters = [w for w in new if w.isalpha() and w not in specials]
        if letters:
            self.tokenizer(" ".join(letters))
        for word in new.difference(letters):
            self.tokenizer(word)
        self.seen |= new
