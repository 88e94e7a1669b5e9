"""`dbt-loss select`: dbt_loss.select_loss from a shell. Candidates are a JSON list of train()
options; the leaderboard is printed best first, or as JSON with --json."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..selection import SelectionResult, select_loss
from ..selection.metrics import METRICS
from .database import DEFAULT_DATABASE, Database, Schema, connect
from .errors import FAILED, handled
from .output import print_json, print_whole, stdout
from .progress import number
from .train import FLAGS, Model, columns

SELECT_FLAGS = FLAGS | {
    "candidates": "--candidates",
    "metric": "--metric",
    "metric_params": "--metric-param",
    "leaderboard": "--leaderboard",
}


def parse_candidates(text: str) -> list:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise typer.BadParameter(
            f"must be a JSON list of train() options ({error.msg}), e.g. "
            '\'[{"loss": "mse"}, {"loss": "huber", "delta": 1}]\'',
            param_hint="'--candidates'",
        ) from None
    return value  # select_loss checks the shape and names the bad item


def parse_metric_params(values: list[str] | None) -> dict:
    """`--metric-param delta=1 --metric-param alpha=0.9` → {'delta': 1.0, 'alpha': 0.9}."""
    parameters = {}
    for value in values or []:
        name, _, text = value.partition("=")
        try:
            parameters[name.strip()] = float(text)
        except ValueError:
            raise typer.BadParameter(
                f"must be NAME=NUMBER, got {value!r}", param_hint="'--metric-param'"
            ) from None
    return parameters


def leaderboard_table(result: SelectionResult) -> Table:
    table = Table(
        title=f"Loss selection {result.selection_id} by {result.metric} on the validation rows",
        title_justify="left",
    )
    for name in ("rank", "candidate", result.metric, "run id", "status", "winner"):
        table.add_column(name, justify="right" if name in ("rank", result.metric) else "left")
    for row in result.leaderboard:
        table.add_row(
            str(row.rank),
            row.candidate,
            number(row.value),
            row.run_id,
            row.status,
            "[bold green]✓[/]" if row.is_winner else "",
        )
    return table


def select(
    relation: Annotated[str, typer.Option(help="The table to train on: table or schema.table.")],
    target: Annotated[str, typer.Option(help="The target column.")],
    model: Annotated[Model, typer.Option(help="The model every candidate fits.")],
    candidates: Annotated[
        str,
        typer.Option(
            help='A JSON list of train() options, e.g. \'[{"loss": "mse"}, '
            '{"loss": "huber", "delta": 1}]\'.'
        ),
    ],
    metric: Annotated[
        str, typer.Option(help=f"The validation metric, lower is better: {', '.join(METRICS)}.")
    ],
    features: Annotated[
        list[str] | None, typer.Option(help="Feature columns, comma-separated.")
    ] = (None),
    metric_param: Annotated[
        list[str] | None,
        typer.Option(help="A metric parameter NAME=VALUE (huber: delta; quantile_loss: alpha)."),
    ] = None,
    validation_fraction: Annotated[
        float | None, typer.Option(help="Share of rows held out to rank on (default 0.2).")
    ] = None,
    leaderboard: Annotated[
        str | None,
        typer.Option(help="The leaderboard table, in --schema (default loss_selection)."),
    ] = None,
    schema: Schema = None,
    database: Database = Path(DEFAULT_DATABASE),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the leaderboard as one JSON object.")
    ] = False,
) -> None:
    """Train candidate losses on one split and rank them by a validation metric.

    Exits 0 with a winner, 1 when no candidate succeeded with a finite metric, 2 on bad input."""
    names = columns(features)
    if not names:
        raise typer.BadParameter("give the feature columns", param_hint="'--features'")
    options = {
        "validation_fraction": validation_fraction,
        "leaderboard": leaderboard,
        "schema": schema,
    }
    options = {name: value for name, value in options.items() if value is not None}
    with handled(SELECT_FLAGS), connect(database) as connection:
        result = select_loss(
            connection,
            relation,
            target=target,
            features=names,
            model=model.value,
            candidates=parse_candidates(candidates),
            metric=metric,
            metric_params=parse_metric_params(metric_param),
            **options,
        )
    if as_json:
        print_json(
            {
                "selection_id": result.selection_id,
                "metric": result.metric,
                "winner": result.winner.run_id if result.winner else None,
                "leaderboard": [dataclasses.asdict(row) for row in result.leaderboard],
            }
        )
    else:
        console = stdout()
        print_whole(console, leaderboard_table(result))
        if result.winner:
            console.print(f"winner: {result.leaderboard[0].candidate} (run {result.winner.run_id})")
        else:
            console.print("no winner: no candidate succeeded with a finite metric value")
    if result.winner is None:
        raise typer.Exit(FAILED)
