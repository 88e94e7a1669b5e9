"""The README's main job: build the example retail warehouse on an embedded DuckDB file with
dbt, then print what a dashboard would show: loss tables, the models trained inside
`dbt build` against the hand-made ones, a loss chosen by select_loss, a training report, the
loss history, and the outcome of every data test.

Each run retrains the models (a Python model calling dbt_loss.train), scores them in SQL
(dbt_loss.prediction) and appends one evaluation to the loss history."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner
from rich.console import Console
from rich.table import Table

import dbt_loss

PROJECT = Path(__file__).resolve().parent
DATABASE = Path(os.environ.get("DBT_LOSS_EXAMPLE_PATH", PROJECT / "retail.duckdb"))
REPORT = DATABASE.parent / "report"  # example/report/ unless the database is elsewhere
console = Console()
COLOUR = {"pass": "green", "warn": "yellow", "fail": "red", "error": "red", "skipped": "red"}


def dbt(*args: str):
    os.environ["DBT_LOSS_EXAMPLE_PATH"] = str(DATABASE)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    command = [*args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT), "--quiet"]
    return dbtRunner().invoke(command)


def formatted(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def show(title: str, sql: str, connection) -> None:
    cursor = connection.execute(sql)
    table = Table(title=title, title_justify="left")
    for column in cursor.description:
        table.add_column(column[0], justify="left")
    for row in cursor.fetchall():
        table.add_row(*(formatted(v) for v in row))
    console.print(table)


def failing_groups(result, connection, limit: int = 4) -> str:
    """The groups a failing test returned, read from its stored failures (store_failures is
    on in dbt_project.yml): the columns before `metric` are the group keys."""
    relation = getattr(result.node, "relation_name", None)
    if not result.failures or not relation:
        return ""
    cursor = connection.execute(f"select * from {relation}")
    names = [c[0] for c in cursor.description]
    keys = names[: names.index("metric")] if "metric" in names else names[:1]
    keys = [k for k in keys if k != "model_name"] or keys
    rows = sorted(cursor.fetchall(), key=lambda row: tuple(str(row[names.index(k)]) for k in keys))
    groups = [", ".join(f"{k}={row[names.index(k)]}" for k in keys) for row in rows[:limit]]
    return "; ".join(groups) + (f"; … ({len(rows)} in all)" if len(rows) > limit else "")


def test_outcomes(results, connection) -> Table:
    table = Table(title="Data tests on forecast quality", title_justify="left")
    for column in ("test", "status", "failures", "failing groups"):
        table.add_column(column)
    tests = sorted(
        (r for r in results if r.node.resource_type == "test"),
        key=lambda r: (r.node.package_name != "dbt_loss_example", r.node.name),
    )
    for result in tests:
        status = str(result.status)
        table.add_row(
            result.node.name,
            f"[{COLOUR.get(status, 'white')}]{status.upper()}[/]",
            str(result.failures or 0),
            failing_groups(result, connection),
        )
    return table


def choose_demand_loss(connection):
    """Which loss should the demand model minimise when the business pays per unit of error?
    select_loss trains the candidates on one split (side by side where they can share
    queries) and ranks them by MAE on the held-out weeks."""
    result = dbt_loss.select_loss(
        connection,
        "main.demand_training_rows",
        target="demand",
        features=["price", "on_promotion", "season_sin", "season_cos", "week", "store"],
        model="linear",
        candidates=[
            {"loss": "mse"},
            {"loss": "mse", "l2": 1e-2},
            {"loss": "huber", "delta": 5},
            {"loss": "huber", "delta": 10},
            {"loss": "pseudo_huber", "delta": 10},
            {"loss": "quantile", "alpha": 0.5},
        ],
        metric="mae",
    )
    show(
        "Choosing the demand loss: select_loss, ranked by MAE on held-out rows "
        f"(leaderboard {result.schema}.{result.table})",
        f"""
         select rank, candidate, value as mae, is_winner, run_id
         from "{result.schema}"."{result.table}"
         where selection_id = '{result.selection_id}'
         order by rank
         """,
        connection,
    )
    return result.winner


def main() -> int:
    started = time.perf_counter()
    console.rule("dbt_loss example: a retail warehouse")
    if not dbt("deps").success:
        return 1
    build = dbt("build")
    results = list(getattr(build.result, "results", None) or [])
    if build.exception is not None or not results:
        console.print(f"[red]dbt build failed:[/] {build.exception}")
        return 1
    failed = [r for r in results if str(r.status) in ("error", "fail", "skipped")]
    built = {r.node.name for r in results if str(r.status) == "success"}
    with duckdb.connect(str(DATABASE)) as connection:
        show(
            "Demand forecast against the seasonal-naive baseline, by region",
            """
             select f.region, f.metric, f.value as forecast, b.value as seasonal_naive,
                    f.value / b.value as ratio, f.row_count as rows
             from demand_forecast_losses as f
             join baseline_losses as b using (region, metric)
             order by f.metric, f.region
             """,
            connection,
        )
        show(
            "Churn models, by plan",
            "select model, plan, metric, value, row_count as rows from churn_losses "
            "order by metric, plan, model",
            connection,
        )
        if "trained_models" in built:
            show(
                "Models trained inside dbt build (the Python model trained_models, dbt_loss.train)",
                """
                 select t.run_name, t.model, t.loss, t.status, t.iterations, t.train_loss,
                        r.duration_seconds as seconds, t.run_id
                 from trained_models as t
                 join stg_dbt_loss__training_runs as r using (run_id)
                 order by t.run_name
                 """,
                connection,
            )
        if "trained_model_losses" in built:
            show(
                "Trained models against the hand-made ones, on the same held-out rows "
                "(scored in SQL by dbt_loss.prediction)",
                """
                 select task, metric,
                        max(value) filter (where model like 'hand-made%') as hand_made,
                        max(value) filter (where model like '%(trained)') as trained,
                        max(value) filter (where model like '%(trained)')
                            / max(value) filter (where model like 'hand-made%') as ratio,
                        max(row_count) as rows
                 from trained_model_losses
                 group by task, metric
                 order by task desc, metric
                 """,
                connection,
            )
        if "trained_models" in built:
            winner = choose_demand_loss(connection)
            runs = [
                r for (r,) in connection.execute("select run_id from trained_models").fetchall()
            ]
            if winner is not None:
                runs.append(winner.run_id)
            paths = dbt_loss.report(connection, runs, output=REPORT)
            console.print(f"Training report: {paths[0]} ({len(paths) - 1} PNG images beside it)")
        if "forecast_loss_history" in built:
            rows, evaluations, models = connection.execute(
                "select count(*), count(distinct evaluated_at), count(distinct model_name) "
                "from forecast_loss_history"
            ).fetchone()
            console.print(
                f"Loss history: forecast_loss_history holds {rows} rows, "
                f"{evaluations} evaluation(s) of {models} models "
                "(each build appends one)."
            )
        console.print(test_outcomes(results, connection))
    for result in failed:
        console.print(f"[red]{result.node.name}[/]: {result.message}")
    console.print(f"Warehouse: {DATABASE} ({time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
