"""One page end to end: extraction and links, then claims, then the quality score."""

from __future__ import annotations

from audit.claims import get_stage
from audit.extract import extract
from audit.models import PageAudit
from audit.quality import article_quality


def audit_page(html: str | bytes, url: str | None = None) -> PageAudit:
    """Audit one page; raises ``UnusableInput`` when there is nothing to audit."""
    extraction = extract(html, url)
    claims = get_stage().find_claims(extraction.text)
    quality = article_quality(len(extraction.text.split()), claims.claims, extraction.links)
    return PageAudit(extraction=extraction, claims=claims, quality=quality)
