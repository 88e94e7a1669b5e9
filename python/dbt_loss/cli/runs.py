"""`dbt-loss runs`: the training runs recorded in a schema, newest first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from sqlglot import exp

from ..training.engine import Engine
from ..training.run_tables import RUNS, RunTables
from .database import DEFAULT_DATABASE, DEFAULT_SCHEMA, Database, Schema, connect
from .errors import handled
from .output import print_json, print_whole, stderr, stdout
from .progress import number
from .summary import STATUS_STYLE

COLUMNS = [
    "run_id",
    "run_name",
    "model",
    "loss",
    "status",
    "iterations",
    "train_loss",
    "validation_loss",
    "started_at",
]
HEADERS = {
    "iterations": "iter",
    "train_loss": "train",
    "validation_loss": "validation",
    "started_at": "started (UTC)",
}
JSON_COLUMNS = COLUMNS + ["finished_at", "objective", "message"]


def _select(tables: RunTables, columns: list[str]) -> exp.Select:
    return exp.select(*[exp.column(c, quoted=True) for c in columns]).from_(tables.table(RUNS))


def list_runs(engine: Engine, schema: str, columns: list[str], limit: int | None) -> list[dict]:
    """Runs newest first; an empty list where no run tables exist yet."""
    tables = RunTables(engine, schema)
    if not tables.exists():
        return []
    query = _select(tables, columns).order_by(
        exp.Ordered(this=exp.column("started_at", quoted=True), desc=True),
        exp.Ordered(this=exp.column("run_id", quoted=True)),
    )
    if limit is not None:
        query = query.limit(limit)
    return [dict(zip(columns, row, strict=True)) for row in engine.fetch(query)]


def latest_run_since(engine: Engine, schema: str, since: dt.datetime) -> str | None:
    """The run this process started, found after the fact: train() raises on Ctrl-C without
    returning the run, and one DuckDB file has one writer at a time."""
    tables = RunTables(engine, schema)
    if not tables.exists():
        return None
    started = exp.column("started_at", quoted=True)
    query = (
        _select(tables, ["run_id"])
        .where(started >= exp.cast(exp.Literal.string(since.isoformat(" ")), "timestamp"))
        .order_by(exp.Ordered(this=started, desc=True))
        .limit(1)
    )
    rows = engine.fetch(query)
    return rows[0][0] if rows else None


def _table(rows: list[dict], title: str, caption: str | None) -> Table:
    table = Table(
        title=title, caption=caption, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    for name in COLUMNS:
        numeric = name in ("iterations", "train_loss", "validation_loss")
        table.add_column(HEADERS.get(name, name), justify="right" if numeric else "left")
    for row in rows:
        style = STATUS_STYLE.get(row["status"])
        cells = {
            **{k: "—" if v is None else str(v) for k, v in row.items()},
            "train_loss": number(row["train_loss"]),
            "validation_loss": number(row["validation_loss"]),
            "started_at": f"{row['started_at']:%Y-%m-%d %H:%M}" if row["started_at"] else "—",
            "status": f"[{style}]{row['status']}[/]" if style else str(row["status"]),
        }
        table.add_row(*[cells[name] for name in COLUMNS])
    return table


def runs(
    database: Database = Path(DEFAULT_DATABASE),
    schema: Schema = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many runs.")] = 50,
    json: Annotated[bool, typer.Option("--json", help="Print the runs as a JSON array.")] = False,
) -> None:
    """List the training runs in a schema, newest first."""
    schema = schema or DEFAULT_SCHEMA
    with handled(), connect(database, read_only=True) as connection:
        columns = JSON_COLUMNS if json else COLUMNS
        rows = list_runs(Engine(connection), schema, columns, limit + 1)
    shown = rows[:limit]
    if json:
        print_json(shown)
        return
    if not rows:
        stderr().print(
            f"No training runs in schema {schema!r} of {database} yet: "
            "`dbt-loss train` (or dbt_loss.train) creates them."
        )
        return
    caption = f"the {limit} newest runs; more with --limit" if len(rows) > limit else None
    print_whole(stdout(), _table(shown, f"Training runs in {schema}", caption))
