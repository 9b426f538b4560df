"""Link-spam benchmark on real pages: spam and legitimate links injected into the AEB pages.

The fixture benchmark (bench/bench_links.py) scores pages we built ourselves. This one takes the
181 real pages of ../shared/extraction/aeb and writes spam into each page's own structure (its
footer, sidebar, comment list, article container; see bench/inject.py), with anchors and domains
written for this benchmark, some of them without any shop word. Ground truth stays in memory;
nothing of the data is written into the repository.

For every injected page it runs ``audit.check.audit_page`` and prints, per placement: spam
recall (split into commercial and harmless-looking anchors), leak rate (spam anchor text found in
``text``) and the regions the links were given; per legitimate kind: the false-positive rate; the
body-extraction F1 of the injected pages against the clean ones (../shared/tools/extraction_eval.py's
shingle metric); the ten most instructive misses with the signals that fired; and the spam
verdicts on the pages' own, naturally occurring non-body links, with a sample to judge by hand.
Targets from issue 5: leak 0, recall >= 0.95, false positives <= 2 %. Exit 1 when one is missed.

Usage: python bench/bench_links_injected.py [--shared ../shared] [--pages 60] [--variants 4] [--seed 7]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import inject  # noqa: E402

FLOORS = {"leak": 0.0, "recall": 0.95, "fp": 0.02}


@dataclass(kw_only=True)
class AebPage:
    pid: str
    url: str
    html: str
    """The page decoded and round-tripped through lxml, exactly as the injected copies are written."""
    truth: str
    """The hand-made article body."""
    platform: str


@dataclass(kw_only=True)
class Judged:
    """One injected link and what the audit made of it."""

    item: inject.Injected
    found: bool
    region: str = "-"
    spam: bool = False
    reasons: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    """Signals the detector saw even when they did not add up to a verdict (see ``SignalProbe``)."""
    leaked: bool = False
    pid: str = ""


# ---------------------------------------------------------------------------
# Data


def load_pages(aeb: Path) -> list[AebPage]:
    truth = json.loads((aeb / "ground-truth.json").read_text("utf-8"))
    features_path = aeb / "page-features.json"
    features = json.loads(features_path.read_text("utf-8")) if features_path.exists() else {}
    pages = []
    for pid in sorted(truth):
        path = aeb / "html" / f"{pid}.html.gz"
        raw = gzip.decompress(path.read_bytes()) if path.exists() else (aeb / "html" / f"{pid}.html").read_bytes()
        pages.append(AebPage(pid=pid, url=truth[pid].get("url") or f"https://{pid[:12]}.example/", truth=truth[pid]["articleBody"],
                             html=inject.serialize(inject.parse(inject.decode(raw))),
                             platform=features.get(pid, {}).get("platform", "unknown")))
    return pages


def freshness() -> list[str]:
    """Injected anchors or domains that equal a rule term or a fixture anchor/domain (should be none)."""
    terms: set[str] = set()
    for name in ("spam_vocab.jsonl", "spam_signals.jsonl"):
        path = ROOT / "audit" / "rules" / name
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    terms.update(json.loads(line).get("terms", []))
    anchors, domains = set(), set()
    for path in (ROOT / "tests" / "fixtures" / "pages").glob("*.json"):
        for link in json.loads(path.read_text("utf-8")).get("links", []):
            anchors.add(link["text"])
            domains.add((urlsplit(link["href"]).hostname or "").removeprefix("www."))
    return inject.overlap_with(terms, anchors, domains)


# ---------------------------------------------------------------------------
# Scoring


class SignalProbe:
    """Records the signals ``audit.links`` computed for each link before its decision.

    A missed link carries no reasons (they are only kept with a spam verdict), so the probe
    wraps the module's ``_decide`` at run time, read-only, to show what fired but was not
    enough. When the detector no longer has that seam the column stays empty."""

    def __init__(self) -> None:
        self.seen: dict[int, list[str]] = {}
        try:
            import audit.links as links
        except ImportError:
            return
        original = getattr(links, "_decide", None)
        if original is None:
            return

        def decide(f, *args, **kwargs):
            self.seen[id(f.link)] = list(getattr(f, "signals", []))
            return original(f, *args, **kwargs)

        links._decide = decide

    def of(self, link) -> list[str]:
        return self.seen.get(id(link), [])


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


class Shingles:
    """Body-extraction score: extraction_eval.py's 4-word shingle metric, else token overlap."""

    def __init__(self, shared: Path) -> None:
        sys.path.insert(0, str(shared / "tools"))
        try:
            import extraction_eval

            self.counts, self.name = extraction_eval.page_counts, "AEB shingle F1 (extraction_eval.py)"
        except ImportError:
            self.counts, self.name = _token_counts, "token F1 (extraction_eval.py not importable)"

    def scores(self, truth: str, text: str) -> tuple[float, float]:
        """(precision, recall) of one page."""
        tp, fp, fn = self.counts(truth, text)
        return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def _token_counts(truth: str, text: str) -> tuple[int, int, int]:
    t, p = Counter(re.findall(r"\w+", truth.lower())), Counter(re.findall(r"\w+", text.lower()))
    tp = sum((t & p).values())
    return tp, sum(p.values()) - tp, sum(t.values()) - tp


def f1_of(rows: list[tuple[float, float]]) -> float:
    """F1 of the averaged precision and recall (the AEB convention)."""
    if not rows:
        return 0.0
    p = sum(r[0] for r in rows) / len(rows)
    r = sum(r[1] for r in rows) / len(rows)
    return 2 * p * r / (p + r) if p + r else 0.0


def judge(audit, order, clean_text: str, probe: SignalProbe, pid: str) -> list[Judged]:
    """Match every injected anchor to its Link (document order, by text as a fallback) and score it."""
    links = audit.extraction.links
    text, clean = _norm(audit.extraction.text), _norm(clean_text)
    by_key = defaultdict(list)
    for link in links:
        by_key[(link.href, _norm(link.text))].append(link)
    out = []
    for index, item in order:
        link = links[index] if index < len(links) and _norm(links[index].text) == _norm(item.text) else None
        if link is None:
            candidates = by_key.get((item.href, _norm(item.text))) or []
            link = candidates[0] if candidates else None
        if link is None:
            out.append(Judged(item=item, found=False, pid=pid))
            continue
        anchor = _norm(item.text)
        leaked = item.spam and anchor in text and anchor not in clean
        out.append(Judged(item=item, found=True, region=link.region, spam=link.spam, reasons=list(link.reasons),
                          signals=probe.of(link), leaked=leaked, pid=pid))
    return out


# ---------------------------------------------------------------------------
# The run


def plan(pid: str, seed: int, variants: int) -> list[list[str]]:
    """Each page gets every spam placement once, spread over ``variants`` injected copies."""
    rng = random.Random(f"{seed}:{pid}:plan")
    placements = list(inject.SPAM_PLACEMENTS)
    rng.shuffle(placements)
    return [placements[k::variants] for k in range(variants)]


def run(pages: list[AebPage], sample: list[AebPage], args, shingles: Shingles) -> dict:
    from audit.check import audit_page
    from audit.errors import UnusableInput

    probe = SignalProbe()
    clean: dict[str, object] = {}
    errors: list[str] = []
    for page in pages:
        try:
            clean[page.pid] = audit_page(page.html, page.url)
        except UnusableInput as err:
            errors.append(f"{page.pid[:10]} clean: {err}")
    judged: list[Judged] = []
    f1_rows = {"clean": [], "injected": []}
    drops = []
    for page in sample:
        if page.pid not in clean:
            continue
        base = clean[page.pid].extraction
        clean_scores = shingles.scores(page.truth, base.text)
        for k, spam in enumerate(plan(page.pid, args.seed, args.variants)):
            rng = random.Random(f"{args.seed}:{page.pid}:{k}")
            site = inject.site_for(page.url, page.truth, base.language, page.platform, rng)
            html, order = inject.inject(page.html, site, rng, spam, list(inject.LEGIT_KINDS))
            try:
                audit = audit_page(html, page.url)
            except UnusableInput as err:
                errors.append(f"{page.pid[:10]} variant {k}: {err}")
                continue
            judged += judge(audit, order, base.text, probe, page.pid)
            scores = shingles.scores(page.truth, audit.extraction.text)
            f1_rows["clean"].append(clean_scores)
            f1_rows["injected"].append(scores)
            drops.append((f1_of([clean_scores]) - f1_of([scores]), page, spam, f1_of([clean_scores]), f1_of([scores])))
    return {"clean": clean, "judged": judged, "f1": f1_rows, "drops": drops, "errors": errors}


# ---------------------------------------------------------------------------
# Report


def _rate(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


def _regions(rows: list[Judged]) -> str:
    counts = Counter(r.region for r in rows)
    return " ".join(f"{region}:{n}" for region, n in counts.most_common(3))


def spam_table(judged: list[Judged]) -> tuple[float, float]:
    spam = [j for j in judged if j.item.spam]
    print(f"\nSPAM per placement (commercial = shop/vertical words in the anchor; plain = harmless-looking)")
    print(f"{'placement':<16}{'links':>6}{'recall':>8}{'comm.':>7}{'recall':>8}{'plain':>7}{'recall':>8}{'leak':>7}  regions found")
    groups = defaultdict(list)
    for j in spam:
        groups[j.item.placement].append(j)
    for placement in inject.SPAM_PLACEMENTS:
        _spam_row(placement, groups.get(placement, []))
    _spam_row("all", spam)
    print("\nspam by technique / position")
    sub = defaultdict(list)
    for j in spam:
        how = j.item.technique.split(" / ")[0] if j.item.placement.startswith("hidden") else j.item.technique
        sub[(j.item.placement, how or "-")].append(j)
        if " / " in j.item.technique:
            sub[(j.item.placement, "at " + j.item.technique.split(" / ")[1])].append(j)
    for (placement, how), rows in sorted(sub.items()):
        print(f"  {placement:<15}{how:<28}{len(rows):>5}{_rate(sum(r.spam for r in rows), len(rows)):>8}  {_regions(rows)}")
    print("\nspam by vertical")
    verticals = defaultdict(list)
    for j in spam:
        verticals[j.item.vertical].append(j)
    print("  " + "  ".join(f"{v} {_rate(sum(r.spam for r in rows), len(rows))} ({len(rows)})" for v, rows in sorted(verticals.items())))
    caught = sum(j.spam for j in spam)
    return (caught / len(spam) if spam else 1.0), (sum(j.leaked for j in spam) / len(spam) if spam else 0.0)


def _spam_row(name: str, rows: list[Judged]) -> None:
    comm = [r for r in rows if r.item.commercial]
    plain = [r for r in rows if not r.item.commercial]
    print(f"{name:<16}{len(rows):>6}{_rate(sum(r.spam for r in rows), len(rows)):>8}"
          f"{len(comm):>7}{_rate(sum(r.spam for r in comm), len(comm)):>8}{len(plain):>7}{_rate(sum(r.spam for r in plain), len(plain)):>8}"
          f"{_rate(sum(r.leaked for r in rows), len(rows)):>7}  {_regions(rows)}")


def legit_table(judged: list[Judged]) -> float:
    legit = [j for j in judged if not j.item.spam]
    print(f"\nLEGITIMATE links per kind")
    print(f"{'kind':<16}{'links':>6}{'FP':>6}{'FP rate':>9}  regions found")
    groups = defaultdict(list)
    for j in legit:
        groups[j.item.placement].append(j)
    for kind in (*inject.LEGIT_KINDS, *inject.COMMENT_LEGIT, "all"):
        rows = legit if kind == "all" else groups.get(kind, [])
        fp = sum(r.spam for r in rows)
        print(f"{kind:<16}{len(rows):>6}{fp:>6}{_rate(fp, len(rows)):>9}  {_regions(rows)}")
        techniques = defaultdict(list)
        for r in rows if kind != "all" else []:
            techniques[r.item.technique].append(r)
        for technique, sub in sorted(techniques.items()) if len(techniques) > 1 else []:
            fp = sum(r.spam for r in sub)
            print(f"  · {technique:<22}{len(sub):>6}{fp:>6}{_rate(fp, len(sub)):>9}  {_regions(sub)}")
    return sum(j.spam for j in legit) / len(legit) if legit else 0.0


def instructive(judged: list[Judged], n: int = 10) -> list[Judged]:
    """Misses spread over mechanisms: one per (placement, technique, commercial) group, biggest groups first."""
    groups = defaultdict(list)
    for j in judged:
        if j.item.spam and not j.spam:
            how = j.item.technique.split(" / ")[0] if j.item.placement.startswith("hidden") else ""
            groups[(j.item.placement, how, j.item.commercial)].append(j)
    ordered = sorted(groups.values(), key=len, reverse=True)
    picked, placements = [], set()
    for rows in ordered:  # first pass: one per placement
        if rows[0].item.placement not in placements and len(picked) < n:
            picked.append(rows[0])
            placements.add(rows[0].item.placement)
    for rows in ordered:
        if rows[0] not in picked and len(picked) < n:
            picked.append(rows[0])
    return picked


def _line(j: Judged) -> str:
    kind = "commercial" if j.item.commercial else "plain"
    seen = ",".join(j.signals) or "none"
    return (f"  {j.item.text[:58]!r:<62} {j.item.placement}[{j.item.technique}; {kind}; {j.item.lang}] "
            f"-> region {j.region}, spam={j.spam}, reasons={','.join(j.reasons) or '-'}, signals seen={seen}")


def misses_report(judged: list[Judged], groups_total: dict) -> None:
    print("\nTEN MOST INSTRUCTIVE MISSES (one per mechanism, the most frequent first; group size in brackets)")
    for j in instructive(judged):
        how = j.item.technique.split(" / ")[0] if j.item.placement.startswith("hidden") else ""
        print(f"[{groups_total[(j.item.placement, how, j.item.commercial)]}]" + _line(j))
    missed = [j for j in judged if j.item.spam and not j.spam]
    seen = Counter(",".join(sorted(j.signals)) or "none" for j in missed)
    print(f"\nsignals seen on the {len(missed)} missed spam links (fired, but not enough for a verdict):")
    print("  " + "; ".join(f"{k} {n}" for k, n in seen.most_common(10)))
    leaks = [j for j in judged if j.leaked]
    print(f"\nleaks into text: {len(leaks)}")
    for j in leaks[:10]:
        print(_line(j))
    fps = [j for j in judged if not j.item.spam and j.spam]
    print(f"\nfalse positives on injected legitimate links: {len(fps)} (first 10 distinct)")
    seen = set()
    for j in fps:
        key = (j.item.placement, j.item.text)
        if key not in seen and len(seen) < 10:
            seen.add(key)
            print(_line(j))
    missing = [j for j in judged if not j.found]
    if missing:
        print(f"\ninjected links not in extraction.links: {len(missing)}, e.g. {missing[0].item.text!r}")


def natural_report(pages: list[AebPage], clean: dict, seed: int) -> None:
    rows = []
    for page in pages:
        audit = clean.get(page.pid)
        if audit is None:
            continue
        for link in audit.extraction.links:
            if link.region != "body":
                rows.append((page, link))
    flagged = [(p, link) for p, link in rows if link.spam]
    print(f"\nNATURAL links on the {len(clean)} clean AEB pages: {len(rows)} non-body links, {len(flagged)} judged spam "
          f"({_rate(len(flagged), len(rows))}) on {len({p.pid for p, _ in flagged})} pages")
    by_region = Counter(link.region for _, link in rows)
    spam_region = Counter(link.region for _, link in flagged)
    print("  per region (spam/links): " + "  ".join(f"{r} {spam_region[r]}/{n}" for r, n in by_region.most_common()))
    reasons = Counter(reason for _, link in flagged for reason in link.reasons)
    print("  reasons: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common(12)))
    print("  sample of 20 to judge by hand (anchor | href | region | reasons):")
    for page, link in random.Random(f"{seed}:natural").sample(flagged, min(20, len(flagged))):
        print(f"    {link.text[:50]!r} | {link.href[:80]} | {link.region} | {','.join(link.reasons)}")


def f1_report(result: dict, shingles: Shingles) -> None:
    clean, injected = f1_of(result["f1"]["clean"]), f1_of(result["f1"]["injected"])
    drops = sorted(result["drops"], key=lambda d: d[0], reverse=True)
    hurt = [d for d in drops if d[0] > 0.01]
    print(f"\nBODY EXTRACTION ({shingles.name}) over {len(drops)} injected copies: clean {clean:.3f}, injected {injected:.3f} "
          f"({injected - clean:+.3f}); copies losing > 0.01: {len(hurt)}")
    for drop, page, spam, before, after in hurt[:5]:
        print(f"  {before:.3f} -> {after:.3f}  {urlsplit(page.url).hostname}  {page.pid[:10]}  with {', '.join(spam)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data folder")
    ap.add_argument("--pages", type=int, default=60, help="pages to inject into (0: all); the natural-link report uses all")
    ap.add_argument("--variants", type=int, default=4, help="injected copies per page (the 12 spam placements are spread over them)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every missed spam link")
    args = ap.parse_args(argv)
    aeb = Path(args.shared).resolve() / "extraction" / "aeb"
    if not (aeb / "ground-truth.json").is_file():
        print(f"skipped: {aeb} is not there (the AEB pages are read from ../shared, never copied into the repo)")
        return 0
    start = time.perf_counter()
    overlap = freshness()
    pages = load_pages(aeb)
    sample = pages if args.pages <= 0 else random.Random(f"{args.seed}:sample").sample(pages, min(args.pages, len(pages)))
    shingles = Shingles(Path(args.shared).resolve())
    result = run(pages, sample, args, shingles)
    judged = result["judged"]
    print(f"{len(sample)} AEB pages x {args.variants} injected copies (seed {args.seed}), {len(pages)} clean pages; "
          f"{sum(j.item.spam for j in judged)} spam and {sum(not j.item.spam for j in judged)} legitimate links injected; "
          f"freshness: {len(overlap)} anchors/domains equal a rule term or fixture {overlap[:5]}")
    recall, leak = spam_table(judged)
    fp = legit_table(judged)
    groups = Counter()
    for j in judged:
        if j.item.spam and not j.spam:
            how = j.item.technique.split(" / ")[0] if j.item.placement.startswith("hidden") else ""
            groups[(j.item.placement, how, j.item.commercial)] += 1
    misses_report(judged, groups)
    if args.verbose:
        print("\nevery missed spam link:")
        for j in judged:
            if j.item.spam and not j.spam:
                print(_line(j))
    f1_report(result, shingles)
    natural_report(pages, result["clean"], args.seed)
    for err in result["errors"][:5]:
        print("unusable:", err)
    ok = leak <= FLOORS["leak"] and recall >= FLOORS["recall"] and fp <= FLOORS["fp"]
    print(f"\nall: recall {recall:.3f}, leak {leak:.3f}, FP rate {fp:.3f} -- floors (leak 0, recall >= 0.95, FP <= 2 %): "
          f"{'met' if ok else 'NOT met'}  [{time.perf_counter() - start:.0f} s]")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
