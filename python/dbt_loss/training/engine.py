"""The small per-engine layer: how to run a query, how to write rows, and the few functions
that have no portable spelling (a row hash, a finiteness test). Everything else is sqlglot
expressions rendered in the engine's dialect."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from sqlglot import exp

from .sql import parenthesize


class Engine:
    """A database connection and the SQL dialect it speaks (DuckDB, the default)."""

    dialect = "duckdb"

    def __init__(self, connection: Any):
        self.connection = connection

    def render(self, expression: exp.Expression) -> str:
        return parenthesize(expression).sql(dialect=self.dialect)

    def fetch(self, expression: exp.Expression) -> list[tuple]:
        return self.connection.execute(self.render(expression)).fetchall()

    def lazy(self, query: exp.Expression):
        """A query's rows without fetching them: a DuckDB relation."""
        return self.connection.sql(self.render(query))

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


class PostgresEngine(Engine):
    """PostgreSQL through psycopg 3: named %(name)s parameters, psycopg transactions, and
    temporary tables loaded with executemany."""

    dialect = "postgres"

    def render(self, expression: exp.Expression) -> str:
        """PostgreSQL pulls derived tables up into their parent and inlines their columns into
        every expression that reads them: a loss read by hundreds of sums would be computed
        hundreds of times per row. OFFSET 0 keeps each derived table a step of its own."""

        def fence(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
                if not node.this.args.get("offset"):
                    node.this.set("offset", exp.Offset(expression=exp.Literal.number(0)))
            return node

        return parenthesize(expression).transform(fence).sql(dialect=self.dialect)

    def lazy(self, query: exp.Expression):
        """A query's rows without fetching them: an executed psycopg cursor."""
        return self.connection.execute(self.render(query))

    def column_types(self, relation: exp.Expression) -> dict[str, str]:
        query = exp.select("*").from_(relation).limit(0)
        cursor = self.connection.execute(self.render(query))
        types = self.connection.adapters.types
        return {
            c.name: (types.get(c.type_code).name if types.get(c.type_code) else "unknown")
            for c in cursor.description
        }

    @contextmanager
    def transaction(self):
        with self.connection.transaction():
            yield

    def load_table(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        table = exp.table_(name, quoted=True)
        self.connection.execute(self.render(exp.Drop(tables=[table], kind="TABLE", exists=True)))
        kinds = [_postgres_type(rows[0][i] if rows else 0.0) for i in range(len(columns))]
        schema = exp.Schema(
            this=table,
            expressions=[
                exp.ColumnDef(this=exp.to_identifier(c, quoted=True), kind=exp.DataType.build(k))
                for c, k in zip(columns, kinds, strict=True)
            ],
        )
        create = exp.Create(
            this=schema,
            kind="TABLE",
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        self.connection.execute(self.render(create))
        self.insert_rows(table, columns, rows)

    def insert_rows(self, table: exp.Table, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        statement = exp.insert(
            exp.values([exp.Tuple(expressions=[exp.Placeholder() for _ in columns])]),
            table,
            columns=[exp.to_identifier(c, quoted=True) for c in columns],
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(self.render(statement), [list(row) for row in rows])

    def row_bucket(self, columns: list[exp.Expression], salt: str, buckets: int) -> exp.Expression:
        text = [exp.cast(c, exp.DataType.build("text")) for c in columns]
        joined = exp.Anonymous(
            this="concat_ws", expressions=[exp.Literal.string("|"), *text, exp.Literal.string(salt)]
        )
        hashed = exp.Anonymous(this="hashtext", expressions=[joined])
        # mod(), not %: psycopg reads % as the start of a parameter
        return exp.Anonymous(
            this="mod", expressions=[exp.Abs(this=hashed), exp.Literal.number(buckets)]
        )

    def is_finite(self, value: exp.Expression) -> exp.Expression:
        special = [
            exp.cast(exp.Literal.string(v), exp.DataType.build("double"))
            for v in ("NaN", "Infinity", "-Infinity")
        ]
        return exp.not_(value.isin(*special))

    def is_numeric(self, type_name: str) -> bool:
        return type_name in ("int2", "int4", "int8", "float4", "float8", "numeric")

    def is_boolean(self, type_name: str) -> bool:
        return type_name == "bool"


def _postgres_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    return "text"


def engine_for(connection: Any) -> Engine:
    """The engine of a connection: DuckDB, or PostgreSQL through psycopg 3."""
    if isinstance(connection, Engine):
        return connection
    module = type(connection).__module__
    if module.startswith(("duckdb", "_duckdb")):
        return Engine(connection)
    if module.startswith("psycopg"):
        return PostgresEngine(connection)
    raise TypeError(
        "dbt_loss.train: argument 'connection' must be a DuckDB or psycopg connection, "
        f"got {type(connection)}"
    )
