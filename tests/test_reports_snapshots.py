"""Snapshot tests: the rendered HTML and CSV of a fixed, hand-made report model.

The model comes from ``audit.reports.sample`` (hand-made audits, fixed timestamps), never from the
live claim rules, so these change only when a renderer or the model changes. After an intended
change, regenerate and review the diff:

    SKINAUDIT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_reports_snapshots.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from audit.reports import write_reports
from audit.reports.html import render_check_page
from audit.reports.model import build_model
from audit.reports.sample import sample_frames, seed_audit

SNAPSHOTS = Path(__file__).parent / "snapshots" / "reports"
UPDATE = os.environ.get("SKINAUDIT_UPDATE_SNAPSHOTS") == "1"
GENERATED_AT = "2026-01-05T10:00:00+00:00"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("snap")
    write_reports(build_model(sample_frames(), generated_at=GENERATED_AT), out, progress=False)
    (out / "check.html").write_text(render_check_page(seed_audit(), generated_at=GENERATED_AT), encoding="utf-8")
    return out


def outputs(out: Path) -> list[str]:
    names = ["index.html", "changes.html", "check.html", "articles.csv", "claims.csv", "links.csv", "sites.csv",
             "runs.csv", "changes.csv"]
    return names + sorted(f"articles/{p.name}" for p in (out / "articles").glob("*.html"))


def test_snapshot_set_is_complete(rendered):
    expected = {str(p.relative_to(SNAPSHOTS)) for p in SNAPSHOTS.rglob("*") if p.is_file()}
    if UPDATE:
        for stale in expected - set(outputs(rendered)):
            (SNAPSHOTS / stale).unlink()
        return
    assert expected == set(outputs(rendered)), "snapshots differ in name; regenerate (see module docstring)"


@pytest.mark.parametrize("name", ["index.html", "changes.html", "check.html", "articles.csv", "claims.csv",
                                  "links.csv", "sites.csv", "runs.csv", "changes.csv", "articles/*"])
def test_output_matches_snapshot(rendered, name):
    names = [n for n in outputs(rendered) if n.startswith("articles/")] if name == "articles/*" else [name]
    for each in names:
        actual = (rendered / each).read_text(encoding="utf-8")
        snapshot = SNAPSHOTS / each
        if UPDATE:
            snapshot.parent.mkdir(parents=True, exist_ok=True)
            snapshot.write_text(actual, encoding="utf-8")
            continue
        assert snapshot.exists(), f"no snapshot {snapshot}; regenerate with SKINAUDIT_UPDATE_SNAPSHOTS=1"
        expected = snapshot.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                f"snapshot/{each}", f"rendered/{each}", n=2))
            pytest.fail(f"{each} differs from its snapshot (SKINAUDIT_UPDATE_SNAPSHOTS=1 to accept):\n{diff[:4000]}")
