"""The metrics select_loss ranks candidates by, as sqlglot expressions with the loss macros'
conventions (macros/losses): residual r = ŷ − y, probabilities clipped to [ε, 1 − ε] as
sklearn.metrics.log_loss does, a weighted mean of a per-row value (or, for wape, a ratio of
weighted sums). Every metric is lower-is-better."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlglot import exp

from ..training.options import OptionError
from ..training.sql import case, double, greatest, least, number, paren

EPSILON = 2.220446049250313e-16
REGRESSION = ("linear", "poisson")


class SelectionError(OptionError):
    """An argument of select_loss is invalid; raised before any candidate is trained."""


@dataclass(frozen=True)
class Metric:
    """A per-row numerator (and optional denominator) reduced as Σw·num / Σw·den."""

    name: str
    models: tuple[str, ...]
    parameters: dict = field(default_factory=dict)  # name → default
    root: bool = False  # the square root of the mean (rmse)


METRICS = {
    m.name: m
    for m in (
        Metric("mse", REGRESSION),
        Metric("rmse", REGRESSION, root=True),
        Metric("mae", REGRESSION),
        Metric("huber", REGRESSION, {"delta": 1.0}),
        Metric("quantile_loss", REGRESSION, {"alpha": 0.5}),
        Metric("wape", REGRESSION),
        Metric("poisson_deviance", ("poisson",)),
        Metric("binary_cross_entropy", ("logistic",)),
        Metric("brier_score", ("logistic",)),
        Metric("categorical_cross_entropy", ("softmax",)),
    )
}
ALIASES = {"quantile": "quantile_loss", "log_loss": "binary_cross_entropy"}


def resolve_metric(name, parameters: dict | None, model: str) -> tuple[Metric, dict]:
    """The metric and its parameter values, checked against the model before any training."""
    if not isinstance(name, str) or ALIASES.get(name, name) not in METRICS:
        raise SelectionError(
            f"dbt_loss.select_loss: argument 'metric' must be one of {', '.join(METRICS)}, "
            f"got {name!r}"
        )
    metric = METRICS[ALIASES.get(name, name)]
    if model not in metric.models:
        usable = [m.name for m in METRICS.values() if model in m.models]
        raise SelectionError(
            f"dbt_loss.select_loss: argument 'metric' {metric.name!r} does not apply to a "
            f"{model} model; it takes: {', '.join(usable) or 'none'}"
        )
    given = dict(parameters or {})
    unknown = set(given) - set(metric.parameters)
    if unknown:
        raise SelectionError(
            f"dbt_loss.select_loss: argument 'metric_params' has unknown parameter(s) "
            f"{', '.join(sorted(unknown))} for {metric.name!r}; it takes: "
            f"{', '.join(metric.parameters) or 'none'}"
        )
    values = {**metric.parameters, **given}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SelectionError(
                f"dbt_loss.select_loss: argument 'metric_params' {key!r} must be a number, "
                f"got {value!r}"
            )
        bad = (
            not math.isfinite(value)
            or (key == "delta" and value <= 0)
            or (key == "alpha" and not 0 <= value <= 1)
        )
        if bad:
            rule = "> 0" if key == "delta" else "in [0, 1]"
            raise SelectionError(
                f"dbt_loss.select_loss: argument 'metric_params' {key!r} must be {rule}, "
                f"got {value!r}"
            )
        values[key] = float(value)
    return metric, values


def metric_label(metric: Metric, parameters: dict) -> str:
    """`huber(delta=1.0)`, or the bare name for a metric without parameters."""
    if not parameters:
        return metric.name
    return f"{metric.name}({', '.join(f'{k}={v!r}' for k, v in parameters.items())})"


def _clip(probability: exp.Expression) -> exp.Expression:
    return least(greatest(double(probability), number(EPSILON)), number(1 - EPSILON))


def row_terms(
    metric: Metric,
    parameters: dict,
    actual: exp.Expression,
    outputs: dict[str, exp.Expression],
    class_literals: dict[str, exp.Expression],
) -> tuple[exp.Expression, exp.Expression | None]:
    """(per-row numerator, per-row denominator or None for 1) from a candidate's prediction
    expressions (scoring.prediction_expressions)."""
    name = metric.name
    if name == "categorical_cross_entropy":
        ifs = [
            exp.If(
                this=actual.eq(literal),
                true=exp.Neg(this=exp.Ln(this=_clip(outputs[f"probability_{label}"]))),
            )
            for label, literal in class_literals.items()
        ]
        # a class the model never saw: NaN, as the macro gives
        nan = exp.cast(exp.Literal.string("NaN"), exp.DataType.build("double"))
        return exp.Case(ifs=ifs, default=nan), None
    y = double(actual)
    predicted = double(outputs["prediction"])
    r = paren(predicted - y)
    if name in ("mse", "rmse", "brier_score"):
        return r * r, None
    if name == "mae":
        return exp.Abs(this=r), None
    if name == "wape":
        return exp.Abs(this=r), exp.Abs(this=y)
    if name == "huber":
        d = number(parameters["delta"])
        small = exp.Abs(this=r) <= d
        return case(small, number(0.5) * r * r, d * paren(exp.Abs(this=r) - number(0.5) * d)), None
    if name == "quantile_loss":
        a = parameters["alpha"]
        return case(r <= number(0), number(a) * exp.Neg(this=r), number(1 - a) * r), None
    if name == "binary_cross_entropy":
        p = _clip(predicted)
        return exp.Neg(
            this=paren(
                y * exp.Ln(this=p) + paren(number(1) - y) * exp.Ln(this=paren(number(1) - p))
            )
        ), None
    if name == "poisson_deviance":
        nan = exp.cast(exp.Literal.string("NaN"), exp.DataType.build("double"))
        y_log_y = case(y.eq(number(0)), number(0), y * exp.Ln(this=y / predicted))
        deviance = number(2) * paren(y_log_y - y + predicted)
        valid = exp.and_(y >= number(0), predicted > number(0))
        return case(valid, deviance, nan), None
    raise AssertionError(name)  # every METRICS entry is handled above
