"""The suite's Spark side: one local-mode SparkSession per test process, shared by dbt-spark's
`session` method (which calls getOrCreate in the same process) and by the trainer. Its
warehouse and metastore live in a scratch folder, never in the working directory. The case
tables are written from pandas with NaN as NULL (as DuckDB reads pandas and as
support/postgres.py writes them), and rows are read back with NULL (None) kept apart from NaN."""

from __future__ import annotations

import atexit
import math
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd


@cache
def session():
    """Local mode on both cores, tuned for many small queries, where start-up and compilation
    cost more than the work: two shuffle partitions, no adaptive re-planning, expressions
    interpreted instead of compiled to Java (every model is a new, wide query, compiled once
    and never reused), and a JVM that stops at its quick first-tier JIT (with the code cache
    of the tiered default). Measured on the integration project's Spark build: about a quarter
    less time than Spark's defaults."""
    scratch = Path(tempfile.mkdtemp(prefix="dbt_loss_spark_"))
    # registered first, so it runs last at exit: after pyspark has stopped the session
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError as error:
        raise RuntimeError(
            "--engines spark needs pyspark and dbt-spark[session] "
            "(make test ENGINES=duckdb,spark installs them)"
        ) from error

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("dbt_loss tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config(
            "spark.driver.extraJavaOptions",
            f"-Dderby.system.home={scratch} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
            # C1 alone gets a 48 MB code cache, which a long session fills (the JVM then
            # dies on the next method handle it links): the tiered default instead
            "-XX:ReservedCodeCacheSize=240m",
        )
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _type(series: pd.Series):
    from pyspark.sql import types

    if pd.api.types.is_bool_dtype(series):
        return types.BooleanType()
    if pd.api.types.is_integer_dtype(series):
        return types.LongType()
    if pd.api.types.is_float_dtype(series):
        return types.DoubleType()
    if pd.api.types.is_datetime64_any_dtype(series):
        return types.TimestampNTZType()
    return types.StringType()


def _value(value):
    """A Python value Spark accepts, with pandas' missing values (NaN, NaT, None) as NULL."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    return value


def write_tables(tables: dict[str, pd.DataFrame], schema: str = "main") -> None:
    """Each frame as a Parquet table `schema`.`name`, replacing any table of that name."""
    from pyspark.sql import types

    spark = session()
    spark.sql(f"create schema if not exists `{schema}`")
    for name, frame in tables.items():
        structure = types.StructType(
            [types.StructField(str(c), _type(frame[c]), nullable=True) for c in frame.columns]
        )
        data = [tuple(_value(v) for v in row) for row in frame.itertuples(index=False)]
        spark.sql(f"drop table if exists `{schema}`.`{name}`")
        spark.createDataFrame(data, structure).write.format("parquet").saveAsTable(
            f"`{schema}`.`{name}`"
        )


def rows(query: str) -> list[dict]:
    """Rows as dicts of Python values: NULL is None and NaN stays a float NaN."""
    return [row.asDict() for row in session().sql(query).collect()]
