"""The table outputs of the report model: one CSV per table, one XLSX workbook, one JSON file.

CSV files keep every value exactly as stored (they are a data contract; ``articles.csv`` columns
are stable). The workbook is the file editors open in a spreadsheet, so there scraped text that
looks like a formula (``=HYPERLINK(…)``) is stored as text, never as a formula.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd

from audit.reports.model import ReportModel

EXCEL_MAX_CHARS = 32_767
# Characters XML 1.0 cannot carry (C0 controls but tab, newline and carriage return).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
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


# -- XLSX ----------------------------------------------------------------------------------------
# The workbook is written directly as SpreadsheetML (a zip of XML parts, ECMA-376): openpyxl's
# cell-by-cell writer needs over a minute for the 2.5 million cells of a 5,000-article report.
# Every string is an inline string (``t="inlineStr"``), so nothing scraped can become a formula.

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{sheets}</Types>'
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)
def _xml_text(value: str) -> str:
    if _ILLEGAL_SEARCH(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > EXCEL_MAX_CHARS:
        value = value[:EXCEL_MAX_CHARS]
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ILLEGAL_SEARCH = ILLEGAL_CHARACTERS_RE.search
_SEPARATOR = "\x00"  # never left in a cell: it is one of the characters XML cannot carry


def _xml_texts(values: list[str]) -> list[str]:
    """``_xml_text`` of many strings at once: escaping one joined string is several times faster."""
    values = [v if len(v) <= EXCEL_MAX_CHARS else v[:EXCEL_MAX_CHARS] for v in values]
    joined = _SEPARATOR.join(values)
    if joined.count(_SEPARATOR) != max(len(values) - 1, 0):  # a value holds the separator itself
        return [_xml_text(v) for v in values]
    joined = ILLEGAL_CHARACTERS_RE.sub(lambda m: m.group() if m.group() == _SEPARATOR else "", joined)
    joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return joined.split(_SEPARATOR) if values else []


def _column_cells(series: pd.Series, letter: str, first_row: int) -> list[str]:
    """The ``<c>`` element of every value of a column ("" for an empty cell)."""
    missing = series.isna().to_numpy()
    values = series.astype(object).to_numpy()
    rows = range(first_row, first_row + len(series))
    if pd.api.types.is_bool_dtype(series.dtype):
        return [f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>' for r, v in zip(rows, values)]
    if pd.api.types.is_numeric_dtype(series.dtype):
        return ["" if m else f'<c r="{letter}{r}"><v>{v}</v></c>' for r, v, m in zip(rows, values, missing)]
    if all(m or type(v) is str for v, m in zip(values, missing)):
        texts = iter(_xml_texts([v for v, m in zip(values, missing) if not m]))
        return ["" if m else f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{next(texts)}</t></is></c>'
                for r, m in zip(rows, missing)]
    cells = []
    for r, v, m in zip(rows, values, missing):
        if m:
            cells.append("")
        elif isinstance(v, bool):
            cells.append(f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, (int, float)):
            cells.append(f'<c r="{letter}{r}"><v>{v}</v></c>')
        else:
            text = _xml_text(str(v))
            cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
    return cells


def _sheet_xml(frame: pd.DataFrame, out) -> None:
    letters = [_column_letter(i) for i in range(1, len(frame.columns) + 1)]
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}" xmlns:r="{_REL}">'
              f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">'
              '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
              '<sheetFormatPr defaultRowHeight="15"/>')
    if letters:
        out.write("<cols>" + "".join(
            f'<col min="{i}" max="{i}" width="{COLUMN_WIDTHS.get(name, 12)}" customWidth="1"/>'
            for i, name in enumerate(frame.columns, start=1)) + "</cols>")
    out.write('<sheetData><row r="1">' + "".join(
        f'<c r="{letter}1" t="inlineStr" s="1"><is><t>{_xml_text(str(name))}</t></is></c>'
        for letter, name in zip(letters, frame.columns)) + "</row>")
    for start in range(0, len(frame), 5000):
        chunk = frame.iloc[start:start + 5000]
        columns = [_column_cells(chunk[name], letter, start + 2) for name, letter in zip(chunk.columns, letters)]
        out.write("".join(f'<row r="{start + i + 2}">' + "".join(cells) + "</row>"
                          for i, cells in enumerate(zip(*columns))))
    out.write("</sheetData>")
    if letters:
        out.write(f'<autoFilter ref="A1:{last}"/>')
    out.write("</worksheet>")


def write_xlsx(model: ReportModel, path: Path) -> Path:
    """One sheet per table, header row bold and frozen, autofilter on."""
    names = ReportModel.TABLES
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(names) + 1))))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        sheets = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, 1))
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">{name}!$A$1:'
            f'${_column_letter(max(len(model.table(name).columns), 1))}${len(model.table(name)) + 1}</definedName>'
            for n, name in enumerate(names))
        archive.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets>'
                         f'<definedNames>{filters}</definedNames></workbook>')
        rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                       for n in range(1, len(names) + 1))
        rels += f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        archive.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<Relationships xmlns="{_PKG}">{rels}</Relationships>')
        for n, name in enumerate(names, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as raw:
                with io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as out:
                    _sheet_xml(model.table(name), out)
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
