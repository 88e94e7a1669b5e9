"""Every statement the trainer's query builders emit (statistics, sampled curvature, line
search, candidate points, nearest rows, and candidates side by side) renders, through sqlglot,
for the engines users move to, and reads back in that dialect."""

from __future__ import annotations

import dataclasses
import re

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dbt_loss.training.design import Design, Feature
from dbt_loss.training.engine import Engine, PostgresEngine, SparkEngine
from dbt_loss.training.losses import LOSS_PARAMETERS, MODEL_LOSSES, build_loss, per_candidate
from dbt_loss.training.queries import (
    Parameters,
    Softmax,
    candidates_query,
    curvature_query,
    line_search_query,
    nearest_rows_query,
    statistics_query,
)
from dbt_loss.training.sql import column, double, parenthesize

DIALECTS = ["duckdb", "postgres", "snowflake", "bigquery", "spark", "trino", "databricks"]
LOSSES = [(model, loss) for model, losses in MODEL_LOSSES.items() for loss in losses]


def design(model: str, grouped: bool) -> Design:
    features = [
        Feature("price", "price", mean=10.0, scale=2.0),
        Feature("region=north", "region", category="north", mean=0.4, scale=0.49),
    ]
    classes = ["a", "b", "c"] if model == "softmax" else []
    target = (
        exp.Case(
            ifs=[
                exp.If(this=column("y").eq(exp.Literal.string(c)), true=exp.Literal.number(i))
                for i, c in enumerate(classes)
            ]
        )
        if classes
        else double(column("y"))
    )
    return Design(
        exp.table_("sales", db="analytics", quoted=True),
        features,
        target,
        double(column("w")),
        None,
        ["store"] if grouped else [],
        classes,
    )


def statements(model: str, loss_name: str, grouped: bool) -> list[exp.Expression]:
    d = design(model, grouped)
    loss = (
        Softmax(0.1)
        if model == "softmax"
        else build_loss(loss_name, dict(LOSS_PARAMETERS.get(loss_name, {})))
    )
    parameters = Parameters(d, "dbt_loss_parameters_run" if grouped else None)
    curvature = model == "softmax" or loss.curvature is not None
    built = [
        statistics_query(d, loss, parameters, curvature=curvature),
        line_search_query(d, loss, parameters, (1.0, 0.5, 0.1)),
    ]
    if loss_name == "quantile":
        built.append(nearest_rows_query(d, parameters, 3))
        built.append(candidates_query(d, loss, parameters, 4))
    if curvature:
        sample = dataclasses.replace(d, relation=exp.table_("dbt_loss_sample_run", quoted=True))
        built.append(curvature_query(sample, loss, parameters))
    if not grouped:  # the same loss as two candidates trained side by side
        fanned = dataclasses.replace(d, groups=["dbt_loss_candidate"], fanned=True)
        side = Parameters(fanned, "dbt_loss_parameters_candidates")
        both = (
            loss
            if model == "softmax"
            else per_candidate(exp.column("dbt_loss_candidate", quoted=True), [loss, loss])
        )
        built.append(statistics_query(fanned, both, side, curvature=curvature))
        built.append(line_search_query(fanned, both, side, (1.0, 0.5)))
    return built


@pytest.mark.parametrize("grouped", [False, True], ids=["one_model", "per_group"])
@pytest.mark.parametrize(("model", "loss"), LOSSES, ids=[f"{m}-{name}" for m, name in LOSSES])
def test_trainer_statements_transpile(model, loss, grouped):
    for statement in statements(model, loss, grouped):
        tree = parenthesize(statement)
        for dialect in DIALECTS:
            sql = tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
            assert sqlglot.parse_one(sql, read=dialect) is not None


# No engine's own rendering needs a connection.
ENGINES = [Engine(None), PostgresEngine(None), SparkEngine(None)]
# a number with a decimal point and no exponent: a DECIMAL literal in Spark SQL
DECIMAL_LITERAL = re.compile(r"(?<![\w.`'])\d+\.\d+(?![\d.eE])")


@pytest.mark.parametrize("grouped", [False, True], ids=["one_model", "per_group"])
@pytest.mark.parametrize(("model", "loss"), LOSSES, ids=[f"{m}-{name}" for m, name in LOSSES])
def test_engines_render_statements_their_dialect_reads(model, loss, grouped):
    """Each engine's render (sqlglot plus its own rewrites) gives SQL its dialect parses; Spark's
    numbers are all DOUBLE literals, never DECIMAL."""
    for statement in statements(model, loss, grouped):
        for engine in ENGINES:
            sql = engine.render(statement)
            assert sqlglot.parse_one(sql, read=engine.dialect) is not None
            if engine.dialect == "spark":
                assert not DECIMAL_LITERAL.search(sql), DECIMAL_LITERAL.search(sql)
                assert "E0" in sql


def test_postgres_joins_rows_to_their_groups_on_an_equality_it_can_hash():
    """PostgreSQL can neither hash nor merge a join on IS NOT DISTINCT FROM alone: each grouped
    statement's join to the parameter table also compares hash_record of both sides' keys."""
    for statement in statements("logistic", "binary_cross_entropy", grouped=True):
        tree = sqlglot.parse_one(PostgresEngine(None).render(statement), read="postgres")
        joins = [j for j in tree.find_all(exp.Join) if j.args.get("on") is not None]
        assert joins
        for join in joins:
            condition = join.args["on"]
            assert condition.find(exp.NullSafeEQ, exp.NullSafeNEQ) is not None
            hashed = [
                eq
                for eq in condition.find_all(exp.EQ)
                if all(
                    isinstance(side, exp.Anonymous) and side.name.lower() == "hash_record"
                    for side in (eq.this, eq.expression)
                )
            ]
            assert len(hashed) == 1
            rows, parameters = (side.find(exp.Column) for side in hashed[0].iter_expressions())
            assert (rows.table, rows.name) == ("r", "store")
            assert (parameters.table, parameters.name) == ("parameters", "key_0")


def test_postgres_leaves_the_users_own_joins_as_they_are():
    """Only the trainer's and scoring's keyed joins get the hashed equality: in a relation of
    the user's, IS NOT DISTINCT FROM between columns of other types (an int and a numeric
    hash differently), or under OR or NOT, must keep its meaning."""
    users = sqlglot.parse_one(
        "select a.*, b.j from a join b on a.k is not distinct from b.k "
        "left join c on a.k is not distinct from c.k or c.j = 7",
        read="postgres",
    )
    query = exp.select("*").from_(users.subquery("relation"))
    assert "hash_record" not in PostgresEngine(None).render(query).lower()
