"""Our JSON Schemas are valid schemas, and the fast validator agrees with jsonschema."""

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from jsonschema import Draft202012Validator

from auditor.schemas import SCHEMA_DIR, _validator, fast_error, load_schema, schema_errors

NAMES = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name):
    Draft202012Validator.check_schema(load_schema(name))


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 20_000_000), st.floats(-1, 30, allow_nan=False),
                    st.sampled_from(["", "x", "me", "2026-04-01", "bad id!", "1.2"]))
keys = st.sampled_from(["name", "github_id", "val_bpb", "val_loss", "date", "bytes_total", "seeds",
                        "seed_results", "track", "author", "other"])
json_values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                           st.dictionaries(keys, kids, max_size=6)), max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, json_values, max_size=8))
def test_fast_and_full_validators_agree_on_submissions(instance):
    full = list(_validator("submission").iter_errors(instance))
    assert (fast_error(instance, "submission") is None) == (not full)
    assert bool(schema_errors(instance, "submission")) == bool(full)


@pytest.mark.parametrize("path", sorted((SCHEMA_DIR.parent.parent / "rules" / "rulesets").glob("*.json")))
def test_shipped_rulesets_agree(path):
    data = json.loads(path.read_text())
    assert fast_error(data, "ruleset") is None
    assert not list(Draft202012Validator(load_schema("ruleset")).iter_errors(data))
