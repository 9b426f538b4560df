"""``skinaudit schedule``: a cron line and a systemd service + timer pair for scheduled runs.

Each scheduled run is ``skinaudit run --sites FILE``: it recrawls incrementally (conditional
requests, sitemap lastmod), audits only new and changed articles and rewrites the reports.
``--write DIR`` writes ``skinaudit.cron``, ``skinaudit.service`` and ``skinaudit.timer`` into DIR
(install with ``crontab skinaudit.cron``, or copy the units to ``~/.config/systemd/user/`` and run
``systemctl --user enable --now skinaudit.timer``).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path

#: --every presets: (cron fields, systemd OnCalendar) — %M / %H are the --at minute and hour.
PRESETS = {
    "hourly": ("{m} * * * *", "*-*-* *:{m:02d}:00"),
    "daily": ("{m} {h} * * *", "*-*-* {h:02d}:{m:02d}:00"),
    "weekly": ("{m} {h} * * 1", "Mon *-*-* {h:02d}:{m:02d}:00"),
}
AT_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def add_schedule_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sites", default="sites.toml", help="sites TOML file (default %(default)s)")
    parser.add_argument("--every", choices=sorted(PRESETS), default="daily", help="how often (default %(default)s)")
    parser.add_argument("--at", default="03:17", help="HH:MM for daily and weekly runs; the minute for hourly "
                                                      "(default %(default)s, off the busy hour)")
    parser.add_argument("--store", default="data/skinaudit.sqlite", help="store (default %(default)s)")
    parser.add_argument("--reports", default="reports", help="reports folder (default %(default)s)")
    parser.add_argument("--workdir", default=None, help="project folder the run starts in (default: current)")
    parser.add_argument("--contact", default=None, help="e-mail or URL put in the User-Agent (SKINAUDIT_CONTACT)")
    parser.add_argument("--write", metavar="DIR", default=None, help="write skinaudit.cron/.service/.timer into DIR")


def _command(args: argparse.Namespace, workdir: Path) -> list[str]:
    exe = Path(sys.executable).with_name("skinaudit")
    program = str(exe) if exe.exists() else "skinaudit"
    return [program, "run", "--sites", args.sites, "--store", args.store, "--reports", args.reports]


def render(args: argparse.Namespace) -> dict[str, str]:
    """The three files, by name."""
    match = AT_RE.match(args.at)
    if not match:
        raise ValueError(f"--at must be HH:MM, got {args.at!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    cron_fields, calendar = (p.format(h=hour, m=minute) for p in PRESETS[args.every])
    workdir = Path(args.workdir or ".").resolve()
    command = _command(args, workdir)
    contact = args.contact
    env = f"SKINAUDIT_CONTACT={shlex.quote(contact)} " if contact else ""
    cron = (f"# skinaudit: {args.every} incremental crawl, audit and reports\n"
            f"{cron_fields} cd {shlex.quote(str(workdir))} && {env}{shlex.join(command)} "
            f">> data/logs/scheduled.log 2>&1\n")
    service = "\n".join([
        "[Unit]",
        "Description=skinaudit: incremental crawl, audit and reports",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={workdir}",
        *([f"Environment=SKINAUDIT_CONTACT={contact}"] if contact else []),
        f"ExecStart={shlex.join(command)}",
        "Nice=10",
        "TimeoutStartSec=6h",
        "",
    ])
    timer = "\n".join([
        "[Unit]",
        f"Description=Run skinaudit {args.every}",
        "",
        "[Timer]",
        f"OnCalendar={calendar}",
        "Persistent=true",
        "RandomizedDelaySec=10min",
        "Unit=skinaudit.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])
    return {"skinaudit.cron": cron, "skinaudit.service": service, "skinaudit.timer": timer}


def schedule_command(args: argparse.Namespace) -> int:
    try:
        files = render(args)
    except ValueError as exc:
        print(f"skinaudit: {exc}", file=sys.stderr)
        return 2
    if args.write:
        out = Path(args.write)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (out / name).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"skinaudit: cannot write to {out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"wrote {', '.join(str(out / name) for name in files)}")
        print(f"install: crontab {out / 'skinaudit.cron'}   or   cp {out}/skinaudit.service {out}/skinaudit.timer "
              "~/.config/systemd/user/ && systemctl --user enable --now skinaudit.timer")
        return 0
    for name, text in files.items():
        print(f"# ---- {name}")
        print(text.rstrip("\n"))
    return 0
