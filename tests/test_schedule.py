"""``skinaudit schedule``: a cron line and a systemd service + timer pair, printed or written."""

from __future__ import annotations

from audit.cli import main


def test_prints_cron_and_systemd_units(capsys):
    assert main(["schedule", "--sites", "sites.toml", "--every", "daily", "--at", "04:05",
                 "--contact", "ops@example.org"]) == 0
    out = capsys.readouterr().out
    cron = next(line for line in out.splitlines() if line.startswith("5 4 * * *"))
    assert "run --sites sites.toml" in cron and "SKINAUDIT_CONTACT=ops@example.org" in cron
    assert "[Service]" in out and "Type=oneshot" in out and "ExecStart=" in out
    assert "OnCalendar=*-*-* 04:05:00" in out and "Persistent=true" in out and "WantedBy=timers.target" in out


def test_hourly_and_weekly():
    from argparse import Namespace

    from crawler.schedule import render

    args = Namespace(sites="s.toml", every="hourly", at="00:30", store="data/x.sqlite", reports="r", workdir="/srv/sa",
                     contact=None, write=None)
    files = render(args)
    assert files["skinaudit.cron"].splitlines()[1].startswith("30 * * * * cd /srv/sa && ")
    assert "OnCalendar=*-*-* *:30:00" in files["skinaudit.timer"]
    args.every = "weekly"
    assert "OnCalendar=Mon *-*-* 00:30:00" in render(args)["skinaudit.timer"]


def test_write_dir(tmp_path, capsys):
    assert main(["schedule", "--write", str(tmp_path / "units")]) == 0
    names = sorted(p.name for p in (tmp_path / "units").iterdir())
    assert names == ["skinaudit.cron", "skinaudit.service", "skinaudit.timer"]
    assert "systemctl --user enable --now skinaudit.timer" in capsys.readouterr().out


def test_bad_time_is_a_one_line_error(capsys):
    assert main(["schedule", "--at", "25:00"]) == 2
    assert capsys.readouterr().err.strip() == "skinaudit: --at must be HH:MM, got '25:00'"
