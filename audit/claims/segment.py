"""Sentence splitting and lemma casing for skincare article text, without a parser.

The splitter knows what blog copy looks like: line breaks end list bullets and headings,
"et al. (2019)" and abbreviations such as "Dr." or "e.g." do not end a sentence, and a
reference marker glued to a full stop ("…proliferation.3,4 Rosemary…") stays with the
sentence it cites.
"""

from __future__ import annotations

import re

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_prefix_regex, compile_suffix_regex

from audit.claims import extensions  # noqa: F401  (declares the attributes)

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


def _opens_sentence(token) -> bool:
    first = token.text[0]
    if token.text in NO_BREAK_BEFORE:
        return False
    return not first.islower()


def _after_ender(doc: Doc, i: int) -> int | None:
    """Index of the token that opens the next sentence after the ender at i, or None."""
    n = len(doc)
    if i > 0 and doc[i - 1].lower_ in NO_BREAK_AFTER and doc[i].text == ".":
        return None
    j = i + 1
    while j < n and doc[j].text in CLOSERS:
        j += 1
    if j < n and doc[i].text == "." and REF_NUMBER.match(doc[j].text):
        if j + 1 >= n or doc[j + 1].is_space or not doc[j + 1].text[0].islower():
            j += 1
    while j < n and doc[j].is_space and "\n" not in doc[j].text:
        j += 1
    if j >= n or doc[j].is_space:
        return None  # the line break rule opens the next sentence
    return j if _opens_sentence(doc[j]) else None


def split_sentences(doc: Doc) -> tuple[list[int], set[int]]:
    """Sentence start indices and the subset that opens a paragraph."""
    starts, paragraphs = [0], {0}
    for i, token in enumerate(doc):
        if token.is_space:
            if "\n" in token.text and i + 1 < len(doc):
                starts.append(i + 1)
                if token.text.count("\n") > 1:
                    paragraphs.add(i + 1)
        elif token.text in ENDERS or (token.text[-1] in ".!?" and token.text[0] in ".!?"):
            j = _after_ender(doc, i)
            if j is not None:
                starts.append(j)
    return sorted(set(starts)), paragraphs


def sentence_bounds(doc: Doc, starts: list[int], paragraphs: set[int]) -> list[tuple]:
    """(start, end, opens_paragraph) per sentence, leading and trailing spaces trimmed."""
    bounds = []
    ends = starts[1:] + [len(doc)]
    for start, end in zip(starts, ends):
        opens = start in paragraphs
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
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
        starts, paragraphs = split_sentences(doc)
        flags = numpy.full((len(doc), 1), -1, dtype="int64")
        flags[starts, 0] = 1
        # spaCy stores attributes as uint64; -1 ("not a start") wraps and is read back as -1
        doc.from_array([SENT_START], flags.view("uint64"))
        doc._.sent_bounds = sentence_bounds(doc, starts, paragraphs)
        return doc


@Language.factory("audit_lemma_case")
def make_lemma_case(nlp: Language, name: str):
    return LemmaCase(nlp)


class LemmaCase:
    """The lookup table is keyed on lower case, so "Studies" would stay "Studies";
    re-look capitalised words up in lower case so patterns on LEMMA see "study"."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.table: dict | None = None

    def _lookup(self):
        if self.table is None:
            lemmatizer = self.nlp.get_pipe("lemmatizer")
            self.table = lemmatizer.lookups.get_table("lemma_lookup", {})
        return self.table

    def __call__(self, doc: Doc) -> Doc:
        table = self._lookup()
        for token in doc:
            if token.is_alpha and not token.is_lower:
                lower = token.lower_
                token.lemma_ = table.get(lower, lower)
        return doc
