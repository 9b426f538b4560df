"""Token attribute arrays read once per doc and shared by the claim components.

doc.to_array costs tens of microseconds per attribute on an article, and the sentence splitter,
the lemmatizer, the screen, the rule matchers and the verdict read the same few attributes. The
ones kept here do not change once a doc is tokenized; LEMMA is kept once the lemmatizer sets it.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, IS_SPACE, LEMMA, LENGTH, LIKE_URL, LOWER, ORTH
from spacy.tokens import Doc

from audit.claims import extensions  # noqa: F401  (declares the attributes)

FIXED = {ORTH, LOWER, IS_SPACE, LIKE_URL, IDX, LENGTH}


def column(doc: Doc, attr: int) -> numpy.ndarray:
    """``doc.to_array(attr)``, read-only; read once per doc for the attributes kept."""
    kept = _kept(doc)
    found = kept.get(attr)
    if found is None:
        found = doc.to_array(attr)
        found.flags.writeable = False
        if attr in FIXED:
            kept[attr] = found
    return found


def keep_lemmas(doc: Doc, lemmas: numpy.ndarray) -> None:
    """The lemmatizer's LEMMA column, as it just set it on the doc."""
    lemmas.flags.writeable = False
    _kept(doc)[LEMMA] = lemmas


def _kept(doc: Doc) -> dict:
    underscore = doc._  # each doc._ builds an object: read it once
    kept = underscore.columns
    if kept is None:
        kept = underscore.columns = {}
    return kept


def positions_of(tokens: numpy.ndarray, keys: numpy.ndarray) -> numpy.ndarray:
    """Indices of the tokens whose value is one of ``keys`` (sorted), in one numpy pass."""
    if not len(keys):
        return numpy.flatnonzero(numpy.zeros(len(tokens), dtype=bool))
    where = numpy.minimum(numpy.searchsorted(keys, tokens), len(keys) - 1)
    return numpy.flatnonzero(keys[where] == tokens)
