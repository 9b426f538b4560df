"""The table outputs of the report model: one CSV per table, one XLSX workbook, one JSON file.

CSV files keep every value exactly as stored (they are a data contract; ``articles.csv`` columns
are stable). The workbook is the file editors open in a spreadsheet, so there scraped text that
looks like a formula (``=HYPERLINK(…)``) is stored as text, never as a formula.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from audit.reports.model import ReportModel

EXCEL_MAX_CHARS = 32_767
# Widths (in characters) of the workbook's columns, by column name; others get a default.
COLUMN_WIDTHS = {"title": 48, "sentence": 70, "url": 40, "canonical_url": 40, "href": 40, "text": 30,
                 "reasons": 40, "suggestion": 50, "detail": 60, "site": 20}


def write_csvs(model: ReportModel, out_dir: Path) -> list[Path]:
    paths = []
    for name in ReportModel.TABLES:
        path = out_dir / f"{name}.csv"
        model.table(name).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def _cell_value(ws, value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_MAX_CHARS]
        if text.startswith("="):
            cell = WriteOnlyCell(ws, value=text)
            cell.data_type = "s"  # text, never a formula
            return cell
        return text
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_xlsx(model: ReportModel, path: Path) -> Path:
    """One sheet per table, header row bold and frozen, autofilter on."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name in ReportModel.TABLES:
        frame = model.table(name)
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        for i, column in enumerate(frame.columns, start=1):
            letter = _column_letter(i)
            ws.column_dimensions[letter].width = COLUMN_WIDTHS.get(column, 12)
        if len(frame.columns):
            ws.auto_filter.ref = f"A1:{_column_letter(len(frame.columns))}{len(frame) + 1}"
        header = []
        for column in frame.columns:
            cell = WriteOnlyCell(ws, value=str(column))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in frame.astype(object).itertuples(index=False, name=None):
            ws.append([_cell_value(ws, value) for value in row])
    wb.save(path)
    return path


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_json(model: ReportModel, path: Path) -> Path:
    """``{"generated_at", "report_run", "previous_run", "summary", "tables": {name: [rows]}}``."""
    head = {"generated_at": model.generated_at, "report_run": model.report_run,
            "previous_run": model.previous_run, "summary": model.summary()}
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False)[:-1])
        out.write(', "tables": {')
        for i, name in enumerate(ReportModel.TABLES):
            out.write(("," if i else "") + json.dumps(name) + ": ")
            out.write(model.table(name).to_json(orient="records", force_ascii=False, date_format="iso"))
        out.write("}}\n")
    return path
