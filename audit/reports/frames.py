"""The reports' input: the store's tables as DataFrames, read once (or made from PageAudit objects).

``StoreFrames`` holds the tables exactly as the store keeps them (``audit/store.py``), minus the raw
HTML. Everything downstream (``model.build_model``) reads only these frames, so a report can be
built from a store, from one ``PageAudit`` (``skinaudit check --format html``) or from hand-made
audits in tests, through the same code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from audit import store as st
from audit.models import PageAudit
from audit.store import sentence_key

PAGE_COLUMNS = [c.name for c in st.pages.c if c.name != "html"]
LINK_COLUMNS = [c.name for c in st.links.c]
CLAIM_COLUMNS = [c.name for c in st.claims.c]
TRIAGE_COLUMNS = [c.name for c in st.triage.c]
EVENT_COLUMNS = [c.name for c in st.events.c]
RUN_COLUMNS = [c.name for c in st.runs.c]

# Columns of the pages table the reports never read: crawl bookkeeping and claim locks.
_UNUSED_PAGE_COLUMNS = ("html", "etag", "last_modified", "sitemap_lastmod", "encoding", "html_hash",
                        "audit_worker", "audit_claimed_at", "simhash")


@dataclass(frozen=True, kw_only=True)
class StoreFrames:
    """The store's tables as DataFrames, in the store's own column names."""

    pages: pd.DataFrame
    links: pd.DataFrame
    claims: pd.DataFrame
    triage: pd.DataFrame
    events: pd.DataFrame
    runs: pd.DataFrame


def frames_from_store(store: st.Store) -> StoreFrames:
    """Read every table the reports need (one query per table)."""
    return StoreFrames(
        pages=store.frame(st.pages, drop=_UNUSED_PAGE_COLUMNS),
        links=store.frame(st.links),
        claims=store.frame(st.claims),
        triage=store.frame(st.triage),
        events=store.frame(st.events),
        runs=store.frame(st.runs),
    )


@dataclass(kw_only=True)
class AuditedPage:
    """A hand-made stored page: a ``PageAudit`` plus the crawl facts the store would add."""

    audit: PageAudit
    canonical_url: str | None = None
    site: str = "check"
    change_status: str = "new"
    fetched_at: str | None = None
    audited_at: str | None = None
    http_status: int | None = 200
    run: int | None = None


@dataclass(kw_only=True)
class FramesBuilder:
    """Builds ``StoreFrames`` without a database, for one checked page or a test's hand-made model."""

    pages: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    triage: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)

    def add_page(self, page: AuditedPage) -> int:
        page_id = len(self.pages) + 1
        ex, audit = page.audit.extraction, page.audit
        canonical = page.canonical_url or ex.url or f"about:page-{page_id}"
        self.pages.append(dict(
            id=page_id, canonical_url=canonical, url=ex.url or "", site=page.site,
            http_status=page.http_status, fetched_at=page.fetched_at, first_run=page.run, last_seen_run=page.run,
            change_status=page.change_status, change_run=page.run, duplicate_of=None, audit_status="done",
            audited_at=page.audited_at, audit_error=None, body_hash=None, title=ex.title, author=ex.author,
            published=ex.published, language=ex.language, words=len(ex.text.split()),
            sentences=audit.claims.sentences, text=ex.text, body_html=ex.body_html, quality=audit.quality,
        ))
        for position, link in enumerate(ex.links):
            self.links.append(dict(
                id=len(self.links) + 1, page_id=page_id, position=position, href=link.href, text=link.text,
                region=link.region, internal=link.internal, rel=json.dumps(link.rel), hidden=link.hidden,
                spam=link.spam, reasons=json.dumps(link.reasons),
            ))
        for position, claim in enumerate(audit.claims.claims):
            self.claims.append(dict(
                id=len(self.claims) + 1, page_id=page_id, position=position,
                sentence_hash=sentence_key(claim.sentence), sentence=claim.sentence, start=claim.start,
                end=claim.end, label=claim.label, category=claim.category, trigger=claim.trigger,
                hedge=claim.hedge, source=claim.source, rule_ids=json.dumps(claim.rule_ids),
                reasons=json.dumps(claim.reasons), suggestion=claim.suggestion,
            ))
        return page_id

    def build(self) -> StoreFrames:
        return StoreFrames(
            pages=_frame(self.pages, [c for c in PAGE_COLUMNS if c not in _UNUSED_PAGE_COLUMNS]),
            links=_frame(self.links, LINK_COLUMNS),
            claims=_frame(self.claims, CLAIM_COLUMNS),
            triage=_frame(self.triage, TRIAGE_COLUMNS),
            events=_frame(self.events, EVENT_COLUMNS),
            runs=_frame(self.runs, RUN_COLUMNS),
        )


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def frames_from_audit(audit: PageAudit, *, site: str = "check") -> StoreFrames:
    """One checked page as a one-article store."""
    builder = FramesBuilder()
    builder.add_page(AuditedPage(audit=audit, site=site))
    return builder.build()
