"""Every shipped rule's examples and counter-examples hold (one test per rule)."""
import pytest

from extract.authoring.tools import check_rule
from extract.stages.rules import load_rules

RULES = load_rules()


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_examples(rule):
    failures = check_rule(rule, RULES)
    assert not failures, "\n" + "\n".join(str(f) for f in failures)


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_has_examples(rule):
    assert len(rule.examples) >= 2, f"{rule.source}:{rule.line} {rule.id}: needs at least 2 examples"
    assert len(rule.counter_examples) >= 1, f"{rule.source}:{rule.line} {rule.id}: needs a counter-example"
