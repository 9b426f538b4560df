"""Which sentences of an article can hold a claim, found before the rule matchers run.

find_claims runs the rule matchers only over the paragraphs where a claim can come out. Every
other sentence gets the no_claim verdict whether it is matched or not, so the claims found are
exactly those of matching the whole article (``RuleMatcher.__call__`` says why the matches
inside a region do not change either).

judge() returns a claim only for a sentence matching rules of the (kind, group) roles that
verdict.can_claim asks for. The screen reads the claim-trigger patterns for what a match must
contain: the tokens with literal values (LOWER, LEMMA, ORTH or TEXT; a value or an "IN" list)
that must occur, how far apart the operators let them be, and, where the pattern tokens between
two of them are literal too, which words may come between. A sentence where a pattern finds its
rarest literal token (its anchor) and every other literal token within reach of it may match
the pattern; any other sentence cannot. Whatever the screen does not check (tokens with other
attributes, the order of the non-anchor tokens) only lets more sentences through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

from audit.claims.columns import column, positions_of
from audit.claims.rules import COMMON, Rule
from audit.claims.verdict import CLAIM_ALONE, CLAIM_KINDS, can_claim, claim_role

# pattern attribute -> the token attribute read (TEXT is spaCy's other name for ORTH)
LITERAL_ATTRS = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": ORTH, "TEXT": ORTH}
UNBOUNDED = 1_000_000
QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")


def token_count(op: str | None) -> tuple[int, int]:
    """How few and how many tokens a pattern token with this operator matches."""
    fixed = {None: (1, 1), "?": (0, 1), "*": (0, UNBOUNDED), "+": (1, UNBOUNDED), "!": (0, 0)}
    if op in fixed:
        return fixed[op]
    low, comma, high = QUANTIFIER.fullmatch(op).groups()  # "{2}", "{0,6}", "{1,}"
    if not comma:
        return int(low), int(low)
    return int(low or 0), int(high) if high else UNBOUNDED


def literal_values(token: dict) -> tuple[int, list[str]] | None:
    """The attribute and the values a pattern token accepts, when they are plain strings."""
    for name, attr in LITERAL_ATTRS.items():
        value = token.get(name)
        if isinstance(value, str):
            return attr, [value]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return attr, list(value["IN"])
    return None


@dataclass(frozen=True)
class Literal:
    """A token every match holds, and where it can sit from the pattern's anchor token."""

    attr: int
    values: frozenset  # hashes of the accepted strings
    nearest: int  # fewest tokens from the anchor (negative: before it)
    farthest: int  # most tokens from the anchor
    # the values the tokens between it and the anchor can take, when the pattern tokens between
    # are literal too (on the same attribute); None when anything can come between
    between: frozenset | None = None


def rarity(values: list[str]) -> tuple[int, int, int]:
    """Sort key for the anchor: fewer frequent words, fewer words, then longer ones (rarer)."""
    return sum(v.lower() in COMMON for v in values), len(values), -min(len(v) for v in values)


def literals(vocab: Vocab, pattern: list[dict]) -> tuple[Literal, list[Literal]] | None:
    """The pattern's anchor (its rarest literal token) and its other literal tokens, each placed
    relative to the anchor; None when no token is both required and literal."""
    counts = [token_count(t.get("OP")) for t in pattern]
    accepts = [literal_values(t) for t in pattern]
    found = {i: lit for i, lit in enumerate(accepts) if lit and counts[i][0] >= 1}
    if not found:
        return None
    at = min(found, key=lambda i: rarity(found[i][1]))

    def hashes(values: list[str]) -> frozenset:
        return frozenset(vocab.strings.add(v) for v in values)

    def place(i: int) -> Literal:
        # the tokens from the earlier of the two up to the later one take low..high places
        spanned = counts[at:i] if i >= at else counts[i:at]
        low, high = sum(c[0] for c in spanned), min(UNBOUNDED, sum(c[1] for c in spanned))
        nearest, farthest = (low, high) if i >= at else (-high, -low)
        attr, values = found[i]
        # the pattern tokens in between, and the two ends themselves where they can repeat
        ends = (i, at)
        inner = [
            accepts[j]
            for j in range(min(ends), max(ends) + 1)
            if counts[j][1] > (1 if j in ends else 0)
        ]
        same = all(lit and lit[0] == attr for lit in inner)
        between = hashes([v for lit in inner for v in lit[1]]) if same else None
        return Literal(attr, hashes(values), nearest, farthest, between)

    return place(at), [place(i) for i in found if i != at]


class ClaimScreen:
    """The sentences that can make a claim, and the regions the rule matchers must read."""

    def __init__(self, vocab: Vocab, rules: list[Rule]):
        self.by_anchor: dict[int, dict] = {}  # attribute -> anchor hash -> [(role, other literals)]
        self.attrs: set[int] = set()  # the attributes any literal reads
        self.everywhere: set[tuple] = set()  # roles of patterns without a literal token
        for rule in rules:
            role = claim_role(rule)
            for pattern in rule.patterns if role[0] in CLAIM_KINDS else ():
                self._add(vocab, role, pattern)
        # the anchors' hashes sorted, to find them in a doc's column in one numpy pass
        self.keys = {attr: numpy.array(sorted(hashes), dtype="uint64") for attr, hashes in self.by_anchor.items()}

    def _add(self, vocab: Vocab, role: tuple, pattern: list[dict]) -> None:
        found = literals(vocab, pattern)
        if found is None:
            self.everywhere.add(role)
            return
        anchor, others = found
        self.attrs.update(lit.attr for lit in [anchor, *others])
        table = self.by_anchor.setdefault(anchor.attr, {})
        for value in anchor.values:
            table.setdefault(value, []).append((role, others))

    def regions(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges the rule matchers must read for find_claims: from the start of each
        paragraph holding a sentence that can make a claim to the last such sentence, because
        judge() also reads the sentences before a claim, for the sources and conditions they name.
        Each paragraph is read from its end, so it only takes finding its last such sentence."""
        bounds = doc._.sent_bounds or []
        found = []
        if bounds:
            values, hits = self._anchors(doc, bounds)
            for first, last in paragraphs(bounds):
                for k in range(last, first - 1, -1):
                    if self._can_claim(values, hits.get(k, ()), bounds[k]):
                        found.append((bounds[first][0], bounds[k][1]))
                        break
        return found

    def claimable(self, doc: Doc, bounds: list) -> list[int]:
        """Indices of all the sentences that can make a claim, in text order."""
        values, hits = self._anchors(doc, bounds)
        return [k for k, sentence in enumerate(bounds) if self._can_claim(values, hits.get(k, ()), sentence)]

    def _anchors(self, doc: Doc, bounds: list) -> tuple[dict, dict]:
        """The token values the screen reads, and the anchors found, as sentence -> [(attr, token)]."""
        values = {attr: column(doc, attr).tolist() for attr in self.attrs}
        starts = numpy.array([b[0] for b in bounds])
        hits: dict[int, list] = {}
        for attr, keys in self.keys.items():
            found = positions_of(column(doc, attr), keys)
            for i, k in zip(found.tolist(), (numpy.searchsorted(starts, found, side="right") - 1).tolist()):
                if k >= 0 and i < bounds[k][1]:  # not a space between sentences
                    hits.setdefault(k, []).append((attr, i))
        return values, hits

    def _can_claim(self, values: dict, hits, sentence: tuple) -> bool:
        """Whether the patterns anchored in the sentence can bring judge() what a claim needs."""
        if not hits and not self.everywhere:
            return False
        roles = set(self.everywhere)
        for attr, i in hits:
            for role, others in self.by_anchor[attr][values[attr][i]]:
                if role not in roles and fits(values, i, others, sentence):
                    if role[0] in CLAIM_ALONE:
                        return True  # no need to look further
                    roles.add(role)
        return can_claim(roles)


def fits(values: dict, anchor: int, others: list[Literal], sentence: tuple) -> bool:
    """Whether each other literal token occurs within reach of the anchor, inside the sentence
    (and with only tokens the pattern accepts in between, where it says which)."""
    for other in others:
        tokens = values[other.attr]
        first = max(sentence[0], anchor + other.nearest)
        last = min(sentence[1], anchor + other.farthest + 1)
        if other.values.isdisjoint(tokens[first:last]):
            return False
        if other.between is not None and not any(
            other.between.issuperset(tokens[anchor + 1 : i] if i > anchor else tokens[i + 1 : anchor])
            for i in range(first, last)
            if tokens[i] in other.values
        ):
            return False
    return True


def paragraphs(bounds: list):
    """(first, last) sentence indices of each paragraph."""
    first = 0
    for k, (_, _, opens) in enumerate(bounds):
        if opens and k > first:
            yield first, k - 1
            first = k
    yield first, len(bounds) - 1
