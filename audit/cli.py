"""skinaudit's command line: argparse subcommands from a table, all work in importable functions.

Exit status: 0 on success (findings are not errors), 2 on unusable input or arguments, with a
one-line message on stderr. Stage modules are imported inside the handlers so that a quick
command (``claims``, ``check``) does not pay for importing Scrapy.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from audit.errors import UnusableInput

DEFAULT_STORE = "data/skinaudit.sqlite"
DEFAULT_REPORTS = "reports"
EXIT_OK, EXIT_USAGE = 0, 2


def fail(message: str) -> int:
    print(f"skinaudit: {' '.join(str(message).split())}", file=sys.stderr)
    return EXIT_USAGE


def read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UnusableInput(f"cannot read {path}: {exc.strerror or exc}") from exc


# -- handlers ---------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from audit.check import audit_page

    try:
        audit = audit_page(read_input(args.page), args.url)
    except UnusableInput as exc:
        return fail(exc)
    except Exception as exc:  # noqa: BLE001 - the contract is a one-line error, never a traceback
        return fail(f"cannot audit {args.page}: {exc.__class__.__name__}: {exc}")
    if args.format == "json":
        print(json.dumps(audit.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "html":
        from audit.reports.html import render_check_page

        print(render_check_page(audit))
    else:
        print(format_check_text(audit))
    return EXIT_OK


def format_check_text(audit) -> str:
    summary = audit.summary()
    lines = [f"{audit.extraction.title or '(no title)'}  —  {audit.extraction.url or ''}",
             " · ".join(f"{key} {value}" for key, value in summary.items()), ""]
    for claim in audit.claims.claims:
        lines.append(f"[{claim.label} / {claim.category}] {claim.sentence}")
        lines.append(f"    why: {'; '.join(claim.reasons)}  rules: {', '.join(claim.rule_ids)}")
        if claim.label == "unsupported_claim":
            lines.append(f"    fix: {claim.suggestion}")
    for link in (link for link in audit.extraction.links if link.spam):
        lines.append(f"[spam link / {link.region}] {link.text!r} -> {link.href}  ({', '.join(link.reasons)})")
    return "\n".join(lines)


def cmd_claims(args: argparse.Namespace) -> int:
    from audit.claims import classify_lines

    stream = sys.stdin if args.file == "-" else None
    try:
        handle = stream or open(args.file, encoding="utf-8", errors="replace")
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}")
    with handle:
        for row in classify_lines(handle):
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_serve_demo(args: argparse.Namespace) -> int:
    from audit.demo import serve_forever_cli

    return serve_forever_cli(args.port)


def cmd_run(args: argparse.Namespace) -> int:
    from audit import runner

    if args.demo:
        return runner.run_demo(store=args.store, reports=args.reports)
    if not args.sites:
        return fail("run needs --sites FILE or --demo")
    return runner.run_sites(args.sites, store=args.store, reports=args.reports)


def cmd_crawl(args: argparse.Namespace) -> int:
    from audit import runner

    return runner.crawl_only(args.sites, store=args.store, redis_url=args.redis)


def cmd_audit(args: argparse.Namespace) -> int:
    from audit import runner

    return runner.audit_only(store=args.store, workers=args.workers)


def cmd_report(args: argparse.Namespace) -> int:
    from audit import runner

    return runner.report_only(store=args.store, reports=args.reports)


def cmd_triage(args: argparse.Namespace) -> int:
    from audit.reports.triage import triage_command

    return triage_command(args)


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.schedule import schedule_command

    return schedule_command(args)


# -- the table --------------------------------------------------------------------------------


def _store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=DEFAULT_STORE, help="SQLite file or postgresql:// URL (default %(default)s)")


def _reports(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reports", default=DEFAULT_REPORTS, help="output folder (default %(default)s)")


def args_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("page", help="local HTML file, or - for stdin")
    p.add_argument("--url", default=None, help="the page's address, for resolving links")
    p.add_argument("--format", choices=("json", "text", "html"), default="json")


def args_claims(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="-", help='JSON lines {"id","text","context"} (default stdin)')


def args_serve_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")


def args_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sites", help="sites TOML file")
    p.add_argument("--demo", action="store_true", help="serve and audit the bundled demo blogs")
    _store(p)
    _reports(p)


def args_crawl(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sites", required=True, help="sites TOML file")
    p.add_argument("--redis", default=None, help="redis:// URL: run as a distributed crawl worker")
    _store(p)


def args_audit(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=1, help="audit processes (default %(default)s)")
    _store(p)


def args_report(p: argparse.ArgumentParser) -> None:
    _store(p)
    _reports(p)


def args_triage(p: argparse.ArgumentParser) -> None:
    from audit.reports.triage import add_triage_arguments

    add_triage_arguments(p)
    _store(p)


def args_schedule(p: argparse.ArgumentParser) -> None:
    from crawler.schedule import add_schedule_arguments

    add_schedule_arguments(p)


Command = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: list[Command] = [
    ("check", "audit one local HTML page (JSON, text or HTML)", args_check, cmd_check),
    ("claims", "classify sentences given as JSON lines", args_claims, cmd_claims),
    ("run", "crawl, audit and report (--sites FILE or --demo)", args_run, cmd_run),
    ("crawl", "crawl the sites into the store", args_crawl, cmd_crawl),
    ("audit", "audit new and changed pages in the store", args_audit, cmd_audit),
    ("report", "write CSV, XLSX and HTML reports from the store", args_report, cmd_report),
    ("triage", "mark a flag accepted, false alarm or fixed", args_triage, cmd_triage),
    ("schedule", "print (or write) cron and systemd units for scheduled runs", args_schedule, cmd_schedule),
    ("serve-demo", "serve the bundled demo blogs on 127.0.0.1", args_serve_demo, cmd_serve_demo),
]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that subcommand gets its arguments.

    Some argument definitions live beside their stage (triage, schedule) and importing the stage
    costs seconds (pandas); a worker started from cron should not pay for the other commands.
    """
    parser = argparse.ArgumentParser(prog="skinaudit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text, add_args, handler in COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only in (None, name):
            add_args(p)
        p.set_defaults(handler=handler)
    return parser


def chosen_command(argv: list[str]) -> str | None:
    names = {name for name, *_ in COMMANDS}
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in names else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(chosen_command(argv)).parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
