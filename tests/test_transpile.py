"""Every SQL statement the macros emit parses and transpiles, through sqlglot, to the engines
users move to (Snowflake, BigQuery, Trino and Databricks, besides the PostgreSQL and Spark the
suite runs on). The integration models call every loss macro, loss_table and loss_history, and
the session build compiles a generic test of each kind, so their compiled SQL covers them."""

from __future__ import annotations

import functools

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

DIALECTS = ["postgres", "snowflake", "bigquery", "spark", "trino", "databricks"]


@functools.cache
def parsed_models(compiled_root) -> dict:
    """Each compiled model, parsed once as DuckDB SQL (parsing is the slow part)."""
    return {
        path.stem: sqlglot.parse_one(path.read_text(), read="duckdb")
        for path in compiled_root.rglob("*.sql")
        if path.is_file()  # `compile --inline` leaves a folder named "… remote system.sql"
    }


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiled_macros_transpile(warehouse, dialect):
    models = parsed_models(warehouse.project.scratch / "target" / "compiled")
    assert {
        "regression_metrics",
        "multiclass_metrics",
        "integer_metrics",
        "series_loss_table",
        "forecast_loss_history",
        # one generic test of each kind
        "loss_below_mae_passes",
        "beats_naive_overall_passes",
        "beats_naive_column_passes",
        "history_mse_passes",
        "valid_probabilities_passes",
    } <= set(models)
    for name, statement in models.items():
        transpiled = statement.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
        assert sqlglot.parse_one(transpiled, read=dialect) is not None, name
