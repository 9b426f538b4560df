"""A fixed, hand-made set of audited pages: the reports' snapshot tests, browser tests and benchmark
render these instead of live classifier output, so changing a claim rule never changes a snapshot.

One of them is hostile on purpose: script tags, on* attributes, ``javascript:`` URLs, HTML in the
title and in anchor texts, CSS tricks, bidi overrides and a formula-looking author.
"""

from __future__ import annotations

from audit.models import ClaimFinding, ClaimsResult, Extraction, Link, PageAudit
from audit.quality import article_quality
from audit.reports.frames import AuditedPage, FramesBuilder, StoreFrames
from audit.store import sentence_key

FIXED_TIME = "2026-01-05T09:00:00+00:00"


def claim(text: str, sentence: str, label: str, category: str, *, trigger: str, rule: str, reason: str,
          suggestion: str = "", hedge: str | None = None, source: str | None = None) -> ClaimFinding:
    start = text.index(sentence)
    return ClaimFinding(sentence=sentence, start=start, end=start + len(sentence), label=label, category=category,
                        trigger=trigger, hedge=hedge, source=source, rule_ids=[rule], reasons=[reason],
                        suggestion=suggestion)


def _audit(extraction: Extraction, claims: list[ClaimFinding], sentences: int) -> PageAudit:
    quality = article_quality(len(extraction.text.split()), claims, extraction.links)
    return PageAudit(extraction=extraction, claims=ClaimsResult(sentences=sentences, claims=claims), quality=quality)


SEED_URL = "https://glow.example/2024/05/scalp-microneedling.html"
SEED_TEXT = """Scalp microneedling has emerged as a cutting-edge treatment for hair loss and overall scalp health.

The micro-injuries created by the needles increase blood flow to the hair follicles, delivering essential nutrients and oxygen. Stronger follicles are less likely to shed prematurely.

It can help in treating conditions such as dandruff, seborrheic dermatitis, and psoriasis by promoting better circulation and reducing inflammation.

Unlike surgical hair restoration procedures, scalp microneedling is minimally invasive and has a low risk of complications.

A 2013 study in the International Journal of Trichology found that microneedling with minoxidil grew more hair than minoxidil alone.

Consult a dermatologist before you start."""


def seed_audit() -> PageAudit:
    text = SEED_TEXT
    claims = [
        claim(text, "The micro-injuries created by the needles increase blood flow to the hair follicles, delivering "
              "essential nutrients and oxygen.", "unsupported_claim", "biological_effect", trigger="increase blood flow",
              rule="claim.bio.blood_flow", reason="asserts a physiological effect with no source",
              suggestion="Describe the cosmetic effect, or cite the study (journal, year) that measured it."),
        claim(text, "It can help in treating conditions such as dandruff, seborrheic dermatitis, and psoriasis by "
              "promoting better circulation and reducing inflammation.", "unsupported_claim", "disease_treatment",
              trigger="treating … psoriasis", rule="claim.disease.treat", reason="claims to treat named diseases",
              suggestion="Drop the treatment claim: a cosmetic cannot claim to treat psoriasis, even with 'may'."),
        claim(text, "Unlike surgical hair restoration procedures, scalp microneedling is minimally invasive and has a "
              "low risk of complications.", "unsupported_claim", "safety", trigger="low risk of complications",
              rule="claim.safety.low_risk", reason="a safety assurance with no source",
              suggestion="Name the source of the safety data or describe the known side effects."),
        claim(text, "A 2013 study in the International Journal of Trichology found that microneedling with minoxidil "
              "grew more hair than minoxidil alone.", "supported_or_hedged_claim", "biological_effect",
              trigger="grew more hair", rule="claim.bio.growth", reason="backed by a named study",
              source="International Journal of Trichology, 2013"),
    ]
    links = [
        Link(href="https://glow.example/2024/04/minoxidil.html", text="minoxidil", region="body", internal=True),
        Link(href="https://glow.example/", text="Home", region="nav", internal=True),
        Link(href="https://casino-bonus.example/slots", text="Best online slots 2024", region="widget",
             internal=False, spam=True, reasons=["vocab:gambling", "widget:popular_posts"]),
        Link(href="https://velgen.example/kopen", text="Online Velgen Kopen: Een Gids voor de Slimme Shopper",
             region="widget", internal=False, spam=True, reasons=["language:nl", "off_topic"]),
        Link(href="https://cheap-seo.example/", text="seo", region="footer", internal=False, hidden=True,
             spam=True, reasons=["hidden", "footer_credit"]),
    ]
    body_html = ("<p>Scalp microneedling has emerged as a cutting-edge treatment.</p>"
                 '<p>Use it with <a href="https://glow.example/2024/04/minoxidil.html">minoxidil</a>.</p>')
    ex = Extraction(url=SEED_URL, title="The Ultimate Guide to Skincare Treatments", author="Dana Glow",
                    published="2024-05-02", text=text, body_html=body_html, links=links)
    return _audit(ex, claims, 9)


HOSTILE_URL = "https://evil.example/2024/06/%3Cscript%3Ealert(1)%3C/script%3E.html"
HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)> Retinol \u202egnp.exe'
HOSTILE_TEXT = """Our serum <b onmouseover=alert(1)>cures acne</b> overnight and it is 100% guaranteed to work.

</textarea><script>alert(2)</script> "><svg onload=alert(3)> <style>body{display:none}</style> Plain words after the tricks.

{{ 7*7 }} {% raw %} ${alert(4)} <!-- comment --> &lt;b&gt;escaped already&lt;/b&gt;"""


def hostile_audit() -> PageAudit:
    text = HOSTILE_TEXT
    claims = [
        claim(text, "Our serum <b onmouseover=alert(1)>cures acne</b> overnight and it is 100% guaranteed to work.",
              "unsupported_claim", "disease_treatment", trigger="cures acne<script>alert(5)</script>",
              rule="claim.disease.cure", reason='says it "cures" <i>acne</i>',
              suggestion="</dd><script>alert(6)</script>Drop the cure claim."),
    ]
    links = [
        Link(href="javascript:alert(7)", text="<img src=x onerror=alert(8)>click", region="sidebar", internal=False,
             spam=True, reasons=["javascript_url"]),
        Link(href='https://spam.example/"><script>alert(9)</script>', text='" onmouseover="alert(10)', region="footer",
             internal=False, hidden=True, spam=True, reasons=["hidden", "<b>html</b>"]),
        Link(href="https://spam.example/" + "x" * 3000, text="W" * 3000, region="comments", internal=False,
             spam=True, reasons=["long"]),
        Link(href="data:text/html,<script>alert(11)</script>", text="data link", region="widget", internal=False),
    ]
    body_html = (
        '<p onclick="alert(12)" style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999">Our serum'
        ' cures acne.</p><script>alert(13)</script><style>*{display:none!important}</style>'
        '<a href="javascript:alert(14)">j</a><a href=" jav&#x09;ascript:alert(15)">k</a>'
        '<iframe src="https://evil.example/"></iframe><img src="x" onerror="alert(16)">'
        '<form action="https://evil.example/"><input name=q></form><base href="https://evil.example/">'
        '<meta http-equiv="refresh" content="0;url=https://evil.example/"><svg onload="alert(17)"></svg>'
        '<a href="https://fine.example/" target="_top" onmouseover="alert(18)">fine</a></textarea>'
    )
    ex = Extraction(url=HOSTILE_URL, title=HOSTILE_TITLE, author='=HYPERLINK("https://evil.example","x")',
                    published="2024-06-01", text=text, body_html=body_html, links=links)
    return _audit(ex, claims, 4)


CLEAN_URL = "https://wp.example/blog/gentle-cleansers/"
CLEAN_TEXT = """A gentle cleanser leaves skin feeling soft and looking fresh.

Dr. Ana Ruiz, a board-certified dermatologist, says ceramides may help support the skin barrier.

Pat dry and follow with a moisturiser."""


def clean_audit() -> PageAudit:
    text = CLEAN_TEXT
    claims = [
        claim(text, "Dr. Ana Ruiz, a board-certified dermatologist, says ceramides may help support the skin barrier.",
              "supported_or_hedged_claim", "biological_effect", trigger="support the skin barrier", hedge="may",
              source="Dr. Ana Ruiz, board-certified dermatologist", rule="claim.bio.barrier",
              reason="hedged and attributed to a named dermatologist"),
    ]
    links = [Link(href="https://wp.example/about/", text="About", region="header", internal=True),
             Link(href="https://friend-blog.example/", text="A friend's blog", region="sidebar", internal=False)]
    ex = Extraction(url=CLEAN_URL, title="Gentle cleansers for dry skin", author=None, published=None, text=text,
                    body_html="<p>A gentle cleanser leaves skin feeling soft.</p>", links=links)
    return _audit(ex, claims, 3)


def sample_pages() -> list[AuditedPage]:
    """The fixed pages: two sites, every change status but gone, one hostile page."""
    return [
        AuditedPage(audit=seed_audit(), site="glow-skin-journal", change_status="changed", run=2),
        AuditedPage(audit=hostile_audit(), site="evil-blog", change_status="new", run=2),
        AuditedPage(audit=clean_audit(), site="wp-skin", change_status="unchanged", run=1),
    ]


def sample_frames() -> StoreFrames:
    """A fixed two-run store: the hand-made model of the snapshot tests."""
    builder = FramesBuilder()
    for page in sample_pages():
        page.fetched_at = page.audited_at = FIXED_TIME
        builder.add_page(page)
    seed = seed_audit().claims.claims
    builder.triage.append(dict(canonical_url=SEED_URL, sentence_hash=sentence_key(seed[0].sentence),
                               status="false_alarm", note="the 2013 study below covers it", updated_at=FIXED_TIME))
    builder.runs += [
        dict(id=1, kind="run", started_at="2026-01-04T09:00:00+00:00", finished_at="2026-01-04T09:01:30+00:00",
             status="done", sites='["glow-skin-journal", "wp-skin"]', counts="{}"),
        dict(id=2, kind="run", started_at=FIXED_TIME, finished_at="2026-01-05T09:02:00+00:00", status="done",
             sites='["glow-skin-journal", "wp-skin", "evil-blog"]', counts="{}"),
    ]
    events = [
        ("glow-skin-journal", SEED_URL, "new_flag", seed[2].sentence),
        ("glow-skin-journal", SEED_URL, "resolved_flag", "This serum reverses hair loss in two weeks."),
        ("glow-skin-journal", SEED_URL, "new_spam", "https://casino-bonus.example/slots"),
        ("evil-blog", HOSTILE_URL, "new_flag", hostile_audit().claims.claims[0].sentence),
        ("evil-blog", HOSTILE_URL, "new_spam", "javascript:alert(7)"),
        ("blocked-blog", "https://blocked.example/", "blocked", "robots.txt disallows /"),
    ]
    for i, (site, url, kind, detail) in enumerate(events, start=1):
        builder.events.append(dict(id=i, run_id=2, site=site, url=url, kind=kind, detail=detail, at=FIXED_TIME))
    return builder.build()
