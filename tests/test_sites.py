"""The sites file: valid files load into typed SiteConfig records; every mistake is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.sites import SiteConfig, SitesFileError, demo_sites, load_sites

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "sites.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_loads():
    sites = load_sites(EXAMPLE)
    assert [s.name for s in sites] == ["glow-skin-journal", "the-scalp-lab"]
    glow = sites[0]
    assert glow.allowed_domains == ["glowskinjournal.blogspot.com"] and glow.max_pages == 1000
    assert glow.delay is None and glow.follow_archives == "auto"
    assert sites[1].delay == 2.0 and sites[1].allowed_domains == ["thescalplab.example"]


def test_minimal_site_gets_defaults(tmp_path):
    (site,) = load_sites(write(tmp_path, '[[site]]\nname = "a"\nstart_urls = ["https://A.example/x"]\n'))
    assert site == SiteConfig(name="a", start_urls=["https://A.example/x"], allowed_domains=["a.example"])
    assert site.max_pages > 0 and site.max_depth > 0 and site.max_seconds > 0


@pytest.mark.parametrize("text, message", [
    ("", "no [[site]] table"),
    ("[site]\nname = 'a'\n", "array of tables"),
    ("[[site]]\nname = 'a'\n", "missing required key 'start_urls'"),
    ("[[site]]\nstart_urls = ['https://a.example/']\n", "missing required key 'name'"),
    ("[[site]]\nname = 'a'\nstart_urls = 'https://a.example/'\n", "start_urls must be a list of URLs"),
    ("[[site]]\nname = 'a'\nstart_urls = ['ftp://a.example/']\n", "not an absolute http(s) URL"),
    ("[[site]]\nname = 'a'\nstart_urls = []\n", "must not be empty"),
    ("[[site]]\nname = 'a b'\nstart_urls = ['https://a.example/']\n", "name must be"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\nmax_pages = 'many'\n", "max_pages must be"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\nmax_pages = 0\n", "must be positive"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\nmax_pages = true\n", "max_pages must be"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\ndelay = -1\n", "must not be negative"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\nexclude = ['(']\n", "not a valid regex"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\nfollow_archives = 'sometimes'\n", "follow_archives"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\nmax_pagez = 3\n", "unknown key 'max_pagez'"),
    ("[[site]]\nname = 'a'\nstart_urls = ['https://a.example/']\n[[site]]\nname = 'a'\n"
     "start_urls = ['https://b.example/']\n", "used twice"),
    ("[[site]\nname = 'a'\n", "invalid TOML"),
    ("sites = 3\n", "unknown top-level key"),
])
def test_mistakes_are_one_line_errors(tmp_path, text, message):
    with pytest.raises(SitesFileError) as caught:
        load_sites(write(tmp_path, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "sites.toml" in str(caught.value)


def test_missing_file_directory_and_bad_bytes(tmp_path):
    with pytest.raises(SitesFileError, match="no such sites file"):
        load_sites(tmp_path / "nope.toml")
    with pytest.raises(SitesFileError, match="is a directory"):
        load_sites(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[[site]]")
    with pytest.raises(SitesFileError, match="not UTF-8"):
        load_sites(bad)


def test_run_exits_2_on_an_unusable_sites_file(tmp_path, capsys):
    from audit.cli import main

    assert main(["run", "--sites", str(tmp_path / "missing.toml"), "--store", str(tmp_path / "s.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such sites file" in err


class FakeDemo:
    sites = {"blogger": "http://127.0.0.1:9", "wordpress": "http://localhost:9"}

    def site_configs(self):
        return [{"name": "the-scalp-lab", "start_urls": ["http://localhost:9/"]},
                {"name": "glow-skin-journal", "start_urls": ["http://127.0.0.1:9/"]}]


def test_demo_sites_from_the_demo_server():
    sites = demo_sites(FakeDemo())
    assert [(s.name, s.start_urls, s.allowed_domains) for s in sites] == [
        ("glow-skin-journal", ["http://127.0.0.1:9/"], ["127.0.0.1"]),
        ("the-scalp-lab", ["http://localhost:9/"], ["localhost"]),
    ]
    assert all(s.delay == 0.0 for s in sites)
