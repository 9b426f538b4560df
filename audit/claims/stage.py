"""The claim stage as the rest of skinaudit sees it: ``get_stage()`` and ``ClaimStage``."""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from audit.claims import components  # noqa: F401  (registers the factories)
from audit.claims import segment
from audit.claims.screen import ClaimScreen
from audit.claims.verdict import NO_CLAIM, Sentence, Verdict, condition_notes, no_claim, sentence_sources
from audit.claims.wordcache import WordCache
from audit.models import ClaimFinding, ClaimsResult

PIPES = ("audit_sentences", "audit_lemmatizer", "audit_claim_triggers", "audit_hedges", "audit_sources", "audit_verdict")
# the screen needs sentences and lemmas, and must set its regions before any rule matcher runs
FIRST_MATCHER = "audit_claim_triggers"
# a single "sentence" longer than this is cut: nobody writes a 20,000-character claim and the
# matcher's cost grows with length
MAX_SENTENCE_CHARS = 20_000
MAX_TEXT_CHARS = 20_000_000
# An article body longer than this is read in pieces of whole paragraphs: one spaCy doc of a
# 20 MB page holds over a gigabyte, and a claim never reaches across paragraphs (a source backs
# the sentences of its own paragraph only), so the pieces give what the whole would.
MAX_PIECE_CHARS = 100_000
# a paragraph break: whitespace holding two line breaks, as the sentence splitter reads it
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
WHITESPACE = re.compile(r"\s*")
# C0/C1 control characters other than tab and newlines confuse the tokenizer's spacing
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
OUTPUT_KEYS = ("label", "category", "trigger", "hedge", "source", "rule_ids", "reasons", "suggestion")


def build_nlp() -> Language:
    """spacy.blank("en") + lookup lemmatizer (spacy-lookups-data) + the claim components;
    nothing downloads."""
    nlp = spacy.blank("en")
    nlp.max_length = MAX_TEXT_CHARS
    segment.add_reference_suffix(nlp)
    for name in PIPES:
        nlp.add_pipe(name)
    nlp.initialize()
    return nlp


def clean(text: str) -> str:
    """Same length as text (offsets stay valid), control characters turned into spaces."""
    return CONTROL.sub(" ", text)


class ClaimStage:
    """Finds and judges health claims in article text and single sentences."""

    def __init__(self, nlp: Language | None = None):
        self.nlp = nlp or build_nlp()
        self.words = WordCache(self.nlp.tokenizer)

    @cached_property
    def screen(self) -> ClaimScreen:
        triggers = self.nlp.get_pipe("audit_claim_triggers")
        if triggers.matcher is None:
            triggers.initialize()
        return ClaimScreen(self.nlp.vocab, list(triggers.rules.values()))

    def _run(self, text: str, context_sources: list | None = None, one_sentence=False, screen=False) -> Doc:
        """The pipeline on ``text``; with ``screen``, the rule matchers skip the paragraphs that
        cannot hold a claim (only the claims in doc.spans are then complete)."""
        text = clean(text)
        known = len(self.nlp.vocab)
        doc = self.nlp.make_doc(text)
        if len(self.nlp.vocab) > known:
            # the text brought new words: split them once more, so that they are cached next time
            self.words.add(text)
        doc._.source_text = text
        doc._.context_sources = context_sources or []
        for name, proc in self.nlp.pipeline:
            if name == "audit_verdict" and one_sentence:
                doc._.sent_bounds = [(0, len(doc), True)] if len(doc) else []
            if name == FIRST_MATCHER and screen:
                doc._.match_regions = self.screen.regions(doc)
            doc = proc(doc)
        return doc

    def find_claims(self, text: str, piece_chars: int = MAX_PIECE_CHARS) -> ClaimsResult:
        """Every claim sentence of an article body (paragraphs separated by blank lines)."""
        sentences, claims = 0, []
        for offset, piece in paragraph_pieces(text or "", piece_chars):
            doc = self._run(piece, screen=True)
            sentences += len(doc._.sent_bounds)
            claims += [
                to_finding(piece[span.start_char : span.end_char], offset + span.start_char,
                           offset + span.end_char, span._.verdict)
                for span in doc.spans["claims"]
            ]
        return ClaimsResult(sentences=sentences, claims=claims)

    def context_sources(self, context: str) -> list:
        """Sources named in the context sentences, to back the sentence that reports them."""
        if not context or not context.strip():
            return []
        doc = self._run(context[:MAX_SENTENCE_CHARS])
        sent = Sentence(doc, 0, len(doc), doc._.claim_matches or [], [], doc._.source_matches or [])
        return sentence_sources(sent)[0] + condition_notes(sent)

    def has_hedge(self, text: str) -> bool:
        """Whether any hedge cue appears (the hedge component on its own, for benchmarks)."""
        doc = self._run((text or "")[:MAX_SENTENCE_CHARS], one_sentence=True)
        return bool(Sentence(doc, 0, len(doc), [], doc._.hedge_matches or [], []).hedges)

    def classify(self, text: str, context: str = "") -> ClaimFinding:
        """Judge one sentence (optionally with its neighbouring sentences as context)."""
        text = text or ""
        short = text[:MAX_SENTENCE_CHARS]
        doc = self._run(short, self.context_sources(context), one_sentence=True)
        verdict = doc._.verdicts[0][2] if doc._.verdicts else None
        if verdict is None:
            verdict = no_claim(["empty sentence"])
        if len(text) > len(short):
            verdict.reasons.append(f"judged the first {MAX_SENTENCE_CHARS} characters only")
        return to_finding(text, 0, len(text), verdict)


def paragraph_pieces(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) of ``text`` cut after paragraph breaks into pieces of about ``limit``
    characters; a single paragraph longer than that stays whole."""
    start = 0
    while len(text) - start > limit:
        breaks = [m.end() for m in PARAGRAPH_BREAK.finditer(text, start, start + limit)]
        if not breaks:
            following = PARAGRAPH_BREAK.search(text, start + limit)
            if following is None:
                break
            breaks = [following.end()]
        end = WHITESPACE.match(text, breaks[-1]).end()  # the window may have cut the break short
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def to_finding(sentence: str, start: int, end: int, verdict: Verdict) -> ClaimFinding:
    return ClaimFinding(
        sentence=sentence,
        start=start,
        end=end,
        label=verdict.label,
        category=verdict.category if verdict.label != NO_CLAIM else "none",
        trigger=verdict.trigger,
        hedge=verdict.hedge,
        source=verdict.source,
        rule_ids=list(verdict.rule_ids),
        reasons=list(verdict.reasons),
        suggestion=verdict.suggestion,
    )


@lru_cache(maxsize=1)
def get_stage() -> ClaimStage:
    """The process-wide stage (building it loads the rules and lookup tables once)."""
    return ClaimStage()


def _parse_line(line: str) -> tuple[str | None, str, str]:
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    text, context = obj.get("text", ""), obj.get("context", "") or ""
    if not isinstance(text, str) or not isinstance(context, str):
        raise ValueError("'text' and 'context' must be strings")
    return obj.get("id"), text, context


def classify_lines(lines: Iterable[str]) -> Iterator[dict]:
    """``skinaudit claims``: JSON lines {"id","text","context"} in, one verdict dict out per line.

    A malformed line gives ``{"id": …, "error": "…"}`` and the batch goes on; blank lines are
    skipped.
    """
    stage = get_stage()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item_id, text, context = _parse_line(line)
        except (ValueError, TypeError) as exc:
            yield {"id": _guess_id(line, number), "error": f"line {number}: {exc}"}
            continue
        try:
            finding = stage.classify(text, context)
        except Exception as exc:  # one bad sentence must not end the batch
            yield {"id": item_id, "error": f"line {number}: {type(exc).__name__}: {exc}"}
            continue
        yield {"id": item_id, **{key: getattr(finding, key) for key in OUTPUT_KEYS}}


def _guess_id(line: str, number: int):
    try:
        obj = json.loads(line)
        return obj.get("id") if isinstance(obj, dict) else None
    except ValueError:
        return None
