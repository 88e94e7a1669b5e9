"""The leaderboard table select_loss leaves for BI: one row per candidate of a selection, in
the run tables' schema, written in one transaction (a selection is there whole or not)."""

from __future__ import annotations

from sqlglot import exp

from ..training.engine import Engine

COLUMNS = [
    ("selection_id", "varchar"),
    ("candidate", "varchar"),
    ("run_id", "varchar"),
    ("options", "varchar"),
    ("metric", "varchar"),
    ("metric_parameters", "varchar"),
    ("value", "double"),
    ("rank", "integer"),
    ("is_winner", "boolean"),
    ("created_at", "timestamp"),
]


def write_leaderboard(engine: Engine, schema: str, name: str, rows: list[tuple]) -> None:
    """Creates `<schema>.<name>` if missing and appends the rows (in COLUMNS order)."""
    table = exp.table_(name, db=schema, quoted=True)
    engine.execute(
        exp.Create(this=exp.to_identifier(schema, quoted=True), kind="SCHEMA", exists=True)
    )
    definition = exp.Schema(
        this=table,
        expressions=[
            exp.ColumnDef(
                this=exp.to_identifier(column, quoted=True), kind=exp.DataType.build(kind)
            )
            for column, kind in COLUMNS
        ],
    )
    engine.execute(exp.Create(this=definition, kind="TABLE", exists=True))
    with engine.transaction():
        engine.insert_rows(table, [c for c, _ in COLUMNS], rows)
