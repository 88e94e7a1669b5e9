"""The report's data: small aggregates computed in the warehouse, never the rows themselves.
A histogram is a GROUP BY over bins, the calibration curve a GROUP BY over probability bins,
the deciles a GROUP BY over bins cut at percentile_cont's deciles. Every query is a sqlglot
expression with quoted identifiers and literal values, rendered by the run's engine, so it runs
on each engine the trainer supports.

Residuals and calibration use the evaluation rows: the run's validation rows where it had a
split (the trainer's own `validation_rows` predicate), else all rows. Loss by group shows
training and validation rows side by side."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlglot import exp

from ..scoring import scored_relation
from ..training.engine import Engine
from ..training.run_tables import HISTORY
from ..training.sql import case, column, double, greatest, least, literal, number, total
from .losses import row_loss
from .runs import ReportRun

RESIDUAL_BINS = 30
PREDICTION_BINS = 20
CALIBRATION_BINS = 10
DECILES = 10

# Column names of the queries' own derived tables: prefixed, so a relation's group column
# called `loss` or `split` cannot clash with them.
PREDICTION, RESIDUAL = "dbt_loss_prediction", "dbt_loss_residual"
ACTUAL = "dbt_loss_actual"
SCORE, OUTCOME, LOSS, WEIGHT, SPLIT = (
    "dbt_loss_score",
    "dbt_loss_outcome",
    "dbt_loss_loss",
    "dbt_loss_weight",
    "dbt_loss_split",
)
BIN, BIN_2 = "dbt_loss_bin", "dbt_loss_bin_2"
LOW, HIGH, LOW_2, HIGH_2 = "dbt_loss_low", "dbt_loss_high", "dbt_loss_low_2", "dbt_loss_high_2"


def _c(name: str) -> exp.Expression:
    return column(name)


def _alias(expression: exp.Expression, name: str) -> exp.Expression:
    return exp.alias_(expression, name, quoted=True)


def _count() -> exp.Expression:
    return exp.Count(this=exp.Star())


def _weighted_mean(value: str, weight: str) -> exp.Expression:
    return exp.Sum(this=_c(weight) * _c(value)) / exp.Nullif(
        this=exp.Sum(this=_c(weight)), expression=number(0)
    )


def _output(name: str) -> str:
    return f"dbt_loss_{name}"


def scored_rows(run: ReportRun, *, evaluation: bool, split: bool = False) -> exp.Subquery:
    """The run's rows with a target and a prediction (a group the run never saw scores NULL):
    its predictions (dbt_loss_prediction, dbt_loss_probability_<class>), target
    (dbt_loss_actual), row weight (dbt_loss_weight), group keys (dbt_loss_group_<i>) and, with
    `split`, 'training' or 'validation' (dbt_loss_split). Only the evaluation rows when
    `evaluation` (see the module's docstring). The queries read these columns, so each
    prediction is computed once per row, a grouped run's with each row joined to its group's
    weights (scoring.scored_relation)."""
    where = run.validation.copy() if evaluation and run.validation is not None else None
    scored, (outputs,) = scored_relation(
        run.source.copy(), [(run.record, run.weights)], run.types, where=where
    )
    columns = {_output(name): expression for name, expression in outputs.items()}
    columns[ACTUAL] = column(run.target)
    columns[WEIGHT] = _weight(run)
    for index, name in enumerate(run.group_by):
        columns[f"dbt_loss_group_{index}"] = column(name)
    if split:
        columns[SPLIT] = (
            case(
                run.validation.copy(),
                exp.Literal.string("validation"),
                exp.Literal.string("training"),
            )
            if run.validation is not None
            else exp.Literal.string("all rows")
        )
    kept = [
        exp.not_(column(run.target).is_(exp.null())),
        exp.not_(outputs["prediction"].copy().is_(exp.null())),
    ]
    query = (
        exp.select(*[_alias(e, name) for name, e in columns.items()])
        .from_(scored)
        .where(exp.and_(*kept))
    )
    return query.subquery("rows")


def _row_outputs(run: ReportRun) -> dict[str, exp.Expression]:
    """The predictions as scored_rows names them, keyed as prediction_expressions keys them."""
    names = ["prediction"] + [f"probability_{c}" for c in run.classes if run.model == "softmax"]
    return {name: _c(_output(name)) for name in names}


def _weight(run: ReportRun) -> exp.Expression:
    return double(column(run.sample_weight)) if run.sample_weight else number(1)


def _bounds(value: str) -> tuple[exp.Expression, exp.Expression]:
    """numpy.histogram's range: [min, max], or [x − 0.5, x + 0.5] when every value is x."""
    low, high = exp.Min(this=_c(value)), exp.Max(this=_c(value))
    spread = high > low
    return (
        case(spread, low, low - number(0.5)),
        case(spread, high.copy(), high.copy() + number(0.5)),
    )


def _bin(value: str, low: str, high: str, bins: int) -> exp.Expression:
    """numpy.histogram's equal-width bin: ⌊(x − lo)·(n / (hi − lo))⌋, the maximum in the last
    bin, the same double arithmetic in the same order."""
    scale = number(bins) / (_c(high) - _c(low))
    index = exp.cast(exp.Floor(this=(_c(value) - _c(low)) * scale), exp.DataType.build("int"))
    return least(index, exp.Literal.number(bins - 1))


def _rows(engine: Engine, query: exp.Expression) -> list[tuple]:
    """The query's rows, with PostgreSQL's NUMERIC results (Decimal) as floats."""
    return [
        tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in engine.fetch(query)
    ]


def _fetch(engine: Engine, query: exp.Expression, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(_rows(engine, query), columns=names)


# --- loss curves -------------------------------------------------------------------------


def history_query(schema: str, run_id: str) -> exp.Select:
    return (
        exp.select(_c("iteration"), _c("train_loss"), _c("validation_loss"))
        .from_(exp.table_(HISTORY, db=schema, quoted=True))
        .where(_c("run_id").eq(exp.Literal.string(run_id)))
        .order_by(_c("iteration"))
    )


def loss_history(engine: Engine, schema: str, run: ReportRun) -> pd.DataFrame:
    """One row per iteration and split: iteration, split ('training' or 'validation'), loss."""
    frame = _fetch(
        engine, history_query(schema, run.run_id), ["iteration", "training", "validation"]
    )
    long = frame.melt(id_vars="iteration", var_name="split", value_name="loss")
    return long.dropna(subset=["loss"]).reset_index(drop=True)


# --- regression: residuals ----------------------------------------------------------------


@dataclass
class Residuals:
    """Residual r = ŷ − y (the loss macros' sign: positive = over-prediction) on the
    evaluation rows, binned on both axes by one query."""

    histogram: pd.DataFrame  # bin, start, end, count: every residual bin, empty ones as 0
    heatmap: pd.DataFrame  # prediction and residual bin edges, count: non-empty cells
    means: pd.DataFrame  # per prediction bin: start, end, middle, count, mean_residual
    rows: int
    residual_range: tuple[float, float] | None
    prediction_range: tuple[float, float] | None


def residuals_query(
    run: ReportRun, bins: int = RESIDUAL_BINS, prediction_bins: int = PREDICTION_BINS
) -> exp.Select:
    prediction = double(_c(_output("prediction")))
    scored = exp.select(
        _alias(prediction, PREDICTION), _alias(prediction.copy() - double(_c(ACTUAL)), RESIDUAL)
    ).from_(scored_rows(run, evaluation=True))
    low, high = _bounds(RESIDUAL)
    low_2, high_2 = _bounds(PREDICTION)
    bounds = exp.select(
        _alias(low, LOW), _alias(high, HIGH), _alias(low_2, LOW_2), _alias(high_2, HIGH_2)
    ).from_("scored")
    binned = (
        exp.select(
            _alias(_bin(RESIDUAL, LOW, HIGH, bins), BIN),
            _alias(_bin(PREDICTION, LOW_2, HIGH_2, prediction_bins), BIN_2),
            _c(RESIDUAL),
            _c(LOW),
            _c(HIGH),
            _c(LOW_2),
            _c(HIGH_2),
        )
        .from_("scored")
        .join("bounds", join_type="cross")
    )
    return (
        exp.select(
            _c(BIN),
            _c(BIN_2),
            _count(),
            exp.Sum(this=_c(RESIDUAL)),
            *[exp.Min(this=_c(name)) for name in (LOW, HIGH, LOW_2, HIGH_2)],
        )
        .from_(binned.subquery("binned"))
        .group_by(_c(BIN), _c(BIN_2))
        .order_by(_c(BIN_2), _c(BIN))
        .with_("scored", as_=scored)
        .with_("bounds", as_=bounds)
    )


def residuals(
    engine: Engine,
    run: ReportRun,
    bins: int = RESIDUAL_BINS,
    prediction_bins: int = PREDICTION_BINS,
) -> Residuals:
    cells = _fetch(
        engine,
        residuals_query(run, bins, prediction_bins),
        ["bin", "prediction_bin", "count", "residual_sum", "low", "high", "low_2", "high_2"],
    )
    if cells.empty:  # no evaluation rows: empty charts, not an error
        histogram = pd.DataFrame(columns=["bin", "start", "end", "count"])
        heatmap = pd.DataFrame(
            columns=[
                "prediction_start",
                "prediction_end",
                "residual_start",
                "residual_end",
                "count",
            ]
        )
        means = pd.DataFrame(
            columns=[
                "prediction_start",
                "prediction_end",
                "prediction_middle",
                "count",
                "mean_residual",
            ]
        )
        return Residuals(histogram, heatmap, means, 0, None, None)
    low, high, low_2, high_2 = (float(cells[name].iloc[0]) for name in cells.columns[4:])
    edges = np.linspace(low, high, bins + 1)
    edges_2 = np.linspace(low_2, high_2, prediction_bins + 1)
    counts = cells.groupby("bin")["count"].sum().reindex(range(bins), fill_value=0)
    histogram = pd.DataFrame(
        {"bin": range(bins), "start": edges[:-1], "end": edges[1:], "count": counts.to_numpy()}
    )
    heatmap = pd.DataFrame(
        {
            "prediction_start": edges_2[cells["prediction_bin"]],
            "prediction_end": edges_2[cells["prediction_bin"] + 1],
            "residual_start": edges[cells["bin"]],
            "residual_end": edges[cells["bin"] + 1],
            "count": cells["count"].to_numpy(),
        }
    )
    per_bin = cells.groupby("prediction_bin")[["count", "residual_sum"]].sum()
    index = per_bin.index.to_numpy()
    means = pd.DataFrame(
        {
            "prediction_start": edges_2[index],
            "prediction_end": edges_2[index + 1],
            "prediction_middle": (edges_2[index] + edges_2[index + 1]) / 2,
            "count": per_bin["count"].to_numpy(),
            "mean_residual": (per_bin["residual_sum"] / per_bin["count"]).to_numpy(),
        }
    )
    return Residuals(
        histogram, heatmap, means, int(cells["count"].sum()), (low, high), (low_2, high_2)
    )


# --- classifiers: calibration and deciles -------------------------------------------------


def score_and_outcome(run: ReportRun) -> tuple[exp.Expression, exp.Expression]:
    """Over scored_rows. Logistic: P(y = 1) and y. Softmax: the top class's probability (the
    confidence) and whether the top class is the true one, as in a reliability diagram."""
    outputs = _row_outputs(run)
    if run.model == "logistic":
        return double(outputs["prediction"]), double(_c(ACTUAL))
    probabilities = [outputs[f"probability_{c}"] for c in run.classes]
    confidence = greatest(*probabilities) if len(probabilities) > 1 else probabilities[0]
    correct = exp.or_(
        *[
            exp.and_(
                _c(ACTUAL).eq(literal(c)),
                outputs["prediction"].copy().eq(exp.Literal.string(str(c))),
            )
            for c in run.classes
        ]
    )
    return double(confidence), double(case(correct, number(1), number(0)))


def calibration_query(run: ReportRun, bins: int = CALIBRATION_BINS) -> exp.Select:
    score, outcome = score_and_outcome(run)
    scored = exp.select(_alias(score, SCORE), _alias(outcome, OUTCOME)).from_(
        scored_rows(run, evaluation=True)
    )
    index = exp.cast(exp.Floor(this=_c(SCORE) * number(bins)), exp.DataType.build("int"))
    binned = exp.select(
        _alias(least(index, exp.Literal.number(bins - 1)), BIN), _c(SCORE), _c(OUTCOME)
    ).from_(scored.subquery("scored"))
    return (
        exp.select(_c(BIN), _count(), exp.Avg(this=_c(SCORE)), exp.Avg(this=_c(OUTCOME)))
        .from_(binned.subquery("binned"))
        .group_by(_c(BIN))
        .order_by(_c(BIN))
    )


def calibration(engine: Engine, run: ReportRun, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Per non-empty bin of [0, 1] (the top bin closed): bin, start, end, count, mean_score
    (the mean predicted probability) and observed (the share of positives, or of correct
    top classes for softmax)."""
    frame = _fetch(engine, calibration_query(run, bins), ["bin", "count", "mean_score", "observed"])
    frame.insert(1, "start", frame["bin"] / bins)
    frame.insert(2, "end", (frame["bin"] + 1) / bins)
    return frame


def deciles_query(run: ReportRun, deciles: int = DECILES) -> exp.Select:
    score, _ = score_and_outcome(run)
    scored = exp.select(
        _alias(score, SCORE),
        _alias(row_loss(run, _row_outputs(run), _c(ACTUAL)), LOSS),
        _c(WEIGHT),
    ).from_(scored_rows(run, evaluation=True))
    cuts = [f"dbt_loss_q{k}" for k in range(1, deciles)]
    edges = exp.select(
        *[
            _alias(
                exp.WithinGroup(
                    this=exp.PercentileCont(this=number(k / deciles)),
                    expression=exp.Order(expressions=[exp.Ordered(this=_c(SCORE))]),
                ),
                name,
            )
            for k, name in enumerate(cuts, 1)
        ]
    ).from_("scored")
    # the decile is the number of cut points below the score: bins closed on the right, the
    # lowest one closed on both sides (pandas.qcut's convention)
    below = [
        case(_c(SCORE) > _c(name), exp.Literal.number(1), exp.Literal.number(0)) for name in cuts
    ]
    decile = exp.Paren(this=total(below))
    binned = (
        exp.select(_alias(decile, BIN), _c(SCORE), _c(LOSS), _c(WEIGHT))
        .from_("scored")
        .join("edges", join_type="cross")
    )
    return (
        exp.select(
            _c(BIN),
            _count(),
            exp.Avg(this=_c(SCORE)),
            exp.Min(this=_c(SCORE)),
            exp.Max(this=_c(SCORE)),
            _weighted_mean(LOSS, WEIGHT),
        )
        .from_(binned.subquery("binned"))
        .group_by(_c(BIN))
        .order_by(_c(BIN))
        .with_("scored", as_=scored)
        .with_("edges", as_=edges)
    )


def decile_losses(engine: Engine, run: ReportRun, deciles: int = DECILES) -> pd.DataFrame:
    """Per non-empty score decile (1 = lowest scores): decile, count, mean_score, min_score,
    max_score and loss (the weighted mean of the run's per-row loss). Tied cut points merge
    deciles, as pandas.qcut(duplicates='drop') does."""
    frame = _fetch(
        engine,
        deciles_query(run, deciles),
        ["decile", "count", "mean_score", "min_score", "max_score", "loss"],
    )
    frame["decile"] = frame["decile"] + 1
    return frame


# --- grouped runs -------------------------------------------------------------------------


def groups_query(run: ReportRun) -> exp.Select:
    keys = [_c(f"dbt_loss_group_{i}") for i in range(len(run.group_by))] + [_c(SPLIT)]
    scored = exp.select(
        *keys, _alias(row_loss(run, _row_outputs(run), _c(ACTUAL)), LOSS), _c(WEIGHT)
    ).from_(scored_rows(run, evaluation=False, split=True))
    return (
        exp.select(*[k.copy() for k in keys], _count(), _weighted_mean(LOSS, WEIGHT))
        .from_(scored.subquery("scored"))
        .group_by(*[k.copy() for k in keys])
    )


def group_losses(engine: Engine, run: ReportRun) -> pd.DataFrame:
    """Per group and split: group (the group_by values as one label, `a, b`), split
    ('training', 'validation', or 'all rows' without a split), count and loss."""
    width = len(run.group_by)
    rows = _rows(engine, groups_query(run))
    frame = pd.DataFrame.from_records(
        [(", ".join(str(v) for v in row[:width]), *row[width:]) for row in rows],
        columns=["group", "split", "count", "loss"],
    )
    return frame.sort_values(["group", "split"], kind="stable").reset_index(drop=True)
