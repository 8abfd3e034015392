"""Printed numbers: precision, comparison within printed precision, units."""
from __future__ import annotations

import math

import pytest

from auditor.parsers.numbers import parse_int, parse_num


@pytest.mark.parametrize("raw, value, decimals", [
    ("1.0828", 1.0828, 4), ("600", 600, 0), ("1e-08", 1e-08, 8), ("2.5e3", 2500.0, 0),
    ("16,054,963", 16054963, 0), ("-0.0061", -0.0061, 4), (".5", 0.5, 1),
])
def test_decimals(raw, value, decimals):
    num = parse_num(raw, 3)
    assert num.value == value and num.decimals == decimals and num.line == 3


def test_agrees_within_printed_precision():
    claim, logged = parse_num("1.0828", 1), parse_num("1.08279384", 9)
    assert claim.agrees(logged) and logged.agrees(claim)
    assert not claim.agrees(parse_num("1.0831", 2))
    assert claim.agrees(1.08284) and not claim.agrees(1.08286)
    assert not parse_num("nan", 1).agrees(1.0)


def test_units_and_bad_input():
    assert parse_num("153.3", 1, "s").to_ms() == 153300.0
    assert parse_num("9.6", 1, "m").to_seconds() == 576.0
    assert parse_num("12", 1, "bytes").to_ms() is None
    assert parse_num("abc", 1) is None and parse_int("1.5", 1) is None
    assert math.isnan(parse_num("nan", 1).value)
