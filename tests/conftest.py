"""Builds the integration_tests dbt project once per session on a fresh DuckDB file, and, with
`--engines duckdb,postgres,spark` (or DBT_LOSS_ENGINES), the same project on PostgreSQL and on
Spark too: the cross-engine tests (those taking `engine_warehouse`) run once per engine."""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pytest

from support import compare, postgres, spark
from support.cases import all_tables
from support.dbt import INTEGRATION_PROJECT, DbtProject
from support.engines import selected as selected_engines
from support.references import REGRESSION, TABLES

ENGINES = ("duckdb", "postgres", "spark")


class Warehouse:
    """The built DuckDB file: the case tables as written, and the models dbt built from them."""

    engine = "duckdb"

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

    def relation(self, schema: str, name: str) -> str:
        """A quoted schema.table name in the engine's SQL."""
        return f'{schema}."{name}"'

    def model(self, name: str) -> list[dict]:
        return self.rows(f"select * from {self.relation('main', name)}")


class PostgresWarehouse(Warehouse):
    """The same models, built by dbt-postgres on the server the suite was pointed at."""

    engine = "postgres"

    def rows(self, sql: str) -> list[dict]:
        return postgres.rows(sql)


class SparkWarehouse(Warehouse):
    """The same models, built by dbt-spark (session method) in this process's SparkSession."""

    engine = "spark"

    def rows(self, sql: str) -> list[dict]:
        return spark.rows(sql)

    def relation(self, schema: str, name: str) -> str:
        return f"`{schema}`.`{name}`"


WAREHOUSES = {"duckdb": Warehouse, "postgres": PostgresWarehouse, "spark": SparkWarehouse}


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


def build(project: DbtProject) -> None:
    """Every model and every generic test that should pass; those that fail on purpose are
    run, and checked, by test_generic_tests.py. --full-refresh: a server the suite ran on
    before keeps its incremental loss history."""
    project.run("build", "--exclude", "tag:expected_failure", "--full-refresh", vars=build_vars())


def pytest_addoption(parser):
    parser.addoption(
        "--engines",
        default=os.environ.get("DBT_LOSS_ENGINES", "duckdb"),
        help="comma-separated engines for the cross-engine tests: duckdb,postgres,spark",
    )


def pytest_generate_tests(metafunc):
    if "engine_warehouse" in metafunc.fixturenames:
        metafunc.parametrize(
            "engine_warehouse", selected_engines(metafunc.config), indirect=True, scope="session"
        )


@pytest.fixture(scope="session")
def engine_warehouse(request, tmp_path_factory) -> Warehouse:
    """The integration project built on one engine: the values the cross-engine tests compare."""
    engine = request.param
    if engine == "duckdb":
        return request.getfixturevalue("warehouse")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    tables = all_tables()
    if engine == "postgres":
        postgres.profile_environment()
        postgres.write_tables(tables)
    else:
        # in schema `cases` (see models/sources.yml); creates the session dbt-spark picks up
        spark.write_tables(tables, schema="cases")
    scratch = tmp_path_factory.mktemp(f"dbt_{engine}")
    project = DbtProject(INTEGRATION_PROJECT, scratch / "unused.duckdb", scratch, target=engine)
    project.run("deps")
    build(project)
    return WAREHOUSES[engine](project, tables)


@pytest.fixture(scope="session")
def warehouse(dbt_project) -> Warehouse:
    tables = all_tables()
    write_tables(dbt_project.database, tables)
    build(dbt_project)
    return Warehouse(dbt_project, tables)


@pytest.fixture(autouse=True)
def _engine_of_test(request):
    """Tells support/compare.py which engine the values it checks come from."""
    callspec = getattr(request.node, "callspec", None)
    compare.current["engine"] = (
        callspec.params.get("engine_warehouse", "duckdb") if callspec else "duckdb"
    )


def pytest_terminal_summary(terminalreporter):
    if compare.worst["where"]:
        terminalreporter.write_line(
            f"dbt_loss: worst relative error against a reference: "
            f"{compare.worst['relative_error']:.3g} at {compare.worst['where']}"
        )
    if len(compare.worst_by_engine) > 1:
        for engine, record in sorted(compare.worst_by_engine.items()):
            terminalreporter.write_line(
                f"dbt_loss: worst on {engine}: {record['relative_error']:.3g} at {record['where']}"
            )
