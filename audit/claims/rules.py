"""Load and validate the claim rule files (``audit/rules/claims_*.jsonl``).

One JSON object per line: ``id``, ``kind``, ``pattern`` (a spaCy token pattern, a list of
them, or a phrase string), ``why``, ``regulation``, ``suggestion`` and, for claim triggers,
``category``. Optional: ``scope`` (hedges: forward, backward, sentence), ``source_kind``
(sources), ``group`` (pair halves pair within a group), ``weak`` (loses to any strong trigger),
``with_condition`` (category when a condition is named), ``standalone`` / ``not_in_reports``
(intensifiers). A bad line stops loading with the file, line and rule id in the message, so a
broken rule never silently disappears.

Files: ``claims_triggers`` (claim words, pair halves, cautions, negations, cosmetic wording),
``claims_hedges`` (hedge cues and clause terminators), ``claims_sources`` (identifiable
sources, and the cues that let a source named earlier back a sentence).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import numpy
from spacy.attrs import LEMMA, LIKE_URL, LOWER, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from audit.claims.columns import column, positions_of
from audit.models import CATEGORIES

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
REQUIRED = ("id", "kind", "pattern", "why", "regulation", "suggestion")

# Which kinds each rule file may hold; the kind decides how the verdict uses a match.
KINDS = {
    "claims_triggers": {
        "claim",  # a claim on its own; needs a category
        "treat_verb",  # treat/cure/relieve …: a claim when it governs a condition
        "treat_noun",  # remedy/treatment …: a weaker claim next to a condition
        "condition",  # named disease, condition or symptom
        "skin_type",  # "acne-prone", "eczema-prone": a skin type, cancels the condition inside
        "symptom",  # inflammation/irritation/redness: treated → biological effect
        "bio_verb",  # stimulate/boost/block …: a claim when it governs a bio target
        "bio_target",  # collagen, blood flow, follicles, DHT, melanin …
        "recovery",  # "cleared up", "went away": condition + recovery = testimonial
        "scare_agent",  # chemicals, parabens …: with a harm word, a scare claim
        "harm",  # cancer, toxic, damage …
        "intensifier",  # instantly, guaranteed, within 4 weeks: makes a claim absolute
        "report",  # my, was, participants: a past report, where a time frame is no promise
        "change_verb",  # rose, increased: after a bio target, a reported change
        "result_noun",  # results, improvements: the thing an intensifier promises
        "authority",  # vague appeal to proof or authority
        "caution",  # disclosures, referrals: claims in their scope are dropped
        "cosmetic",  # appearance/feel wording; blocks a pair it sits inside
        "procedural",  # money-back guarantee, returns: not a result promise
        "negation",  # not, never …: claims in their scope are dropped
        "pseudo_negation",  # "not only": cancels a negation it overlaps
    },
    "claims_hedges": {"hedge", "pseudo_hedge", "terminator"},
    "claims_sources": {"source", "vague_source"},
}
SCOPES = ("forward", "backward", "sentence")
NEEDS_CATEGORY = {"claim"}


class RuleError(ValueError):
    """A rule file line is malformed; the message names file, line and rule id."""


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One validated rule line."""

    id: str
    kind: str
    patterns: tuple
    """spaCy token patterns (each a list of token dicts)."""
    why: str
    regulation: str
    suggestion: str
    category: str = "none"
    scope: str = "forward"
    """Hedge direction (ConText style): forward, backward or the whole sentence."""
    group: str = ""
    """Pair halves (verb and target) only pair within the same group."""
    source_kind: str = ""
    """For sources: study, reference, person, institution, link, study_ref."""
    weak: bool = False
    """A weak trigger loses to any strong one when the category is chosen (attributes such as
    "anti-inflammatory properties", generic "it works")."""
    standalone: bool = False
    """An intensifier that promises a result on its own ("…, guaranteed.")."""
    not_in_reports: bool = False
    """An intensifier that does not count in a past report or testimonial."""
    with_condition: str = ""
    """Category to use instead when a condition is named in the same sentence ("promotes
    healing" of "acne scars and sunburn" is a disease claim)."""


def phrase_pattern(phrase: str) -> list[dict]:
    """A plain phrase becomes a case-insensitive token pattern, split on spaces."""
    return [{"LOWER": word} for word in phrase.lower().split()]


def _patterns(raw) -> tuple:
    if isinstance(raw, str):
        return (phrase_pattern(raw),)
    if isinstance(raw, list) and raw and all(isinstance(t, dict) for t in raw):
        return (raw,)
    if isinstance(raw, list) and raw:
        return tuple(phrase_pattern(p) if isinstance(p, str) else p for p in raw)
    raise ValueError("pattern must be a phrase, a token pattern or a list of them")


def _check_fields(obj: dict, allowed_kinds: set[str]) -> None:
    missing = [key for key in REQUIRED if not obj.get(key)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if obj["kind"] not in allowed_kinds:
        raise ValueError(f"unknown kind {obj['kind']!r}")
    category = obj.get("category", "none")
    if obj["kind"] in NEEDS_CATEGORY and category not in CATEGORIES:
        raise ValueError(f"category {category!r} is not one of {CATEGORIES}")
    if obj.get("with_condition", "disease_treatment") not in CATEGORIES:
        raise ValueError(f"with_condition must be one of {CATEGORIES}")
    if obj.get("scope", "forward") not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")


def parse_rule(obj: dict, allowed_kinds: set[str]) -> Rule:
    """Validate one decoded line and build the Rule (raises ValueError)."""
    if not isinstance(obj, dict):
        raise ValueError("a rule must be a JSON object")
    _check_fields(obj, allowed_kinds)
    return Rule(
        id=obj["id"],
        kind=obj["kind"],
        patterns=_patterns(obj["pattern"]),
        why=obj["why"],
        regulation=obj["regulation"],
        suggestion=obj["suggestion"],
        category=obj.get("category", "none"),
        scope=obj.get("scope", "forward"),
        source_kind=obj.get("source_kind", ""),
        group=obj.get("group", ""),
        weak=bool(obj.get("weak", False)),
        with_condition=obj.get("with_condition", ""),
        not_in_reports=bool(obj.get("not_in_reports", False)),
        standalone=bool(obj.get("standalone", False)),
    )


def load_rules(name: str, rules_dir: Path | str | None = None) -> list[Rule]:
    """Read ``<rules_dir>/<name>.jsonl``, validate every line and every pattern."""
    path = Path(rules_dir or RULES_DIR) / f"{name}.jsonl"
    rules: list[Rule] = []
    seen: set[str] = set()
    checker = Matcher(Vocab(), validate=True)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rule_id = "?"
        try:
            obj = json.loads(line)
            rule_id = obj.get("id", "?") if isinstance(obj, dict) else "?"
            rule = parse_rule(obj, KINDS[name])
            if rule.id in seen:
                raise ValueError("duplicate id")
            checker.add(rule.id, list(rule.patterns))
        except Exception as exc:  # any failure is reported with its location
            raise RuleError(f"{path.name}:{number}: rule {rule_id}: {exc}") from exc
        seen.add(rule.id)
        rules.append(rule)
    return rules


MAX_EXPANSION = 3000


def _caseless(value) -> bool:
    words = value["IN"] if isinstance(value, dict) and set(value) == {"IN"} else [value]
    return all(isinstance(w, str) and w.lower() == w.upper() for w in words)


def _choices(token: dict, attr: str) -> list[str] | None:
    """The strings one token may take (plus "" when it is optional), or None if complex."""
    keys = set(token) - {"OP"}
    if attr == "LOWER" and keys == {"ORTH"} and _caseless(token["ORTH"]):
        keys, token = {"LOWER"}, {"LOWER": token["ORTH"], "OP": token.get("OP")}
    if keys != {attr} or token.get("OP") not in (None, "?"):
        return None
    value = token[attr]
    if isinstance(value, dict):
        if set(value) != {"IN"}:
            return None
        words = list(value["IN"])
    else:
        words = [value]
    return words + ([""] if token.get("OP") == "?" else [])


def expand(pattern: list[dict]) -> tuple[str, list[list[str]]] | None:
    """A pattern made only of word choices on one attribute (LOWER or LEMMA, optionally "?")
    as the list of phrases it stands for, so a PhraseMatcher can take it; else None."""
    for attr in ("LOWER", "LEMMA", "ORTH"):
        phrases: list[list[str]] = [[]]
        for token in pattern:
            words = _choices(token, attr)
            if words is None or len(phrases) * len(words) > MAX_EXPANSION:
                break
            phrases = [p + ([w] if w else []) for p in phrases for w in words]
        else:
            return attr, [p for p in phrases if p]
    return None


# words too frequent to tell where a pattern might match
COMMON = set(STOP_WORDS) | {".", ",", "(", ")", "[", "]", "-", ":", ";", "'s", '"', "“", "”", "'"}
ANCHOR_ATTRS = ("LOWER", "LEMMA", "ORTH")
ATTR_IDS = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": ORTH}


def anchor(pattern: list[dict]) -> tuple[str, list[str]] | None:
    """A required token of the pattern with only uncommon values: where a match must sit."""
    best = None
    for token in pattern:
        if token.get("OP") not in (None, "+"):
            continue
        if token.get("LIKE_URL") is True:
            return "LIKE_URL", []
        for attr in ANCHOR_ATTRS:
            value = token.get(attr)
            values = value.get("IN") if isinstance(value, dict) else [value] if isinstance(value, str) else None
            if not values or any(v.lower() in COMMON for v in values):
                continue
            if best is None or len(values) < len(best[1]):
                best = (attr, values)
    return best


# when more than 1 in SPAN_CALL_COST sentences hold the anchor, one pass over the Doc is cheaper
SPAN_CALL_COST = 2


class AnchoredMatcher:
    """Token patterns sharing one anchor; the Matcher only reads sentences holding it."""

    def __init__(self, vocab: Vocab, found: tuple[str, list[str]] | None):
        self.matcher = Matcher(vocab)
        self.attr = found[0] if found else None
        values = found[1] if found else []
        if self.attr == "LOWER":
            values = [v.lower() for v in values]
        self.hashes = {vocab.strings.add(v) for v in values}

    def dense(self, sentences: set[int] | None, bounds: list) -> bool:
        return sentences is None or len(sentences) * SPAN_CALL_COST > len(bounds)

    def __call__(self, doc: Doc, sentences: set[int] | None, bounds: list, regions=None, wanted=None) -> list:
        """Matches in the sentences holding the anchor, or in the whole doc when they are many;
        with ``regions``, only inside them (``wanted``: the sentences they cover)."""
        if self.dense(sentences, bounds):
            # reading a Span costs a Python Token per token; the whole Doc is read natively
            return over_regions(self.matcher, doc, regions) if sentences is None or sentences else []
        found = []
        for k in sorted(sentences if wanted is None else sentences & wanted):
            start, end = bounds[k][0], bounds[k][1]
            found.extend((key, s + start, e + start) for key, s, e in self.matcher(doc[start:end]))
        return found


def over_regions(matcher: Matcher, doc: Doc, regions: list | None) -> list:
    """A token Matcher's matches over the whole doc, or inside each region only."""
    if regions is None:
        return list(matcher(doc))
    found = []
    for start, end in regions:
        # a Matcher reports positions inside the span it reads
        found.extend((key, s + start, e + start) for key, s, e in matcher(doc[start:end]))
    return found


def phrases_over_regions(matcher: PhraseMatcher, doc: Doc, regions: list | None) -> list:
    if regions is None:
        return list(matcher(doc))
    # unlike the Matcher, a PhraseMatcher reports positions in the doc
    return [found for start, end in regions for found in matcher(doc[start:end])]


def sentences_inside(bounds: list, regions: list) -> set[int]:
    """Indices of the sentences that start inside one of the (sorted) regions."""
    starts = [start for start, _ in regions]
    inside = set()
    for k, (start, _, _) in enumerate(bounds):
        r = bisect_right(starts, start) - 1
        if r >= 0 and start < regions[r][1]:
            inside.add(k)
    return inside


class RuleMatcher:
    """Plain phrases (and small word-choice patterns spelled out) go to PhraseMatchers: hash
    lookups whose cost does not grow with the number of phrases. The remaining token patterns
    go to Matchers grouped by an anchor word, each run only on sentences holding its anchor,
    because the Matcher's cost grows with patterns × tokens."""

    def __init__(self, vocab: Vocab, rules: list[Rule]):
        self.vocab = vocab
        self.phrases = {attr: PhraseMatcher(vocab, attr=attr) for attr in ANCHOR_ATTRS}
        self.groups: dict[tuple, AnchoredMatcher] = {}
        self.combined = Matcher(vocab)
        for rule in rules:
            for pattern in rule.patterns:
                self._add(rule.id, pattern)

    def _add(self, rule_id: str, pattern: list[dict]) -> None:
        expanded = expand(pattern)
        if expanded is None:
            found = anchor(pattern)
            key = (found[0], tuple(sorted(found[1]))) if found else None
            if key not in self.groups:
                self.groups[key] = AnchoredMatcher(self.vocab, found)
            self.groups[key].matcher.add(rule_id, [pattern])
            self.combined.add(rule_id, [pattern])
            return
        attr, phrases = expanded
        if attr == "LEMMA":
            docs = [Doc(self.vocab, words=words, lemmas=words) for words in phrases]
        else:
            docs = [Doc(self.vocab, words=words) for words in phrases]
        self.phrases[attr].add(rule_id, docs)

    def _finish(self) -> None:
        """One sorted hash array per attribute over every group's anchors."""
        self.by_hash: dict[str, dict[int, list]] = {attr: {} for attr in ANCHOR_ATTRS}
        for group in self.groups.values():
            if group.attr in self.by_hash:
                for h in group.hashes:
                    self.by_hash[group.attr].setdefault(h, []).append(group)
        self.sorted_hashes = {
            attr: numpy.array(sorted(table), dtype="uint64") for attr, table in self.by_hash.items()
        }
        # the token attributes some group's anchor is read from (reading the others costs time)
        self.anchor_attrs = [attr for attr in ANCHOR_ATTRS if self.by_hash[attr]]
        self.url_groups = [g for g in self.groups.values() if g.attr == "LIKE_URL"]

    def _sentences_per_group(self, doc: Doc, bounds: list) -> dict:
        """Which sentences each anchored group must read (None for unanchored groups)."""
        todo = {id(g): (set() if g.attr else None) for g in self.groups.values()}
        starts = numpy.array([b[0] for b in bounds])
        for attr in self.anchor_attrs:
            values = column(doc, ATTR_IDS[attr])
            hits = positions_of(values, self.sorted_hashes[attr])
            # the sentence of each anchor, each (anchor, sentence) pair looked at once
            sentences = numpy.searchsorted(starts, hits, side="right") - 1
            for value, k in set(zip(values[hits].tolist(), sentences.tolist())):
                for group in self.by_hash[attr][value]:
                    todo[id(group)].add(k)
        if self.url_groups:
            urls = numpy.flatnonzero(column(doc, LIKE_URL) == 1)
            for k in set((numpy.searchsorted(starts, urls, side="right") - 1).tolist()):
                for group in self.url_groups:
                    todo[id(group)].add(k)
        return todo

    def __call__(self, doc: Doc, bounds: list | None = None, regions: list | None = None) -> list[tuple]:
        """Matches as (rule hash, start, end) over the doc; ``bounds`` are sentence bounds.

        ``regions`` (sorted token ranges made of whole sentences) limit the matches to those
        inside them. Which groups read the whole doc and which only their sentences is still
        decided over the whole doc, so a match inside a region comes out exactly as, and in the
        same order as, without regions: that choice decides the order of matches on the same
        tokens and whether the combined Matcher repeats a group's matches.
        """
        found: list = []
        if regions is not None and not regions:
            return found
        if self.groups and len(doc):
            if not hasattr(self, "by_hash"):
                self._finish()
            bounds = bounds or [(0, len(doc), True)]
            todo = self._sentences_per_group(doc, bounds)
            dense = [g for g in self.groups.values() if g.dense(todo[id(g)], bounds)]
            if len(dense) > 1:
                # one pass of the combined Matcher instead of several whole-Doc passes
                found.extend(over_regions(self.combined, doc, regions))
                dense_ids = {id(g) for g in dense}
                todo = {k: (set() if k in dense_ids else v) for k, v in todo.items()}
            wanted = None if regions is None else sentences_inside(bounds, regions)
            for group in self.groups.values():
                found.extend(group(doc, todo[id(group)], bounds, regions, wanted))
        for phrase_matcher in self.phrases.values():
            if len(phrase_matcher):
                found.extend(phrases_over_regions(phrase_matcher, doc, regions))
        return found


def build_matcher(vocab: Vocab, rules: list[Rule]) -> RuleMatcher:
    """One matcher over all rules of a file; match ids are the rule ids."""
    return RuleMatcher(vocab, rules)
