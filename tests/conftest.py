"""Builds the integration_tests dbt project once per session on a fresh DuckDB file, and, with
`--engines duckdb,postgres` (or DBT_LOSS_ENGINES), the loss models on PostgreSQL too."""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pytest

from support import postgres
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


class PostgresWarehouse(Warehouse):
    """The same models, built by dbt-postgres on the server the suite was pointed at."""

    def rows(self, sql: str) -> list[dict]:
        return postgres.rows(sql)


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


def build_vars() -> dict:
    metric_cases = {table: [case.as_var() for case in cases] for table, cases in TABLES.items()}
    loss_table_metrics = [
        {"name": case.macro, "alias": case.column, **case.kwargs} for case in REGRESSION
    ] + ["r2_score", "explained_variance"]
    return {"metric_cases": metric_cases, "loss_table_metrics": loss_table_metrics}


def pytest_addoption(parser):
    parser.addoption(
        "--engines",
        default=os.environ.get("DBT_LOSS_ENGINES", "duckdb"),
        help="comma-separated engines for the cross-engine tests: duckdb,postgres",
    )


def pytest_generate_tests(metafunc):
    if "engine_warehouse" in metafunc.fixturenames:
        engines = [e.strip() for e in metafunc.config.getoption("engines").split(",") if e.strip()]
        metafunc.parametrize("engine_warehouse", engines, indirect=True, scope="session")


@pytest.fixture(scope="session")
def engine_warehouse(request, tmp_path_factory) -> Warehouse:
    """The loss models on one engine: the values the cross-engine tests compare."""
    if request.param == "duckdb":
        return request.getfixturevalue("warehouse")
    if request.param != "postgres":
        raise ValueError(f"unknown engine {request.param!r}: duckdb or postgres")
    postgres.profile_environment()
    scratch = tmp_path_factory.mktemp("dbt_postgres")
    project = DbtProject(INTEGRATION_PROJECT, scratch / "unused.duckdb", scratch, target="postgres")
    project.run("deps")
    tables = all_tables()
    postgres.write_tables(tables)
    project.run(
        "build", "--select", "path:models/losses", "path:models/loss_tables", vars=build_vars()
    )
    return PostgresWarehouse(project, tables)


@pytest.fixture(scope="session")
def warehouse(dbt_project) -> Warehouse:
    tables = all_tables()
    write_tables(dbt_project.database, tables)
    # Generic tests that fail on purpose are run, and checked, by test_generic_tests.py.
    dbt_project.run(
        "build",
        "--exclude",
        "tag:expected_failure",
        vars=build_vars(),
    )
    return Warehouse(dbt_project, tables)


def pytest_terminal_summary(terminalreporter):
    from support.compare import worst

    if worst["where"]:
        terminalreporter.write_line(
            f"dbt_loss: worst relative error against a reference: "
            f"{worst['relative_error']:.3g} at {worst['where']}"
        )
