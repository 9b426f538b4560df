"""The reports in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

Opens the dashboard from file://, sorts and filters the articles table, opens an article sheet and
finds its highlighted claims, and checks that a hostile page runs no code and moves no layout in
any report. Screenshots go to tests/artifacts/ (git-ignored; CI keeps them as artefacts). Every
request that is not file:// is aborted and counted: the reports must not need the network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from audit.reports import write_reports
from audit.reports.html import render_check_page
from audit.reports.model import build_model
from audit.reports.sample import HOSTILE_URL, SEED_URL, hostile_audit, sample_frames

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SKINAUDIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
ARTIFACTS = Path(__file__).parent / "artifacts"

if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip(f"browser test skipped: Chromium not found at {CHROMIUM} (install Debian's `chromium`, "
                "e.g. `make services`; CI's .ci/run does)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser test skipped: playwright is not installed")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("reports")
    model = build_model(sample_frames(), generated_at="2026-01-05T10:00:00+00:00")
    write_reports(model, out, progress=False)
    (out / "check.html").write_text(render_check_page(hostile_audit()), encoding="utf-8")
    return out, model


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                              else shutil.which("chromium"), args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Watched:
    """A page with every dialog, page error and off-file request recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=True)
        self.page = self.context.new_page()
        self.dialogs, self.errors, self.requests, self.console = [], [], [], []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.context.route("**/*", self._route)

    def _route(self, route):
        if route.request.url.startswith(("file://", "about:", "data:")):
            return route.continue_()
        self.requests.append(route.request.url)
        return route.abort()

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def column_values(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr:not(.hidden-row)",
        f"rows => rows.map(r => r.cells[{index}].getAttribute('data-v') ?? r.cells[{index}].textContent.trim())")


def test_dashboard_sorts_filters_and_opens_a_sheet(reports, watched):
    out, model = reports
    page = watched.open(out / "index.html")
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert page.locator("#articles-table tbody tr").count() == len(model.articles)
    assert page.locator(".chart svg rect.bar").count() >= 10

    quality = page.locator("#articles-table thead th", has_text="Quality").locator("button")
    quality.click()
    values = [int(v) for v in column_values(page, "articles-table", 9)]
    assert values == sorted(values)
    quality.click()
    values = [int(v) for v in column_values(page, "articles-table", 9)]
    assert values == sorted(values, reverse=True)
    assert page.locator("#articles-table thead th", has_text="Quality").get_attribute("aria-sort") == "descending"
    page.screenshot(path=str(ARTIFACTS / "dashboard-sorted.png"), full_page=True)

    page.fill("input[data-filter='articles-table']", "gentle")
    assert page.locator("#articles-table tbody tr:not(.hidden-row)").count() == 1
    page.fill("input[data-filter='articles-table']", "")
    page.select_option("select[data-key='site']", "glow-skin-journal")
    assert page.locator("#articles-table tbody tr:not(.hidden-row)").count() == 1

    seed_title = model.articles.set_index("canonical_url").loc[SEED_URL, "title"]
    page.get_by_role("link", name=seed_title).click()
    page.wait_for_load_state("load")
    assert page.url.endswith(model.articles.set_index("canonical_url").loc[SEED_URL, "sheet"])
    unsupported = page.locator("article.body mark.claim.u")
    supported = page.locator("article.body mark.claim.s")
    assert unsupported.count() == 3 and supported.count() == 1
    texts = " ".join(unsupported.all_inner_texts())
    assert "psoriasis" in texts and "low risk of complications" in texts and "blood flow" in texts
    psoriasis = page.locator("article.body mark.claim", has_text="psoriasis")
    assert "claims to treat named diseases" in psoriasis.get_attribute("title")
    colour = psoriasis.evaluate("m => getComputedStyle(m).backgroundColor")
    hedged = supported.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour != hedged  # unsupported and supported claims look different
    dismissed = page.locator("article.body mark.claim.t-false_alarm")
    assert dismissed.count() == 1 and "line-through" in dismissed.evaluate("m => getComputedStyle(m).textDecoration")
    assert page.locator("#spam-table tbody tr").count() == 3
    page.frame_locator("iframe.preview").locator("p").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "article-sheet.png"), full_page=True)
    assert watched.dialogs == [] and watched.errors == [] and watched.requests == []


def layout(page) -> dict:
    return page.evaluate("""() => {
        const box = s => { const e = document.querySelector(s); if (!e) return null;
                           const r = e.getBoundingClientRect(); return [r.x, r.y, r.width]; };
        const fixed = [...document.querySelectorAll('*')].filter(e => {
            const p = getComputedStyle(e).position; return p === 'fixed' || p === 'absolute'; }).length;
        return {header: box('header.top'), main: box('main'), h1: box('h1'),
                overflowX: document.documentElement.scrollWidth > window.innerWidth,
                bodyVisible: getComputedStyle(document.body).display !== 'none'
                             && getComputedStyle(document.querySelector('main')).visibility !== 'hidden',
                scripts: document.scripts.length, styles: document.querySelectorAll('style').length,
                fixed, handlers: [...document.querySelectorAll('*')].filter(
                    e => [...e.attributes].some(a => a.name.startsWith('on'))).length};
    }""")


def test_hostile_page_cannot_run_code_or_move_layout(reports, watched):
    out, model = reports
    sheets = model.articles.set_index("canonical_url")["sheet"]
    benign = layout(watched.open(out / sheets[SEED_URL]))
    pages = [out / "index.html", out / "changes.html", out / sheets[HOSTILE_URL], out / "check.html"]
    for path in pages:
        page = watched.open(path)
        page.wait_for_timeout(200)
        for button in page.locator("th button").all()[:3]:
            button.click()
        page.mouse.move(200, 300)
        seen = layout(page)
        assert seen["scripts"] == 1 and seen["styles"] == 1, path.name
        assert seen["handlers"] == 0 and seen["fixed"] == 0, path.name
        assert seen["bodyVisible"] and not seen["overflowX"], path.name
        assert seen["header"][:2] == benign["header"][:2] and seen["main"][:3] == benign["main"][:3], path.name
        if path.name != "index.html":
            assert seen["h1"][0] == benign["h1"][0], path.name
        frames = page.frames[1:]
        for frame in frames:
            assert frame.evaluate("document.scripts.length") == 0
        page.screenshot(path=str(ARTIFACTS / f"hostile-{path.stem[:20]}.png"), full_page=True)
    assert watched.dialogs == [], watched.dialogs
    assert watched.errors == [], watched.errors
    assert watched.requests == [], watched.requests
    assert not any("alert" in message for message in watched.console)
