"""Reports editors work from, all rendered from one frozen report model (``model.ReportModel``).

    store ──frames_from_store──► StoreFrames ──build_model──► ReportModel
        ──► articles.csv, claims.csv, links.csv, sites.csv, runs.csv, changes.csv
        ──► report.xlsx (a sheet per table), report.json
        ──► index.html (dashboard), articles/<slug>.html (vetting sheets), changes.html

``build_reports(store, out_dir)`` does it all; ``docs/reports.md`` describes every output.
"""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from audit.reports.frames import frames_from_store
from audit.reports.model import ReportModel, build_model

__all__ = ["ReportModel", "build_model", "build_reports", "write_reports"]


def build_reports(store, out_dir, *, progress: bool = True, generated_at: str | None = None) -> ReportModel:
    """Read the store once, build the report model and write every report file under ``out_dir``."""
    model = build_model(frames_from_store(store), generated_at=generated_at)
    write_reports(model, out_dir, progress=progress)
    return model


def write_reports(model: ReportModel, out_dir, *, progress: bool = True) -> None:
    """Every output of ``model`` under ``out_dir`` (progress bars only on a terminal)."""
    from audit.reports.html import article_pages, render_changes, render_dashboard
    from audit.reports.writers import write_csvs, write_json, write_xlsx

    out = Path(out_dir)
    sheets = out / "articles"
    sheets.mkdir(parents=True, exist_ok=True)
    disable = None if progress else True  # None: tqdm shows bars only when stderr is a terminal
    steps = [("tables", lambda: write_csvs(model, out)), ("workbook", lambda: write_xlsx(model, out / "report.xlsx")),
             ("json", lambda: write_json(model, out / "report.json")),
             ("dashboard", lambda: (out / "index.html").write_text(render_dashboard(model), encoding="utf-8")),
             ("changes", lambda: (out / "changes.html").write_text(render_changes(model), encoding="utf-8"))]
    with tqdm(steps, desc="report", unit="file", disable=disable, leave=False) as bar:
        for name, step in bar:
            bar.set_postfix_str(name)
            step()
    written = set()
    with tqdm(total=len(model.articles), desc="vetting sheets", unit="page", disable=disable, leave=False) as bar:
        for slug, page in article_pages(model):
            (sheets / f"{slug}.html").write_text(page, encoding="utf-8")
            written.add(f"{slug}.html")
            bar.update(1)
    for stale in sheets.glob("*.html"):
        if stale.name not in written:
            stale.unlink()
