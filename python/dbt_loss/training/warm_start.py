"""Newton's warm start on large tables: the same objective minimised first over a small hash
sample of the curvature sample, in queries that cost little more than planning them. Its
optimum is within sampling error of the full one, so the passes over every row only refine
it: two or three instead of five or six, and a first step too long for the full data (Huber
from zero slopes) is cut back on the sample, not with a line search over every row."""

from __future__ import annotations

import dataclasses

from sqlglot import exp

from . import optimizers
from .design import Design
from .objective import Penalty
from .plan import Plan
from .profile import TrainingInputError

# The warm sample holds about this share of the curvature sample (31,250 rows of 250,000),
# and at least ROWS_PER_PARAMETER rows per parameter.
SHARE_OF_CURVATURE_SAMPLE = 1 / 8
ROWS_PER_PARAMETER = 1_000
BUCKETS = 10_000
MAX_ITER = 25


def warm_start(
    plan: Plan,
    sample: Design | None,
    thetas: dict,
    run_id: str,
    *,
    loss=None,
    penalty: Penalty | dict | None = None,
) -> dict:
    """θ at the optimum over the warm sample, drawn from the rows of the curvature sample's
    design `sample` (the plan's, or candidates fanned out side by side, each with its loss
    and penalty: the plan's by default); per model, the given θ when there is no curvature
    sample, the warm sample would not be much smaller, or the solve on it does not converge
    (a sample that separates the classes, say).

    That optimum is only within sampling error (about parameters / rows, relative) of the
    full one, so the solve stops once Newton's next step would lower the objective by less
    than that, and takes the step without measuring it: Newton's quadratic convergence
    leaves it far closer to the sample's optimum than the full one is."""
    from .trainer import Trainer, TrainingDiverged  # the trainer runs the warm start

    if sample is None or plan.method != "newton" or not plan.settings.curvature_rows:
        return thetas
    sampled = plan.settings.curvature_rows  # about the curvature sample's size
    parameters = plan.design.outputs * plan.design.width
    wanted = max(sampled * SHARE_OF_CURVATURE_SAMPLE, ROWS_PER_PARAMETER * parameters)
    if 2 * wanted > sampled:
        return thetas
    share = max(1, round(BUCKETS * wanted / sampled))
    bucket = plan.engine.row_bucket(plan.row_columns, "warm start", BUCKETS)
    rows = exp.select("*").from_(sample.relation).where(bucket < exp.Literal.number(share))
    name = f"dbt_loss_warm_{run_id}"
    table = plan.engine.create_temporary(name, rows)
    try:
        design = dataclasses.replace(sample, relation=table)
        loss = plan.objective_loss if loss is None else loss
        trainer = Trainer(plan.engine, design, loss, f"{run_id}_warm")
        tol = max(plan.settings.tol, parameters / wanted)
        states: dict = {}
        for step in optimizers.descend(
            trainer.evaluate,
            trainer.line_search,
            thetas,
            plan.penalty if penalty is None else penalty,
            method="newton",
            max_iter=MAX_ITER,
            tol=tol,
            majorizes=plan.majorizes,
            quadratic=plan.quadratic,
        ):
            states = step.states
        return {
            key: optimizers.newton_stepped(states[key], tol)
            if key in states and states[key].converged
            else theta
            for key, theta in thetas.items()
        }
    except (TrainingDiverged, TrainingInputError):
        return thetas
    finally:
        plan.engine.drop_temporary(name)
