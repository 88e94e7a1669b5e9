"""The weight invariances of LOSSES.md, for every weighted loss: all-ones weights change
nothing, integer weight k is the row repeated k times, zero weight is the row removed, and
scaling all weights changes nothing."""

from __future__ import annotations

import pytest

from support.compare import assert_agrees
from support.references import TABLES

PAIRS = [
    # (case, column suffix, must equal case, column suffix)
    ("unit_weights", "__weighted", "unit_weights", ""),
    ("integer_weights", "__weighted", "repeated", ""),
    ("zero_weights", "__weighted", "zero_weights_removed", "__weighted"),
    ("scaled_weights", "__weighted", "zero_weights", "__weighted"),
]
WEIGHTED = [(table, case) for table, cases in TABLES.items() for case in cases if case.weighted]


@pytest.mark.parametrize(("table", "case"), WEIGHTED, ids=[f"{t}-{c.column}" for t, c in WEIGHTED])
def test_weight_invariances(engine_warehouse, table, case):
    results = {
        row["case_id"]: row for row in engine_warehouse.model(table.replace("_cases", "_metrics"))
    }
    for left, left_suffix, right, right_suffix in PAIRS:
        ours = results[left][case.column + left_suffix]
        assert ours is not None and ours == ours, (left, ours)
        assert_agrees(
            ours,
            results[right][case.column + right_suffix],
            f"{case.column}: {left}{left_suffix} vs {right}{right_suffix}",
        )
    assert results["all_zero_weights"][case.column + "__weighted"] is None
