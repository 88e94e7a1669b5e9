"""`dbt-loss predict`: score a table with a trained run into a new table, in the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlglot import exp

from ..scoring import predict as predict_relation
from ..training.engine import Engine
from ..training.trainer import relation_expression
from .database import DEFAULT_DATABASE, Database, Schema, connect
from .errors import handled
from .output import print_json, stdout

FLAGS = {"relation": "--relation", "run": "--run"}
SCORED = "dbt_loss_scored"


def predict(
    run: Annotated[str, typer.Option(help="A run id, or the name of a succeeded run.")],
    relation: Annotated[str, typer.Option(help="The table to score: table or schema.table.")],
    output: Annotated[str, typer.Option(help="The table to create: table or schema.table.")],
    replace: Annotated[bool, typer.Option(help="Replace the output table if it exists.")] = False,
    schema: Schema = None,
    database: Database = Path(DEFAULT_DATABASE),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the table, row count and columns as JSON.")
    ] = False,
) -> None:
    """Score a table with a trained run into a new table.

    The output has the relation's rows and a `prediction` column (and `probability_<class>`
    per class for softmax), computed in the warehouse by dbt_loss.predict."""
    with handled(FLAGS), connect(database) as connection:
        engine = Engine(connection)
        target = relation_expression(output)
        scored = predict_relation(connection, run, relation, schema=schema)
        # CREATE TABLE … AS over the lazy relation, visible to the statement under one name.
        statement = exp.Create(
            this=target,
            kind="TABLE",
            replace=replace,
            expression=exp.select(exp.Star()).from_(exp.table_(SCORED, quoted=True)),
        )
        scored.query(SCORED, engine.render(statement))
        rows = engine.fetch(exp.select(exp.Count(this=exp.Star())).from_(target))[0][0]
        names = list(engine.column_types(target))
    if as_json:
        print_json({"table": output, "rows": rows, "columns": names})
    else:
        stdout().print(f"wrote {rows} rows to {output} ({', '.join(names)})", soft_wrap=True)
