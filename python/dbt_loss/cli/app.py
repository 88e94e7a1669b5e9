"""The typer application: one command per module."""

from __future__ import annotations

import typer

from .predict import predict
from .report import report
from .runs import runs
from .select import select
from .train import train

app = typer.Typer(
    name="dbt-loss",
    help="Train models in the warehouse, list training runs and score tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command()(train)
app.command()(runs)
app.command()(predict)
app.command()(select)
app.command()(report)


def main() -> None:
    app(prog_name="dbt-loss")
