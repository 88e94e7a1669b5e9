"""The small per-engine layer: how to run a query and how to write rows. Everything else is
sqlglot expressions rendered in the engine's dialect."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from sqlglot import exp

from .sql import parenthesize


class Engine:
    """A database connection and the SQL dialect it speaks."""

    dialect = "duckdb"

    def __init__(self, connection: Any):
        self.connection = connection

    def render(self, expression: exp.Expression) -> str:
        return parenthesize(expression).sql(dialect=self.dialect)

    def fetch(self, expression: exp.Expression) -> list[tuple]:
        return self.connection.execute(self.render(expression)).fetchall()

    def fetch_prepared(self, sql: str, parameters: dict) -> list[tuple]:
        """Runs SQL rendered once, with bound parameter values (a training step)."""
        return self.connection.execute(sql, parameters).fetchall()

    def load_table(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """Replaces a temporary table with these rows (the parameters of grouped models)."""
        import pandas as pd

        frame = pd.DataFrame.from_records(rows, columns=columns)
        self.connection.register("dbt_loss_rows", frame)
        try:
            target = exp.table_(name, quoted=True)
            statement = exp.Create(
                this=target,
                kind="TABLE",
                replace=True,
                properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
                expression=exp.select("*").from_("dbt_loss_rows"),
            )
            self.connection.execute(self.render(statement))
        finally:
            self.connection.unregister("dbt_loss_rows")

    def execute(self, expression: exp.Expression, parameters: list | None = None) -> None:
        self.connection.execute(self.render(expression), parameters or [])

    def column_types(self, relation: exp.Expression) -> dict[str, str]:
        """Column name → lower-case type name of a table or subquery."""
        query = exp.select("*").from_(relation).limit(0)
        cursor = self.connection.execute(self.render(query))
        return {name: str(kind).lower() for name, kind, *_ in cursor.description}

    @contextmanager
    def transaction(self):
        self.connection.execute("begin transaction")
        try:
            yield
        except BaseException:
            self.connection.execute("rollback")
            raise
        self.connection.execute("commit")

    def insert_rows(self, table: exp.Table, columns: list[str], rows: list[tuple]) -> None:
        """Inserts rows as data, never as SQL text: DuckDB reads them from a DataFrame in one
        statement (a checkpoint of a thousand grouped models is one insert, not thousands)."""
        if not rows:
            return
        import pandas as pd

        frame = pd.DataFrame.from_records(rows, columns=columns)
        self.connection.register("dbt_loss_insert", frame)
        try:
            statement = exp.insert(
                exp.select(*[exp.column(c, quoted=True) for c in columns]).from_("dbt_loss_insert"),
                table,
                columns=[exp.to_identifier(c, quoted=True) for c in columns],
            )
            self.connection.execute(self.render(statement))
        finally:
            self.connection.unregister("dbt_loss_insert")

    def row_bucket(self, columns: list[exp.Expression], salt: str, buckets: int) -> exp.Expression:
        """A deterministic bucket in [0, buckets) from a hash of the row's values: the same row
        lands in the same bucket on every run (the validation split, mini-batches)."""
        hashed = exp.Anonymous(this="hash", expressions=[*columns, exp.Literal.string(salt)])
        return exp.Mod(this=hashed, expression=exp.Literal.number(buckets))

    def is_finite(self, value: exp.Expression) -> exp.Expression:
        """True for a number that is neither NaN nor infinite (NaN = NaN is true in DuckDB and
        PostgreSQL, so `x <> x` finds nothing)."""
        return exp.Anonymous(this="isfinite", expressions=[value])

    def is_numeric(self, type_name: str) -> bool:
        return any(
            word in type_name
            for word in ("int", "double", "float", "real", "decimal", "numeric", "hugeint")
        )

    def is_boolean(self, type_name: str) -> bool:
        return type_name.startswith("bool")


def engine_for(connection: Any) -> Engine:
    """The engine of a connection; DuckDB is the default and the only one built in so far."""
    if isinstance(connection, Engine):
        return connection
    module = type(connection).__module__
    if module.startswith("duckdb") or module.startswith("_duckdb"):
        return Engine(connection)
    raise TypeError(
        f"dbt_loss.train: argument 'connection' must be a DuckDB connection, got {type(connection)}"
    )
