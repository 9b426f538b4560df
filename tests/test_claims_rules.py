"""Rule files are data: validated on load with file, line and id in the message."""

import json

import pytest

from audit.claims.rules import KINDS, RULES_DIR, RuleError, load_rules


@pytest.mark.parametrize("name", sorted(KINDS))
def test_shipped_rule_files_load(name):
    rules = load_rules(name)
    assert rules
    for rule in rules:
        assert rule.id and rule.why and rule.regulation and rule.suggestion


def write(tmp_path, lines):
    (tmp_path / "claims_triggers.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")


GOOD = {"id": "x.one", "kind": "claim", "category": "safety", "pattern": "totally harmless", "why": "w", "regulation": "r", "suggestion": "s"}

BROKEN = [
    ({k: v for k, v in GOOD.items() if k != "why"}, "missing why"),
    ({**GOOD, "kind": "nonsense"}, "unknown kind"),
    ({**GOOD, "category": "vibes"}, "category"),
    ({**GOOD, "pattern": [{"LOWER": {"FOO": 1}}]}, "rule x.one"),
    ({**GOOD, "pattern": []}, "pattern"),
]


@pytest.mark.parametrize("rule, message", BROKEN, ids=[m for _, m in BROKEN])
def test_invalid_rule_is_reported_with_location(tmp_path, rule, message):
    write(tmp_path, [GOOD | {"id": "x.zero"}, rule])
    with pytest.raises(RuleError) as error:
        load_rules("claims_triggers", tmp_path)
    assert "claims_triggers.jsonl:2" in str(error.value)
    assert message in str(error.value)


def test_duplicate_ids_are_rejected(tmp_path):
    write(tmp_path, [GOOD, GOOD])
    with pytest.raises(RuleError, match="duplicate"):
        load_rules("claims_triggers", tmp_path)


def test_bad_json_is_reported(tmp_path):
    (tmp_path / "claims_triggers.jsonl").write_text("{oops\n", encoding="utf-8")
    with pytest.raises(RuleError, match="claims_triggers.jsonl:1"):
        load_rules("claims_triggers", tmp_path)


def test_rules_ship_with_the_package():
    assert sorted(p.name for p in RULES_DIR.glob("claims_*.jsonl")) == sorted(f"{n}.jsonl" for n in KINDS)
