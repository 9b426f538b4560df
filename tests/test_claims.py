"""Component tables for the claim stage on spacy.blank("en") (offline, no model)."""

import pytest

from audit.claims import get_stage

U, S, N = "unsupported_claim", "supported_or_hedged_claim", "no_claim"


@pytest.fixture(scope="module")
def stage():
    return get_stage()


def test_stage_is_cached():
    assert get_stage() is get_stage()


SPLITS = [
    ("Choi et al. (2019) found this. Next one.", ["Choi et al. (2019) found this.", "Next one."]),
    ("Dr. Nayyar says so. It works.", ["Dr. Nayyar says so.", "It works."]),
    ("Use oils, e.g. argan. Then rinse.", ["Use oils, e.g. argan.", "Then rinse."]),
    ("It boosts proliferation.3,4 Rosemary oil is popular.", ["It boosts proliferation.3,4", "Rosemary oil is popular."]),
    ("Benefits:\n- Glycerin: draws water in\n- Shea butter: softens", ["Benefits:", "- Glycerin: draws water in", "- Shea butter: softens"]),
    ("How to use\n\nApply twice a day. Rinse!", ["How to use", "Apply twice a day.", "Rinse!"]),
    ("She said “it works.” Then she left.", ["She said “it works.”", "Then she left."]),
]


@pytest.mark.parametrize("text, expected", SPLITS)
def test_sentence_splitter(stage, text, expected):
    doc = stage._run(text)
    assert [doc[s:e].text for s, e, _ in doc._.sent_bounds] == expected


HEDGES = [
    ("Onion juice may help get rid of baldness.", S, "may"),
    ("It can really help to regrow the eyebrows, but also may be useful in protecting them.", U, None),
    ("Studies suggest that blue light is effective in treating acne.", S, "suggest"),
    ("Research indicates that rosemary directly protects against hair loss.", U, None),
    ("It helps reduce inflammation.", U, None),
    ("Rosemary is known to block DHT.", U, None),
    ("At the very least, it might help soothe sunburn.", S, "At the very least"),
    ("Castor oil could slow hair loss, but this is preliminary.", S, "could"),
]


@pytest.mark.parametrize("text, label, hedge", HEDGES)
def test_hedge_scope(stage, text, label, hedge):
    found = stage.classify(text)
    assert found.label == label
    assert found.hedge == hedge


SOURCES = [
    ("A 2015 study published in SKINmed Journal found rosemary regrew hair.", "study"),
    ("Tea tree oil reduces acne lesions [1].", "[1]"),
    ("Microneedling boosts collagen (12, 13).", "(12, 13)"),
    ("Red light boosts collagen synthesis and cell proliferation.3,4", "3,4"),
    ("Dermatologist Dr. Priya Nayyar of Dermaclinique says LED masks reduce acne.", "Dr. Priya"),
    ("According to the Cleveland Clinic, minoxidil slows hair loss.", "Cleveland Clinic"),
    ("Caffeine stimulates hair follicles (doi: 10.1111/abc.123).", "doi"),
]


@pytest.mark.parametrize("text, source_part", SOURCES)
def test_sources_support(stage, text, source_part):
    found = stage.classify(text)
    assert found.label == S
    assert source_part.lower() in (found.source or "").lower()


VAGUE = [
    "Studies show that peppermint oil boosts hair growth.",
    "Clinically proven to stop hair loss.",
    "Scientists at Dermaroller found that rolling stimulates collagen.",
    "Experts say castor oil regrows eyebrows.",
    "Several studies have shown that tea tree oil reduces acne.",
]


@pytest.mark.parametrize("text", VAGUE)
def test_vague_appeals_are_authority_claims(stage, text):
    found = stage.classify(text)
    assert (found.label, found.category) == (U, "authority_or_proof")


def test_context_study_supports_reported_result(stage):
    context = "A study published in the Journal of Dermatology tested onion juice on patchy alopecia areata."
    found = stage.classify("Regrowth started after two weeks of treatment with onion juice.", context)
    assert found.label == S and found.source


def test_context_doctor_does_not_back_author_voice(stage):
    context = "Board-certified dermatologist Lena Okafor, MD, notes that massage can help."
    found = stage.classify("Lymphatic drainage also eliminates toxins from the skin.", context)
    assert found.label == U


def test_find_claims_uses_paragraph_context_and_offsets(stage):
    study = "A 2014 study published in the Journal of Dermatology tested onion juice on 38 people."
    report = "Hair regrew in 74% of the participants within six weeks."
    text = f"{study}\n\nIt smells strong. {report}\n\n{study} {report} Onion juice regrows hair in any kind of baldness."
    result = stage.find_claims(text)
    assert result.sentences == 6
    reports = [c.label for c in result.claims if c.sentence == report]
    assert reports == [U, S]  # the study only backs its own paragraph
    extrapolation = [c for c in result.claims if c.sentence.startswith("Onion juice regrows")]
    assert extrapolation[0].label == U  # author-voice claims after a study are not backed by it
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.sentence
    assert all(c.label != N for c in result.claims)


def test_finding_explains_itself(stage):
    found = stage.classify("Dermarolling stimulates the production of collagen.")
    assert (found.label, found.category) == (U, "biological_effect")
    assert found.trigger and found.rule_ids and found.reasons
    assert "study" in found.suggestion


def test_hedged_drug_claim_suggestion_does_not_bless_may(stage):
    found = stage.classify("This serum may help treat acne.")
    assert found.label == S
    assert "still" in found.suggestion and "drug claim" in found.suggestion


def test_claims_span_group(stage):
    doc = stage.nlp("It feels soft. It cures eczema.")
    assert [span.text for span in doc.spans["claims"]] == ["It cures eczema."]
    assert doc.spans["claims"][0]._.verdict.category == "disease_treatment"


def test_pipeline_saves_and_loads_with_its_rules(stage, tmp_path):
    import spacy

    stage.nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "audit_claim_triggers" / "claims_triggers.jsonl").exists()
    nlp = spacy.load(tmp_path / "pipe")
    doc = nlp("Studies show it cures eczema. It smells nice.")
    assert [span.text for span in doc.spans["claims"]] == ["Studies show it cures eczema."]


def test_long_text_read_in_paragraph_pieces_gives_what_the_whole_gives(stage):
    import json
    from pathlib import Path

    cases = [json.loads(line) for line in (Path(__file__).parent / "claims_cases.jsonl").read_text("utf-8").splitlines()]
    # paragraphs of a context sentence (often a source) and the sentences it may back
    paragraphs = [" ".join(filter(None, (c["context"], c["text"], cases[i - 1]["text"]))) for i, c in enumerate(cases)]
    text = "\n\n".join(paragraphs[:150]) + "\n\n\n" + "\n \n".join(paragraphs[150:300])
    whole = stage.find_claims(text, piece_chars=len(text))
    pieces = stage.find_claims(text, piece_chars=700)
    assert pieces == whole
    assert len(whole.claims) > 100
