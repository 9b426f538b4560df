"""Reports on real audit output: stored pages → ``audit_pending`` (extraction + claims) → reports.

The seed post of the demo blog must get a vetting sheet that highlights its unsupported claims and
lists every spam link of its page, with none of the spam titles in its body; a hostile page must
come out inert.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audit.reports import build_reports
from audit.store import FetchedPage, Store
from test_reports import assert_inert, report_pages

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo-site"
SEED_PATH = "/2024/05/scalp-microneedling-guide.html"
ORIGIN = "https://glowskin.demo.invalid"

HOSTILE_HTML = """<!doctype html><html><head>
<title><script>alert('t')</script>Retinol &lt;b&gt;miracle&lt;/b&gt;</title>
<meta property="og:title" content="&quot;><script>alert('og')</script>">
<style>body{display:none}</style><base href="javascript:alert('base')//">
</head><body onload="alert('body')">
<header><nav><a href="/">Home</a> <a href="javascript:alert('nav')">Menu</a></nav></header>
<article class="post"><h1 onclick="alert('h1')">Retinol <img src=x onerror="alert('img')"> guide</h1>
<p style="position:fixed;top:0;left:0;width:100%;height:100%;background:red">This cream cures eczema in a week and is 100% safe for everyone.</p>
<p>Read the <a href="https://evil.example/study" onmouseover="alert('a')">study</a>. <script>alert('inline')</script></p>
<p>Dermatologists agree it is the best retinol ever made &lt;script&gt;alert('text')&lt;/script&gt;.</p>
<iframe src="https://evil.example/frame"></iframe><svg onload="alert('svg')"><circle r="4"/></svg>
</article>
<aside class="sidebar"><div class="widget"><h3>Popular posts</h3>
<a href="https://casino.example/slots"><b onmouseover="alert('anchor')">Best online casino slots</b></a>
<a href="https://pills.example/" style="display:none">cheap pills</a></div></aside>
<footer>Theme by <a href="https://seo-links.example/">&lt;img src=x onerror=alert(1)&gt;</a></footer>
</body></html>"""


def save(store: Store, run_id: int, url: str, site: str, html: bytes) -> None:
    store.save_fetch(run_id, FetchedPage(url=url, canonical_url=url, site=site, http_status=200,
                                         fetched_at="2026-01-05T09:00:00+00:00", html=html))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    worker = pytest.importorskip("audit.worker")
    seed_file = DEMO / "blogger" / SEED_PATH.lstrip("/")
    if not seed_file.exists():
        pytest.skip(f"the demo blog's seed post is missing ({seed_file})")
    tmp = tmp_path_factory.mktemp("pipeline")
    store = Store(tmp / "s.sqlite")
    run_id = store.start_run("run", ["glow-skin-journal", "evil-blog"])
    save(store, run_id, ORIGIN + SEED_PATH, "glow-skin-journal", seed_file.read_bytes())
    save(store, run_id, "https://evil.example/2024/06/retinol.html", "evil-blog", HOSTILE_HTML.encode())
    summary = worker.audit_pending(store, run_id, progress=False)
    store.finish_run(run_id, {})
    assert summary.errors == 0
    model = build_reports(store, tmp / "reports", progress=False)
    yield tmp / "reports", model
    store.close()


def expected_seed() -> dict:
    data = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
    return next(p for p in data["sites"]["blogger"]["posts"] if p["path"] == SEED_PATH)


def test_seed_sheet_lists_its_unsupported_claims(built):
    out, model = built
    page = (out / model.articles.set_index("canonical_url").loc[ORIGIN + SEED_PATH, "sheet"]).read_text()
    body = page.split('id="body"', 1)[1].split("</article>", 1)[0]
    unsupported = " ".join(re.findall(r'<mark class="claim u [^"]*"[^>]*>(.*?)<a class="ref"', body, flags=re.S))
    for needle in ("dandruff, seborrheic dermatitis, and psoriasis",
                   "minimally invasive and has a low risk of complications",
                   "increase blood flow to the hair follicles",
                   "strengthen the hair follicles"):
        assert needle in unsupported, needle


def test_seed_sheet_lists_every_spam_link_and_keeps_them_out_of_the_body(built):
    out, model = built
    url = ORIGIN + SEED_PATH
    page = (out / model.articles.set_index("canonical_url").loc[url, "sheet"]).read_text()
    spam_section = page.split('id="spam"', 1)[1].split('id="other-links"', 1)[0]
    expected = expected_seed()["spam_links"]
    for href in set(expected):
        assert spam_section.count(f"<code>{href}</code>") == expected.count(href), href
    body = page.split('id="body"', 1)[1].split("</article>", 1)[0]
    clean = page.split('id="clean-source"', 1)[1]
    spam_titles = model.links[(model.links["canonical_url"] == url) & model.links["spam"]]["text"]
    for title in set(spam_titles):
        if len(title) > 12:
            assert title not in body and title not in clean, title


def test_real_hostile_page_is_inert_in_every_report(built):
    out, _ = built
    for path in report_pages(out):
        assert_inert(path.read_text(encoding="utf-8"), path.name)
