"""The DuckDB file every command works on, and the options that name it."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from ..training.trainer import train
from .errors import CliError

DEFAULT_DATABASE = "dbt_loss.duckdb"
DEFAULT_SCHEMA = inspect.signature(train).parameters["schema"].default

Database = Annotated[
    Path,
    typer.Option(
        "--database",
        "-d",
        envvar="DBT_LOSS_DATABASE",
        help="The DuckDB file (env DBT_LOSS_DATABASE).",
        show_default=True,
        rich_help_panel="Database",
    ),
]
Schema = Annotated[
    str | None,
    typer.Option(
        help="Schema of the run tables (training_runs, …). [default: dbt_loss]",
        rich_help_panel="Database",
    ),
]


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An existing database only: DuckDB would create an empty file for a mistyped path."""
    if not path.is_file():
        raise CliError(
            f"database file {str(path)!r} does not exist; name it with --database or "
            "DBT_LOSS_DATABASE"
        )
    return duckdb.connect(str(path), read_only=read_only)
