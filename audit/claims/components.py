"""Registered spaCy components of the claim stage.

Rule data arrives through ``initialize()`` (default: the package's ``audit/rules`` files) and
is saved with ``to_disk``, so a pipeline can be shipped with its rules frozen.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from audit.claims import extensions  # noqa: F401  (declares the attributes)
from audit.claims.rules import RULES_DIR, build_matcher, load_rules
from audit.claims.verdict import judge_doc


class RuleMatcher:
    """Runs one rule file's Matcher and stores (start, end, rule) tuples on the doc."""

    rule_file = ""
    attr = ""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.name = name
        self.rules: dict = {}
        self.by_hash: dict = {}
        self.matcher = None
        self.rules_dir: Path | None = None

    def initialize(self, get_examples=None, *, nlp=None, rules_dir: str | None = None):
        self.rules_dir = Path(rules_dir) if rules_dir else RULES_DIR
        rules = load_rules(self.rule_file, self.rules_dir)
        self.rules = {rule.id: rule for rule in rules}
        strings = self.nlp.vocab.strings
        self.by_hash = {strings.add(rule.id): rule for rule in rules}
        self.matcher = build_matcher(self.nlp.vocab, rules)

    def __call__(self, doc: Doc) -> Doc:
        if self.matcher is None:
            self.initialize()
        matches = self.matcher(doc, doc._.sent_bounds, doc._.match_regions)
        found = [(start, end, self.by_hash[key]) for key, start, end in matches]
        found.sort(key=lambda item: (item[0], -item[1]))
        setattr(doc._, self.attr, found)
        return doc

    def to_disk(self, path, *, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        source = (self.rules_dir or RULES_DIR) / f"{self.rule_file}.jsonl"
        shutil.copyfile(source, path / f"{self.rule_file}.jsonl")

    def from_disk(self, path, *, exclude=tuple()):
        self.initialize(rules_dir=str(path))
        return self


@Language.factory("audit_claim_triggers")
def make_claim_triggers(nlp: Language, name: str):
    return ClaimTriggers(nlp, name)


class ClaimTriggers(RuleMatcher):
    """Claim detection: trigger words, pairs' halves, cautions, negations, cosmetic wording."""

    rule_file = "claims_triggers"
    attr = "claim_matches"


@Language.factory("audit_hedges")
def make_hedges(nlp: Language, name: str):
    return Hedges(nlp, name)


class Hedges(RuleMatcher):
    """Hedge cues with their ConText direction, and the clause terminators that end a scope."""

    rule_file = "claims_hedges"
    attr = "hedge_matches"


@Language.factory("audit_sources")
def make_sources(nlp: Language, name: str):
    return Sources(nlp, name)


class Sources(RuleMatcher):
    """Identifiable sources (journal, year, authors, DOI, reference markers, named experts
    and institutions) and the vague ones that are not support."""

    rule_file = "claims_sources"
    attr = "source_matches"


@Language.factory("audit_verdict")
def make_verdict(nlp: Language, name: str):
    return VerdictComponent()


class VerdictComponent:
    """One verdict per sentence; claims (label != no_claim) go to ``doc.spans["claims"]``."""

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["claims"] = judge_doc(doc)
        return doc

    def to_disk(self, path, *, exclude=tuple()):
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "cfg.json").write_text(json.dumps({}), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()):
        return self
