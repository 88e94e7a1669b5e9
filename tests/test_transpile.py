"""Every SQL statement the macros emit parses and transpiles, through sqlglot, to the engines
users move to. The integration models call every macro, so their compiled SQL covers them."""

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
    assert {"regression_metrics", "multiclass_metrics", "series_loss_table"} <= set(models)
    for name, statement in models.items():
        transpiled = statement.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
        assert sqlglot.parse_one(transpiled, read=dialect) is not None, name
