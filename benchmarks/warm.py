"""Warm-up before timing: each problem trained once by both sides on a tiny table, so the timed
runs pay no first-call costs (lazy imports, sqlglot's and scikit-learn's first-use work) and
compare two warm processes, as in a notebook or a scheduled job's second model."""

from __future__ import annotations

import dbt_loss

from . import data
from .peers import Problem, export, fit

ROWS = 2_000


def warm_up(
    connection, problem: Problem, features: list[str], *, group_rows: int | None = None
) -> None:
    table = "warm_up_groups" if group_rows else "warm_up_rows"
    rows = 2 * group_rows if group_rows else ROWS
    connection.execute(
        f"create table if not exists {table} as "
        f"{data.training_query(rows, len(features), group_rows=group_rows)}"
    )
    options = {"group_by": ["g"]} if group_rows else {}
    dbt_loss.train(
        connection,
        table,
        target=problem.target,
        features=features,
        schema="dbt_loss_warm_up",
        **options,
        **problem.train_options(),
    )
    X, y = export(connection, table, features, problem.target)
    fit(problem, X, y)
