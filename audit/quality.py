"""The 0–100 quality score of an article and of a site, built from the audit's findings.

The formula (also in docs/reports.md and the README):

    weight   = Σ over the article's claims of severity(category) × factor(claim)
                 factor = 1    for an unsupported claim
                          0.5  for a hedged disease-treatment claim with no source
                               (regulators still read "may help treat acne" as a drug claim)
                          0    otherwise (sourced, or hedged non-drug claims)
    claims   = min(60, 4 × weight × 1000 / max(words, 300))   unsupported claims per 1,000 words
    spam     = min(25, 5 × spam links + 5 × hidden spam links) hidden spam counts twice
    sourcing = 15 × unsupported claims / all claims            0 when the page makes no claim
    quality  = round(max(0, 100 − claims − spam − sourcing))

    site quality = the mean quality of the site's audited articles that are not gone.

Severity weighs a claim by what a regulator would do with it: drug and guarantee claims weigh most.
The word floor of 300 keeps one claim on a very short page from sinking it to zero. Claims an
editor dismissed as false alarms (``skinaudit triage``) are left out when the reports score an
article, so the report's score can be higher than the one ``skinaudit check`` printed.

The same arithmetic serves one page (``article_quality``) and a whole report at once
(``quality_scores`` on numpy arrays or pandas columns).
"""

from __future__ import annotations

import numpy as np

from audit.models import ClaimFinding, Link

SEVERITY = {
    "disease_treatment": 3.0,
    "absolute_or_guarantee": 3.0,
    "safety": 2.5,
    "biological_effect": 2.0,
    "authority_or_proof": 2.0,
}
DEFAULT_SEVERITY = 2.0
HEDGED_DRUG_FACTOR = 0.5
WORD_FLOOR = 300
CLAIMS_CAP, CLAIMS_RATE = 60.0, 4.0
SPAM_CAP, SPAM_PER_LINK = 25.0, 5.0
SOURCING_WEIGHT = 15.0


def claim_weight(label: str, category: str, source: str | None) -> float:
    """How much one claim counts against its article (see the module docstring)."""
    severity = SEVERITY.get(category, DEFAULT_SEVERITY)
    if label == "unsupported_claim":
        return severity
    if label == "supported_or_hedged_claim" and category == "disease_treatment" and not source:
        return HEDGED_DRUG_FACTOR * severity
    return 0.0


def quality_scores(words, weight, spam_links, hidden_spam_links, unsupported, claims):
    """The score for scalars or for whole columns at once (numpy arrays or pandas Series)."""
    words = np.maximum(np.asarray(words, dtype=float), WORD_FLOOR)
    claim_penalty = np.minimum(CLAIMS_CAP, CLAIMS_RATE * np.asarray(weight, dtype=float) * 1000 / words)
    spam = np.asarray(spam_links, dtype=float) + np.asarray(hidden_spam_links, dtype=float)
    spam_penalty = np.minimum(SPAM_CAP, SPAM_PER_LINK * spam)
    claims = np.asarray(claims, dtype=float)
    share = np.divide(np.asarray(unsupported, dtype=float), claims, out=np.zeros_like(claims), where=claims > 0)
    score = np.maximum(0.0, 100.0 - claim_penalty - spam_penalty - SOURCING_WEIGHT * share)
    # Half-up rounding (numpy rounds halves to even): a score never depends on that subtlety.
    return np.floor(score + 0.5).astype(int)


def article_quality(words: int, claims: list[ClaimFinding], links: list[Link]) -> int:
    """The 0–100 quality score of one article."""
    weight = sum(claim_weight(c.label, c.category, c.source) for c in claims)
    unsupported = sum(c.label == "unsupported_claim" for c in claims)
    spam = sum(link.spam for link in links)
    hidden_spam = sum(link.spam and link.hidden for link in links)
    return int(quality_scores(words, weight, spam, hidden_spam, unsupported, len(claims)))


def site_quality(article_scores) -> int | None:
    """The mean of a site's article scores, or None for a site with no audited article."""
    scores = np.asarray(list(article_scores), dtype=float)
    return int(np.floor(scores.mean() + 0.5)) if scores.size else None
