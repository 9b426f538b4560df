"""Reports editors work from, all rendered from one frozen report model (``model.ReportModel``).

    store ──frames_from_store──► StoreFrames ──build_model──► ReportModel
        ──► articles.csv, claims.csv, links.csv, sites.csv, runs.csv, changes.csv
        ──► report.xlsx (a sheet per table), report.json
        ──► index.html (dashboard), articles/<slug>.html (vetting sheets), changes.html

``build_reports(store, out_dir)`` does it all; ``docs/reports.md`` describes every output. Big
reports are written by a pool of forked processes (one per core), each writing whole files.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from tqdm import tqdm

from audit.reports.frames import frames_from_store
from audit.reports.model import ReportModel, build_model

__all__ = ["ReportModel", "build_model", "build_reports", "write_reports"]

PARALLEL_FROM = 400
"""Articles from which the files are written by a process pool (below, forking costs more than it saves)."""
SHEETS_PER_TASK = 200

# What forked workers read: set in the parent just before the pool starts, inherited by fork.
_JOB: dict = {}


def build_reports(store, out_dir, *, progress: bool = True, generated_at: str | None = None,
                  workers: int | None = None) -> ReportModel:
    """Read the store once, build the report model and write every report file under ``out_dir``."""
    model = build_model(frames_from_store(store), generated_at=generated_at)
    write_reports(model, out_dir, progress=progress, workers=workers)
    return model


def _tasks(model: ReportModel) -> list[tuple[str, object]]:
    """Independent pieces of work, the longest first."""
    sheets = [("sheets", (start, min(start + SHEETS_PER_TASK, len(model.articles))))
              for start in range(0, len(model.articles), SHEETS_PER_TASK)]
    return [("workbook", None), ("tables", None), ("pages", None), *sheets]


def _run(task: tuple[str, object]) -> tuple[str, int]:
    """Do one task with the model of ``_JOB``; return its name and how many sheets it wrote."""
    from audit.reports.html import render_article, render_changes, render_dashboard, sheet_inputs
    from audit.reports.writers import write_csvs, write_json, write_xlsx

    kind, arg = task
    model, out = _JOB["model"], _JOB["out"]
    if kind == "workbook":
        write_xlsx(model, out / "report.xlsx")
    elif kind == "tables":
        write_csvs(model, out)
        write_json(model, out / "report.json")
    elif kind == "pages":
        (out / "index.html").write_text(render_dashboard(model), encoding="utf-8")
        (out / "changes.html").write_text(render_changes(model), encoding="utf-8")
    else:
        start, stop = arg
        articles, bodies, claims, links = sheet_inputs(model, slice(start, stop))
        for article in articles:
            slug = article["slug"]
            page = render_article(model, article, bodies[slug], claims.get(slug, []), links.get(slug, []))
            (out / "articles" / f"{slug}.html").write_text(page, encoding="utf-8")
        return kind, stop - start
    return kind, 0


def _fork_context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return None


def write_reports(model: ReportModel, out_dir, *, progress: bool = True, workers: int | None = None) -> None:
    """Every output of ``model`` under ``out_dir`` (progress bars only on a terminal)."""
    out = Path(out_dir)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    tasks = _tasks(model)
    workers = workers or min(os.cpu_count() or 1, 8)
    context = _fork_context()
    _JOB.update(model=model, out=out)
    disable = None if progress else True  # None: tqdm shows a bar only when stderr is a terminal
    try:
        with tqdm(total=len(model.articles) + 3, desc="report", unit="file", disable=disable, leave=False) as bar:
            if workers > 1 and context is not None and len(model.articles) >= PARALLEL_FROM:
                with context.Pool(workers) as pool:
                    for _, sheets in pool.imap_unordered(_run, tasks):
                        bar.update(sheets or 1)
            else:
                for task in tasks:
                    bar.update(_run(task)[1] or 1)
    finally:
        _JOB.clear()
    written = {f"{article_slug}.html" for article_slug in model.articles["slug"]}
    for stale in (out / "articles").glob("*.html"):
        if stale.name not in written:
            stale.unlink()
