"""The training loop: check the data, lay out the design, run an optimizer whose every step is
an aggregate query in the warehouse, and record the run for BI. Python holds only vectors of
size groups × outputs × (features + 1)."""

from __future__ import annotations

import dataclasses
import json
import math
import uuid
from collections.abc import Callable

import numpy as np
from sqlglot import exp

from . import optimizers
from .design import Design
from .engine import Engine, engine_for
from .objective import Penalty, Statistics
from .options import OptionError
from .plan import Plan, plan_training, relation_expression, validation_rows
from .profile import TrainingInputError
from .queries import (
    Parameters,
    batch_predicate,
    candidates_query,
    curvature_matrix,
    curvature_query,
    line_search_query,
    nearest_rows_query,
    statistics_query,
)
from .recorder import RunRecorder, TrainingRun, thetas_from_weights
from .run_tables import RunTables
from .sql import collection_paused
from .warm_start import warm_start

__all__ = ["Trainer", "TrainingRun", "relation_expression", "train", "validation_rows"]

DIVERGED = 1e250


class TrainingDiverged(RuntimeError):
    """The loss became non-finite; the run keeps its last finite weights."""


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
        # the design over the rows Newton's curvature is estimated from, when there are many
        # (None: all of them)
        self.curvature_design: Design | None = None
        self._sample_table = f"dbt_loss_sample_{run_id}"
        self._sql: dict = {}

    def sample_curvature(self, rows: exp.Select | None) -> None:
        """Sums Newton's curvature over these rows (a sample of a large table), copied once
        into a temporary table: filtering every row by its hash on each step costs more than
        the sums over the sample. close() drops it."""
        if rows is not None:
            table = self.engine.create_temporary(self._sample_table, rows)
            self.curvature_design = dataclasses.replace(self.design, relation=table)

    def close(self) -> None:
        if self.curvature_design is not None:
            self.curvature_design = None
            self.engine.drop_temporary(self._sample_table)

    def _prepared(self, kind: str, build: Callable[[], exp.Expression]) -> str:
        if kind not in self._sql:
            with collection_paused():
                self._sql[kind] = self.engine.render(build())
        return self._sql[kind]

    def _run(self, sql: str, values: dict[str, dict], extra: dict | None = None):
        """Runs a prepared query at these parameters ({"theta": {group: θ}, "direction": …}),
        bound as coefficients of the centred columns (θ·unscale). Returns each result row's
        group key and the rows' numbers as one array."""
        unscale = self.design.unscale
        values = {n: {k: v * unscale for k, v in by_key.items()} for n, by_key in values.items()}
        keys = list(values["theta"])
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
        many = self.parameters.table is not None  # a row per group
        result = self.engine.fetch_prepared(sql, {**bound, **(extra or {})}, many=many)
        if self.parameters.table is None:
            return [keys[0]] * len(result), result
        # the first column is the parameter row's index, the group's place in `keys`: the rows
        # are put in that order, so a check names the first group at fault in key order
        result = result[np.argsort(result[:, 0], kind="stable")]
        return [keys[int(index)] for index in result[:, 0]], result[:, 1:]

    def _stacked(self, result, head: int):
        """A _run result as its groups' keys, their first `head` values and the rest, a row per
        group, for numpy to work on all at once. A group without rows sums to NULL, read as
        NaN: its first values are 0 (NaN elsewhere, from a NaN in the sums, is kept)."""
        keys, values = result
        heads = values[:, :head].copy()
        heads[np.isnan(heads[:, 0])] = 0.0
        return keys, heads, values[:, head:]

    def _curvatures(self, sums: np.ndarray, sw: np.ndarray) -> np.ndarray:
        """Curvature matrices, stacked by group, from their sums over centred columns: per
        unit of training weight, in standardised coordinates (× 1/s per feature, twice)."""
        unscale = self.design.unscale.ravel()
        return curvature_matrix(self.design, sums / sw[:, None]) * np.outer(unscale, unscale)

    def sampled_curvature(self, thetas: dict) -> dict | None:
        """Per group, the curvature matrix (standardised coordinates, per unit of training
        weight) summed over the curvature sample alone; None when the sample misses a group,
        which then falls back to every row."""
        sql = self._prepared(
            ("curvature",),
            lambda: curvature_query(self.curvature_design, self.loss, self.parameters),
        )
        keys, heads, sums = self._stacked(self._run(sql, {"theta": thetas}), 1)
        result = {}
        if keys:
            sw = heads[:, 0]
            weighted = sw > 0
            matrices = self._curvatures(sums[weighted], sw[weighted])
            kept = [key for key, positive in zip(keys, weighted, strict=True) if positive]
            for index in np.flatnonzero(~np.isfinite(matrices).all(axis=(1, 2)))[:1]:
                _check_curvature(kept[index], matrices[index])
            # each group its own copy: a view would keep every group's matrices alive
            result = {key: matrix.copy() for key, matrix in zip(kept, matrices, strict=True)}
        if set(result) != set(thetas):
            self.close()
            return None
        return result

    def curvature(self, thetas: dict) -> dict:
        """Per group, the curvature matrix alone: from the sample, or from every row."""
        matrices = self.sampled_curvature(thetas) if self.curvature_design is not None else None
        if matrices is None:
            matrices = {k: s.curvature for k, s in self.evaluate(thetas, True).items()}
        return matrices

    @property
    def curvature_alone(self) -> Callable[[dict], dict] | None:
        """What Newton calls for the curvature without the statistics: only with a sample,
        where it is a query of its own; None when evaluate returns it with them."""
        return self.curvature if self.curvature_design is not None else None

    def evaluate(self, thetas: dict, curvature: bool, batch: int | None = None) -> dict:
        batched = batch is not None and self.bucket is not None
        sampled = curvature and self.curvature_design is not None
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
        sample = self.sampled_curvature(thetas) if sampled else {}
        if sample is None:  # the sample missed a group: every row
            return self.evaluate(thetas, curvature, batch)
        keys, heads, sums = self._stacked(rows, 4)
        size = self.design.outputs * self.design.width
        unscale = self.design.unscale
        result = {}
        if keys:
            sw = heads[:, 0]
            positive = np.where(sw > 0, sw, 1.0)  # a group without weight is refused below
            # sums over centred columns → sums over standardised ones: × 1/s per feature
            gradients = sums[:, :size].reshape(-1, *unscale.shape) * unscale
            gradients /= positive[:, None, None]
            losses = heads[:, 2] / positive
            # exp() is bounded at e^700 so PostgreSQL cannot raise: a loss that large has hit it
            with np.errstate(invalid="ignore"):
                diverged = ~(np.abs(losses) < DIVERGED) | ~np.isfinite(gradients).all(axis=(1, 2))
            if in_query:
                matrices = self._curvatures(sums[:, size:], positive)
                diverged |= ~np.isfinite(matrices).all(axis=(1, 2))
            # each group is checked in turn, so the first bad one is named whatever its fault
            # a mini-batch may hold no row of a group: that group sits the step out (_adam)
            empty = (sw <= 0) & (not batched)
            for index in np.flatnonzero(empty | diverged)[:1]:
                key = keys[index]
                if sw[index] <= 0:
                    split = self.design.validation is not None
                    raise TrainingInputError(
                        f"dbt_loss.train: group {key} has no training rows of positive weight"
                        + (" once validation_fraction holds its rows out" if split else "")
                    )
                if not np.all(np.isfinite(gradients[index])) or not abs(losses[index]) < DIVERGED:
                    raise TrainingDiverged(f"the training loss became non-finite for group {key}")
                _check_curvature(key, matrices[index])
        for index, key in enumerate(keys):
            sw, swv, lt, lv = heads[index].tolist()
            gradient = gradients[index].copy()  # views would keep every group's sums alive
            matrix = matrices[index].copy() if in_query else sample.get(key)
            result[key] = Statistics(
                sw, lt / sw if sw > 0 else 0.0, swv, lv / swv if swv > 0 else None, gradient, matrix
            )
        missing = set(thetas) - set(result)
        if batched:  # groups without a row in this mini-batch
            for key in missing:
                result[key] = Statistics(0.0, 0.0, 0.0, None, np.zeros_like(thetas[key]), None)
            missing = set()
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
        keys, values = self._run(sql, {"theta": thetas})
        for key, row in zip(keys, values[:, : self.design.width] * unscale, strict=True):
            nearest.setdefault(key, []).append(row)
        return nearest

    def line_search(self, thetas: dict, directions: dict, steps: tuple) -> dict:
        sql = self._prepared(
            ("line_search", steps),
            lambda: line_search_query(self.design, self.loss, self.parameters, steps),
        )
        keys, values = self._run(sql, {"theta": thetas, "direction": directions})
        result = {}
        for key, losses in zip(keys, _mean_losses(values).tolist(), strict=True):
            result[key] = dict(zip(steps, losses, strict=True))
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
        keys, sums = self._run(sql, values)
        return dict(zip(keys, _mean_losses(sums).tolist(), strict=True))


def _mean_losses(values: np.ndarray) -> np.ndarray:
    """Σw·ℓ per trial point over the first column, Σw; a NULL or non-finite loss is +∞."""
    with np.errstate(all="ignore"):
        losses = values[:, 1:] / values[:, :1]
    return np.where(np.isfinite(losses), losses, np.inf)


def _check_curvature(key, matrix: np.ndarray) -> None:
    """A non-finite curvature would give a zero Newton step, and the run would stop as if
    converged: it fails as diverged instead."""
    if not np.all(np.isfinite(matrix)):
        raise TrainingDiverged(f"the curvature became non-finite for group {key}")


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
    refuse_open_transaction(engine, "train")
    with engine.training_session(relation_expression(relation)):
        plan = plan_training(
            engine,
            relation,
            target=target,
            features=features,
            model=model,
            loss=loss,
            options=options,
        )
        tables = RunTables(engine, schema)
        group_keys = plan.group_keys()
        start = plan.initial_theta()
        thetas = {key: start.copy() for key in group_keys}
        if resume is not None:
            tables.create()
            previous = tables.run(resume)
            if previous is None:
                raise OptionError(
                    f"dbt_loss.train: no run {resume!r} to resume in schema {schema!r}"
                )
            recorder = RunRecorder(tables, plan, resume, previous["run_name"])
            _check_resumable(previous, recorder.record())
            thetas = thetas_from_weights(tables.weights(resume), plan, thetas)
            recorder.resume(previous["iterations"] or 0)
        else:
            recorder = RunRecorder(tables, plan, uuid.uuid4().hex[:16], run_name)
            recorder.start()
        return run_plan(plan, recorder, thetas, len(group_keys), progress)


# What a resumed run must repeat: the problem it solves. tol, max_iter, the optimizer and its
# step settings may change.
SAME_ON_RESUME = ("model", "loss", "relation", "target", "features", "group_by", "classes")
SAME_OPTIONS_ON_RESUME = (
    "loss_parameters",
    "l2",
    "l1",
    "sample_weight",
    "class_weight",
    "validation_fraction",
    "standardize",
)


def _check_resumable(previous: dict, current: dict) -> None:
    """Refuses to resume a run as a different problem: its checkpoint's weights would be read
    into the wrong model, and its run row would describe another one."""
    changed = [name for name in SAME_ON_RESUME if previous[name] != current[name]]
    before, now = json.loads(previous["options"] or "{}"), json.loads(current["options"])
    changed += [name for name in SAME_OPTIONS_ON_RESUME if before.get(name) != now.get(name)]
    if changed:
        details = "; ".join(
            f"{name}: {previous[name] if name in previous else before.get(name)!r} → "
            f"{current[name] if name in current else now.get(name)!r}"
            for name in changed
        )
        raise OptionError(
            f"dbt_loss.train: cannot resume run {previous['run_id']!r} as a different "
            f"problem ({details}); resume it with its own arguments, or start a new run"
        )


def refuse_open_transaction(engine: Engine, caller: str) -> None:
    """A run commits its checkpoints as it goes, and on DuckDB any failed statement (a bad
    input, say) would abort a transaction the caller holds open, losing its writes: refused
    before anything runs."""
    if engine.in_transaction():
        raise OptionError(
            f"dbt_loss.{caller}: the connection has a transaction open; a run writes its "
            "tables in transactions of its own. Commit or roll back first"
        )


def run_plan(
    plan: Plan, recorder: RunRecorder, thetas: dict, groups: int, progress: Callable | None
) -> TrainingRun:
    """The optimizer's loop for one planned run: a checkpoint after every iteration, early
    stopping, the quantile polish, and the run finished whatever happens."""
    trainer = Trainer(plan.engine, plan.design, plan.objective_loss, recorder.run_id)
    try:
        return _descend(plan, trainer, recorder, thetas, groups, progress)
    finally:
        trainer.close()


def _descend(
    plan: Plan,
    trainer: Trainer,
    recorder: RunRecorder,
    thetas: dict,
    groups: int,
    progress: Callable | None,
) -> TrainingRun:
    settings = plan.settings
    batches = 1
    if plan.method == "adam" and settings.batch_size:
        batches = max(1, math.ceil(plan.data.rows / settings.batch_size))
        trainer.bucket = plan.engine.row_bucket(plan.row_columns, "batch", batches)
    offset = recorder.iteration
    best = {"validation": math.inf, "thetas": thetas, "iteration": 0}
    last = {"thetas": thetas, "states": {}}
    status, message = "succeeded", None
    try:
        trainer.sample_curvature(plan.curvature_sample(groups))
        if offset == 0:  # a new run; a resumed one starts from its checkpoint
            thetas = warm_start(plan, trainer.curvature_design, thetas, recorder.run_id)
            best["thetas"] = last["thetas"] = thetas
        for step in optimizers.descend(
            trainer.evaluate,
            trainer.line_search,
            thetas,
            plan.penalty,
            method=plan.method,
            max_iter=plan.max_iter,
            tol=settings.tol,
            majorizes=plan.majorizes,
            quadratic=plan.quadratic,
            sampled_curvature=trainer.curvature_alone,
            learning_rate=settings.learning_rate,
            batches=batches,
        ):
            number = offset + step.number
            history = recorder.checkpoint(number, step.states)
            last = {"thetas": {k: s.theta.copy() for k, s in step.states.items()}}
            last["states"] = step.states
            if progress:
                progress(history)
            validation = history["validation_loss"]
            if settings.early_stopping_rounds and validation is not None:
                if validation < best["validation"]:
                    best = {
                        "validation": validation,
                        "thetas": {k: s.evaluated.copy() for k, s in step.states.items()},
                        "iteration": number,
                    }
                elif number - best["iteration"] >= settings.early_stopping_rounds:
                    message = (
                        f"early stopping: best validation loss at iteration {best['iteration']}"
                    )
                    break
        final = best["thetas"] if message else last["thetas"]
        if settings.loss == "quantile" and not settings.l1 and not message:
            final = polish_quantile(trainer, final, plan.penalty)
    except TrainingDiverged as error:
        status, message, final = "failed", f"diverged: {error}", last["thetas"]
    except BaseException as error:
        _record_failure(recorder, error)
        raise
    # The losses at the final weights: where every group stopped at the weights its last
    # statistics were taken at, those are final; otherwise one more pass measures them.
    stats = None
    if status == "succeeded":
        try:
            stats = final_statistics(last["states"], final) or trainer.evaluate(final, False)
        except TrainingDiverged as error:
            status, message = "failed", f"diverged: {error}"
        except BaseException as error:
            _record_failure(recorder, error)
            raise
    return recorder.finish(status, message, final, stats)


def _record_failure(recorder: RunRecorder, error: BaseException) -> None:
    """Marks the run interrupted (Ctrl-C, also inside a query, where it reaches us as the
    engine's error: then re-raised as KeyboardInterrupt) or failed; the caller re-raises."""
    if isinstance(error, KeyboardInterrupt):
        recorder.interrupted()
    elif isinstance(error, Exception) and _interrupted(error):
        recorder.interrupted()
        raise KeyboardInterrupt from error
    elif isinstance(error, Exception):
        recorder.failed(str(error))


def final_statistics(states: dict, final: dict) -> dict | None:
    """The statistics at the final weights when every group's last measurement was there."""
    if states and all(
        s.evaluated is not None and np.array_equal(s.evaluated, final[k]) for k, s in states.items()
    ):
        return {k: s.statistics for k, s in states.items()}
    return None


def _interrupted(error: Exception) -> bool:
    """DuckDB raises InterruptException, PostgreSQL QueryCanceled, when Ctrl-C lands mid-query."""
    return type(error).__name__ in ("InterruptException", "QueryCanceled") or (
        str(error).strip() == "Query interrupted"
    )
