"""The screen behind find_claims: it may let through sentences that make no claim, never miss one.

find_claims must give exactly what judging every sentence gives; these tests compare the two on
the project's own cases and check the screen against the rule matchers themselves, on
sentences built from every claim-making pattern.
"""

import json
import random
from pathlib import Path

import pytest

from audit.claims import get_stage
from audit.claims.screen import literals, paragraphs, token_count
from audit.claims.stage import to_finding
from audit.claims.verdict import CLAIM_KINDS, can_claim, claim_role
from audit.models import ClaimsResult

CASES = Path(__file__).parent / "claims_cases.jsonl"


@pytest.fixture(scope="module")
def stage():
    return get_stage()


def everything_judged(stage, text: str) -> ClaimsResult:
    """find_claims without the screen: every sentence goes through the matchers."""
    doc = stage._run(text)
    claims = [
        to_finding(text[s.start_char : s.end_char], s.start_char, s.end_char, s._.verdict) for s in doc.spans["claims"]
    ]
    return ClaimsResult(sentences=len(doc._.sent_bounds), claims=claims)


def articles(seed: int = 3, count: int = 60) -> list[str]:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    sentences = [json.loads(line)["text"] for line in lines if line.strip()]
    rng = random.Random(seed)
    filler = ["It smells of roses.", "We tried it for a month.", "The bottle is small."]
    texts = []
    for _ in range(count):
        paragraphs = [rng.choices(sentences + filler * 20, k=rng.randint(1, 5)) for _ in range(rng.randint(1, 6))]
        texts.append("\n\n".join(" ".join(p) for p in paragraphs))
    return texts


def test_find_claims_equals_judging_every_sentence(stage):
    for text in articles():
        assert stage.find_claims(text) == everything_judged(stage, text)


def sentence_for(pattern: list[dict], rng: random.Random) -> str:
    """Words that a pattern may match: literal values, and stand-ins for the other tokens."""
    words = []
    for token in pattern:
        low, high = token_count(token.get("OP"))
        for _ in range(rng.randint(low, min(high, low + 2))):
            for attr in ("ORTH", "TEXT", "LOWER", "LEMMA"):
                value = token.get(attr)
                if isinstance(value, dict) and "IN" in value:
                    value = rng.choice(value["IN"])
                if isinstance(value, str):
                    words.append(value)
                    break
            else:
                words.append("Nine" if token.get("IS_TITLE") else "9" if token.get("LIKE_NUM") else "filler")
    return "Before that " + " ".join(words) + " after."


def test_screen_keeps_every_sentence_the_rules_can_make_a_claim_of(stage):
    rng = random.Random(11)
    rules = stage.nlp.get_pipe("audit_claim_triggers").rules.values()
    patterns = [p for r in rules if claim_role(r)[0] in CLAIM_KINDS for p in r.patterns]
    made = [sentence_for(p, rng) for p in patterns for _ in range(3)]
    made += [f"{a} {b}" for a, b in zip(made, made[1:])]  # pairs of halves
    checked = 0
    for sentence in made:
        doc = stage._run(sentence)
        bounds = doc._.sent_bounds
        kept = set(stage.screen.claimable(doc, bounds))
        for k, (start, end, _) in enumerate(bounds):
            roles = {claim_role(r) for s, e, r in doc._.claim_matches if start <= s and e <= end}
            if can_claim(roles):
                checked += 1
                assert k in kept, doc[start:end].text
    assert checked > 500


SCREENED = [
    ("It cures eczema.", True),
    ("The packaging is recyclable.", False),
    ("Studies show it works.", True),
    ("According to a new Fast Company report, shares fell.", False),  # nothing but the listed words between
    ("Would you go back to work?", False),  # halves of different pair groups
]


@pytest.mark.parametrize("text, kept", SCREENED)
def test_screen_table(stage, text, kept):
    doc = stage._run(text)
    assert bool(stage.screen.claimable(doc, doc._.sent_bounds)) == kept


def test_anchor_and_reach_from_operators(stage):
    vocab = stage.nlp.vocab
    anchor, others = literals(vocab, [{"LOWER": "the"}, {"LOWER": "new", "OP": "?"}, {"LOWER": "study"}])
    assert vocab.strings[next(iter(anchor.values))] == "study"  # the rarest word
    (the,) = others
    assert (the.nearest, the.farthest) == (-2, -1)
    assert {vocab.strings[h] for h in the.between} == {"new"}
    assert literals(vocab, [{"IS_TITLE": True}, {"LIKE_NUM": True}]) is None


def test_paragraphs_from_sentence_bounds():
    bounds = [(0, 3, True), (3, 6, False), (7, 9, True), (9, 12, False), (12, 15, False)]
    assert list(paragraphs(bounds)) == [(0, 1), (2, 4)]
    assert list(paragraphs(bounds[:1])) == [(0, 0)]


def test_regions_run_from_the_paragraph_start_to_its_last_claim(stage):
    doc = stage._run("It smells nice. It cures acne. The jar is blue.\n\nIt is blue. Studies show it works.")
    bounds = doc._.sent_bounds
    assert stage.screen.claimable(doc, bounds) == [1, 4]
    assert stage.screen.regions(doc) == [(bounds[0][0], bounds[1][1]), (bounds[3][0], bounds[4][1])]


def test_matches_inside_regions_are_those_of_the_whole_doc(stage):
    """Which groups read the whole doc is decided over the whole doc, so regions change nothing
    inside them: not the matches, not their order (which decides ties in the verdict)."""
    for text in articles(seed=5, count=20):
        whole = stage._run(text)
        screened = stage._run(text, screen=True)
        regions = screened._.match_regions
        def inside(matches):
            return [m for m in matches if any(a <= m[0] and m[1] <= b for a, b in regions)]

        for attr in ("claim_matches", "hedge_matches", "source_matches"):
            assert inside(getattr(screened._, attr)) == inside(getattr(whole._, attr))


TRICKY = [
    "It's Dr. Lee's (cannot) gonna e.g. U.S. :) <3 ''quoted'' 'cause\n\nNew line.  Two  spaces\tand a tab.",
    "Rosemary oil regrows hair in 3 weeks!!! Really?! Yes... (see [1], doi:10.1000/182).",
]


@pytest.mark.parametrize("text", TRICKY)
def test_word_cache_changes_no_token(stage, text):
    from audit.claims.stage import build_nlp

    fresh = build_nlp().make_doc(text)
    stage.words.add(text)  # cached now, word by word
    cached = stage.nlp.make_doc(text)
    assert [(t.text, t.whitespace_, t.norm_) for t in cached] == [(t.text, t.whitespace_, t.norm_) for t in fresh]
