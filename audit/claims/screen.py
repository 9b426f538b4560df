"""Which sentences of an article can hold a claim, found before the rule matchers run.

find_claims runs the rule matchers only over the paragraphs where a claim can come out. Every
other sentence gets the no_claim verdict whether it is matched or not, so the claims found are
exactly those of matching the whole article (``RuleMatcher.__call__`` says why the matches
inside a region do not change either).

judge() returns a claim only for a sentence matching rules of the roles in verdict.can_claim.
The screen reads the claim-trigger rules' patterns for what a match must contain: the tokens
with literal values (LOWER, LEMMA, ORTH or TEXT; a value or an "IN" list) that must occur, and
how far apart the pattern's operators let them be. A sentence where a pattern finds its rarest
literal token (its anchor), and every other literal token of the pattern within reach of it,
may match that pattern; any other sentence cannot. Being looser than the Matcher (the tokens in
between are not checked) only lets more sentences through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

from audit.claims.columns import column
from audit.claims.rules import COMMON, Rule
from audit.claims.verdict import CLAIM_ALONE, CLAIM_TOGETHER, can_claim, claim_role

# pattern attribute -> the token attribute read (TEXT is spaCy's other name for ORTH)
LITERAL_ATTRS = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": ORTH, "TEXT": ORTH}
ROLES = set(CLAIM_ALONE) | {role for pair in CLAIM_TOGETHER for role in pair}
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


def rarity(values: list[str]) -> tuple[int, int, int]:
    """Sort key for the anchor: fewer frequent words, fewer words, then longer ones (rarer)."""
    return sum(v.lower() in COMMON for v in values), len(values), -min(len(v) for v in values)


def literals(vocab: Vocab, pattern: list[dict]) -> tuple[Literal, list[Literal]] | None:
    """The pattern's anchor (its rarest literal token) and its other literal tokens, each placed
    relative to the anchor; None when no token is both required and literal."""
    counts = [token_count(t.get("OP")) for t in pattern]
    found = {i: lit for i, t in enumerate(pattern) if counts[i][0] >= 1 and (lit := literal_values(t))}
    if not found:
        return None
    at = min(found, key=lambda i: rarity(found[i][1]))

    def place(i: int) -> Literal:
        # the tokens from the earlier of the two up to the later one take low..high places
        between = counts[at:i] if i >= at else counts[i:at]
        low, high = sum(c[0] for c in between), min(UNBOUNDED, sum(c[1] for c in between))
        nearest, farthest = (low, high) if i >= at else (-high, -low)
        attr, values = found[i]
        return Literal(attr, frozenset(vocab.strings.add(v) for v in values), nearest, farthest)

    return place(at), [place(i) for i in found if i != at]


class ClaimScreen:
    """The sentences that can make a claim, and the regions the rule matchers must read."""

    def __init__(self, vocab: Vocab, rules: list[Rule]):
        self.by_anchor: dict[int, dict] = {}  # attribute -> anchor hash -> [(role, other literals)]
        self.attrs: set[int] = set()  # the attributes any literal reads
        self.everywhere: set[str] = set()  # roles of patterns without a literal token
        for rule in rules:
            role = claim_role(rule)
            for pattern in rule.patterns if role in ROLES else ():
                self._add(vocab, role, pattern)

    def _add(self, vocab: Vocab, role: str, pattern: list[dict]) -> None:
        found = literals(vocab, pattern)
        if found is None:
            self.everywhere.add(role)
            return
        anchor, others = found
        self.attrs.update(lit.attr for lit in [anchor, *others])
        table = self.by_anchor.setdefault(anchor.attr, {})
        for value in anchor.values:
            table.setdefault(value, []).append((role, others))

    def claimable(self, doc: Doc, bounds: list) -> list[int]:
        """Indices of the sentences that can make a claim, in text order."""
        values = {attr: column(doc, attr).tolist() for attr in self.attrs}
        roles: dict[int, set] = {k: set(self.everywhere) for k in range(len(bounds))} if self.everywhere else {}
        for attr, table in self.by_anchor.items():
            k = 0  # the sentence holding token i, or the next one
            for i, value in enumerate(values[attr]):
                entries = table.get(value)
                if entries is None:
                    continue
                while k < len(bounds) and bounds[k][1] <= i:
                    k += 1
                if k == len(bounds):
                    break  # spaces after the last sentence
                if i < bounds[k][0]:
                    continue  # spaces between sentences
                found = roles.setdefault(k, set(self.everywhere))
                for role, others in entries:
                    if role not in found and all(reaches(values, i, other, bounds[k]) for other in others):
                        found.add(role)
        return sorted(k for k, found in roles.items() if can_claim(found))

    def regions(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges the rule matchers must read for find_claims (see paragraph_regions)."""
        bounds = doc._.sent_bounds or []
        return paragraph_regions(bounds, self.claimable(doc, bounds)) if bounds else []


def reaches(values: dict, anchor: int, other: Literal, sentence: tuple) -> bool:
    """Whether the literal token occurs within reach of the anchor, inside the sentence."""
    first = max(sentence[0], anchor + other.nearest)
    last = min(sentence[1] - 1, anchor + other.farthest)
    tokens = values[other.attr]
    return any(tokens[i] in other.values for i in range(first, last + 1))


def paragraph_regions(bounds: list, sentences: list[int]) -> list[tuple[int, int]]:
    """From the first sentence of each paragraph holding one of ``sentences`` to the last of them:
    judge() also reads the sentences before a claim in its paragraph, for the sources and
    conditions they name."""
    first = 0
    last: dict[int, int] = {}  # first sentence of a paragraph -> its last wanted sentence
    wanted = set(sentences)
    for k, (_, _, opens) in enumerate(bounds):
        if opens:
            first = k
        if k in wanted:
            last[first] = k
    return [(bounds[a][0], bounds[b][1]) for a, b in sorted(last.items())]
