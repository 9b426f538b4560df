"""HTML rendering of the report model: the dashboard, article vetting sheets and the changes page.

Every page comes from a package template (``audit/templates/*.html.j2``) rendered with Jinja2
autoescaping, so scraped text is always escaped; the article body shown for copying goes through
an allowlist cleaner and is previewed in a sandboxed frame. Pages carry a Content-Security-Policy
that only allows their own inline stylesheet and script (by hash) and no network access at all,
so even markup that slipped through could neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from audit.models import CATEGORIES, REGIONS, PageAudit
from audit.reports.frames import frames_from_audit
from audit.reports.highlight import paragraphs
from audit.reports.model import OPEN_STATUSES, ReportModel, build_model
from audit.reports.sanitize import clean_body_html, safe_url

# Characters that let scraped text reorder or hide what is around it (bidi overrides and isolates,
# C0 controls other than tab and newline). Stripped from everything a template prints.
_INVISIBLE = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Assets:
    css: Markup
    js: Markup
    csp: str


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def assets() -> Assets:
    """The inline stylesheet and script, and the CSP that allows exactly them."""
    folder = resources.files("audit") / "templates"
    css = (folder / "report.css").read_text(encoding="utf-8")
    js = (folder / "report.js").read_text(encoding="utf-8")
    csp = (f"default-src 'none'; script-src {_hash(js)}; style-src {_hash(css)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return Assets(css=Markup(css), js=Markup(js), csp=csp)


def _finalize(value):
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _INVISIBLE.sub("", value)
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def _clip(value, limit: int = 300) -> str:
    """Scraped text cut to ``limit`` characters (the CSV keeps it whole): no 5,000-character anchor
    text stretches a page."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(value) -> str:
    return "–" if value is None else f"{100 * float(value):.0f}%"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("audit", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_href"] = safe_url
    env.filters["pct"] = _pct
    env.filters["clip"] = _clip
    return env


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, with None for every missing value (column by column: fast on big tables)."""
    if frame.empty:
        return []
    columns = []
    for name in frame.columns:
        series = frame[name]
        values = series.tolist()
        if series.hasnans:
            values = [None if missing else v for v, missing in zip(values, series.isna().tolist())]
        columns.append(values)
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*columns)]


def _base_context(model: ReportModel, *, root: str = "", standalone: bool = False) -> dict:
    return {"assets": assets(), "generated_at": model.generated_at, "root": root, "standalone": standalone,
            "report_run": model.report_run, "previous_run": model.previous_run}


# -- dashboard ------------------------------------------------------------------------------------


def render_dashboard(model: ReportModel) -> str:
    live = model.articles
    context = _base_context(model) | {
        "summary": model.summary(),
        "sites": records(model.sites),
        "articles": records(live),
        "charts": charts(model),
        "tables": ReportModel.TABLES,
    }
    return environment().get_template("index.html.j2").render(context)


def _bar_chart(chart_id: str, title: str, items: list[tuple[str, float, str]], ticks: list[str],
               group: int = 1, legend: list[tuple[str, str]] | None = None) -> dict:
    """Geometry for a simple SVG bar chart: ``items`` are (label, value, css class) in order."""
    width, height, top, bottom = 320, 170, 16, 18
    slots = max(len(items), 1)
    gap = 6
    slot = (width - 10) / slots
    peak = max([v for _, v, _ in items] + [1])
    bars = []
    for i, (label, value, cls) in enumerate(items):
        h = (height - top - bottom) * value / peak
        x = 5 + i * slot + (gap / 2 if i % group == 0 else 0)
        w = slot - (gap / 2 if i % group == 0 else 0) - (gap / 2 if i % group == group - 1 else 0)
        bars.append({"label": label, "value": int(value), "cls": cls, "x": round(x, 1), "w": round(max(w, 1), 1),
                     "h": round(h, 1), "y": round(height - bottom - h, 1), "cx": round(x + w / 2, 1),
                     "show_value": value > 0})
    tick_slot = (width - 10) / max(len(ticks), 1)
    tick_marks = [{"x": round(5 + (i + 0.5) * tick_slot, 1), "label": t} for i, t in enumerate(ticks)]
    return {"id": chart_id, "title": title, "width": width, "height": height, "bars": bars,
            "ticks": tick_marks, "legend": legend}


def charts(model: ReportModel) -> list[dict]:
    a = model.articles
    scores = a.loc[(a["status"] != "gone") & a["quality"].notna(), "quality"].astype(int)
    bins = [int(((scores >= lo) & (scores < lo + 10 if lo < 90 else scores <= 100)).sum()) for lo in range(0, 100, 10)]
    quality = _bar_chart("quality", "Quality distribution (articles per score band)",
                         [(f"{lo}–{lo + 9 if lo < 90 else 100}", n, "") for lo, n in zip(range(0, 100, 10), bins)],
                         [str(lo) for lo in range(0, 100, 10)])
    c = model.claims
    by_category = []
    for category in CATEGORIES:
        in_cat = c["category"] == category
        by_category.append((f"{category} unsupported", int((in_cat & (c["label"] == "unsupported_claim")).sum()), "u"))
        by_category.append((f"{category} supported or hedged",
                            int((in_cat & (c["label"] == "supported_or_hedged_claim")).sum()), "s"))
    short = {"disease_treatment": "disease", "biological_effect": "biology", "safety": "safety",
             "absolute_or_guarantee": "guarantee", "authority_or_proof": "authority"}
    claims_chart = _bar_chart("claims", "Claims by category", by_category, [short[c] for c in CATEGORIES], group=2,
                              legend=[("u", "unsupported"), ("s", "supported or hedged")])
    spam = model.links[model.links["spam"]] if len(model.links) else model.links
    regions = [r for r in REGIONS if r != "body"]
    counts = spam["region"].value_counts() if len(spam) else pd.Series(dtype=int)
    ticks = [{"comments": "comment"}.get(r, r) for r in regions]
    spam_chart = _bar_chart("spam", "Spam links by region", [(r, int(counts.get(r, 0)), "u") for r in regions], ticks)
    return [quality, claims_chart, spam_chart]


# -- article sheets -------------------------------------------------------------------------------


def _claim_views(claims: list[dict]) -> list[dict]:
    views = []
    for n, claim in enumerate(claims, start=1):
        category = claim["category"] if claim["category"] in CATEGORIES else "other"
        kind = "u" if claim["label"] == "unsupported_claim" else "s"
        label = "Unsupported" if kind == "u" else "Supported or hedged"
        tooltip = f"{label} · {category.replace('_', ' ')} — {claim.get('reasons') or ''}"
        if claim.get("suggestion"):
            tooltip += f" Fix: {claim['suggestion']}"
        if claim.get("triage_status") not in (None, "open"):
            tooltip += f" [{claim['triage_status']}]"
        views.append(claim | {"n": n, "cls": f"{kind} cat-{category} t-{claim.get('triage_status') or 'open'}",
                              "tooltip": tooltip})
    return views


def render_article(model: ReportModel, article: dict, body: dict, claims: list[dict], links: list[dict], *,
                   standalone: bool = False) -> str:
    """One article's vetting sheet (``links``: its non-body links)."""
    views = _claim_views(claims)
    paras, placed = paragraphs(body.get("text") or "", views)
    for i, view in enumerate(views):
        view["placed"] = i in placed
    context = _base_context(model, root="" if standalone else "../", standalone=standalone) | {
        "article": article,
        "paragraphs": paras,
        "claims": views,
        "spam_links": [link for link in links if link["spam"]],
        "other_links": [link for link in links if not link["spam"]],
        "clean_html": clean_body_html(body.get("body_html") or ""),
        "categories": CATEGORIES,
        "open_statuses": OPEN_STATUSES,
    }
    return environment().get_template("article.html.j2").render(context)


def _group_records(frame: pd.DataFrame, key: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for row in records(frame):
        groups.setdefault(row[key], []).append(row)
    return groups


def sheet_inputs(model: ReportModel, rows: slice = slice(None)) -> tuple[list[dict], dict, dict, dict]:
    """What the vetting sheets of ``model.articles[rows]`` read: articles, and bodies, claims and
    links grouped by slug."""
    articles = model.articles.iloc[rows]
    if rows != slice(None):
        slugs = articles["slug"]
        pick = lambda frame: frame[frame["slug"].isin(slugs)]  # noqa: E731
    else:
        pick = lambda frame: frame  # noqa: E731
    return (records(articles), {row["slug"]: row for row in records(pick(model.bodies))},
            _group_records(pick(model.claims), "slug"), _group_records(pick(model.links), "slug"))


def article_pages(model: ReportModel):
    """(slug, html) for every article."""
    articles, bodies, claims, links = sheet_inputs(model)
    for article in articles:
        slug = article["slug"]
        yield slug, render_article(model, article, bodies[slug], claims.get(slug, []), links.get(slug, []))


def render_check_page(audit: PageAudit, *, generated_at: str | None = None) -> str:
    """A standalone vetting sheet for one checked page (``skinaudit check --format html``)."""
    try:
        site = urlsplit(audit.extraction.url or "").hostname or "checked page"
    except ValueError:
        site = "checked page"
    model = build_model(frames_from_audit(audit, site=site), generated_at=generated_at)
    article, body = records(model.articles)[0], records(model.bodies)[0]
    return render_article(model, article, body, records(model.claims), records(model.links), standalone=True)


# -- changes --------------------------------------------------------------------------------------

CHANGE_SECTIONS = [
    ("new_flag", "New unsupported-claim flags"),
    ("resolved_flag", "Resolved flags"),
    ("new_spam", "New spam links"),
    ("new_article", "New articles"),
    ("changed_article", "Changed articles"),
    ("gone_article", "Gone articles"),
]


def render_changes(model: ReportModel) -> str:
    rows = records(model.changes)
    groups = {key: [r for r in rows if r["change"] == key] for key, _ in CHANGE_SECTIONS}
    context = _base_context(model) | {"sections": CHANGE_SECTIONS, "groups": groups}
    return environment().get_template("changes.html.j2").render(context)
