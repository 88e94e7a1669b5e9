"""Checks the data before anything is written, and measures what standardisation needs.

The first pass counts NULLs, checks the target's domain and takes the sums and means (a
non-finite sum sends it looking for the NaN or infinity); the second takes the centred mean
squares, a two-pass variance. String features add one GROUP BY each for their vocabulary."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlglot import exp

from .design import Feature
from .engine import Engine
from .sql import case, column, double, number, paren

MAX_CATEGORIES = 1000


class TrainingInputError(ValueError):
    """Bad input, found before any table is written."""


@dataclass
class Profile:
    rows: int
    features: list[Feature]
    classes: list
    target_mean: float | None  # where the target is numeric: to start the intercept there


def _not_finite(engine: Engine, name: str) -> exp.Expression:
    return exp.not_(engine.is_finite(double(column(name))))


def check_columns(types: dict[str, str], relation_name: str, named: dict[str, list[str]]) -> None:
    for argument, columns in named.items():
        for name in columns:
            if name not in types:
                raise TrainingInputError(
                    f"dbt_loss.train: column {name!r} (argument {argument!r}) is not in "
                    f"{relation_name}; its columns are: {', '.join(types)}"
                )


def profile(
    engine: Engine,
    relation: exp.Expression,
    relation_name: str,
    *,
    target: str,
    features: list[str],
    weight: str | None,
    model: str,
    standardize: bool,
) -> Profile:
    types = engine.column_types(relation)
    check_columns(
        types,
        relation_name,
        {"target": [target], "features": features, "sample_weight": [weight] if weight else []},
    )
    numeric = [f for f in features if engine.is_numeric(types[f]) or engine.is_boolean(types[f])]
    categorical = [f for f in features if f not in numeric]
    for name in categorical:
        if not engine.is_categorical(types[name]):
            raise TrainingInputError(
                f"dbt_loss.train: feature {name!r} has type {types[name]}; a feature must be "
                "a number, a boolean or a category (text)"
            )
    numeric_inputs = numeric + ([weight] if weight else [])
    if model != "softmax":
        if not (engine.is_numeric(types[target]) or engine.is_boolean(types[target])):
            raise TrainingInputError(
                f"dbt_loss.train: target {target!r} must be numeric for a {model} model, "
                f"got {types[target]}"
            )
        numeric_inputs = [target] + numeric_inputs
    elif engine.is_numeric(types[target]):  # softmax classes may be numbers: never NaN
        numeric_inputs = [target] + numeric_inputs
    if weight and not engine.is_numeric(types[weight]):
        raise TrainingInputError(
            f"dbt_loss.train: sample_weight {weight!r} must be numeric, got {types[weight]}"
        )

    checks = [exp.alias_(exp.Count(this=exp.Star()), "rows")]
    names = []
    for name in dict.fromkeys([target] + features + ([weight] if weight else [])):
        checks.append(
            exp.alias_(
                exp.Count(this=exp.Star()) - exp.Count(this=column(name)), f"nulls_{len(names)}"
            )
        )
        names.append(("nulls", name))
    # A NaN or infinity makes the column's sum non-finite: the exact count is only taken then.
    for name in dict.fromkeys(numeric_inputs):
        if not engine.is_boolean(types[name]):
            checks.append(exp.alias_(exp.Sum(this=double(column(name))), f"total_{len(names)}"))
            names.append(("non-finite", name))
    y = double(column(target))
    domain = {
        "logistic": (exp.not_(y.isin(number(0), number(1))), "labels outside {0, 1}"),
        "poisson": (y < number(0), "negative targets"),
    }.get(model)
    if domain:
        checks.append(exp.alias_(exp.Sum(this=case(domain[0], number(1), number(0))), "domain"))
    if weight:
        checks.append(
            exp.alias_(
                exp.Sum(this=case(double(column(weight)) < number(0), number(1), number(0))),
                "negative_weights",
            )
        )
        checks.append(exp.alias_(exp.Sum(this=double(column(weight))), "weight_total"))
    for i, name in enumerate(numeric):
        checks.append(exp.alias_(exp.Avg(this=double(column(name))), f"mean_{i}"))
    if model != "softmax":
        checks.append(exp.alias_(exp.Avg(this=y), "target_mean"))
    (row,) = engine.fetch(exp.select(*checks).from_(relation))
    values = dict(zip([c.alias for c in checks], row, strict=True))
    if values["rows"] == 0:
        raise TrainingInputError(f"dbt_loss.train: {relation_name} has no rows to train on")
    for i, (problem, name) in enumerate(names):
        if problem == "nulls":
            count = values[f"nulls_{i}"]
        elif values[f"total_{i}"] is not None and math.isfinite(values[f"total_{i}"]):
            count = 0
        else:
            query = exp.select(exp.Sum(this=case(_not_finite(engine, name), number(1), number(0))))
            count = engine.fetch(query.from_(relation))[0][0]
        if count:
            role = "target" if name == target else "sample_weight" if name == weight else "feature"
            kind = "NULL" if problem == "nulls" else "non-finite (NaN or infinite)"
            raise TrainingInputError(
                f"dbt_loss.train: {role} column {name!r} has {int(count)} {kind} value(s)"
            )
    if domain and values["domain"]:
        raise TrainingInputError(
            f"dbt_loss.train: target {target!r} has {values['domain']} row(s) with {domain[1]} "
            f"for a {model} model"
        )
    if weight and values["negative_weights"]:
        raise TrainingInputError(
            f"dbt_loss.train: sample_weight {weight!r} has "
            f"{int(values['negative_weights'])} negative value(s)"
        )
    if weight and not values["weight_total"]:
        raise TrainingInputError(f"dbt_loss.train: sample_weight {weight!r} is zero on every row")

    means = [float(values[f"mean_{i}"]) for i in range(len(numeric))]
    spreads = _spreads(engine, relation, numeric, means)
    result = [
        _standardized(
            name, name, None, mean, spread, spread <= 1e-12 * max(abs(mean), 1.0), standardize
        )
        for name, mean, spread in zip(numeric, means, spreads, strict=True)
    ]
    for name in categorical:
        query = (
            exp.select(column(name), exp.Count(this=exp.Star()))
            .from_(relation)
            .group_by(column(name))
            .order_by(column(name))
            .limit(MAX_CATEGORIES + 1)
        )
        categories = engine.fetch(query)
        if len(categories) > MAX_CATEGORIES:
            raise TrainingInputError(
                f"dbt_loss.train: feature {name!r} has more than {MAX_CATEGORIES} distinct values "
                "to one-hot encode"
            )
        for category, count in categories:
            share = count / values["rows"]
            result.append(
                _standardized(
                    f"{name}={category}",
                    name,
                    str(category),
                    share,
                    math.sqrt(share * (1 - share)),
                    share in (0, 1),
                    standardize,
                )
            )
    _check_names(result)
    classes = []
    if model == "softmax":
        query = exp.select(column(target)).distinct().from_(relation).order_by(column(target))
        classes = [r[0] for r in engine.fetch(query)]
        if len(classes) < 2:
            raise TrainingInputError(
                f"dbt_loss.train: target {target!r} has {len(classes)} class(es); "
                "softmax needs two or more"
            )
    return Profile(
        values["rows"],
        result,
        classes,
        values.get("target_mean"),
    )


def _check_names(features: list[Feature]) -> None:
    """Each weight is reported under its feature's name, next to the intercept's: two features
    of one name (a column 'c=a' and category 'a' of column 'c') would share one weight."""
    seen: dict[str, Feature] = {}
    for feature in features:
        other = seen.get(feature.name)
        if feature.name == "intercept" or other is not None:
            clash = "the intercept" if other is None else _described(other)
            raise TrainingInputError(
                f"dbt_loss.train: {_described(feature)} and {clash} would both report a "
                f"weight named {feature.name!r}; rename the column"
            )
        seen[feature.name] = feature


def _described(feature: Feature) -> str:
    if feature.category is None:
        return f"feature column {feature.source!r}"
    return f"category {feature.category!r} of feature column {feature.source!r}"


def _spreads(engine: Engine, relation, columns: list[str], means: list[float]) -> list[float]:
    """Second pass: the root mean square about the first pass's mean (a two-pass variance,
    exact for features near 1e9, and cheaper than the engines' one-pass var_pop). Deviations
    of a column whose mean exceeds 1 are first scaled by a power of two near it, which
    rounds nothing: a constant 1e200, whose deviation from its rounded mean is 4e186, would
    otherwise square to infinity."""
    if not columns:
        return []
    squares, factors = [], []
    for i, (name, mean) in enumerate(zip(columns, means, strict=True)):
        factor = 2.0 ** math.ceil(math.log2(abs(mean))) if abs(mean) > 1 else 1.0
        deviation = paren(double(column(name)) - number(mean))
        if factor != 1.0:
            deviation = paren(deviation * number(1 / factor))
        squares.append(exp.alias_(exp.Avg(this=deviation * deviation), f"v{i}"))
        factors.append(factor)
    (row,) = engine.fetch(exp.select(*squares).from_(relation))
    return [f * math.sqrt(max(float(v), 0.0)) for f, v in zip(factors, row, strict=True)]


def _standardized(name, source, category, mean, spread, constant, standardize) -> Feature:
    """A feature with its preconditioner: centred and scaled to unit variance, or left as it
    is (standardize=False); a constant feature is held at zero weight."""
    if constant:
        return Feature(name, source, category, float(mean), 1.0, True)
    if not standardize:
        return Feature(name, source, category)
    spread = float(spread)
    return Feature(name, source, category, float(mean), spread if spread > 0 else 1.0)
