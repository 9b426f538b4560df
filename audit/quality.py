"""The 0–100 article quality score, built from the audit's findings (formula in the README).

    claims   = min(60, 4 × Σ severity(unsupported claim) × 1000 / max(words, 300))
    spam     = min(25, 5 × spam links on the page)
    sourcing = 15 × (unsupported claims / all claims)      (0 when the page makes no claim)
    quality  = round(max(0, 100 − claims − spam − sourcing))

Severity weighs a claim by what a regulator would do with it: drug and guarantee claims weigh most.
The word floor of 300 keeps one claim on a very short page from sinking it to zero.
"""

from __future__ import annotations

from audit.models import ClaimFinding, Link

SEVERITY = {
    "disease_treatment": 3.0,
    "absolute_or_guarantee": 3.0,
    "safety": 2.5,
    "biological_effect": 2.0,
    "authority_or_proof": 2.0,
}
WORD_FLOOR = 300


def article_quality(words: int, claims: list[ClaimFinding], links: list[Link]) -> int:
    unsupported = [c for c in claims if c.label == "unsupported_claim"]
    weight = sum(SEVERITY.get(c.category, 2.0) for c in unsupported)
    claim_penalty = min(60.0, 4.0 * weight * 1000 / max(words, WORD_FLOOR))
    spam_penalty = min(25.0, 5.0 * sum(link.spam for link in links))
    sourcing_penalty = 15.0 * len(unsupported) / len(claims) if claims else 0.0
    return round(max(0.0, 100.0 - claim_penalty - spam_penalty - sourcing_penalty))
