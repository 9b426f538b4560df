"""Editor triage from the command line: list flags, mark them accepted, false alarm or fixed.

    skinaudit triage list                                   # open unsupported-claim flags, with ids
    skinaudit triage mark 3f2a9c1b7d false_alarm --note "sourced two lines up (JAAD 2019)"
    skinaudit report                                        # sheets and tables show the status

A decision is stored in the store's ``triage`` table under (canonical URL, sentence hash), so it
applies to every later run for as long as the sentence is unchanged; when an author rewrites the
sentence its hash changes and the new wording is flagged afresh. The flag id the reports print is
a short hash of the same two keys (``model.flag_id``); any unique prefix of it is accepted.

Why a CLI rather than a review server: the reports are static files that work from file:// and
from any file share, and the CLI works wherever the store is (SQLite file or a team's PostgreSQL),
over SSH and in scripts, with no port to open, no login and no cross-site request to defend.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from audit import store as st
from audit.reports.model import TRIAGE_STATUSES, flag_id

EXIT_OK, EXIT_USAGE = 0, 2
SENTENCE_WIDTH = 90


def add_triage_arguments(parser: argparse.ArgumentParser) -> None:
    """``triage list`` and ``triage mark`` (the CLI adds ``--store`` to ``parser`` itself)."""
    sub = parser.add_subparsers(dest="triage_action", required=True, metavar="{list,mark}")
    listing = sub.add_parser("list", help="list flags with their ids and triage status")
    listing.add_argument("--status", choices=(*TRIAGE_STATUSES, "any"), default="open",
                         help="only flags with this status (default %(default)s)")
    listing.add_argument("--site", help="only this site")
    listing.add_argument("--url", help="only this article (canonical URL)")
    listing.add_argument("--all-claims", action="store_true",
                         help="include supported or hedged claims, not only unsupported ones")
    mark = sub.add_parser("mark", help="set the triage status of one or more flags")
    mark.add_argument("flags", nargs="+", metavar="FLAG", help="flag id (or a unique prefix) from the reports")
    mark.add_argument("status", choices=TRIAGE_STATUSES, help="the decision")
    mark.add_argument("--note", default="", help="why (shown in the reports)")
    for p in (listing, mark):  # accept --store after the action too
        p.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def flags_frame(store: st.Store) -> pd.DataFrame:
    """Every claim of the store with its flag id, article and current triage status."""
    heavy = tuple(c.name for c in st.pages.c if c.name not in ("id", "canonical_url", "site", "title"))
    pages = store.frame(st.pages, drop=heavy).rename(columns={"id": "page_id"})
    claims = store.frame(st.claims, drop=("rule_ids", "reasons", "suggestion", "hedge", "source", "trigger"))
    triage = store.frame(st.triage).rename(columns={"status": "triage_status", "note": "triage_note"})
    flags = claims.merge(pages, on="page_id").merge(triage, on=["canonical_url", "sentence_hash"], how="left")
    flags["triage_status"] = flags["triage_status"].fillna("open")
    flags["triage_note"] = flags["triage_note"].fillna("")
    flags["flag_id"] = [flag_id(u, h) for u, h in zip(flags["canonical_url"], flags["sentence_hash"])]
    return flags.sort_values(["site", "canonical_url", "position"], kind="stable").reset_index(drop=True)


def list_flags(flags: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    keep = pd.Series(True, index=flags.index)
    if not args.all_claims:
        keep &= flags["label"] == "unsupported_claim"
    if args.status != "any":
        keep &= flags["triage_status"] == args.status
    if args.site:
        keep &= flags["site"] == args.site
    if args.url:
        keep &= flags["canonical_url"] == args.url
    return flags[keep]


def _short(text: str, width: int = SENTENCE_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_flags(rows: pd.DataFrame, out=None) -> None:
    out = out or sys.stdout
    current = None
    for row in rows.itertuples():
        if row.canonical_url != current:
            current = row.canonical_url
            out.write(f"\n{row.site} · {_short(row.title or '', 60)}\n  {row.canonical_url}\n")
        note = f"  — {row.triage_note}" if row.triage_note else ""
        out.write(f"  {row.flag_id}  {row.triage_status:<11} {row.category:<22} {_short(row.sentence)}{note}\n")
    out.write(f"\n{len(rows)} flag(s)\n")


def resolve(flags: pd.DataFrame, wanted: str) -> pd.Series | str:
    """The flag with this id or unique id prefix, or an error message."""
    wanted = wanted.strip().lower()
    if len(wanted) < 4:
        return f"flag id {wanted!r} is too short (give at least 4 characters)"
    hits = flags[flags["flag_id"].str.startswith(wanted)].drop_duplicates(["canonical_url", "sentence_hash"])
    if hits.empty:
        return f"no flag {wanted!r} in the store (see `skinaudit triage list --status any`)"
    if len(hits) > 1:
        return f"flag id {wanted!r} is ambiguous ({len(hits)} flags); give more characters"
    return hits.iloc[0]


def triage_command(args: argparse.Namespace) -> int:
    store = st.Store(args.store)
    try:
        flags = flags_frame(store)
        if args.triage_action == "list":
            print_flags(list_flags(flags, args))
            return EXIT_OK
        found = [resolve(flags, wanted) for wanted in args.flags]
        errors = [f for f in found if isinstance(f, str)]
        if errors:
            print(f"skinaudit: {errors[0]}", file=sys.stderr)
            return EXIT_USAGE
        for flag in found:
            store.set_triage(flag["canonical_url"], flag["sentence_hash"], args.status, args.note)
            print(f"{flag['flag_id']}  {args.status:<11} {_short(flag['sentence'])}")
        return EXIT_OK
    finally:
        store.close()
