"""Sentence splitting and lemma casing for skincare article text, without a parser.

The splitter knows what blog copy looks like: line breaks end list bullets and headings,
"et al. (2019)" and abbreviations such as "Dr." or "e.g." do not end a sentence, and a
reference marker glued to a full stop ("…proliferation.3,4 Rosemary…") stays with the
sentence it cites.
"""

from __future__ import annotations

import re

import numpy
from spacy.attrs import IS_SPACE, LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc
from spacy.util import compile_prefix_regex, compile_suffix_regex

from audit.claims import extensions  # noqa: F401  (declares the attributes)
from audit.claims.columns import column, keep_lemmas

ENDERS = {".", "!", "?", "…", "...", "?!", "!?", "!!", "??", "!!!"}
CLOSERS = {'"', "'", "”", "’", ")", "]", "»", "*"}
# a citation number right after the full stop: ".3", ".3,4", ".12-14"
REF_NUMBER = re.compile(r"^\d{1,3}(?:[,–-]\d{1,3})*$")
# split "proliferation.3,4" into "proliferation" "." "3,4" so the marker can be seen
GLUED_REFERENCE_SUFFIX = r"(?<=[a-z\)]\.)\d{1,3}(?:[,–-]\d{1,3})*"
NO_BREAK_BEFORE = {"(", ",", ";", ":"}
NO_BREAK_AFTER = {"al", "fig", "vs", "approx", "no", "ca", "cf"}


# "doi:10.1111/…" → "doi:" "10.1111" … so the DOI rule can anchor on a plain word
DOI_PREFIX = r"[dD][oO][iI]:"


def add_reference_suffix(nlp: Language) -> None:
    """Teach the tokenizer to split citation numbers glued to a full stop and DOI prefixes."""
    suffixes = list(nlp.Defaults.suffixes) + [GLUED_REFERENCE_SUFFIX]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    prefixes = list(nlp.Defaults.prefixes) + [DOI_PREFIX]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search


def _opens_sentence(text: str) -> bool:
    return text not in NO_BREAK_BEFORE and not text[0].islower()


class DocView:
    """Token facts as plain lists (one pass through numpy, not one Python object per token)."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.orth = column(doc, ORTH)
        self.space = column(doc, IS_SPACE).astype(bool)
        # the same as lists: reading one item of a list is much cheaper than of an array
        self.orths = self.orth.tolist()
        self.spaces = self.space.tolist()
        self.strings = doc.vocab.strings

    def text(self, i: int) -> str:
        return self.strings[self.orths[i]]


def _after_ender(view: DocView, i: int) -> int | None:
    """Index of the token that opens the next sentence after the ender at i, or None."""
    n = len(view.orths)
    space = view.spaces
    ender = view.text(i)
    if i > 0 and ender == "." and view.text(i - 1).lower() in NO_BREAK_AFTER:
        return None
    j = i + 1
    while j < n and view.text(j) in CLOSERS:
        j += 1
    if j < n and ender == "." and REF_NUMBER.match(view.text(j)):
        if j + 1 >= n or space[j + 1] or not view.text(j + 1)[0].islower():
            j += 1
    while j < n and space[j] and "\n" not in view.text(j):
        j += 1
    if j >= n or space[j]:
        return None  # the line break rule opens the next sentence
    return j if _opens_sentence(view.text(j)) else None


def split_sentences(doc: Doc) -> tuple[list[int], set[int], DocView]:
    """Sentence start indices and the subset that opens a paragraph."""
    view = DocView(doc)
    ender_hashes = numpy.array([doc.vocab.strings.add(e) for e in ENDERS], dtype="uint64")
    enders = (view.orth[:, None] == ender_hashes).any(axis=1)
    candidates = numpy.flatnonzero(view.space | enders)
    starts, paragraphs = [0], {0}
    for i in candidates.tolist():
        if view.spaces[i]:
            text = view.text(i)
            if "\n" in text and i + 1 < len(doc):
                starts.append(i + 1)
                if text.count("\n") > 1:
                    paragraphs.add(i + 1)
        else:
            j = _after_ender(view, i)
            if j is not None:
                starts.append(j)
    return sorted(set(starts)), paragraphs, view


def sentence_bounds(view: DocView, starts: list[int], paragraphs: set[int]) -> list[tuple]:
    """(start, end, opens_paragraph) per sentence, leading and trailing spaces trimmed."""
    bounds = []
    space = view.spaces
    ends = starts[1:] + [len(space)]
    for start, end in zip(starts, ends):
        opens = start in paragraphs
        while start < end and space[start]:
            start += 1
        while end > start and space[end - 1]:
            end -= 1
        if end > start:
            bounds.append((start, end, opens))
    return bounds


@Language.factory("audit_sentences")
def make_sentence_splitter(nlp: Language, name: str):
    return SentenceSplitter()


class SentenceSplitter:
    """Sets token.is_sent_start and doc._.sent_bounds."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            doc._.sent_bounds = []
            return doc
        starts, paragraphs, view = split_sentences(doc)
        flags = numpy.full((len(doc), 1), -1, dtype="int64")
        flags[starts, 0] = 1
        # spaCy stores attributes as uint64; -1 ("not a start") wraps and is read back as -1
        doc.from_array([SENT_START], flags.view("uint64"))
        doc._.sent_bounds = sentence_bounds(view, starts, paragraphs)
        return doc


@Language.factory("audit_lemmatizer", default_config={"mode": "lookup", "overwrite": False, "model": None, "scorer": None})
def make_lemmatizer(nlp: Language, name: str, model, mode: str, overwrite: bool, scorer):
    return LowerLookupLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


class LowerLookupLemmatizer(Lemmatizer):
    """spaCy's lookup lemmatizer (tables from spacy-lookups-data), keyed on the lower-case
    form so "Studies" becomes "study" too, and applied to the whole doc in one array pass."""

    def initialize(self, get_examples=None, *, nlp=None, lookups=None):
        super().initialize(get_examples, nlp=nlp, lookups=lookups)
        self._hash_table = None

    def _table(self) -> dict:
        if getattr(self, "_hash_table", None) is None:
            strings = self.vocab.strings
            table = self.lookups.get_table("lemma_lookup", {})
            self._hash_table = {key: strings.add(value) for key, value in table.items()}
        return self._hash_table

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        table = self._table()
        lower = column(doc, LOWER).tolist()
        lemmas = numpy.fromiter(map(table.get, lower, lower), dtype="uint64", count=len(lower))
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        keep_lemmas(doc, lemmas)
        return doc
