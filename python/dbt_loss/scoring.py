"""Scoring a trained model in plain SQL: the prediction as a sqlglot expression over the
relation's raw feature columns, built from the weights a run wrote. `predict` runs it."""

from __future__ import annotations

import json

from sqlglot import exp

from .training.engine import engine_for
from .training.run_tables import RunTables
from .training.sql import (
    bounded_exp,
    case,
    column,
    double,
    greatest,
    literal,
    number,
    paren,
    total,
)
from .training.trainer import TrainingRun, relation_expression


class UnknownRunError(LookupError):
    """No run of that id (or succeeded run of that name) in the schema."""


def load_run(tables: RunTables, run) -> tuple[dict, list[tuple]]:
    run_id = run.run_id if isinstance(run, TrainingRun) else run
    record = tables.find(run_id) if tables.exists() else None
    if record is None:
        raise UnknownRunError(
            f"dbt_loss: no run {run_id!r} (by id, or succeeded by name) in schema {tables.schema!r}"
        )
    return record, tables.weights(record["run_id"])


def _term(weight: float, source: str | None, category: str | None) -> exp.Expression:
    if source is None:
        return number(weight)
    value = (
        double(column(source))
        if category is None
        else case(column(source).eq(exp.Literal.string(category)), number(1), number(0))
    )
    return number(weight) * value


def linear_predictors(weights: list[tuple]) -> dict:
    """{group key or None: {class or None: η expression}} from training_weights rows."""
    predictors: dict = {}
    for group, label, _feature, source, category, weight in weights:
        predictors.setdefault(group, {}).setdefault(label, []).append(
            _term(weight, source, category)
        )
    return {
        g: {c: paren(total(terms)) for c, terms in by_class.items()}
        for g, by_class in predictors.items()
    }


def _per_group(record: dict, by_group: dict) -> exp.Expression:
    """The group's expression where the row's group keys match, NULL for an unseen group."""
    groups = json.loads(record["group_by"] or "[]")
    if not groups:
        return by_group[None]
    ifs = []
    for key, expression in by_group.items():
        values = json.loads(key)
        condition = exp.and_(
            *[
                exp.NullSafeEQ(
                    this=column(g),
                    expression=literal(v),
                )
                for g, v in zip(groups, values, strict=True)
            ]
        )
        ifs.append(exp.If(this=condition, true=expression))
    return exp.Case(ifs=ifs)


def prediction_expressions(record: dict, weights: list[tuple]) -> dict[str, exp.Expression]:
    """Output column → expression: `prediction` (link applied: the mean for linear and
    Poisson, P(y = 1) for logistic, the most likely class for softmax) and, for softmax,
    `probability_<class>` per class. A NULL numeric feature gives a NULL prediction (a NULL
    category adds 0, as an unseen one does)."""
    return {
        name: _null_if_a_feature_is(weights, expression)
        for name, expression in _outputs(record, linear_predictors(weights)).items()
    }


def _null_if_a_feature_is(weights: list[tuple], expression: exp.Expression) -> exp.Expression:
    """GREATEST and LEAST skip NULLs on PostgreSQL and DuckDB, so the bounded exp() of a NULL
    predictor would be e^700: the NULL is kept explicitly instead."""
    numeric = sorted(
        {
            source
            for _, _, _, source, category, _ in weights
            if source is not None and category is None
        }
    )
    if not numeric:
        return expression
    present = exp.and_(*[exp.not_(column(source).is_(exp.Null())) for source in numeric])
    return exp.Case(ifs=[exp.If(this=present, true=expression)])


def _outputs(record: dict, predictors: dict) -> dict[str, exp.Expression]:
    model = record["model"]
    if model != "softmax":
        link = {
            "linear": lambda eta: eta,
            "logistic": lambda eta: number(1) / paren(number(1) + bounded_exp(exp.Neg(this=eta))),
            "poisson": bounded_exp,
        }[model]
        return {"prediction": _per_group(record, {g: link(c[None]) for g, c in predictors.items()})}
    classes = json.loads(record["classes"])
    outputs = {}
    for label in classes:
        by_group = {}
        for group, etas in predictors.items():
            top = greatest(*etas.values())
            denominator = paren(total([bounded_exp(eta - top) for eta in etas.values()]))
            by_group[group] = bounded_exp(etas[str(label)] - top) / denominator
        outputs[f"probability_{label}"] = _per_group(record, by_group)
    by_group = {}
    for group, etas in predictors.items():
        top = greatest(*etas.values())
        by_group[group] = exp.Case(
            ifs=[
                exp.If(this=etas[str(label)].eq(top), true=exp.Literal.string(str(label)))
                for label in classes
            ]
        )
    outputs["prediction"] = _per_group(record, by_group)
    return outputs


def predict(connection, run, relation, *, schema: str | None = None):
    """The relation's rows with a `prediction` column (and `probability_<class>` columns for
    softmax), computed in the warehouse. Returns the engine's lazy result (DuckDB: a
    DuckDBPyRelation; PostgreSQL: an executed psycopg cursor; Spark: a DataFrame), so nothing
    is exported until you ask for it."""
    engine = engine_for(connection)
    schema = schema or (run.schema if isinstance(run, TrainingRun) else "dbt_loss")
    record, weights = load_run(RunTables(engine, schema), run)
    columns = [
        exp.alias_(expression, name, quoted=True)
        for name, expression in prediction_expressions(record, weights).items()
    ]
    query = exp.select(exp.Star(), *columns).from_(relation_expression(relation))
    return engine.lazy(query)
