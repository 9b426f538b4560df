"""Bad input and the batch helper behind `skinaudit claims`."""

import json

import pytest

from audit.claims import classify_lines, get_stage

KEYS = {"id", "label", "category", "trigger", "hedge", "source", "rule_ids", "reasons", "suggestion"}

BAD_TEXTS = [
    "",
    "   \n\t ",
    "x" * 100_000,
    "This oil regrows hair. " * 5_000,
    "Ce sérum guérit l'acné en trois jours.",
    "この美容液はニキビを治します。",
    "Rosemary\x00 oil\x07 regrows\x1b hair\x7f.",
    "<p>Tea tree oil <b>cures</b> acne</p><script>alert(1)</script>",
    "\ufeff\u200b\u202e?!?!...",
    "[[[(((1,2)))]]] ¹²³ doi: http://",
]


@pytest.mark.parametrize("text", BAD_TEXTS, ids=range(len(BAD_TEXTS)))
def test_bad_input_gives_a_verdict(text):
    found = get_stage().classify(text, context=text[:1000])
    assert found.label in {"unsupported_claim", "supported_or_hedged_claim", "no_claim"}
    assert (found.start, found.end) == (0, len(text))


@pytest.mark.parametrize("text", BAD_TEXTS, ids=range(len(BAD_TEXTS)))
def test_bad_article_text_does_not_crash(text):
    result = get_stage().find_claims(text)
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.sentence


def test_classify_lines_in_order_with_per_line_errors():
    lines = [
        json.dumps({"id": "a", "text": "Castor oil regrows hair.", "context": ""}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "b", "text": 42}),
        "",
        json.dumps({"id": "c", "text": "It smells lovely."}),
        json.dumps({"id": "d", "text": "Studies suggest it may help acne.", "context": None}),
    ]
    out = list(classify_lines(lines))
    assert [o.get("id") for o in out] == ["a", None, None, "b", "c", "d"]
    assert set(out[0]) == KEYS and out[0]["label"] == "unsupported_claim"
    assert all("error" in o for o in out[1:4])
    assert out[4]["label"] == "no_claim" and out[4]["category"] == "none"
    assert out[5]["label"] == "supported_or_hedged_claim"
    json.dumps(out)  # every field is JSON-serialisable
