"""The report data model: tidy tables built once from the store, frozen, then rendered.

    StoreFrames (store tables) ──build_model──► ReportModel ──► CSV · XLSX · JSON · HTML

``ReportModel`` holds one tidy DataFrame per report table (articles, claims, links, sites, runs,
changes) plus the article bodies the vetting sheets need. Renderers only read it; nothing in it is
recomputed while rendering, so every output says the same thing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from audit.models import CATEGORIES
from audit.quality import DEFAULT_SEVERITY, HEDGED_DRUG_FACTOR, SEVERITY, quality_scores, site_quality
from audit.reports.frames import StoreFrames

TRIAGE_STATUSES = ("open", "accepted", "false_alarm", "fixed")
"""open: nobody looked yet; accepted: a real problem; false_alarm: dismissed; fixed: corrected."""
OPEN_STATUSES = ("open", "accepted")
"""Flags that still need work; the dashboard's "open flags" counts these."""
DISMISSED = "false_alarm"
"""The one status that takes a flag out of the quality score."""
CHANGE_STATUSES = ("new", "changed", "unchanged", "gone")

ARTICLE_COLUMNS = [
    "slug", "url", "canonical_url", "site", "title", "author", "published", "language", "words", "sentences",
    "status", "audit_status", "claims", "unsupported_claims", "supported_or_hedged_claims", "open_flags",
    "dismissed_flags", *[f"claims_{c}" for c in CATEGORIES], "spam_links", "hidden_spam_links", "links",
    "body_links", "quality", "http_status", "fetched_at", "audited_at", "first_run", "last_seen_run",
    "change_run", "duplicate_of", "audit_error", "sheet",
]
CLAIM_COLUMNS = [
    "flag_id", "canonical_url", "site", "slug", "position", "sentence", "start", "end", "label", "category",
    "trigger", "hedge", "source", "rule_ids", "reasons", "suggestion", "triage_status", "triage_note",
    "triage_updated_at", "sentence_hash",
]
LINK_COLUMNS = [
    "canonical_url", "site", "slug", "position", "href", "text", "region", "internal", "rel", "hidden",
    "verdict", "spam", "reasons",
]
SITE_COLUMNS = [
    "site", "posts", "audited", "mean_quality", "unsupported_share", "unsupported_claims", "open_flags",
    "spam_links", "links", "spam_link_rate", "new", "changed", "unchanged", "gone", "blocked", "errors",
]
RUN_COLUMNS = ["id", "kind", "started_at", "finished_at", "duration_s", "status", "sites", "counts"]
CHANGE_COLUMNS = ["run_id", "change", "site", "canonical_url", "slug", "title", "detail", "category",
                  "region", "reasons", "triage_status"]
BODY_COLUMNS = ["canonical_url", "slug", "text", "body_html"]
LIST_SEPARATOR = "; "


def article_slug(canonical_url: str) -> str:
    """A file name for an article's sheet: the URL's last path segment (ASCII only) and a hash."""
    path = urlsplit(canonical_url).path
    last = next((seg for seg in reversed(path.split("/")) if seg), "")
    last = re.sub(r"\.(html?|php|aspx?)$", "", last.lower())
    stem = re.sub(r"[^a-z0-9]+", "-", last)[:60].strip("-") or "article"
    return f"{stem}-{hashlib.sha1(canonical_url.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def flag_id(canonical_url: str, sentence_hash: str) -> str:
    """The short id an editor types to triage a flag: stable while the sentence is unchanged."""
    return hashlib.sha256(f"{canonical_url}\n{sentence_hash}".encode("utf-8", "surrogatepass")).hexdigest()[:10]


@dataclass(frozen=True, kw_only=True)
class ReportModel:
    """Everything the reports show, as tidy tables. Build it with ``build_model``; never mutate it."""

    generated_at: str
    """ISO 8601 timestamp (UTC) of the build."""
    report_run: int | None
    """The run the "changes" are relative to the run before: the latest crawl run of the store."""
    previous_run: int | None
    articles: pd.DataFrame
    claims: pd.DataFrame
    links: pd.DataFrame
    """Every non-body link of every article."""
    sites: pd.DataFrame
    runs: pd.DataFrame
    changes: pd.DataFrame
    bodies: pd.DataFrame
    """Article text and cleaned body HTML, for the vetting sheets only (not exported as a table)."""

    TABLES = ("articles", "claims", "links", "sites", "runs", "changes")

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def summary(self) -> dict:
        a, c = self.articles, self.claims
        live = a[a["status"] != "gone"]
        statuses = live["status"].value_counts()
        unsupported = c["label"] == "unsupported_claim"
        quality = live["quality"].dropna()
        return {
            "posts": int(len(live)),
            "audited": int((live["audit_status"] == "done").sum()),
            "audit_errors": int((live["audit_status"] == "error").sum()),
            **{status: int(statuses.get(status, 0)) for status in ("new", "changed", "unchanged")},
            "gone": int((a["status"] == "gone").sum()),
            "sites": int(len(self.sites)),
            "claims": int(len(c)),
            "unsupported": int(unsupported.sum()),
            "supported_or_hedged": int((c["label"] == "supported_or_hedged_claim").sum()),
            "open_flags": int((unsupported & c["triage_status"].isin(OPEN_STATUSES)).sum()),
            "dismissed": int((unsupported & (c["triage_status"] == DISMISSED)).sum()),
            "spam_links": int(self.links["spam"].sum()) if len(self.links) else 0,
            "mean_quality": site_quality(quality),
        }

    def summary_line(self) -> str:
        s = self.summary()
        return (f"{s['posts']} posts ({s['new']} new, {s['changed']} changed, {s['gone']} gone) · "
                f"claims: {s['unsupported']} unsupported ({s['open_flags']} open, {s['dismissed']} dismissed), "
                f"{s['supported_or_hedged']} supported or hedged · {s['spam_links']} spam links · "
                f"mean quality {s['mean_quality'] if s['mean_quality'] is not None else '–'}")


# -- building ----------------------------------------------------------------------------------


def build_model(frames: StoreFrames, *, generated_at: str | None = None) -> ReportModel:
    """Tidy tables from the store's frames."""
    generated_at = generated_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
    pages = _pages(frames.pages)
    claims = _claims(frames.claims, pages, frames.triage)
    all_links = _links(frames.links, pages)
    report_run, previous_run = _report_runs(frames.runs)
    articles = _articles(pages, claims, all_links)
    links = all_links[all_links["region"] != "body"].reset_index(drop=True)
    return ReportModel(
        generated_at=generated_at,
        report_run=report_run,
        previous_run=previous_run,
        articles=articles[ARTICLE_COLUMNS],
        claims=claims[CLAIM_COLUMNS],
        links=links[LINK_COLUMNS],
        sites=_sites(articles, links, frames.events, report_run),
        runs=_runs(frames.runs),
        changes=_changes(pages, claims, links, frames.events, report_run),
        bodies=pages[BODY_COLUMNS].reset_index(drop=True),
    )


def _pages(pages: pd.DataFrame) -> pd.DataFrame:
    p = pages.sort_values(["site", "canonical_url"], kind="stable").reset_index(drop=True).copy()
    p["slug"] = pd.Series([article_slug(u) for u in p["canonical_url"]], index=p.index, dtype=object)
    p["text"] = p["text"].fillna("").astype(object)
    p["body_html"] = p["body_html"].fillna("").astype(object)
    return p


def _join_list(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    items = json.loads(value) if isinstance(value, str) else list(value)
    return LIST_SEPARATOR.join(str(item) for item in items)


def _join_lists(column: pd.Series) -> list[str]:
    """``_join_list`` over a column; the same JSON list recurs a lot (rel, reasons), so decode once."""
    cache: dict = {}
    out = []
    for value in column.tolist():
        try:
            joined = cache[value]
        except (KeyError, TypeError):
            joined = _join_list(value)
            if isinstance(value, str):
                cache[value] = joined
        out.append(joined)
    return out


def _claims(claims: pd.DataFrame, pages: pd.DataFrame, triage: pd.DataFrame) -> pd.DataFrame:
    keys = pages[["id", "canonical_url", "site", "slug"]].rename(columns={"id": "page_id"})
    c = claims.merge(keys, on="page_id", how="inner")
    t = triage.rename(columns={"status": "triage_status", "note": "triage_note", "updated_at": "triage_updated_at"})
    c = c.merge(t, on=["canonical_url", "sentence_hash"], how="left")
    c["triage_status"] = c["triage_status"].fillna("open").astype(object)
    c["triage_note"] = c["triage_note"].fillna("").astype(object)
    c["flag_id"] = [flag_id(u, h) for u, h in zip(c["canonical_url"], c["sentence_hash"])]
    c["rule_ids"] = _join_lists(c["rule_ids"])
    c["reasons"] = _join_lists(c["reasons"])
    c["weight"] = _claim_weights(c)
    return c.sort_values(["site", "canonical_url", "position"], kind="stable").reset_index(drop=True)


def _claim_weights(c: pd.DataFrame) -> np.ndarray:
    """``quality.claim_weight`` for a whole column; dismissed flags weigh nothing."""
    severity = c["category"].map(SEVERITY).fillna(DEFAULT_SEVERITY).to_numpy(dtype=float)
    unsupported = (c["label"] == "unsupported_claim").to_numpy()
    hedged_drug = ((c["label"] == "supported_or_hedged_claim") & (c["category"] == "disease_treatment")
                   & c["source"].isna()).to_numpy()
    weight = np.select([unsupported, hedged_drug], [severity, HEDGED_DRUG_FACTOR * severity], 0.0)
    return np.where((c["triage_status"] == DISMISSED).to_numpy(), 0.0, weight)


def _links(links: pd.DataFrame, pages: pd.DataFrame) -> pd.DataFrame:
    keys = pages[["id", "canonical_url", "site", "slug"]].rename(columns={"id": "page_id"})
    link = links.merge(keys, on="page_id", how="inner")
    link["spam"] = link["spam"].astype(bool)
    link["hidden"] = link["hidden"].astype(bool)
    link["internal"] = link["internal"].astype(bool)
    link["verdict"] = np.where(link["spam"], "spam", "ok")
    link["rel"] = _join_lists(link["rel"])
    link["reasons"] = _join_lists(link["reasons"])
    return link.sort_values(["site", "canonical_url", "position"], kind="stable").reset_index(drop=True)


def _count(frame: pd.DataFrame, mask, index: pd.Index) -> pd.Series:
    return frame.loc[mask, "page_id"].value_counts().reindex(index, fill_value=0).astype(int)


def _articles(pages: pd.DataFrame, claims: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    a = pages.rename(columns={"change_status": "status"}).set_index("id", drop=False)
    idx = a.index
    unsupported = claims["label"] == "unsupported_claim"
    dismissed = claims["triage_status"] == DISMISSED
    a["claims"] = _count(claims, slice(None), idx)
    a["unsupported_claims"] = _count(claims, unsupported, idx)
    a["supported_or_hedged_claims"] = _count(claims, claims["label"] == "supported_or_hedged_claim", idx)
    a["open_flags"] = _count(claims, unsupported & claims["triage_status"].isin(OPEN_STATUSES), idx)
    a["dismissed_flags"] = _count(claims, unsupported & dismissed, idx)
    for category in CATEGORIES:
        a[f"claims_{category}"] = _count(claims, claims["category"] == category, idx)
    non_body = links["region"] != "body"
    a["spam_links"] = _count(links, links["spam"], idx)
    a["hidden_spam_links"] = _count(links, links["spam"] & links["hidden"], idx)
    a["links"] = _count(links, non_body, idx)
    a["body_links"] = _count(links, ~non_body, idx)
    weight = claims.groupby("page_id")["weight"].sum().reindex(idx, fill_value=0.0)
    scored = a["audit_status"] == "done"
    score = quality_scores(
        a["words"].fillna(0), weight, a["spam_links"], a["hidden_spam_links"],
        _count(claims, unsupported & ~dismissed, idx), _count(claims, ~dismissed, idx),
    )
    a["quality"] = pd.array(np.where(scored, score, 0), dtype="Int64")
    a.loc[~scored, "quality"] = pd.NA
    for col in ("words", "sentences", "http_status", "first_run", "last_seen_run", "change_run"):
        a[col] = pd.array(a[col], dtype="Int64")
    a["sheet"] = [f"articles/{slug}.html" for slug in a["slug"]]
    return a.reset_index(drop=True)


def _report_runs(runs: pd.DataFrame) -> tuple[int | None, int | None]:
    """The latest crawl (or whole) run, and the run before it."""
    if runs.empty:
        return None, None
    crawls = runs[runs["kind"].isin(("run", "crawl"))]
    ids = sorted(int(i) for i in (crawls if not crawls.empty else runs)["id"])
    return ids[-1], (ids[-2] if len(ids) > 1 else None)


def _sites(articles: pd.DataFrame, links: pd.DataFrame, events: pd.DataFrame, since: int | None) -> pd.DataFrame:
    live = articles[articles["status"] != "gone"]
    done = live[live["audit_status"] == "done"]
    recent = events[events["run_id"] >= since] if since is not None else events
    names = sorted((set(articles["site"]) | set(recent["site"].dropna())) - {""})
    index = pd.Index(names, name="site")
    live_links = links[links["canonical_url"].isin(live["canonical_url"])]
    by_done = done.groupby("site")
    frame = pd.DataFrame(index=index)
    frame["posts"] = live["site"].value_counts().reindex(index, fill_value=0)
    frame["audited"] = done["site"].value_counts().reindex(index, fill_value=0)
    frame["mean_quality"] = by_done["quality"].mean().reindex(index)
    frame["unsupported_share"] = (done["unsupported_claims"] > 0).groupby(done["site"]).mean().reindex(index)
    frame["unsupported_claims"] = by_done["unsupported_claims"].sum().reindex(index, fill_value=0)
    frame["open_flags"] = by_done["open_flags"].sum().reindex(index, fill_value=0)
    frame["spam_links"] = live_links.groupby("site")["spam"].sum().reindex(index, fill_value=0)
    frame["links"] = live_links["site"].value_counts().reindex(index, fill_value=0)
    frame["spam_link_rate"] = (frame["spam_links"] / frame["links"].where(frame["links"] > 0)).round(3)
    statuses = pd.crosstab(articles["site"], articles["status"]).reindex(index=index, columns=CHANGE_STATUSES,
                                                                         fill_value=0)
    for status in CHANGE_STATUSES:
        frame[status] = statuses[status].fillna(0)
    kinds = pd.crosstab(recent["site"], recent["kind"]).reindex(index=index, columns=["blocked", "error"],
                                                                fill_value=0).fillna(0)
    audit_errors = live.loc[live["audit_status"] == "error", "site"].value_counts().reindex(index, fill_value=0)
    frame["blocked"] = kinds["blocked"]
    frame["errors"] = kinds["error"] + audit_errors
    frame = frame.reset_index()
    frame["mean_quality"] = pd.array(np.floor(frame["mean_quality"].astype(float) + 0.5), dtype="Int64")
    frame["unsupported_share"] = frame["unsupported_share"].astype(float).round(3)
    counts = ["posts", "audited", "unsupported_claims", "open_flags", "spam_links", "links", *CHANGE_STATUSES,
              "blocked", "errors"]
    frame[counts] = frame[counts].fillna(0).astype(int)
    return frame[SITE_COLUMNS]


def _runs(runs: pd.DataFrame) -> pd.DataFrame:
    r = runs.sort_values("id").reset_index(drop=True).copy()
    started = pd.to_datetime(r["started_at"], utc=True, errors="coerce", format="ISO8601")
    finished = pd.to_datetime(r["finished_at"], utc=True, errors="coerce", format="ISO8601")
    r["duration_s"] = (finished - started).dt.total_seconds()
    r["sites"] = _join_lists(r["sites"])
    return r[RUN_COLUMNS]


def _changes(pages, claims, links, events, since) -> pd.DataFrame:
    """Since the previous run: changed articles, new and resolved flags, new spam links."""
    if since is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    moved = pages[(pages["change_run"] >= since) & pages["change_status"].isin(("new", "changed", "gone"))]
    articles = pd.DataFrame({"run_id": moved["change_run"], "change": moved["change_status"] + "_article",
                             "site": moved["site"], "canonical_url": moved["canonical_url"], "detail": moved["url"]})
    recent = events[(events["run_id"] >= since) & events["kind"].isin(("new_flag", "resolved_flag", "new_spam"))]
    recent = recent.rename(columns={"kind": "change", "url": "canonical_url"})[
        ["run_id", "change", "site", "canonical_url", "detail"]]
    flags = claims.drop_duplicates(["canonical_url", "sentence"])[
        ["canonical_url", "sentence", "category", "reasons", "triage_status"]].rename(columns={"sentence": "detail"})
    flags["change"] = "new_flag"
    spam = links[links["spam"]].drop_duplicates(["canonical_url", "href"])[
        ["canonical_url", "href", "region", "reasons"]].rename(columns={"href": "detail", "reasons": "spam_reasons"})
    spam["change"] = "new_spam"
    frame = pd.concat([articles, recent], ignore_index=True)
    frame = frame.merge(flags, on=["change", "canonical_url", "detail"], how="left")
    frame = frame.merge(spam, on=["change", "canonical_url", "detail"], how="left")
    frame["reasons"] = frame["reasons"].fillna(frame["spam_reasons"])
    keys = pages.set_index("canonical_url")
    frame["title"] = frame["canonical_url"].map(keys["title"])
    frame["slug"] = frame["canonical_url"].map(keys["slug"])
    order = {"new_article": 0, "changed_article": 1, "gone_article": 2, "new_flag": 3, "resolved_flag": 4,
             "new_spam": 5}
    frame["_order"] = frame["change"].map(order)
    frame = frame.sort_values(["_order", "site", "canonical_url", "detail"], kind="stable")
    frame["run_id"] = pd.array(frame["run_id"], dtype="Int64")
    return frame[CHANGE_COLUMNS].reset_index(drop=True)
