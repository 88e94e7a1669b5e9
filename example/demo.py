"""The README's main job: build the example retail warehouse on an embedded DuckDB file with
dbt, then print what a dashboard would show: loss tables and the outcome of every data test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner
from rich.console import Console
from rich.table import Table

PROJECT = Path(__file__).resolve().parent
DATABASE = Path(os.environ.get("DBT_LOSS_EXAMPLE_PATH", PROJECT / "retail.duckdb"))
console = Console()


def dbt(*args: str):
    os.environ["DBT_LOSS_EXAMPLE_PATH"] = str(DATABASE)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    command = [*args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT), "--quiet"]
    return dbtRunner().invoke(command)


def show(title: str, sql: str, connection) -> None:
    cursor = connection.execute(sql)
    table = Table(title=title, title_justify="left")
    for column in cursor.description:
        table.add_column(column[0], justify="left")
    for row in cursor.fetchall():
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


def test_outcomes(results) -> Table:
    table = Table(title="Data tests on forecast quality", title_justify="left")
    for column in ("test", "status", "failing groups"):
        table.add_column(column)
    colour = {"pass": "green", "warn": "yellow", "fail": "red", "error": "red"}
    for result in results:
        if result.node.resource_type != "test":
            continue
        status = str(result.status)
        table.add_row(result.node.name, f"[{colour.get(status, 'white')}]{status}[/]",
                      str(result.failures or 0))
    return table


def main() -> int:
    console.rule("dbt_loss example: a retail warehouse")
    if not dbt("deps").success:
        return 1
    build = dbt("build")
    results = list(getattr(build.result, "results", None) or [])
    if build.exception is not None or not results:
        console.print(f"[red]dbt build failed:[/] {build.exception}")
        return 1
    errors = [r for r in results if str(r.status) == "error"]
    with duckdb.connect(str(DATABASE)) as connection:
        show("Demand forecast against the seasonal-naive baseline, by region",
             """
             select f.region, f.metric, f.value as forecast, b.value as seasonal_naive,
                    f.value / b.value as ratio, f.row_count as rows
             from demand_forecast_losses as f
             join baseline_losses as b using (region, metric)
             order by f.metric, f.region
             """, connection)
        show("Churn models, by plan",
             "select model, plan, metric, value, row_count as rows from churn_losses "
             "order by metric, plan, model", connection)
    if any(r.node.resource_type == "test" for r in results):
        console.print(test_outcomes(results))
    for result in errors:
        console.print(f"[red]{result.node.name}[/]: {result.message}")
    console.print(f"Warehouse: {DATABASE}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
