"""Scoring of the claim stage against labelled sentences (used by the bench and the eval gate).

A case is ``{"text", "context", "label", "category"}``; ``flagged`` means unsupported_claim.
"""

from __future__ import annotations

import json
from pathlib import Path

from audit.models import LABELS


def read_jsonl(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def binary(gold: list[bool], pred: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, pred))
    fp = sum(p and not g for g, p in zip(gold, pred))
    fn = sum(g and not p for g, p in zip(gold, pred))
    return prf(tp, fp, fn)


def confusion(gold: list[str], pred: list[str]) -> dict:
    """{gold_label: {predicted_label: count}} over the three labels."""
    table = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, pred):
        table[g][p] += 1
    return table


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = [binary([g == label for g in gold], [p == label for p in pred])[2] for label in LABELS]
    return sum(scores) / len(scores)


def predict(stage, cases: list[dict]) -> list:
    return [stage.classify(case["text"], case.get("context", "")) for case in cases]


def score(cases: list[dict], findings: list) -> dict:
    """Every figure the bench prints and the gate checks."""
    gold = [c["label"] for c in cases]
    pred = [f.label for f in findings]
    flag = binary([g == "unsupported_claim" for g in gold], [p == "unsupported_claim" for p in pred])
    claim = binary([g != "no_claim" for g in gold], [p != "no_claim" for p in pred])
    claims = [(c, f) for c, f in zip(cases, findings) if c["label"] != "no_claim"]
    category_ok = sum(c["category"] == f.category for c, f in claims)
    return {
        "n": len(cases),
        "flag_precision": flag[0],
        "flag_recall": flag[1],
        "flag_f1": flag[2],
        "claim_precision": claim[0],
        "claim_recall": claim[1],
        "claim_f1": claim[2],
        "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(cases) if cases else 0.0,
        "macro_f1": macro_f1(gold, pred),
        "category_accuracy": category_ok / len(claims) if claims else 0.0,
        "confusion": confusion(gold, pred),
    }


def hedge_f1(stage, items: list[dict]) -> dict:
    """Hedge detection alone: does any hedge cue appear (pei2021: hedged true/false)?"""
    usable = [item for item in items if item.get("hedged") is not None]
    gold = [bool(item["hedged"]) for item in usable]
    pred = [stage.has_hedge(item["text"]) for item in usable]
    precision, recall, f1 = binary(gold, pred)
    return {"n": len(usable), "precision": precision, "recall": recall, "f1": f1}
