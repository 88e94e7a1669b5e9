"""Loss selection: train candidate losses and options on one deterministic split, rank them by
one metric on the held-out rows, and record the leaderboard.

Every candidate is trained with the same `validation_fraction`, so each holds out the same
rows (a hash of the row's feature and target values). Candidates that can share queries are
trained side by side, every step one query for all of them (training/candidates.py). The
metric of all candidates is then one aggregate query over those rows: each candidate's
prediction expression, from the weights its run wrote, side by side in one SELECT."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field

from sqlglot import exp

from ..scoring import load_run, relation_types, scored_relation
from ..training.candidates import train_candidates
from ..training.engine import Engine, engine_for
from ..training.options import OptionError, parse_options
from ..training.run_tables import RunTables, dumps, now
from ..training.sql import case, column, double, literal, number
from ..training.trainer import (
    TrainingRun,
    refuse_open_transaction,
    relation_expression,
    validation_rows,
)
from .leaderboard import write_leaderboard
from .metrics import Metric, SelectionError, metric_label, resolve_metric, row_terms

# train() arguments select_loss sets itself: a candidate may not change them.
_FIXED = ("target", "features", "model", "schema", "resume", "progress", "validation_fraction")


@dataclass
class LeaderboardRow:
    """One candidate's line of the leaderboard (lower value is better; rank 1 is best)."""

    candidate: str
    run_id: str
    options: dict
    value: float | None
    rank: int
    is_winner: bool
    status: str


@dataclass
class SelectionResult:
    """The result of select_loss: the winning run (None when no candidate both succeeded and
    has a finite metric value), every candidate's run and the leaderboard, best first."""

    selection_id: str
    metric: str
    winner: TrainingRun | None
    leaderboard: list[LeaderboardRow]
    runs: dict[str, TrainingRun] = field(default_factory=dict)
    schema: str = "dbt_loss"
    table: str = "loss_selection"


def candidate_label(options: dict) -> str:
    """`huber(delta=1.0)`: the loss, then the other options by name."""
    loss = options.get("loss") or "default"
    rest = {k: v for k, v in sorted(options.items()) if k not in ("loss", "run_name")}
    if not rest:
        return str(loss)
    return f"{loss}({', '.join(f'{k}={v!r}' for k, v in rest.items())})"


def _candidates(candidates, model: str, common: dict, fraction: float) -> list[tuple[str, dict]]:
    """(label, train() options) per candidate, every one checked as train() would check it."""
    if isinstance(candidates, dict) or not isinstance(candidates, (list, tuple)) or not candidates:
        raise SelectionError(
            "dbt_loss.select_loss: argument 'candidates' must be a non-empty list of dicts of "
            "train() options, e.g. [{'loss': 'mse'}, {'loss': 'huber', 'delta': 1.0}]"
        )
    result, seen = [], set()
    for index, candidate in enumerate(candidates):
        if not isinstance(candidate, dict):
            raise SelectionError(
                f"dbt_loss.select_loss: argument 'candidates' item {index} must be a dict of "
                f"train() options, got {candidate!r}"
            )
        options = {k: v for k, v in candidate.items() if k != "label"}
        label = str(candidate.get("label") or candidate_label(options))
        fixed = sorted(set(options) & set(_FIXED))
        if fixed:
            raise SelectionError(
                f"dbt_loss.select_loss: argument 'candidates' item {index} ({label}) sets "
                f"{', '.join(fixed)}, which select_loss sets for every candidate"
            )
        if label in seen:
            raise SelectionError(
                f"dbt_loss.select_loss: argument 'candidates' has two candidates labelled "
                f"{label!r}; give one a 'label'"
            )
        seen.add(label)
        merged = {**common, **options}
        checked = {k: v for k, v in merged.items() if k not in ("loss", "run_name")}
        try:
            parse_options(model, merged.get("loss"), {**checked, "validation_fraction": fraction})
        except OptionError as error:
            raise SelectionError(
                f"dbt_loss.select_loss: argument 'candidates' item {index} ({label}): {error}"
            ) from error
        result.append((label, merged))
    return result


def evaluation_query(
    engine: Engine,
    source: exp.Expression,
    *,
    target: str,
    features: list[str],
    fraction: float,
    metric: Metric,
    parameters: dict,
    runs: list[tuple[dict, list[tuple]]],
    sample_weight: str | None = None,
) -> exp.Select:
    """One SELECT over the validation rows with one column per candidate (value_0, …): its
    metric, Σw·num / Σw·den over the rows where the target and its prediction are not NULL.
    The rows are scored first (scoring.scored_relation): a grouped candidate's rows joined to
    their group's weights."""
    actual = column(target)
    weight = double(column(sample_weight)) if sample_weight else number(1)
    scored, scored_outputs = scored_relation(
        source,
        runs,
        relation_types(engine, source),
        where=validation_rows(engine, features, target, fraction),
    )
    values = []
    for index, ((record, _weights), outputs) in enumerate(zip(runs, scored_outputs, strict=True)):
        classes = json.loads(record["classes"] or "[]")
        numerator, denominator = row_terms(
            metric, parameters, actual, outputs, {str(c): literal(c) for c in classes}
        )
        kept = exp.and_(
            exp.not_(actual.is_(exp.null())), exp.not_(outputs["prediction"].is_(exp.null()))
        )
        top = exp.Sum(this=case(kept, weight * numerator, exp.null()))
        bottom = exp.Sum(
            this=case(kept, weight * denominator if denominator else weight, exp.null())
        )
        value = top / exp.Nullif(this=bottom, expression=number(0))
        if metric.root:
            value = exp.Sqrt(this=value)
        values.append(exp.alias_(value, f"value_{index}", quoted=True))
    return exp.select(*values).from_(scored)


def select_loss(
    connection,
    relation,
    *,
    target: str,
    features: list[str],
    model: str,
    candidates: list[dict],
    metric: str,
    metric_params: dict | None = None,
    validation_fraction: float = 0.2,
    schema: str = "dbt_loss",
    leaderboard: str = "loss_selection",
    **common_options,
) -> SelectionResult:
    """Trains every candidate (a dict of train() options, e.g. {'loss': 'huber', 'delta': 1})
    with `common_options` on the same hash split, ranks them by `metric` (lower is better) on
    the validation rows, appends the ranking to `<schema>.<leaderboard>` and returns the
    winner. Bad arguments raise SelectionError (a ValueError) before anything is trained.
    See docs/selection.md."""
    engine = engine_for(connection)
    metric_, parameters = resolve_metric(metric, metric_params, model)
    if (
        isinstance(validation_fraction, bool)
        or not isinstance(validation_fraction, (int, float))
        or not 0 < validation_fraction <= 0.9
    ):
        raise SelectionError(
            "dbt_loss.select_loss: argument 'validation_fraction' must be in (0, 0.9]: the "
            f"metric is measured on the rows it holds out, got {validation_fraction!r}"
        )
    for name in ("leaderboard", "schema"):
        value = leaderboard if name == "leaderboard" else schema
        if not isinstance(value, str) or not value:
            raise SelectionError(
                f"dbt_loss.select_loss: argument {name!r} must be a name, got {value!r}"
            )
    fixed = sorted(set(common_options) & set(_FIXED))
    if fixed:
        raise SelectionError(
            f"dbt_loss.select_loss: unexpected argument(s) {', '.join(fixed)} for select_loss"
        )
    planned = _candidates(candidates, model, common_options, float(validation_fraction))
    source = relation_expression(relation)

    selection_id = uuid.uuid4().hex[:16]
    refuse_open_transaction(engine, "select_loss")
    with engine.training_session(source):  # the evaluation below reads every row too
        trained = train_candidates(
            engine,
            relation,
            target=target,
            features=list(features),
            model=model,
            schema=schema,
            candidates=[
                {"run_name": label, **options, "validation_fraction": float(validation_fraction)}
                for label, options in planned
            ],
        )
        labels = [label for label, _ in planned]
        runs: dict[str, TrainingRun] = dict(zip(labels, trained, strict=True))

        tables = RunTables(engine, schema)
        query = evaluation_query(
            engine,
            source,
            target=target,
            features=list(features),
            fraction=float(validation_fraction),
            metric=metric_,
            parameters=parameters,
            runs=[load_run(tables, run) for run in runs.values()],
            sample_weight=common_options.get("sample_weight"),
        )
        (row,) = engine.fetch(query)
        values = [float(v) if v is not None else None for v in row]

    def usable(index: int) -> bool:
        value = values[index]
        return (
            runs[labels[index]].status == "succeeded"
            and value is not None
            and (math.isfinite(value))
        )

    order = sorted(
        range(len(labels)),
        key=lambda i: (not usable(i), values[i] if usable(i) else 0.0, i),
    )
    winner_index = order[0] if usable(order[0]) else None
    rows = [
        LeaderboardRow(
            candidate=labels[i],
            run_id=runs[labels[i]].run_id,
            options={k: v for k, v in planned[i][1].items() if k != "run_name"},
            value=values[i],
            rank=rank,
            is_winner=i == winner_index,
            status=runs[labels[i]].status,
        )
        for rank, i in enumerate(order, 1)
    ]
    created_at = now()
    label = metric_label(metric_, parameters)
    write_leaderboard(
        engine,
        schema,
        leaderboard,
        [
            (
                selection_id,
                r.candidate,
                r.run_id,
                dumps(r.options),
                metric_.name,
                dumps(parameters),
                r.value,
                r.rank,
                r.is_winner,
                created_at,
            )
            for r in rows
        ],
    )
    return SelectionResult(
        selection_id=selection_id,
        metric=label,
        winner=runs[labels[winner_index]] if winner_index is not None else None,
        leaderboard=rows,
        runs=runs,
        schema=schema,
        table=leaderboard,
    )
