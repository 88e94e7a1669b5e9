"""The per-row loss the report plots by score decile and by group: select_loss's metric for the
run's own loss (the loss macros' conventions, with the run's delta or alpha), or, for a loss
with no such metric, the model's default one. The chart names the metric it shows."""

from __future__ import annotations

from sqlglot import exp

from ..selection.metrics import METRICS, Metric, metric_label, row_terms
from ..training.sql import literal
from .runs import ReportRun

# train()'s loss → the select_loss metric with the same per-row definition
_SAME = {
    "mse": "mse",
    "huber": "huber",
    "quantile": "quantile_loss",
    "binary_cross_entropy": "binary_cross_entropy",
    "categorical_cross_entropy": "categorical_cross_entropy",
    "poisson_deviance": "poisson_deviance",
}
# pseudo_huber, log_cosh and focal have none: the model's default metric stands in
_DEFAULT = {
    "linear": "mse",
    "poisson": "poisson_deviance",
    "logistic": "binary_cross_entropy",
    "softmax": "categorical_cross_entropy",
}


def run_metric(run: ReportRun) -> tuple[Metric, dict]:
    """The metric and its parameter values (the run's delta or alpha where it has them)."""
    metric = METRICS[_SAME.get(run.record["loss"], _DEFAULT[run.model])]
    given = run.options.get("loss_parameters") or {}
    parameters = {
        name: float(given.get(name, default)) for name, default in metric.parameters.items()
    }
    return metric, parameters


def loss_label(run: ReportRun) -> str:
    """`huber(delta=10.0)`, as select_loss labels its metric."""
    return metric_label(*run_metric(run))


def row_loss(
    run: ReportRun, outputs: dict[str, exp.Expression], actual: exp.Expression
) -> exp.Expression:
    """The loss of one row, from the run's predictions (`prediction`, softmax's
    `probability_<class>`) and the target."""
    metric, parameters = run_metric(run)
    numerator, _ = row_terms(
        metric,
        parameters,
        actual,
        outputs,
        {str(c): literal(c) for c in run.classes},
    )
    return numerator
