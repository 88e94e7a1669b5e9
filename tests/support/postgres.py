"""The suite's PostgreSQL side: a server named by DBT_LOSS_POSTGRES (a postgresql:// URL; CI
starts a throwaway cluster with .ci/postgres.sh), the case tables written with COPY, and rows
read back with NULL kept apart from NaN."""

from __future__ import annotations

import math
import os
from urllib.parse import urlparse

import numpy as np
import pandas as pd

URL_VARIABLE = "DBT_LOSS_POSTGRES"


def url() -> str:
    value = os.environ.get(URL_VARIABLE)
    if not value:
        raise RuntimeError(
            f"--engines postgres needs {URL_VARIABLE}=postgresql://user@host:port/database "
            '(start a throwaway server with: eval "$(bash .ci/postgres.sh)")'
        )
    return value


def profile_environment() -> None:
    """The integration project's postgres target reads these."""
    parts = urlparse(url())
    os.environ.update(
        {
            "DBT_LOSS_PG_HOST": parts.hostname or "127.0.0.1",
            "DBT_LOSS_PG_PORT": str(parts.port or 5432),
            "DBT_LOSS_PG_USER": parts.username or "postgres",
            "DBT_LOSS_PG_PASSWORD": parts.password or "",
            "DBT_LOSS_PG_DATABASE": (parts.path or "/dbt_loss").lstrip("/"),
        }
    )


def connect():
    import psycopg

    return psycopg.connect(url(), autocommit=True)


def _type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    return "text"


def _value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_tables(tables: dict[str, pd.DataFrame], schema: str = "main") -> None:
    from psycopg import sql

    with connect() as connection:
        connection.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for name, frame in tables.items():
            table = sql.Identifier(schema, name)
            connection.execute(sql.SQL("drop table if exists {} cascade").format(table))
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_type(frame[c])))
                for c in frame.columns
            )
            connection.execute(sql.SQL("create table {} ({})").format(table, columns))
            with connection.cursor().copy(sql.SQL("copy {} from stdin").format(table)) as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row([_value(v) for v in row])


def rows(query: str) -> list[dict]:
    with connect() as connection:
        cursor = connection.execute(query)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
