"""Report files from a real store: documented columns, statuses across runs, triage, escaping."""

from __future__ import annotations

import html
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
from openpyxl import load_workbook

from audit.models import REGIONS
from audit.reports import build_reports
from audit.reports.html import render_check_page
from audit.reports.model import ARTICLE_COLUMNS, CLAIM_COLUMNS, LINK_COLUMNS, SITE_COLUMNS, flag_id
from audit.reports.sample import HOSTILE_URL, SEED_URL, hostile_audit, sample_pages, seed_audit
from audit.store import FetchedPage, Store, sentence_key

DESIGN_ARTICLE_COLUMNS = ["url", "canonical_url", "site", "title", "status", "unsupported_claims", "spam_links"]
ISSUE_ARTICLE_COLUMNS = ["author", "published", "words", "quality", "claims_disease_treatment", "claims_safety"]
CLAIM_TABLE_COLUMNS = ["label", "category", "trigger", "reasons", "rule_ids", "suggestion", "triage_status"]
LINK_TABLE_COLUMNS = ["href", "text", "region", "verdict", "reasons"]
OUTPUTS = ["articles.csv", "claims.csv", "links.csv", "sites.csv", "runs.csv", "changes.csv", "report.xlsx",
           "report.json", "index.html", "changes.html"]


def fetched(page, html: bytes = b"<html><body>v1</body></html>") -> FetchedPage:
    url = page.audit.extraction.url
    return FetchedPage(url=url, canonical_url=url, site=page.site, http_status=200,
                       fetched_at="2026-01-05T09:00:00+00:00", html=html)


def crawl(store: Store, pages, html: bytes = b"<html><body>v1</body></html>") -> int:
    """One run that fetches and audits the given (hand-made) pages."""
    run_id = store.start_run("run", sorted({p.site for p in pages}))
    for page in pages:
        store.save_fetch(run_id, fetched(page, html))
    with store.engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("SELECT canonical_url, id FROM pages").all())
    for page in pages:
        store.save_audit(run_id, ids[page.audit.extraction.url], page.audit)
    store.finish_run(run_id, {})
    return run_id


@pytest.fixture
def store(tmp_path) -> Store:
    db = Store(tmp_path / "s.sqlite")
    crawl(db, sample_pages())
    yield db
    db.close()


def test_report_files_exist_with_documented_columns(store, tmp_path):
    out = tmp_path / "reports"
    model = build_reports(store, out, progress=False)
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    articles = pd.read_csv(out / "articles.csv")
    assert set(DESIGN_ARTICLE_COLUMNS + ISSUE_ARTICLE_COLUMNS) <= set(articles.columns)
    assert list(articles.columns) == ARTICLE_COLUMNS
    assert len(articles) == 3 and set(articles["status"]) == {"new"}
    claims = pd.read_csv(out / "claims.csv")
    assert set(CLAIM_TABLE_COLUMNS) <= set(claims.columns) and list(claims.columns) == CLAIM_COLUMNS
    assert len(claims) == 6 and set(claims["triage_status"]) == {"open"}
    links = pd.read_csv(out / "links.csv")
    assert set(LINK_TABLE_COLUMNS) <= set(links.columns) and list(links.columns) == LINK_COLUMNS
    assert "body" not in set(links["region"]) and set(links["region"]) <= set(REGIONS)
    assert list(pd.read_csv(out / "sites.csv").columns) == SITE_COLUMNS
    assert len(pd.read_csv(out / "runs.csv")) == 1
    for sheet in articles["sheet"]:
        assert (out / sheet).is_file()
    assert model.summary()["posts"] == 3


def test_seed_sheet_lists_unsupported_claims_and_every_spam_link(store, tmp_path):
    out = tmp_path / "reports"
    model = build_reports(store, out, progress=False)
    row = model.articles.set_index("canonical_url").loc[SEED_URL]
    page = (out / row["sheet"]).read_text(encoding="utf-8")
    marks = re.findall(r'<mark class="claim (u|s) [^"]*"[^>]*>(.*?)<a class="ref"', page, flags=re.S)
    unsupported = " ".join(text for kind, text in marks if kind == "u")
    for needle in ("seborrheic dermatitis, and psoriasis", "minimally invasive and has a low risk of complications",
                   "increase blood flow to the hair follicles"):
        assert needle in unsupported
    assert sum(kind == "s" for kind, _ in marks) == 1
    spam_section = page.split('id="spam"', 1)[1].split('id="other-links"', 1)[0]
    for link in seed_audit().extraction.links:
        assert (link.href in spam_section) == link.spam
    body = page.split('id="body"', 1)[1].split("</article>", 1)[0]
    assert "Best online slots" not in body and "Velgen" not in body


def test_status_and_triage_carry_across_runs(store, tmp_path):
    seed_claims = seed_audit().claims.claims
    dismissed = seed_claims[1]  # the psoriasis sentence
    store.set_triage(SEED_URL, sentence_key(dismissed.sentence), "false_alarm", "editor checked")
    pages = sample_pages()
    # Run 2: the seed post changes (one flag reworded), the others come back unchanged.
    reworded = replace(seed_claims[2], sentence=seed_claims[2].sentence)  # unchanged sentence
    seed = pages[0].audit
    new_text = seed.extraction.text + "\n\nThis serum reverses hair loss in two weeks."
    extra = replace(seed_claims[0], sentence="This serum reverses hair loss in two weeks.",
                    start=new_text.index("This serum"), end=len(new_text), category="absolute_or_guarantee")
    pages[0].audit = replace(seed, extraction=replace(seed.extraction, text=new_text),
                             claims=replace(seed.claims, claims=[*seed_claims, extra]))
    run_id = store.start_run("run", [])
    store.save_fetch(run_id, fetched(pages[0], b"<html>v2</html>"))
    for page in pages[1:]:
        store.save_fetch(run_id, fetched(page))
    with store.engine.connect() as conn:
        seed_id = conn.exec_driver_sql("SELECT id FROM pages WHERE canonical_url = ?", (SEED_URL,)).scalar()
    store.save_audit(run_id, seed_id, pages[0].audit)
    store.finish_run(run_id, {})
    assert reworded.sentence in new_text

    model = build_reports(store, tmp_path / "r2", progress=False)
    status = model.articles.set_index("canonical_url")["status"]
    assert status[SEED_URL] == "changed" and status[HOSTILE_URL] == "unchanged"
    claims = model.claims[model.claims["canonical_url"] == SEED_URL].set_index("sentence")
    assert claims.loc[dismissed.sentence, "triage_status"] == "false_alarm"
    assert claims.loc[dismissed.sentence, "triage_note"] == "editor checked"
    assert claims.loc[dismissed.sentence, "flag_id"] == flag_id(SEED_URL, sentence_key(dismissed.sentence))
    changes = model.changes
    new_flags = changes[changes["change"] == "new_flag"]
    assert list(new_flags["detail"]) == [extra.sentence]
    assert dismissed.sentence not in set(changes["detail"])
    assert model.previous_run == 1 and model.report_run == run_id
    seed_row = model.articles.set_index("canonical_url").loc[SEED_URL]
    assert seed_row["dismissed_flags"] == 1 and seed_row["open_flags"] == seed_row["unsupported_claims"] - 1
    html = (tmp_path / "r2" / "changes.html").read_text(encoding="utf-8")
    assert "This serum reverses hair loss in two weeks." in html


def test_gone_pages_stay_in_the_articles_table(store, tmp_path):
    run_id = store.start_run("run", ["wp-skin"])
    store.mark_gone(run_id, "wp-skin")
    store.finish_run(run_id, {})
    model = build_reports(store, tmp_path / "r", progress=False)
    assert model.articles.set_index("site").loc["wp-skin", "status"] == "gone"
    assert model.summary()["gone"] == 1 and model.summary()["posts"] == 2
    assert "gone_article" in set(model.changes["change"])


def test_workbook_has_a_sheet_per_table_and_no_formula(store, tmp_path):
    out = tmp_path / "reports"
    build_reports(store, out, progress=False)
    workbook = load_workbook(out / "report.xlsx", read_only=True)
    assert workbook.sheetnames == ["articles", "claims", "links", "sites", "runs", "changes"]
    rows = list(workbook["articles"].iter_rows(values_only=True))
    assert rows[0][: len(ARTICLE_COLUMNS)] == tuple(ARTICLE_COLUMNS)
    assert len(rows) == 4
    with zipfile.ZipFile(out / "report.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)
    authors = {row[ARTICLE_COLUMNS.index("author")] for row in rows[1:]}
    assert '=HYPERLINK("https://evil.example","x")' in authors


def test_json_holds_summary_and_tables(store, tmp_path):
    out = tmp_path / "reports"
    model = build_reports(store, out, progress=False)
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["summary"] == model.summary()
    assert set(data["tables"]) == {"articles", "claims", "links", "sites", "runs", "changes"}
    assert len(data["tables"]["articles"]) == 3


def test_summary_line_gives_posts_claims_by_label_and_spam(store, tmp_path):
    line = build_reports(store, tmp_path / "r", progress=False).summary_line()
    assert "\n" not in line
    assert line.startswith("3 posts") and "4 unsupported" in line and "2 supported or hedged" in line
    assert "6 spam links" in line


def test_rebuilding_removes_stale_sheets(store, tmp_path):
    out = tmp_path / "r"
    (out / "articles").mkdir(parents=True)
    (out / "articles" / "old-00000000.html").write_text("old")
    build_reports(store, out, progress=False)
    assert not (out / "articles" / "old-00000000.html").exists()


def test_empty_store_still_reports(tmp_path):
    model = build_reports(Store(tmp_path / "empty.sqlite"), tmp_path / "r", progress=False)
    assert model.summary()["posts"] == 0
    assert "No article in the store yet." in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert list(pd.read_csv(tmp_path / "r" / "articles.csv").columns) == ARTICLE_COLUMNS


def test_check_page_is_a_standalone_sheet():
    page = render_check_page(seed_audit())
    assert page.startswith("<!doctype html>")
    assert page.count('<mark class="claim u') == 3 + 1  # three flags and the legend
    assert 'href="../' not in page and "Changes</a>" not in page
    assert "https://casino-bonus.example/slots" in page


# -- hostile input ---------------------------------------------------------------------------------

def report_pages(out: Path) -> list[Path]:
    return [out / "index.html", out / "changes.html", *sorted((out / "articles").glob("*.html"))]


def assert_inert(page: str, name: str) -> None:
    """Parsed as a browser would: only our own script, style and sandboxed preview frame survive."""
    for document in [page, *(doc for doc in re.findall(r'srcdoc="([^"]*)"', page) if doc.strip())]:
        if document is not page:
            document = html.unescape(document)
        tree = lxml.html.document_fromstring(document)
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute, value in element.attrib.items():
                assert not attribute.lower().startswith("on"), f"{name}: {element.tag} {attribute}"
                if attribute in ("href", "src", "action", "formaction"):
                    assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), name
            assert element.tag not in ("base", "form", "object", "embed"), f"{name}: {element.tag}"
            if document is page:  # the cleaned article (in srcdoc) keeps its images, nothing else may
                assert element.tag != "img", f"{name}: {element.tag}"
            else:
                assert element.tag not in ("input", "textarea", "button", "select"), f"{name}: {element.tag}"
            if element.tag == "meta":
                assert element.get("http-equiv", "").lower() != "refresh", name
        expected = (1, 1) if document is page else (0, 0)
        assert (len(tree.findall(".//script")), len(tree.findall(".//style"))) == expected, name
        frames = tree.findall(".//iframe")
        assert all(frame.get("sandbox") == "" and frame.get("src") is None for frame in frames), name
    assert "\u202e" not in page, name


def test_hostile_page_is_escaped_in_every_report(store, tmp_path):
    out = tmp_path / "reports"
    build_reports(store, out, progress=False)
    for path in report_pages(out):
        assert_inert(path.read_text(encoding="utf-8"), path.name)
    assert_inert(render_check_page(hostile_audit()), "check page")


def test_hostile_title_is_shown_as_text(store, tmp_path):
    out = tmp_path / "reports"
    model = build_reports(store, out, progress=False)
    sheet = model.articles.set_index("canonical_url").loc[HOSTILE_URL, "sheet"]
    page = (out / sheet).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in dashboard
    assert Path(sheet).name.replace(".html", "").replace("-", "").isalnum()


def test_process_pool_writes_the_same_files(store, tmp_path, monkeypatch):
    import audit.reports as reports

    serial = tmp_path / "serial"
    parallel = tmp_path / "parallel"
    build_reports(store, serial, progress=False, generated_at="2026-01-05T10:00:00+00:00", workers=1)
    monkeypatch.setattr(reports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(reports, "SHEETS_PER_TASK", 1)
    build_reports(store, parallel, progress=False, generated_at="2026-01-05T10:00:00+00:00", workers=2)
    names = sorted(str(p.relative_to(serial)) for p in serial.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(parallel)) for p in parallel.rglob("*") if p.is_file())
    for name in names:
        if name != "report.xlsx":  # zip timestamps differ
            assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name


def test_check_format_html_prints_an_inert_sheet(tmp_path, capsys):
    from audit.cli import main

    page = tmp_path / "hostile.html"
    page.write_text('<html><head><title><script>alert(1)</script>Evil</title></head><body onload=alert(2)>'
                    '<article><h1>Retinol</h1><p>This cream cures eczema in a week. <a href="javascript:alert(3)">'
                    'x</a></p><p>It is 100% safe for everyone and guaranteed to work.</p></article><footer>'
                    '<a href="https://casino.example/">best casino bonus</a></footer></body></html>')
    assert main(["check", str(page), "--url", "https://evil.example/p.html", "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!doctype html>")
    assert_inert(out, "check --format html")
    assert '<mark class="claim u' in out


def test_workbook_loads_fully(store, tmp_path):
    build_reports(store, tmp_path / "r", progress=False)
    workbook = load_workbook(tmp_path / "r" / "report.xlsx")  # not read-only: styles, views, filters parsed
    sheet = workbook["claims"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].font.b


def test_pending_and_failed_audits_are_reported(store, tmp_path):
    run_id = store.start_run("run", ["late-blog"])
    for name in ("pending", "failed"):
        url = f"https://late.example/{name}.html"
        store.save_fetch(run_id, FetchedPage(url=url, canonical_url=url, site="late-blog", http_status=200,
                                             fetched_at="2026-01-05T09:00:00+00:00", html=b"<html></html>"))
    with store.engine.connect() as conn:
        failed = conn.exec_driver_sql("SELECT id FROM pages WHERE url LIKE '%failed%'").scalar()
    store.save_audit_error(failed, "UnusableInput: empty page <script>alert(1)</script>")
    store.finish_run(run_id, {})
    out = tmp_path / "r"
    model = build_reports(store, out, progress=False)
    rows = model.articles.set_index("canonical_url")
    assert rows.loc["https://late.example/pending.html", "audit_status"] == "pending"
    assert pd.isna(rows.loc["https://late.example/failed.html", "quality"])
    assert model.sites.set_index("site").loc["late-blog", "errors"] == 1
    page = (out / rows.loc["https://late.example/failed.html", "sheet"]).read_text(encoding="utf-8")
    assert "Not audited (error: UnusableInput: empty page &lt;script&gt;" in page
    assert_inert(page, "failed sheet")
