"""Every loss macro, through a real dbt build on DuckDB, against its reference library, on
seeded data and on the edge cases of LOSSES.md, unweighted and with sample weights."""

from __future__ import annotations

import pytest

from support.compare import assert_agrees
from support.references import TABLES, expected

CASES = [
    (table, case, weighted)
    for table, cases in TABLES.items()
    for case in cases
    for weighted in ((False, True) if case.weighted else (False,))
]


@pytest.mark.parametrize(
    ("table", "case", "weighted"),
    CASES,
    ids=[f"{t}-{c.column}{'-weighted' if w else ''}" for t, c, w in CASES],
)
def test_loss_matches_reference(engine_warehouse, table, case, weighted):
    model = table.replace("_cases", "_metrics")
    column = case.column + ("__weighted" if weighted else "")
    results = {row["case_id"]: row[column] for row in engine_warehouse.model(model)}
    source = engine_warehouse.tables[table]
    for case_id, rows in source.groupby("case_id"):
        if case_id in case.ill_conditioned:
            continue
        reference = expected(case, rows, weighted)
        assert_agrees(results[case_id], reference, f"{model}.{column}[{case_id}]")


@pytest.mark.parametrize("table", list(TABLES))
def test_empty_input_gives_null(engine_warehouse, table):
    (row,) = engine_warehouse.model(table.replace("_cases", "_metrics_empty"))
    assert row.pop("row_count") == 0
    assert row and all(value is None for value in row.values()), row
