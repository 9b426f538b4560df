"""Editor triage through the CLI: list flags, mark one, see it in the reports, keep it across runs."""

from __future__ import annotations

import pytest

from audit.cli import main
from audit.reports import build_reports
from audit.reports.model import flag_id
from audit.reports.sample import SEED_URL, sample_pages, seed_audit
from audit.store import Store, sentence_key
from test_reports import crawl


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "s.sqlite"
    store = Store(path)
    crawl(store, sample_pages())
    store.close()
    return str(path)


def seed_flag(n: int) -> tuple[str, str]:
    sentence = seed_audit().claims.claims[n].sentence
    return flag_id(SEED_URL, sentence_key(sentence)), sentence


def test_list_shows_open_unsupported_flags_with_ids(store_path, capsys):
    assert main(["triage", "--store", store_path, "list"]) == 0
    out = capsys.readouterr().out
    ident, _ = seed_flag(1)
    assert ident in out and "4 flag(s)" in out
    assert seed_flag(3)[0] not in out  # a supported claim is not a flag
    assert main(["triage", "list", "--all-claims", "--status", "any", "--store", store_path]) == 0
    assert seed_flag(3)[0] in capsys.readouterr().out


def test_mark_is_stored_reported_and_kept_across_runs(store_path, tmp_path, capsys):
    ident, sentence = seed_flag(1)
    assert main(["triage", "--store", store_path, "mark", ident[:6], "false_alarm", "--note", "cited below"]) == 0
    assert "false_alarm" in capsys.readouterr().out
    assert main(["triage", "--store", store_path, "list"]) == 0
    assert ident not in capsys.readouterr().out  # no longer open
    store = Store(store_path)
    crawl(store, sample_pages())  # run 2: the same sentences again
    model = build_reports(store, tmp_path / "r", progress=False)
    row = model.claims.set_index("flag_id").loc[ident]
    assert (row["triage_status"], row["triage_note"]) == ("false_alarm", "cited below")
    sheet = (tmp_path / "r" / model.articles.set_index("canonical_url").loc[SEED_URL, "sheet"]).read_text()
    assert "t-false_alarm" in sheet and "cited below" in sheet
    assert "false_alarm" in (tmp_path / "r" / "claims.csv").read_text()
    store.close()


def test_unknown_or_ambiguous_flags_are_usage_errors(store_path, capsys):
    assert main(["triage", "--store", store_path, "mark", "zzzzzz", "fixed"]) == 2
    assert "no flag" in capsys.readouterr().err
    assert main(["triage", "--store", store_path, "mark", "ab", "fixed"]) == 2
    with pytest.raises(SystemExit):
        main(["triage", "--store", store_path, "mark", seed_flag(0)[0], "maybe"])
