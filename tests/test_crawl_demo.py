"""The whole demo: ``skinaudit run --demo`` serves the bundled blogs on 127.0.0.1, crawls them over
HTTP, audits every post and writes the reports; the store is then checked against
``data/demo-site/expected.json``: how many posts, flagged claims and spam links the run finds.

A second run on the same store must fetch nothing new: every post is unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit.store import Store, claims, links, pages, runs

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "data" / "demo-site" / "expected.json"
BIN = Path(sys.executable).parent


def run_demo(workdir: Path) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "skinaudit"), "run", "--demo", "--store", str(workdir / "demo.sqlite"),
           "--reports", str(workdir / "reports")]
    result = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def expected() -> dict:
    if not EXPECTED.exists():
        pytest.skip("data/demo-site/expected.json is not there")
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory, expected):
    workdir = tmp_path_factory.mktemp("demo")
    first = run_demo(workdir)
    store = Store(workdir / "demo.sqlite")
    with store.engine.connect() as conn:
        state = {
            "pages": conn.execute(sa.select(pages.c.site, pages.c.canonical_url, pages.c.audit_status)).all(),
            "spam": conn.execute(sa.select(pages.c.canonical_url, links.c.href)
                                 .select_from(links.join(pages, links.c.page_id == pages.c.id))
                                 .where(links.c.spam.is_(True))).all(),
            "claims": conn.execute(sa.select(claims.c.label, claims.c.sentence)).all(),
            "counts": json.loads(conn.execute(sa.select(runs.c.counts).order_by(runs.c.id)).first()[0]),
        }
    second = run_demo(workdir)
    with store.engine.connect() as conn:
        state["counts2"] = json.loads(conn.execute(sa.select(runs.c.counts).order_by(runs.c.id.desc())).first()[0])
    store.close()
    state.update(workdir=workdir, stderr=first.stderr, stderr2=second.stderr)
    return state


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_every_post_is_stored_once_under_its_canonical_url(demo, expected):
    for key, site in expected["sites"].items():
        stored = sorted(path_of(url) for name, url, _ in demo["pages"] if name == site["name"])
        assert stored == sorted(site["post_paths"]), key
    assert len(demo["pages"]) == expected["totals"]["posts"]
    assert {status for _, _, status in demo["pages"]} == {"done"}


def test_archives_and_duplicate_urls_are_not_stored(demo, expected):
    stored = {path_of(url) for _, url, _ in demo["pages"]}
    for site in expected["sites"].values():
        assert not stored & set(site["archives"])
        assert not stored & set(site["duplicates"])


def test_spam_links_found(demo, expected):
    found = Counter((path_of(url), href) for url, href in demo["spam"])
    written = Counter((post["path"], href) for site in expected["sites"].values() for post in site["posts"]
                      for href in post["spam_links"])
    assert not written - found and not found - written, {"missed": sorted(written - found),
                                                         "not spam": sorted(found - written)}
    assert sum(found.values()) == expected["totals"]["spam_links_on_posts"]
    assert len({href for _, href in found}) == expected["totals"]["unique_spam_hrefs"]


def test_claims_flagged(demo, expected):
    by_label = Counter(label for label, _ in demo["claims"])
    want = expected["totals"]["claim_sentences"]
    flagged = {" ".join(sentence.split()) for label, sentence in demo["claims"] if label == "unsupported_claim"}
    written = [" ".join(s.split()) for site in expected["sites"].values() for post in site["posts"]
               for s in post["claims"].get("unsupported", [])]
    found = [s for s in written if any(s in f or f in s for f in flagged)]
    # Most sentences written as unsupported claims are flagged and the number of flags stays near the
    # number of such sentences. This checks the stages are wired end to end over HTTP; the claim
    # stage's own table tests and evaluation gate hold its precision and recall to tighter floors.
    assert len(found) >= 0.75 * len(written), sorted(set(written) - set(found))[:5]
    assert want["unsupported"] * 0.75 <= by_label["unsupported_claim"] <= want["unsupported"] * 1.25
    assert by_label["supported_or_hedged_claim"] >= 0.6 * (want["hedged"] + want["sourced"])


def test_run_counts_and_second_run_is_all_unchanged(demo, expected):
    for key, site in expected["sites"].items():
        first, second = demo["counts"][site["name"]], demo["counts2"][site["name"]]
        n = expected["totals"]["posts_per_site"][key]
        assert (first["new"], first["complete"], first["errors"], first["blocked"]) == (n, 1, 0, 0)
        assert (second["new"], second["changed"], second["unchanged"], second["gone"]) == (0, 0, n, 0)
    assert "reports/index.html" in demo["stderr"].replace("\\", "/")
