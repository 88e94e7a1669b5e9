"""Training several candidate models on the same rows side by side: one profile for all of
them, and every optimizer step one query for every candidate still running. The rows are read
once per step and fanned out to the candidates through the parameter table (one row per
candidate), so the scan, the centring and the validation hash are shared; each candidate
keeps its own loss, penalty, run and history. On a large table they start warm, as a run
alone does, from their optima over a small sample. select_loss trains its candidates this way."""

from __future__ import annotations

import dataclasses
import uuid

from sqlglot import exp

from . import optimizers
from .engine import Engine
from .losses import per_candidate
from .plan import Plan, plan_training, relation_expression
from .recorder import RunRecorder, TrainingRun
from .run_tables import RunTables
from .trainer import Trainer, TrainingDiverged, _interrupted, final_statistics, run_plan
from .warm_start import warm_start

CANDIDATE = "dbt_loss_candidate"


def family(plan: Plan) -> tuple | None:
    """Plans with equal families can share queries: the same rows, weights and validation
    split, and an optimizer run in lockstep with the same settings. None: train it alone
    (per-group models, early stopping, mini-batches, first-order methods, the quantile loss,
    which is polished per model after its IRLS)."""
    settings = plan.settings
    if (
        plan.method != "newton"
        or plan.majorizes
        or settings.group_by
        or settings.early_stopping_rounds
        or settings.batch_size
    ):
        return None
    return (
        plan.quadratic,
        plan.penalty.has_lasso,
        settings.sample_weight,
        repr(settings.class_weight),
        settings.standardize,
        settings.tol,
        plan.max_iter,
        settings.curvature_rows,
        settings.validation_fraction,
        settings.loss_parameters.get("label_smoothing") if plan.model == "softmax" else None,
    )


def train_candidates(
    engine: Engine,
    relation,
    *,
    target: str,
    features: list[str],
    model: str,
    schema: str,
    candidates: list[dict],
) -> list[TrainingRun]:
    """One run per candidate (a dict of train() options with `loss` and `run_name`), in the
    candidates' order. Every candidate is planned, so checked, before any is trained."""
    with engine.training_session(relation_expression(relation)):
        profiles: dict = {}
        plans = [
            plan_training(
                engine,
                relation,
                target=target,
                features=features,
                model=model,
                loss=candidate.get("loss"),
                options={k: v for k, v in candidate.items() if k not in ("loss", "run_name")},
                profiles=profiles,
            )
            for candidate in candidates
        ]
        names = [candidate.get("run_name") for candidate in candidates]
        families: dict = {}
        for index, plan in enumerate(plans):
            families.setdefault(family(plan) or ("alone", index), []).append(index)
        tables = RunTables(engine, schema)
        runs: dict[int, TrainingRun] = {}
        for members in families.values():
            if len(members) > 1:
                chosen = [plans[i] for i in members]
                trained = _side_by_side(tables, chosen, [names[i] for i in members])
                runs.update(zip(members, trained, strict=True))
            else:
                runs[members[0]] = _alone(tables, plans[members[0]], names[members[0]])
        return [runs[i] for i in range(len(plans))]


def _alone(tables: RunTables, plan: Plan, name: str | None) -> TrainingRun:
    """As train() runs it: one model per group of the candidate's group_by, or one model."""
    group_keys = plan.group_keys()
    start = plan.initial_theta()
    recorder = RunRecorder(tables, plan, uuid.uuid4().hex[:16], name)
    recorder.start()
    thetas = {key: start.copy() for key in group_keys}
    return run_plan(plan, recorder, thetas, len(group_keys), None)


def _side_by_side(tables: RunTables, plans: list[Plan], names: list) -> list[TrainingRun]:
    first = plans[0]
    design = dataclasses.replace(first.design, groups=[CANDIDATE], fanned=True)
    selector = exp.column(CANDIDATE, quoted=True)
    loss = (
        first.objective_loss
        if first.model == "softmax"
        else per_candidate(selector, [p.scalar_loss for p in plans])
    )
    run_id = uuid.uuid4().hex[:16]
    trainer = Trainer(first.engine, design, loss, run_id)
    recorders = [
        RunRecorder(tables, plan, uuid.uuid4().hex[:16], name)
        for plan, name in zip(plans, names, strict=True)
    ]
    for recorder in recorders:
        recorder.start()
    keys = [(i,) for i in range(len(plans))]
    done = dict.fromkeys(keys, False)
    states: dict = {}
    penalties = {key: p.penalty for key, p in zip(keys, plans, strict=True)}
    try:
        trainer.sample_curvature(first.curvature_sample(1))
        thetas = warm_start(
            first,
            trainer.curvature_design,
            {key: p.initial_theta() for key, p in zip(keys, plans, strict=True)},
            run_id,
            loss=loss,
            penalty=penalties,
        )
        for step in optimizers.descend(
            trainer.evaluate,
            trainer.line_search,
            thetas,
            penalties,
            method="newton",
            max_iter=first.max_iter,
            tol=first.settings.tol,
            quadratic=first.quadratic,
            sampled_curvature=trainer.curvature_alone,
        ):
            states = step.states
            for key, recorder in zip(keys, recorders, strict=True):
                if not done[key]:  # a converged candidate's history ends where it stopped
                    recorder.checkpoint(step.number, {(): states[key]})
                    done[key] = states[key].converged
    except TrainingDiverged:
        # one candidate's divergence stops the shared queries: each is trained again alone,
        # and the side-by-side runs say so
        for recorder in recorders:
            recorder.failed("diverged while trained side by side; trained again alone")
        return [_alone(tables, p, n) for p, n in zip(plans, names, strict=True)]
    except BaseException as error:
        for recorder in recorders:
            if isinstance(error, KeyboardInterrupt) or _interrupted(error):
                recorder.interrupted()
            else:
                recorder.failed(str(error))
        raise
    finally:
        trainer.close()
    runs = []
    for key, recorder in zip(keys, recorders, strict=True):
        final = {(): states[key].theta}
        stats = final_statistics({(): states[key]}, final)
        if stats is None:
            stats = {(): trainer.evaluate({key: states[key].theta}, False)[key]}
        runs.append(recorder.finish("succeeded", None, final, stats))
    return runs
