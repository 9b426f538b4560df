"""Custom spaCy attributes of the claim stage, declared once, at import time.

Every component reads and writes these; nothing else calls ``set_extension``.
"""

from spacy.tokens import Doc, Span

DOC_EXTENSIONS = {
    # (kind, rule_id, start, end, category) for every trigger-side rule match
    "claim_matches": None,
    # (kind, rule_id, start, end, scope) for every hedge-side match
    "hedge_matches": None,
    # (kind, rule_id, start, end) for every source match
    "source_matches": None,
    # (start, end, paragraph_start) token bounds of each sentence, text order
    "sent_bounds": None,
    # token ranges the rule matchers look in (None: the whole doc); find_claims leaves out the
    # sentences that cannot make a claim (screen.py)
    "match_regions": None,
    # sources found in the caller's context: list of (kind, rule_id, text)
    "context_sources": None,
    # (start, end, Verdict) for every sentence, claims or not, text order
    "verdicts": None,
    # the text the doc was made from (doc.text is rebuilt from the tokens on each access)
    "source_text": None,
    # token attribute arrays read so far, by attribute id (columns.py)
    "columns": None,
}

SPAN_EXTENSIONS = {
    # the Verdict (audit.claims.verdict) of the sentence this span covers
    "verdict": None,
}


def declare() -> None:
    """Register the attributes; safe to call more than once."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


declare()
