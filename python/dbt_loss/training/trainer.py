"""The training loop: check the data, lay out the design, run an optimizer whose every step is
an aggregate query in the warehouse, and record the run for BI. Python holds only vectors of
size groups × outputs × (features + 1)."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlglot import exp

from . import optimizers
from .design import Design, Feature
from .engine import Engine, engine_for
from .losses import build_loss
from .objective import Penalty, Statistics, from_raw, to_raw
from .options import DEFAULT_MAX_ITER, OptionError, Options, parse_options
from .profile import TrainingInputError, check_columns, profile
from .queries import (
    Parameters,
    Softmax,
    batch_predicate,
    candidates_query,
    curvature_query,
    line_search_query,
    nearest_rows_query,
    statistics_query,
)
from .run_tables import RunTables, dumps
from .sql import column, double, literal, number

DIVERGED = 1e250


class TrainingDiverged(RuntimeError):
    """The loss became non-finite; the run keeps its last finite weights."""


@dataclass
class TrainingRun:
    """The result of dbt_loss.train: the run's identity, outcome and weights in raw units."""

    run_id: str
    run_name: str | None
    status: str
    model: str
    loss: str
    iterations: int
    objective: float | None
    train_loss: float | None
    validation_loss: float | None
    weights: dict
    features: list[str]
    classes: list = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    schema: str = "dbt_loss"
    message: str | None = None


def relation_expression(relation) -> exp.Expression:
    """A table name ('schema.table', each part quoted) or a sqlglot expression."""
    if isinstance(relation, exp.Expression):
        return relation
    if not isinstance(relation, str) or not relation.strip():
        raise OptionError(
            f"dbt_loss.train: argument 'relation' must name a table, got {relation!r}"
        )
    parts = relation.split(".")
    return exp.table_(
        parts[-1],
        db=parts[-2] if len(parts) > 1 else None,
        catalog=parts[-3] if len(parts) > 2 else None,
        quoted=True,
    )


VALIDATION_BUCKETS = 10000


def validation_rows(
    engine: Engine, features: list[str], target: str, fraction: float | None
) -> exp.Expression | None:
    """True for the rows `validation_fraction` holds out: a hash of the row's feature and
    target values, so every run with the same features, target and fraction (and
    select_loss's evaluation) holds out the same rows. None without a split."""
    if not fraction:
        return None
    hashed = engine.row_bucket(
        [column(f) for f in features] + [column(target)], "validation", VALIDATION_BUCKETS
    )
    return hashed < exp.Literal.number(int(round(fraction * VALIDATION_BUCKETS)))


def _class_weight_expression(
    options: Options, target: exp.Expression, classes: list, counts: dict
) -> exp.Expression | None:
    if options.class_weight is None:
        return None
    if options.class_weight == "balanced":
        total = sum(counts.values())
        weights = {c: total / (len(counts) * n) for c, n in counts.items()}
    else:
        weights = dict(options.class_weight)
        missing = [c for c in classes if c not in weights]
        if missing:
            raise OptionError(
                f"dbt_loss.train: argument 'class_weight' has no weight for class(es) {missing}"
            )
    ifs = [exp.If(this=target.eq(literal(c)), true=number(float(w))) for c, w in weights.items()]
    return exp.Case(ifs=ifs, default=number(0))


class Trainer:
    """Runs the statistics and line-search queries for the optimizers. Each query is built
    and rendered once; a step only binds new parameter values."""

    def __init__(self, engine: Engine, design: Design, loss, run_id: str):
        self.engine = engine
        self.design = design
        self.loss = loss
        table = f"dbt_loss_parameters_{run_id}" if design.groups else None
        self.parameters = Parameters(design, table)
        self.bucket: exp.Expression | None = None
        # rows Newton's curvature is estimated from, when there are many (None: all of them)
        self.curvature_sample: exp.Expression | None = None
        self._sql: dict = {}

    def _prepared(self, kind: str, build: Callable[[], exp.Expression]) -> str:
        if kind not in self._sql:
            self._sql[kind] = self.engine.render(build())
        return self._sql[kind]

    def _run(self, sql: str, values: dict[str, dict], extra: dict | None = None) -> list[tuple]:
        """Runs a prepared query at these parameters ({"theta": {group: θ}, "direction": …}),
        bound as coefficients of the centred columns (θ·unscale)."""
        unscale = self.design.unscale
        values = {n: {k: v * unscale for k, v in by_key.items()} for n, by_key in values.items()}
        if self.parameters.table is None:
            bound = self.parameters.bind({n: next(iter(v.values())) for n, v in values.items()})
        else:
            # the parameter table is reloaded for each query; a missing direction is zero
            thetas = values["theta"]
            if "direction" not in values:
                values["direction"] = {k: np.zeros_like(t) for k, t in thetas.items()}
            self.engine.load_table(
                self.parameters.table,
                self.parameters.columns(list(values)),
                self.parameters.rows(values),
            )
            bound = {}
        return self.engine.fetch_prepared(sql, {**bound, **(extra or {})})

    def _by_group(self, rows: list[tuple], wanted: dict):
        """(group key, the row's other values) for the groups asked about."""
        width = len(self.design.groups)
        for row in rows:
            key = tuple(row[:width])
            if key in wanted:
                yield key, row[width:]

    def _sampled_curvature(self, thetas: dict) -> dict:
        """Per group, the flat upper-triangle curvature sums over the curvature sample, already
        divided by the sample's training weight."""
        sql = self._prepared(
            ("curvature",),
            lambda: curvature_query(self.design, self.loss, self.parameters, self.curvature_sample),
        )
        result = {}
        for key, row in self._by_group(self._run(sql, {"theta": thetas}), thetas):
            sw = float(row[0] or 0.0)
            if sw > 0:
                result[key] = np.array(row[1:], dtype=float) / sw
        return result

    def evaluate(self, thetas: dict, curvature: bool, batch: int | None = None) -> dict:
        batched = batch is not None and self.bucket is not None
        sampled = curvature and self.curvature_sample is not None
        in_query = curvature and not sampled
        sql = self._prepared(
            ("statistics", in_query, batched),
            lambda: statistics_query(
                self.design,
                self.loss,
                self.parameters,
                curvature=in_query,
                batch=batch_predicate(self.bucket) if batched else None,
            ),
        )
        rows = self._run(sql, {"theta": thetas}, {"batch": batch} if batched else None)
        sample = self._sampled_curvature(thetas) if sampled else {}
        if sampled and set(sample) != set(thetas):  # the sample missed a group: every row
            self.curvature_sample = None
            return self.evaluate(thetas, curvature, batch)
        size = self.design.outputs * self.design.width
        unscale = self.design.unscale
        # the query lists the upper triangle row by row (curvature_pairs), as triu_indices does
        upper = np.triu_indices(size)
        result = {}
        for key, values_ in self._by_group(rows, thetas):
            sw, swv, lt, lv = (float(v) if v is not None else 0.0 for v in values_[:4])
            if sw <= 0:
                raise TrainingInputError(
                    f"dbt_loss.train: group {key} has no training rows of positive weight"
                )
            # sums over centred columns → sums over standardised ones: × 1/s per feature
            gradient = (
                np.array(values_[4 : 4 + size], dtype=float).reshape(unscale.shape) * unscale / sw
            )
            matrix = None
            if curvature:
                flat = sample[key] if sampled else np.array(values_[4 + size :], dtype=float) / sw
                matrix = np.zeros((size, size))
                matrix[upper] = flat
                matrix.T[upper] = flat
                matrix *= np.outer(unscale, unscale)
            stats = Statistics(sw, lt / sw, swv, lv / swv if swv > 0 else None, gradient, matrix)
            # exp() is bounded at e^700 so PostgreSQL cannot raise: a loss that large has hit it
            if not (
                math.isfinite(stats.loss)
                and abs(stats.loss) < DIVERGED
                and np.all(np.isfinite(gradient))
            ):
                raise TrainingDiverged(f"the training loss became non-finite for group {key}")
            result[key] = stats
        missing = set(thetas) - set(result)
        if missing:
            raise TrainingInputError(
                f"dbt_loss.train: no training rows for group(s) {sorted(missing)[:5]}"
            )
        return result

    def nearest_rows(self, thetas: dict, count: int) -> dict:
        """Per group, the `count` training rows nearest the fit, as (z1 … zd, y) tuples."""
        sql = self._prepared(
            ("nearest", count), lambda: nearest_rows_query(self.design, self.parameters, count)
        )
        nearest: dict = {}
        unscale = np.append(self.design.unscale[0, 1:], 1.0)  # centred z → standardised; y
        for key, values in self._by_group(self._run(sql, {"theta": thetas}), thetas):
            row = np.array(values[: self.design.width], dtype=float) * unscale
            nearest.setdefault(key, []).append(row)
        return nearest

    def line_search(self, thetas: dict, directions: dict, steps: tuple) -> dict:
        sql = self._prepared(
            ("line_search", steps),
            lambda: line_search_query(self.design, self.loss, self.parameters, steps),
        )
        rows = self._run(sql, {"theta": thetas, "direction": directions})
        result = {}
        for key, values in self._by_group(rows, thetas):
            sw = float(values[0])
            losses = [float(v) / sw if v is not None else math.inf for v in values[1:]]
            result[key] = {
                s: (v if math.isfinite(v) else math.inf) for s, v in zip(steps, losses, strict=True)
            }
        return result

    def candidate_losses(self, thetas: dict, candidates: list[dict]) -> dict:
        """Per group, the mean training loss at θ + d for each candidate direction d, all in
        one pass: {group: [loss per candidate]}."""
        sql = self._prepared(
            ("candidates", len(candidates)),
            lambda: candidates_query(self.design, self.loss, self.parameters, len(candidates)),
        )
        values = {"theta": thetas}
        values.update({f"candidate{c}": d for c, d in enumerate(candidates)})
        result = {}
        for key, row in self._by_group(self._run(sql, values), thetas):
            sw = float(row[0])
            result[key] = [float(v) / sw if v is not None else math.inf for v in row[1:]]
        return result


def _adjacent_vertices(points: np.ndarray, theta: np.ndarray) -> list[np.ndarray]:
    """The vertices next to the fit among these rows (z1 … zd, y): the `width` rows nearest
    the fit span the current vertex; each neighbour swaps one of them for another row."""
    width = theta.shape[1]
    system = np.c_[np.ones(len(points)), points[:, : width - 1]]
    target = points[:, width - 1]
    order = list(np.argsort(np.abs(target - system @ theta[0])))
    basis, others = order[:width], order[width:]
    vertices = []
    for leaving in range(width):
        for entering in others:
            members = basis[:leaving] + basis[leaving + 1 :] + [entering]
            vertex, *_ = np.linalg.lstsq(system[members], target[members], rcond=None)
            vertices.append(vertex.reshape(theta.shape))
    return vertices


CANDIDATES_PER_PASS = 128  # trial points per query: a few hundred sums, bounded parameters


def polish_quantile(trainer: Trainer, thetas: dict, penalty: Penalty, rounds: int = 20) -> dict:
    """Quantile regression is a linear programme: its optimum interpolates as many rows as it
    has parameters. IRLS gets close and interpolates most of them; a simplex-like exchange
    over the rows nearest the fit finishes the job: every adjacent vertex is evaluated in one
    pass, the best is kept while it lowers the objective."""
    width = trainer.design.width
    for _ in range(rounds):
        nearest = trainer.nearest_rows(thetas, 3 * width)
        vertices = {
            key: _adjacent_vertices(np.array(nearest[key]), theta)
            for key, theta in thetas.items()
            if len(nearest.get(key, [])) > width
        }
        if not vertices:
            return thetas
        count = max(len(v) for v in vertices.values())
        candidates = [
            {
                key: (vertices[key][c] - theta if c < len(vertices.get(key, [])) else 0 * theta)
                for key, theta in thetas.items()
            }
            for c in range(count)
        ]
        zero = {k: np.zeros_like(t) for k, t in thetas.items()}
        trials = [zero, *candidates]
        losses = {key: [] for key in thetas}
        for start in range(0, len(trials), CANDIDATES_PER_PASS):
            chunk = trainer.candidate_losses(thetas, trials[start : start + CANDIDATES_PER_PASS])
            for key, values in chunk.items():
                losses[key] += values
        improved = {}
        for key, theta in thetas.items():
            current = losses[key][0] + penalty.value(theta)
            values = [
                loss + penalty.value(theta + candidates[c][key])
                for c, loss in enumerate(losses[key][1:])
            ]
            best = int(np.argmin(values))
            if values[best] < current - 1e-15 * abs(current):
                improved[key] = theta + candidates[best][key]
        if not improved:
            break
        thetas = {**thetas, **improved}
    return thetas


def train(
    connection,
    relation,
    *,
    target: str,
    features: list[str],
    model: str,
    loss: str | None = None,
    run_name: str | None = None,
    schema: str = "dbt_loss",
    resume: str | None = None,
    progress: Callable | None = None,
    **options,
) -> TrainingRun:
    """Fits a linear, logistic, softmax or Poisson (log link) model by minimising
    Σw·ℓ/Σw + (l2/2)·‖β‖² + l1·‖β‖₁ over the relation, every step an aggregate query.

    The weights are reported on the raw features; `standardize` only preconditions. With
    `group_by`, one independent model per group is trained in the same queries. See
    docs/training.md for every option."""
    engine = engine_for(connection)
    settings = parse_options(model, loss, dict(options))
    if (
        not isinstance(features, (list, tuple))
        or not features
        or not all(isinstance(f, str) for f in features)
    ):
        raise OptionError(
            "dbt_loss.train: argument 'features' must be a non-empty list of column names"
        )
    if not isinstance(target, str):
        raise OptionError(
            f"dbt_loss.train: argument 'target' must be a column name, got {target!r}"
        )
    source = relation_expression(relation)
    relation_name = engine.render(source)
    check_columns(engine.column_types(source), relation_name, {"group_by": settings.group_by})
    data = profile(
        engine,
        source,
        relation_name,
        target=target,
        features=list(features),
        weight=settings.sample_weight,
        model=model,
        standardize=settings.standardize,
    )

    y_column = column(target)
    if model == "softmax":
        y = exp.Case(
            ifs=[
                exp.If(this=y_column.eq(literal(c)), true=exp.Literal.number(i))
                for i, c in enumerate(data.classes)
            ]
        )
    else:
        y = double(y_column)
    class_counts = {}
    if settings.class_weight is not None:
        rows = engine.fetch(
            exp.select(y_column, exp.Count(this=exp.Star())).from_(source).group_by(y_column)
        )
        class_counts = {(int(c) if model == "logistic" else c): n for c, n in rows}
        if model == "logistic" and isinstance(settings.class_weight, dict):
            settings.class_weight = {int(k): v for k, v in settings.class_weight.items()}
    class_weight = _class_weight_expression(
        settings,
        double(y_column) if model == "logistic" else y_column,
        data.classes if model == "softmax" else [0, 1],
        class_counts,
    )
    weight = double(column(settings.sample_weight)) if settings.sample_weight else number(1)
    if class_weight is not None:
        weight = weight * class_weight
    row_columns = [column(f) for f in features] + [y_column]
    validation = validation_rows(engine, features, target, settings.validation_fraction)
    design = Design(source, data.features, y, weight, validation, settings.group_by, data.classes)
    scalar_loss = (
        None
        if model == "softmax"
        else build_loss(
            settings.loss,
            settings.loss_parameters,
            quantile_epsilon=1e-9 * max(abs(data.target_mean or 0.0), 1.0),
        )
    )
    objective_loss = (
        Softmax(settings.loss_parameters.get("label_smoothing", 0.0))
        if model == "softmax"
        else scalar_loss
    )
    has_curvature = model == "softmax" or scalar_loss.curvature is not None
    penalty = Penalty.build(
        [f.scale for f in data.features],
        [f.constant for f in data.features],
        design.outputs,
        settings.l2,
        settings.l1,
    )
    method = settings.resolved_optimizer(design.outputs * design.width, has_curvature)
    if method == "newton" and not has_curvature:
        raise OptionError(
            f"dbt_loss.train: loss {settings.loss!r} has no curvature for Newton steps; "
            "use optimizer 'lbfgs', 'gd' or 'adam'"
        )
    if settings.l1 and method in ("lbfgs", "gd"):
        raise OptionError(f"dbt_loss.train: l1 with loss {settings.loss!r} needs optimizer 'adam'")
    max_iter = settings.max_iter or DEFAULT_MAX_ITER[method]

    tables = RunTables(engine, schema)
    group_keys = _group_keys(engine, source, settings.group_by)
    start = _initial_theta(model, data.target_mean, design)
    thetas = {key: start.copy() for key in group_keys}
    iteration_offset = 0
    if resume is not None:
        tables.create()
        previous = tables.run(resume)
        if previous is None:
            raise OptionError(f"dbt_loss.train: no run {resume!r} to resume in schema {schema!r}")
        thetas = _thetas_from_weights(tables.weights(resume), design, thetas)
        iteration_offset = previous["iterations"] or 0
        run_id = resume
        run_name = previous["run_name"]
    else:
        run_id = uuid.uuid4().hex[:16]
    trainer = Trainer(engine, design, objective_loss, run_id)
    trainer.curvature_sample = _curvature_sample(
        engine, row_columns, data.rows, settings, scalar_loss, len(group_keys)
    )
    batches = 1
    if method == "adam" and settings.batch_size:
        batches = max(1, math.ceil(data.rows / settings.batch_size))
        trainer.bucket = engine.row_bucket(row_columns, "batch", batches)

    tables.create()
    record = {
        "run_id": run_id,
        "run_name": run_name,
        "model": model,
        "loss": settings.loss,
        "options": dumps({**settings.as_dict(), "optimizer": method, "max_iter": max_iter}),
        "relation": relation_name,
        "target": target,
        "features": dumps(list(features)),
        "group_by": dumps(settings.group_by),
        "classes": dumps(data.classes),
    }
    if resume is None:
        tables.start(record)
    else:
        tables.finish(run_id, "running", {}, None)

    def weights_rows(current: dict) -> list[tuple]:
        rows = []
        for key, theta in current.items():
            raw = to_raw(theta, [f.mean for f in data.features], [f.scale for f in data.features])
            group = dumps(list(key)) if settings.group_by else None
            for k in range(design.outputs):
                label = str(data.classes[k]) if model == "softmax" else None
                rows.append((group, label, "intercept", None, None, float(raw[k, 0])))
                for j, feature in enumerate(data.features, 1):
                    rows.append(
                        (
                            group,
                            label,
                            feature.name,
                            feature.source,
                            feature.category,
                            float(raw[k, j]),
                        )
                    )
        return rows

    started = time.perf_counter()
    best = {"validation": math.inf, "thetas": thetas, "iteration": 0}
    last = {"thetas": thetas, "iteration": iteration_offset}
    status, message = "succeeded", None
    try:
        for step in optimizers.descend(
            trainer.evaluate,
            trainer.line_search,
            thetas,
            penalty,
            method=method,
            max_iter=max_iter,
            tol=settings.tol,
            majorizes=bool(scalar_loss and scalar_loss.majorizes),
            quadratic=bool(scalar_loss and scalar_loss.quadratic),
            sampled_curvature=trainer.curvature_sample is not None,
            learning_rate=settings.learning_rate,
            batches=batches,
        ):
            states = step.states
            number_ = iteration_offset + step.number
            summary = _summary(states, penalty)
            current = {k: s.theta.copy() for k, s in states.items()}
            history = {
                **summary,
                "iteration": number_,
                "elapsed_seconds": time.perf_counter() - started,
            }
            tables.checkpoint(
                run_id,
                history,
                weights_rows(current),
                {
                    "iterations": number_,
                    "objective": summary["objective"],
                    "train_loss": summary["train_loss"],
                    "validation_loss": summary["validation_loss"],
                },
            )
            last = {"thetas": current, "iteration": number_, "states": states}
            if progress:
                progress(history)
            if settings.early_stopping_rounds and summary["validation_loss"] is not None:
                if summary["validation_loss"] < best["validation"]:
                    best = {
                        "validation": summary["validation_loss"],
                        "thetas": {k: s.evaluated.copy() for k, s in states.items()},
                        "iteration": number_,
                    }
                elif number_ - best["iteration"] >= settings.early_stopping_rounds:
                    message = (
                        f"early stopping: best validation loss at iteration {best['iteration']}"
                    )
                    break
        final = best["thetas"] if message else last["thetas"]
        if settings.loss == "quantile" and not settings.l1 and not message:
            final = polish_quantile(trainer, final, penalty)
    except TrainingDiverged as error:
        status, message, final = "failed", f"diverged: {error}", last["thetas"]
    except KeyboardInterrupt:
        tables.finish(run_id, "interrupted", {"message": "interrupted; resume with resume="}, None)
        raise
    except Exception as error:
        if _interrupted(error):  # Ctrl-C inside a query reaches us as the engine's error
            tables.finish(
                run_id, "interrupted", {"message": "interrupted; resume with resume="}, None
            )
            raise KeyboardInterrupt from error
        tables.finish(run_id, "failed", {"message": str(error)[:1000]}, None)
        raise
    # The losses at the final weights: where every group stopped at the weights its last
    # statistics were taken at, those are final; otherwise one more pass measures them.
    summary = {"objective": None, "train_loss": None, "validation_loss": None}
    states = last.get("states") or {}
    measured = bool(states) and all(
        s.evaluated is not None and np.array_equal(s.evaluated, final[k]) for k, s in states.items()
    )
    if status == "succeeded":
        try:
            final_stats = (
                {k: s.statistics for k, s in states.items()}
                if measured
                else trainer.evaluate(final, False)
            )
            summary = _summary_from(final_stats, final, penalty)
        except TrainingDiverged as error:
            status, message = "failed", f"diverged: {error}"
    tables.finish(
        run_id,
        status,
        {
            "objective": summary["objective"],
            "train_loss": summary["train_loss"],
            "validation_loss": summary["validation_loss"],
            "message": message,
            "iterations": last["iteration"],
        },
        weights_rows(final),
    )
    return TrainingRun(
        run_id=run_id,
        run_name=run_name,
        status=status,
        model=model,
        loss=settings.loss,
        iterations=last["iteration"],
        objective=summary["objective"],
        train_loss=summary["train_loss"],
        validation_loss=summary["validation_loss"],
        weights=_weights_dict(final, data.features, data.classes, settings.group_by),
        features=[f.name for f in data.features],
        classes=data.classes,
        group_by=settings.group_by,
        schema=schema,
        message=message,
    )


def _interrupted(error: Exception) -> bool:
    """DuckDB raises InterruptException, PostgreSQL QueryCanceled, when Ctrl-C lands mid-query."""
    return type(error).__name__ in ("InterruptException", "QueryCanceled") or (
        str(error).strip() == "Query interrupted"
    )


CURVATURE_BUCKETS = 10000


def _curvature_sample(engine, row_columns, rows, settings, loss, groups) -> exp.Expression | None:
    """The rows Newton's curvature is summed over: a deterministic hash sample of about
    `curvature_rows` rows when the table has many more, else None (every row). Not for a
    quadratic loss, whose one exact step needs the exact curvature, nor for a majorizer, nor
    for per-group models, where a sample could miss a small group."""
    limit = settings.curvature_rows
    if not limit or groups > 1 or (loss is not None and (loss.quadratic or loss.majorizes)):
        return None
    if rows <= 2 * limit:
        return None
    share = max(1, round(CURVATURE_BUCKETS * limit / rows))
    bucket = engine.row_bucket(row_columns, "curvature", CURVATURE_BUCKETS)
    return bucket < exp.Literal.number(share)


def _group_keys(engine: Engine, source, groups: list[str]) -> list[tuple]:
    if not groups:
        return [()]
    query = exp.select(*[column(g) for g in groups]).distinct().from_(source)
    return [tuple(row) for row in engine.fetch(query)]


def _initial_theta(model: str, target_mean: float | None, design: Design) -> np.ndarray:
    """Zero weights and an intercept at the target's mean (on the link scale)."""
    theta = np.zeros((design.outputs, design.width))
    if target_mean is None:
        return theta
    if model == "linear":
        theta[0, 0] = target_mean
    elif model == "logistic":
        p = min(max(target_mean, 1e-6), 1 - 1e-6)
        theta[0, 0] = math.log(p / (1 - p))
    elif model == "poisson":
        theta[0, 0] = math.log(max(target_mean, 1e-6))
    return theta


def _thetas_from_weights(rows: list[tuple], design: Design, defaults: dict) -> dict:
    """Standardised parameters from a checkpoint's raw weights."""
    names = ["intercept"] + [f.name for f in design.features]
    classes = [str(c) for c in design.classes] or [None]
    raw = {}
    for group, label, feature, *_, weight in rows:
        key = tuple(json.loads(group)) if group else ()
        array = raw.setdefault(key, np.zeros((design.outputs, design.width)))
        array[classes.index(label), names.index(feature)] = weight
    means = [f.mean for f in design.features]
    scales = [f.scale for f in design.features]
    return {
        key: from_raw(raw[key], means, scales) if key in raw else theta
        for key, theta in defaults.items()
    }


def _summary(states: dict, penalty: Penalty) -> dict:
    """An iteration's history row: the statistics were taken at the θ before its step."""
    stats = {k: s.statistics for k, s in states.items()}
    thetas = {k: s.evaluated for k, s in states.items()}
    summary = _summary_from(stats, thetas, penalty)
    steps = [s.step for s in states.values()]
    summary["step_size"] = float(np.mean(steps)) if steps else None
    return summary


def _summary_from(stats: dict, thetas: dict, penalty: Penalty) -> dict:
    """Totals over groups: the objective and losses weighted by each group's training weight."""
    total = sum(s.weight for s in stats.values())
    objective, gradient_norm = 0.0, 0.0
    for key, s in stats.items():
        theta = thetas[key]
        objective += s.weight * s.objective(theta, penalty)
        gradient_norm += float(np.sum(s.smooth_gradient(theta, penalty) ** 2))
    valid_weight = sum(s.validation_weight for s in stats.values())
    validation = (
        (
            sum(s.validation_weight * (s.validation_loss or 0.0) for s in stats.values())
            / valid_weight
        )
        if valid_weight > 0
        else None
    )
    return {
        "objective": objective / total,
        "train_loss": sum(s.weight * s.loss for s in stats.values()) / total,
        "validation_loss": validation,
        "gradient_norm": math.sqrt(gradient_norm),
    }


def _weights_dict(thetas: dict, features: list[Feature], classes: list, groups: list[str]) -> dict:
    means, scales = [f.mean for f in features], [f.scale for f in features]
    names = ["intercept"] + [f.name for f in features]

    def one(theta):
        raw = to_raw(theta, means, scales)

        def as_dict(row):
            named = {n: float(v) for n, v in zip(names[1:], row[1:], strict=True)}
            return {**named, "intercept": float(row[0])}

        if classes:
            return {c: as_dict(raw[k]) for k, c in enumerate(classes)}
        return as_dict(raw[0])

    if not groups:
        return one(thetas[()])
    return {(key[0] if len(key) == 1 else key): one(theta) for key, theta in thetas.items()}
