"""Typed records shared by the stages: extraction, links, claims, the store and the reports.

Every record is a keyword-only dataclass; ``to_dict()`` gives the JSON shape of ../shared/DESIGN.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

REGIONS = ("body", "footer", "sidebar", "widget", "comments", "nav", "header", "other")
LABELS = ("unsupported_claim", "supported_or_hedged_claim", "no_claim")
CATEGORIES = (
    "disease_treatment",
    "biological_effect",
    "safety",
    "absolute_or_guarantee",
    "authority_or_proof",
)


@dataclass(kw_only=True)
class Link:
    """One ``<a href>`` occurrence of a page."""

    href: str
    """Absolute URL (resolved against ``<base href>`` and the page URL); the raw value if it cannot be resolved."""
    text: str
    """Anchor text, whitespace-collapsed."""
    region: str
    """Where on the page the link sits: one of ``REGIONS``."""
    internal: bool
    """True when the link points to the page's own registered domain."""
    rel: list[str] = field(default_factory=list)
    """rel tokens, lower-case (nofollow, sponsored, ugc, …)."""
    hidden: bool = False
    """True when CSS, the hidden attribute or positioning hides the link from readers."""
    spam: bool = False
    """The spam verdict (always False for body links)."""
    reasons: list[str] = field(default_factory=list)
    """Machine-readable reason ids behind the verdict, e.g. ``hidden``, ``vocab:gambling``."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(kw_only=True)
class Extraction:
    """What extraction reads off one page."""

    url: str | None
    title: str
    author: str | None = None
    published: str | None = None
    """ISO 8601 date (YYYY-MM-DD) or None."""
    language: str = "en"
    """ISO 639-1 code of the body text."""
    text: str = ""
    """Article body as plain text, paragraphs separated by blank lines."""
    body_html: str = ""
    """Cleaned article body HTML (its own links kept, no scripts, no spam), ready to republish."""
    links: list[Link] = field(default_factory=list)
    """Every ``<a href>`` of the page, once per occurrence, with region and spam verdict."""


@dataclass(kw_only=True)
class ClaimFinding:
    """One sentence that makes a health claim (or, from ``classify``, any sentence)."""

    sentence: str
    start: int
    """Character offset of the sentence in the text it came from."""
    end: int
    label: str
    """One of ``LABELS``."""
    category: str
    """One of ``CATEGORIES``, or ``none`` for no_claim."""
    trigger: str | None = None
    """The words that make it a claim."""
    hedge: str | None = None
    """The hedge that governs the main claim, if any."""
    source: str | None = None
    """The identifiable source that backs it, if any."""
    rule_ids: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    suggestion: str = ""
    """What the editor can do to fix it."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(kw_only=True)
class ClaimsResult:
    """The claim stage's reading of one article body."""

    sentences: int
    """How many sentences the body was split into."""
    claims: list[ClaimFinding] = field(default_factory=list)
    """Only sentences with label != no_claim, in text order."""


@dataclass(kw_only=True)
class PageAudit:
    """The whole audit of one page: what ``skinaudit check --format json`` prints (plus body_html)."""

    extraction: Extraction
    claims: ClaimsResult
    quality: int
    """0–100 article quality score (see README)."""

    def summary(self) -> dict:
        unsupported = sum(c.label == "unsupported_claim" for c in self.claims.claims)
        return {
            "sentences": self.claims.sentences,
            "claims": len(self.claims.claims),
            "unsupported": unsupported,
            "spam_links": sum(link.spam for link in self.extraction.links),
            "quality": self.quality,
        }

    def to_dict(self) -> dict:
        ex = self.extraction
        return {
            "url": ex.url,
            "title": ex.title,
            "author": ex.author,
            "published": ex.published,
            "language": ex.language,
            "text": ex.text,
            "links": [link.to_dict() for link in ex.links],
            "claims": [claim.to_dict() for claim in self.claims.claims],
            "summary": self.summary(),
        }
