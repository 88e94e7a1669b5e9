"""Builds the integration_tests dbt project once per session on a fresh DuckDB file."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from support.cases import all_tables
from support.dbt import INTEGRATION_PROJECT, DbtProject
from support.references import REGRESSION, TABLES


class Warehouse:
    """The built DuckDB file: the case tables as written, and the models dbt built from them."""

    def __init__(self, project: DbtProject, tables: dict[str, pd.DataFrame]):
        self.project = project
        self.tables = tables

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.project.database)) as connection:
            return connection.execute(sql).df()

    def rows(self, sql: str) -> list[dict]:
        """Rows as dicts of Python values, so NULL (None) stays apart from NaN."""
        with duckdb.connect(str(self.project.database)) as connection:
            cursor = connection.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def model(self, name: str) -> list[dict]:
        return self.rows(f'select * from main."{name}"')


def write_tables(database, tables: dict[str, pd.DataFrame]) -> None:
    with duckdb.connect(str(database)) as connection:
        for name, frame in tables.items():
            connection.register("frame", frame)
            connection.execute(f'create or replace table main."{name}" as select * from frame')
            connection.unregister("frame")


@pytest.fixture(scope="session")
def dbt_project(tmp_path_factory) -> DbtProject:
    scratch = tmp_path_factory.mktemp("dbt")
    project = DbtProject(INTEGRATION_PROJECT, scratch / "warehouse.duckdb", scratch)
    project.run("deps")
    return project


@pytest.fixture(scope="session")
def warehouse(dbt_project) -> Warehouse:
    tables = all_tables()
    write_tables(dbt_project.database, tables)
    metric_cases = {table: [case.as_var() for case in cases] for table, cases in TABLES.items()}
    loss_table_metrics = [
        {"name": case.macro, "alias": case.column, **case.kwargs} for case in REGRESSION
    ] + ["r2_score", "explained_variance"]
    # Generic tests that fail on purpose are run, and checked, by test_generic_tests.py.
    dbt_project.run(
        "build",
        "--exclude",
        "tag:expected_failure",
        vars={"metric_cases": metric_cases, "loss_table_metrics": loss_table_metrics},
    )
    return Warehouse(dbt_project, tables)


def pytest_terminal_summary(terminalreporter):
    from support.compare import worst

    if worst["where"]:
        terminalreporter.write_line(
            f"dbt_loss: worst relative error against a reference: "
            f"{worst['relative_error']:.3g} at {worst['where']}"
        )
