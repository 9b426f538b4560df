"""The evaluation gate: the claim stage must stay above the committed floors on our own
labelled cases (tests/claims_cases.jsonl), and get every guideline edge case right."""

import json
from pathlib import Path

import pytest

from audit.claims import get_stage
from audit.claims.evaluate import predict, read_jsonl, score

HERE = Path(__file__).parent
CASES = read_jsonl(HERE / "claims_cases.jsonl")
FLOORS = {k: v for k, v in json.loads((HERE / "eval_floors.json").read_text()).items() if not k.startswith("_")}


@pytest.fixture(scope="module")
def figures():
    return score(CASES, predict(get_stage(), CASES))


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_metric_stays_above_floor(figures, metric):
    assert figures[metric] >= FLOORS[metric], f"{metric} {figures[metric]:.3f} < floor {FLOORS[metric]}"


EDGE_CASES = [case for case in CASES if case["why"].startswith("edge:")]


@pytest.mark.parametrize("case", EDGE_CASES, ids=[case["id"] for case in EDGE_CASES])
def test_guideline_edge_case(case):
    found = get_stage().classify(case["text"], case["context"])
    assert (found.label, found.category) == (case["label"], case["category"]), found.reasons


def test_case_file_covers_every_label_and_category():
    labels = {case["label"] for case in CASES}
    categories = {case["category"] for case in CASES}
    assert labels == {"unsupported_claim", "supported_or_hedged_claim", "no_claim"}
    assert categories >= {"disease_treatment", "biological_effect", "safety", "absolute_or_guarantee", "authority_or_proof", "none"}
    assert len(EDGE_CASES) >= 15  # one or more per row of the guideline's edge-case table
