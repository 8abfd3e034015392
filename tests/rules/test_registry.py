"""Meta-tests: every rule is fully defined, documented, cites a known ruling and has fixtures."""

import pytest

from auditor.engine import rulings
from auditor.registry import (DOC_SECTIONS, FIXTURES_ROOT, Rule, RuleDefinitionError, all_rules,
                              get_rule)
from auditor.findings import Severity


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_is_complete(rule):
    sections = rule.doc_sections()
    assert all(sections.get(s) for s in DOC_SECTIONS), rule.id
    assert rule.ruling in rulings(), f"{rule.id} cites unknown ruling {rule.ruling}"
    kinds = {p.name.split("_")[0] for p in (FIXTURES_ROOT / rule.id).iterdir() if p.is_dir()}
    assert {"pass", "fail"} <= kinds


def test_names_are_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_lookup_by_id_or_name():
    assert get_rule("f001").id == "F001"
    assert get_rule("missing-required-file").id == "F001"
    assert get_rule("Z999") is None


def _define(**attrs):
    doc = attrs.pop("doc", "Summary.\n\nChecks:\nx\n\nWhy:\ny\n\nFails:\nz\n\nPasses:\nw\n")
    body = {"id": "F001", "name": "x-y", "ruling": "README-SUBMISSION", "severity": Severity.ERROR,
            "__doc__": doc, **attrs}
    return type("Temp", (Rule,), body)


def test_duplicate_id_fails_loudly():
    all_rules()
    with pytest.raises(RuleDefinitionError, match="duplicate rule id F001"):
        _define()


def test_missing_doc_section_fails_loudly():
    with pytest.raises(RuleDefinitionError, match="lacks section"):
        _define(id="Z900", doc="Summary only.")


def test_bad_name_and_id_fail_loudly():
    with pytest.raises(RuleDefinitionError, match="kebab-case"):
        _define(id="Z901", name="Not_Kebab")
    with pytest.raises(RuleDefinitionError, match="not like"):
        _define(id="bad")


def test_missing_fixtures_fail_loudly():
    with pytest.raises(RuleDefinitionError, match="needs fixtures"):
        _define(id="Z902", name="no-fixtures")
