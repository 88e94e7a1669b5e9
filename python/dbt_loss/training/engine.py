"""The small per-engine layer: how to run a query, how to write rows, and the few functions
that have no portable spelling (a row hash, a finiteness test). Everything else is sqlglot
expressions rendered in the engine's dialect."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlglot import exp

from .duckdb_tuning import tuned_for_training
from .sql import KEYED_JOIN, parenthesize

DUCKDB_NUMERIC_TYPES = frozenset(
    (
        *("tinyint", "smallint", "integer", "int", "bigint", "hugeint"),
        *("utinyint", "usmallint", "uinteger", "ubigint", "uhugeint", "varint", "bignum"),
        *("float", "real", "double", "decimal", "numeric"),
    )
)

# Type names (or their first word) of columns a feature cannot one-hot encode.
NOT_CATEGORICAL = ("struct", "map", "union", "array", "list", "interval", "blob", "bytea", "bit")


class Engine:
    """A database connection and the SQL dialect it speaks (DuckDB, the default)."""

    dialect = "duckdb"
    # How often a training run writes its checkpoint, at most: every iteration (0), or this
    # many seconds apart, each checkpoint holding every iteration since the last. DuckDB lets
    # no other process open a file while it is written, so nobody watches a run live, and a
    # crash loses at most a second.
    checkpoint_seconds = 1.0

    def __init__(self, connection: Any):
        self.connection = connection

    def render(self, expression: exp.Expression) -> str:
        """The SQL text: parenthesize copies the tree once, so the rest may work on the copy."""
        return parenthesize(expression).sql(dialect=self.dialect, copy=False)

    def fetch(self, expression: exp.Expression) -> list[tuple]:
        return self.connection.execute(self.render(expression)).fetchall()

    def lazy(self, query: exp.Expression):
        """A query's rows without fetching them: a DuckDB relation."""
        return self.connection.sql(self.render(query))

    def fetch_prepared(self, sql: str, parameters: dict, *, many: bool = False) -> np.ndarray:
        """Runs SQL rendered once, with bound parameter values (a training step). Its result is
        numbers alone, returned as one float array with a row per result row (NULL → NaN).
        `many`: a row per group. DuckDB hands such a result over as arrays: at 10,000 groups,
        making a Python float of each sum first took a fifth of a second per query. A row or
        a few come quicker as Python tuples (1.7 ms against 2.8 ms for 170 sums)."""
        result = self.connection.execute(sql, parameters)
        if not many or not hasattr(result, "fetchnumpy"):  # psycopg, engines of your own
            return rows_array(result.fetchall(), len(result.description))
        columns = [
            c.astype(float).filled(np.nan) if isinstance(c, np.ma.MaskedArray) else c
            for c in result.fetchnumpy().values()
        ]
        return np.column_stack(columns).astype(float, copy=False)

    def load_table(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """Replaces a temporary table with these rows (the parameters of grouped models)."""
        frame = _data_frame(columns, rows)
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

    def in_transaction(self) -> bool:
        """Whether the caller has a transaction open on the connection: DuckDB gives each
        statement outside one a transaction id of its own. A run writes its tables in
        transactions of its own, and in DuckDB a failed statement aborts the caller's. False
        on engines of your own, which may have no txid_current()."""
        if self.dialect != "duckdb":
            return False
        ids = [self.connection.execute("select txid_current()").fetchone()[0] for _ in range(2)]
        return ids[0] == ids[1]

    def table_exists(self, schema: str, name: str) -> bool:
        """Whether the table exists, asked of the catalog: a query of a missing table would
        fail, and abort the caller's open transaction. Names compare whatever their case, as
        DuckDB resolves them (on PostgreSQL, "Runs" and runs would both match)."""
        matches = [
            exp.Lower(this=exp.column(name)).eq(exp.Lower(this=exp.Placeholder()))
            for name in ("table_schema", "table_name")
        ]
        query = (
            exp.select(exp.Count(this=exp.Star()))
            .from_(exp.table_("tables", db="information_schema"))
            .where(
                exp.and_(
                    exp.column("table_catalog").eq(exp.Anonymous(this="current_database")),
                    *matches,
                )
            )
        )
        return self.connection.execute(self.render(query), [schema, name]).fetchone()[0] > 0

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
        frame = _data_frame(columns, rows)
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

    def create_table(self, table: exp.Table, columns: list[tuple[str, str]], key: str) -> None:
        """Creates a table if it is missing. `key` names the column whose rows replace_rows and
        update_rows rewrite together (a run's id)."""
        self.execute(exp.Create(this=_schema(table, columns), kind="TABLE", exists=True))

    def replace_rows(
        self, table: exp.Table, key: str, value: str, columns: list[str], rows: list[tuple]
    ) -> None:
        """Replaces the rows whose `key` column equals `value` with these (a delete and an
        insert: atomic inside the caller's transaction)."""
        where = exp.column(key, quoted=True).eq(exp.Literal.string(value))
        self.execute(exp.delete(table, where=where))
        self.insert_rows(table, columns, rows)

    def update_rows(self, table: exp.Table, key: str, value: str, values: dict) -> None:
        """Sets these columns on the rows whose `key` column equals `value`; the new values
        are bound parameters."""
        if not values:
            return
        names = list(values)
        statement = exp.update(
            table,
            {exp.column(n, quoted=True): exp.Placeholder() for n in names},
            where=exp.column(key, quoted=True).eq(exp.Literal.string(value)),
        )
        self.execute(statement, [values[n] for n in names])

    @contextmanager
    def training_session(self, source: exp.Expression | None = None):
        """The database tuned for a training run's queries while they run, profile included
        (`source`: the relation the run reads), and put back after them: on DuckDB, see
        duckdb_tuning. The source is bound first, which loads a remote file system it needs
        before the tuning asks which are loaded; a source that does not bind raises the error
        planning would. Other engines, and engines of your own, are left as they are."""
        if self.dialect != "duckdb":
            yield
            return
        if source is not None:
            self.column_types(source)
        with tuned_for_training(self.connection):
            yield

    def create_temporary(self, name: str, query: exp.Select) -> exp.Table:
        """A temporary table of the query's rows, replacing one of that name: rows a run reads
        on every step (the curvature sample), copied once instead of filtered every time."""
        table = exp.table_(name, quoted=True)
        self.drop_temporary(name)
        temporary = exp.Properties(expressions=[exp.TemporaryProperty()])
        self.execute(exp.Create(this=table, kind="TABLE", properties=temporary, expression=query))
        return table

    def drop_temporary(self, name: str) -> None:
        self.execute(exp.Drop(tables=[exp.table_(name, quoted=True)], kind="TABLE", exists=True))

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
        """A whole type name (less its precision), so INTERVAL and INTEGER[] are not numbers."""
        return type_name.split("(")[0].strip() in DUCKDB_NUMERIC_TYPES

    def is_boolean(self, type_name: str) -> bool:
        return type_name.startswith("bool")

    def is_categorical(self, type_name: str) -> bool:
        """Whether a column that is not a number can be one-hot encoded: compared with its
        values written as text. Not lists, structs, maps, intervals or bytes."""
        nested = type_name.endswith("]") or type_name.startswith(NOT_CATEGORICAL)
        return not nested


class PostgresEngine(Engine):
    """PostgreSQL through psycopg 3: named %(name)s parameters, psycopg transactions, and
    temporary tables loaded with executemany."""

    dialect = "postgres"
    checkpoint_seconds = 0.0  # a cheap transaction, and BI can watch the run live

    def __init__(self, connection: Any):
        super().__init__(connection)
        self._loaded_types: dict[str, dict[str, str]] = {}  # load_table's, by table

    def render(self, expression: exp.Expression) -> str:
        """PostgreSQL pulls derived tables up into their parent and inlines their columns into
        every expression that reads them: a loss read by hundreds of sums would be computed
        hundreds of times per row. OFFSET 0 keeps each derived table a step of its own. A keyed
        join (rows to their group's parameters or weights) is also given an equality
        PostgreSQL can hash (_hashable_join)."""

        def fence(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
                if not node.this.args.get("offset"):
                    node.this.set("offset", exp.Offset(expression=exp.Literal.number(0)))
            return _hashable_join(node)

        fenced = parenthesize(expression).transform(fence, copy=False)
        return fenced.sql(dialect=self.dialect, copy=False)

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

    def in_transaction(self) -> bool:
        return False  # psycopg nests a run's transactions in the caller's, as savepoints

    @contextmanager
    def transaction(self):
        with self.connection.transaction():
            yield

    def load_table(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """A column's type is that of its first non-NULL value, in these rows or in an earlier
        load of the table: a line search may load only the group whose key is NULL, and a
        NULL typed double precision cannot be compared with a text column."""
        table = exp.table_(name, quoted=True)
        self.connection.execute(self.render(exp.Drop(tables=[table], kind="TABLE", exists=True)))
        earlier = self._loaded_types.setdefault(name, {})
        kinds = []
        for i, column_name in enumerate(columns):
            values = [row[i] for row in rows]
            if any(v is not None for v in values) or column_name not in earlier:
                earlier[column_name] = _postgres_type(values)
            kinds.append(earlier[column_name])
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
        """COPY … FROM STDIN, the rows sent as data: a checkpoint of 1,000 grouped models
        (17,000 weight rows) took 0.35 s as an executemany of INSERTs."""
        if not rows:
            return
        statement = exp.Copy(
            this=exp.Schema(
                this=table, expressions=[exp.to_identifier(c, quoted=True) for c in columns]
            ),
            kind=True,  # FROM
            files=[exp.Identifier(this="STDIN")],
        )
        with self.connection.cursor() as cursor, cursor.copy(self.render(statement)) as copy:
            for row in rows:
                copy.write_row(row)

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
        return _not_special(value)

    def is_numeric(self, type_name: str) -> bool:
        return type_name in ("int2", "int4", "int8", "float4", "float8", "numeric")

    def is_boolean(self, type_name: str) -> bool:
        return type_name == "bool"


def _data_frame(columns: list[str], rows: list[tuple]):
    """The rows as a pandas DataFrame for DuckDB to read. pandas turns a column of integers
    with a NULL among them into doubles, and 2**53 + 1 into 2**53 (group keys): such a column
    keeps its Python values instead (object dtype), which DuckDB reads at their own type. A
    column's type is that of its first non-NULL value (the values of a column of the
    database)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=columns)
    for index, name in enumerate(columns):
        if frame[name].dtype.kind == "f":
            first = next((row[index] for row in rows if row[index] is not None), None)
            if first is not None and not isinstance(first, float):
                frame[name] = pd.Series([row[index] for row in rows], dtype=object)
    return frame


def _hashable_join(node: exp.Expression) -> exp.Expression:
    """PostgreSQL can neither hash nor merge a join on IS NOT DISTINCT FROM: it compared every
    row with every group's parameter row (200,000 rows × 1,000 groups took 7 s a pass). A
    keyed join (sql.keyed_join: the trainer's and scoring's joins of rows to their group's
    row, never the user's own) gets hash_record(ROW(row's keys)) = hash_record(ROW(their
    keys)) in front: the types' own hash functions, equal for equal values within a type
    family (1.5 and 1.50, an int4 and an int8; the keys have their group column's type, or
    the family of the values the parameter table was loaded with), and 0 for NULL. It picks
    the candidate rows; IS NOT DISTINCT FROM still decides. hash_record is PostgreSQL 14's."""
    if not (isinstance(node, exp.Join) and node.meta.get(KEYED_JOIN)):
        return node
    condition = node.args["on"]
    pairs = [(e.this, e.expression) for e in condition.find_all(exp.NullSafeEQ)]
    rows, parameters = (
        exp.Anonymous(
            this="hash_record",
            expressions=[exp.Anonymous(this="ROW", expressions=[e.copy() for e in side])],
        )
        for side in zip(*pairs, strict=True)
    )
    node.set("on", exp.and_(rows.eq(parameters), condition))
    return node


def _postgres_type(values) -> str:
    """The PostgreSQL type of a column of Python values: that of its first non-NULL one."""
    import datetime as dt
    from decimal import Decimal

    value = next((v for v in values if v is not None), 0.0)
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint" if -(2**63) <= value < 2**63 else "numeric"
    if isinstance(value, float):
        return "double precision"
    if isinstance(value, Decimal):
        return "numeric"
    if isinstance(value, dt.datetime):
        return "timestamp" if value.tzinfo is None else "timestamptz"
    if isinstance(value, dt.date):
        return "date"
    return "text"


class SparkEngine(Engine):
    """Spark SQL through a SparkSession (pyspark 3.5+, local, cluster or Spark Connect): named
    :name parameter markers bound by spark.sql(args=…), temporary views for loaded rows, and
    DataFrame writes for inserts.

    Spark has no transactions, and its Parquet tables no DELETE or UPDATE. The run tables are
    therefore partitioned by run id, and a run's rows are replaced by overwriting its partition
    (dynamic partition overwrite: the new files are written to a staging folder first and
    swapped in at commit). A checkpoint is three writes in a fixed order: the history row is
    appended, the run's weights partition is overwritten, then the run's row; a crash between
    two of them leaves the previous weights or the new ones, each set whole, and a run row one
    iteration behind its weights at worst."""

    dialect = "spark"
    checkpoint_seconds = 10.0  # each checkpoint is several write jobs of about half a second

    def __init__(self, connection: Any):
        super().__init__(connection)
        self._dynamic: dict[str, bool] = {}

    def render(self, expression: exp.Expression) -> str:
        """Spark reads 0.5 as a DECIMAL(1,1) literal, and decimal arithmetic rounds to 38 digits
        and raises on overflow under ANSI mode: every non-integer number is written with an
        exponent (0.5E0), which Spark reads as a DOUBLE, as the other engines read 0.5."""

        def doubles(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Literal) and not node.is_string:
                text = node.this
                if "." in text and "e" not in text.lower():
                    return exp.Literal.number(f"{text}E0")
            return node

        doubled = parenthesize(expression).transform(doubles, copy=False)
        return doubled.sql(dialect=self.dialect, copy=False)

    def _sql(self, sql: str, parameters: dict | list | None = None):
        return self.connection.sql(sql, args=parameters or None)

    def fetch(self, expression: exp.Expression) -> list[tuple]:
        return [tuple(row) for row in self._sql(self.render(expression)).collect()]

    def lazy(self, query: exp.Expression):
        """A query's rows without fetching them: a Spark DataFrame."""
        return self._sql(self.render(query))

    def fetch_prepared(self, sql: str, parameters: dict, *, many: bool = False) -> np.ndarray:
        frame = self._sql(sql, parameters)
        return rows_array([tuple(row) for row in frame.collect()], len(frame.columns))

    def execute(self, expression: exp.Expression, parameters: list | None = None) -> None:
        self._sql(self.render(expression), parameters)  # commands run when spark.sql is called

    def column_types(self, relation: exp.Expression) -> dict[str, str]:
        """Spark's type names (DataType.simpleString: double, bigint, decimal(10,2), …), from
        the analysed plan of a LIMIT 0 query: nothing is read."""
        query = exp.select("*").from_(relation).limit(0)
        schema = self._sql(self.render(query)).schema
        return {f.name: f.dataType.simpleString() for f in schema.fields}

    def in_transaction(self) -> bool:
        return False  # Spark has none

    def table_exists(self, schema: str, name: str) -> bool:
        return self.connection.catalog.tableExists(name, schema)

    @contextmanager
    def transaction(self):
        """No transactions on Spark: the writes inside run one by one (see the class)."""
        yield

    def load_table(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """A temporary view over the rows, replaced at each call."""
        from pyspark.sql import types

        fields = [
            types.StructField(c, _spark_type([row[i] for row in rows]), True)
            for i, c in enumerate(columns)
        ]
        frame = self.connection.createDataFrame(rows, types.StructType(fields))
        frame.createOrReplaceTempView(name)

    def create_temporary(self, name: str, query: exp.Select) -> exp.Table:
        """A cached temporary view: Spark computes the rows once, at the first query."""
        self._sql(self.render(query)).createOrReplaceTempView(name)
        self.connection.catalog.cacheTable(name)
        return exp.table_(name, quoted=True)

    def drop_temporary(self, name: str) -> None:
        if self.connection.catalog.tableExists(name):
            self.connection.catalog.uncacheTable(name)
            self.connection.catalog.dropTempView(name)

    def _frame(self, table: exp.Table, columns: list[str], rows: list[tuple], fixed: dict):
        """A DataFrame of the rows in the table's own column order and types (partition
        columns last, as Spark lists them), with `fixed` column values on every row."""
        schema = self._sql(self.render(exp.select("*").from_(table).limit(0))).schema
        position = {c.lower(): i for i, c in enumerate(columns)}

        def cell(row: tuple, name: str):
            if name in fixed:
                return fixed[name]
            return row[position[name]] if name in position else None

        records = [
            tuple(_spark_value(cell(row, f.name.lower()), f.dataType) for f in schema.fields)
            for row in rows
        ]
        return self.connection.createDataFrame(records, schema)

    def insert_rows(self, table: exp.Table, columns: list[str], rows: list[tuple]) -> None:
        """Appends the rows, written as data (a DataFrame), never as SQL text."""
        if not rows:
            return
        self._frame(table, columns, rows, {}).write.insertInto(self.render(table))

    def create_table(self, table: exp.Table, columns: list[tuple[str, str]], key: str) -> None:
        """In the session's default format (spark.sql.sources.default: Parquet, or Delta on
        Databricks), partitioned by `key` so a run's rows can be rewritten alone. File-format
        tables get the option partitionOverwriteMode=dynamic (see replace_rows). A timestamp
        is TIMESTAMP_NTZ: Spark's TIMESTAMP is an instant, the other engines' a wall time."""
        fmt = self.connection.conf.get("spark.sql.sources.default", "parquet")
        columns = [(c, "timestamp_ntz" if k == "timestamp" else k) for c, k in columns]
        properties = [exp.FileFormatProperty(this=exp.Var(this=fmt))]
        if fmt.lower() in FILE_FORMATS:
            option = exp.Property(
                this=exp.Literal.string("partitionOverwriteMode"),
                value=exp.Literal.string("dynamic"),
            )
            properties.append(exp.OptionsProperty(expressions=[option]))
        properties.append(
            exp.PartitionedByProperty(
                this=exp.Schema(expressions=[exp.to_identifier(key, quoted=True)])
            )
        )
        create = exp.Create(
            this=_schema(table, columns),
            kind="TABLE",
            exists=True,
            properties=exp.Properties(expressions=properties),
        )
        self.execute(create)

    def _overwrites_dynamically(self, table: exp.Table) -> bool:
        """True for a file-format table whose INSERT OVERWRITE replaces only the partitions it
        writes (the table option create_table sets). A writer option is not enough: Spark's
        insertInto reads the table's options, and without them would replace every run."""
        name = self.render(table)
        if name not in self._dynamic:
            described = {
                str(row[0]).strip().lower(): str(row[1] or "")
                for row in self._sql(f"DESCRIBE TABLE EXTENDED {name}").collect()
            }
            options = described.get("storage properties", "").lower().replace(" ", "")
            self._dynamic[name] = (
                described.get("provider", "").lower() in FILE_FORMATS
                and "partitionoverwritemode=dynamic" in options
            )
        return self._dynamic[name]

    def replace_rows(
        self, table: exp.Table, key: str, value: str, columns: list[str], rows: list[tuple]
    ) -> None:
        """Overwrites the `key` = value partition (create_table partitions by `key`). On the
        tables create_table makes, the new files are staged and swapped in at commit (dynamic
        partition overwrite); otherwise (a Delta table: atomic) an INSERT OVERWRITE names the
        partition, which Spark's Parquet tables empty before writing."""
        frame = self._frame(table, columns, rows, {key.lower(): value})
        if rows and self._overwrites_dynamically(table):
            frame.write.insertInto(self.render(table), overwrite=True)
            return
        kept = [c for c in frame.columns if c.lower() != key.lower()]
        frame.select(*kept).createOrReplaceTempView("dbt_loss_rows")
        target = table.copy()
        target.set(
            "partition",
            exp.Partition(expressions=[exp.column(key, quoted=True).eq(exp.Literal.string(value))]),
        )
        select = exp.select(*[exp.column(c, quoted=True) for c in kept]).from_("dbt_loss_rows")
        try:
            self.execute(exp.insert(select, target, overwrite=True))
        finally:
            self.connection.catalog.dropTempView("dbt_loss_rows")

    def update_rows(self, table: exp.Table, key: str, value: str, values: dict) -> None:
        """Reads the rows, sets the values and overwrites their partition (replace_rows)."""
        if not values:
            return
        query = (
            exp.select("*")
            .from_(table)
            .where(exp.column(key, quoted=True).eq(exp.Literal.string(value)))
        )
        frame = self._sql(self.render(query))
        names = [c.lower() for c in frame.columns]
        changed = {n.lower(): v for n, v in values.items()}
        rows = [
            tuple(changed.get(n, current) for n, current in zip(names, row, strict=True))
            for row in frame.collect()
        ]
        self.replace_rows(table, key, value, names, rows)

    def row_bucket(self, columns: list[exp.Expression], salt: str, buckets: int) -> exp.Expression:
        hashed = exp.Anonymous(this="xxhash64", expressions=[*columns, exp.Literal.string(salt)])
        return exp.Anonymous(this="pmod", expressions=[hashed, exp.Literal.number(buckets)])

    def is_finite(self, value: exp.Expression) -> exp.Expression:
        """NaN = NaN is true in Spark too, so the special values are found with IN."""
        return _not_special(value)

    def is_numeric(self, type_name: str) -> bool:
        return type_name in ("tinyint", "smallint", "int", "bigint", "float", "double") or (
            type_name.startswith("decimal")
        )

    def is_boolean(self, type_name: str) -> bool:
        return type_name == "boolean"


# Spark's file sources, whose tables take a partitionOverwriteMode option (not Delta)
FILE_FORMATS = ("parquet", "orc", "avro", "json", "csv", "text")


def _not_special(value: exp.Expression) -> exp.Expression:
    """True unless the double is NaN or ±infinity, matched with IN (where NaN = NaN)."""
    special = [
        exp.cast(exp.Literal.string(v), exp.DataType.build("double"))
        for v in ("NaN", "Infinity", "-Infinity")
    ]
    return exp.not_(value.isin(*special))


def _schema(table: exp.Table, columns: list[tuple[str, str]]) -> exp.Schema:
    return exp.Schema(
        this=table,
        expressions=[
            exp.ColumnDef(this=exp.to_identifier(c, quoted=True), kind=exp.DataType.build(k))
            for c, k in columns
        ],
    )


def _spark_type(values: list):
    """The Spark type of a column of Python values (a loaded table's group keys and numbers)."""
    import datetime as dt
    from decimal import Decimal

    from pyspark.sql import types

    for value in values:
        if isinstance(value, bool):
            return types.BooleanType()
        if isinstance(value, int):
            return types.LongType()
        if isinstance(value, float):
            return types.DoubleType()
        if isinstance(value, Decimal):
            return types.DecimalType(38, 18)
        if isinstance(value, dt.datetime):
            return types.TimestampType()
        if isinstance(value, dt.date):
            return types.DateType()
        if value is not None:
            return types.StringType()
    return types.StringType()


def _spark_value(value, kind):
    """A Python value of the type pyspark expects for a column of Spark type `kind`."""
    from pyspark.sql import types

    if value is None:
        return None
    if isinstance(kind, (types.DoubleType, types.FloatType)):
        return float(value)
    if isinstance(kind, types.IntegralType):
        return int(value)
    if isinstance(kind, types.StringType):
        return str(value)
    return value


def rows_array(rows: list[tuple], width: int) -> np.ndarray:
    """Rows of `width` numbers as one float array (NULL → NaN), also when there are none."""
    return np.array(rows, dtype=float).reshape(len(rows), width)


def engine_for(connection: Any) -> Engine:
    """The engine of a connection: DuckDB, PostgreSQL through psycopg 3, or a SparkSession."""
    if isinstance(connection, Engine):
        return connection
    module = type(connection).__module__
    if module.startswith(("duckdb", "_duckdb")):
        return Engine(connection)
    if module.startswith("psycopg"):
        return PostgresEngine(connection)
    if module.startswith("pyspark.sql") and hasattr(connection, "createDataFrame"):
        return SparkEngine(connection)
    raise TypeError(
        "dbt_loss.train: argument 'connection' must be a DuckDB or psycopg connection or a "
        f"SparkSession, got {type(connection)}"
    )
