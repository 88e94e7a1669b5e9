"""The suite's Spark side: one local-mode SparkSession per test process, shared by dbt-spark's
`session` method (which calls getOrCreate in the same process) and by the trainer. Its
warehouse and metastore live in a scratch folder, never in the working directory."""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path


@cache
def session():
    """Local mode on both cores; small shuffles, since every test table is small."""
    scratch = Path(tempfile.mkdtemp(prefix="dbt_loss_spark_"))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("dbt_loss tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={scratch}")
        .config("spark.sql.session.timeZone", "UTC")
        .enableHiveSupport()
        .getOrCreate()
    )
