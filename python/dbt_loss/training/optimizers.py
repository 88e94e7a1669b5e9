"""Optimizers over the small parameter vectors, one problem per group. They know nothing
about SQL: they call `evaluate` (statistics at θ, one aggregate query for all groups) and
`line_search` (the training loss at several step sizes along a direction, one query).

- newton: Newton steps on the curvature the query returns (IRLS for logistic and Poisson,
  exact in one step for mse); with l1, the step solves the penalised quadratic model by
  coordinate descent, as glmnet does. Quadratic convergence, so few passes over the data.
- lbfgs: limited-memory BFGS on the gradient only, for losses without a useful curvature.
- gd: steepest descent with the same line search.
- adam: mini-batch Adam, one batch per query.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .objective import Penalty, Statistics

# Step sizes tried in one line-search query, largest first.
STEPS = (1.0, 0.5, 0.25, 0.1, 0.03, 0.01, 1e-3, 1e-4)
ARMIJO = 1e-4
# Newton directions along curvature eigenvalues (singular values) below this share of the
# largest are dropped: a feature constant within a group, say.
RCOND = 1e-13

Evaluate = Callable[[dict, bool], dict]  # θ by group, want curvature → Statistics by group
LineSearch = Callable[[dict, dict, tuple], dict]  # θ, direction, steps → mean losses by group
Curvature = Callable[[dict], dict]  # θ by group → curvature matrix by group


@dataclass
class GroupState:
    theta: np.ndarray
    penalty: Penalty
    statistics: Statistics | None = None
    evaluated: np.ndarray | None = None  # the θ the statistics were taken at
    objective: float = np.inf
    step: float = 0.0
    converged: bool = False
    decrease: float = np.inf  # how much the last accepted step lowered the objective
    earlier_decrease: float = np.inf  # and the step before it
    memory: list = field(default_factory=list)  # L-BFGS pairs (s, y)
    moments: tuple | None = None  # Adam (m, v)


@dataclass
class Iteration:
    """What an optimizer reports after each step, for progress, history and checkpoints."""

    number: int
    states: dict  # group key → GroupState


def _coordinate_descent(gradient, hessian, theta, lasso, free, sweeps=200, tol=1e-14):
    """argmin_d gᵀd + ½dᵀHd + Σ λ|θ + d| by cyclic coordinate descent (the glmnet inner loop)."""
    d = np.zeros_like(theta)
    hd = np.zeros_like(theta)
    for _ in range(sweeps):
        largest = 0.0
        for i in np.flatnonzero(free):
            h = hessian[i, i]
            if h <= 0:
                continue
            z = theta[i] + d[i] - (gradient[i] + hd[i]) / h
            new = np.sign(z) * max(abs(z) - lasso[i] / h, 0.0) - theta[i]
            change = new - d[i]
            if change:
                hd += hessian[:, i] * change
                d[i] = new
                largest = max(largest, abs(change))
        if largest <= tol * (1 + np.max(np.abs(theta))):
            break
    return d


def newton_direction(statistics: Statistics, theta: np.ndarray, penalty: Penalty) -> np.ndarray:
    gradient = statistics.smooth_gradient(theta, penalty).ravel()
    hessian = statistics.smooth_curvature(penalty)
    if penalty.has_lasso:
        step = _coordinate_descent(
            gradient, hessian, theta.ravel(), penalty.lasso.ravel(), penalty.free.ravel()
        )
    else:
        step = np.linalg.lstsq(hessian, -gradient, rcond=RCOND)[0]
    return (step * penalty.free.ravel()).reshape(theta.shape)


def newton_steps(states: dict) -> dict:
    """newton_direction, its predicted change and the quadratic model's decrease for many
    groups at once: {key: (direction, change, decrease)}. Groups that share a penalty without
    l1 (one model per group) are solved together (_pseudo_inverse_steps), as the pseudo-inverse
    solve lstsq gives each alone; a thousand separate lstsq calls cost more than the query
    that summed their curvatures."""
    result = {}
    batches: dict[int, list] = {}
    for key, state in states.items():
        if state.penalty.has_lasso:
            result[key] = _newton_step(state.statistics, state.theta, state.penalty)
        else:
            batches.setdefault(id(state.penalty), []).append(key)
    for keys in batches.values():
        penalty = states[keys[0]].penalty
        thetas = np.stack([states[k].theta for k in keys])
        gradients = np.stack([states[k].statistics.gradient for k in keys])
        gradients = penalty.smooth_gradient(gradients, thetas).reshape(len(keys), -1)
        free = penalty.free.ravel()
        hessians = penalty.smooth_curvature(
            np.stack([states[k].statistics.curvature for k in keys])
        )
        steps = _pseudo_inverse_steps(hessians, gradients) * free
        changes = np.einsum("gi,gi->g", gradients, steps)
        for index, key in enumerate(keys):
            change = float(changes[index])
            # d = −H⁺g makes dᵀHd = −gᵀd: the model's decrease is half the change, ½λ²
            result[key] = (steps[index].reshape(thetas.shape[1:]), change, -0.5 * change)
    return result


def _pseudo_inverse_steps(hessians: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """−H⁺g for stacked H and g, as lstsq with RCOND gives each. When every H − τI with
    τ = 2·RCOND·‖H‖₁ ≥ 2·RCOND·λmax has a Cholesky factor, every λmin > τ less the factor's
    rounding (about 17ε‖H‖), so above RCOND·λmax: lstsq drops no direction, H⁺ = H⁻¹ and an LU
    solve gives the steps, 6× cheaper than the batched eigendecomposition that a stack with a
    nearly singular H still takes."""
    size = hessians.shape[-1]
    margin = 2 * RCOND * np.abs(hessians).sum(axis=1).max(axis=1)
    try:
        np.linalg.cholesky(hessians - margin[:, None, None] * np.eye(size))
        return -np.linalg.solve(hessians, gradients[..., None])[..., 0]
    except np.linalg.LinAlgError:
        pass
    values, vectors = np.linalg.eigh(hessians)
    magnitudes = np.abs(values)
    kept = magnitudes > RCOND * magnitudes.max(axis=1, keepdims=True)
    inverse = np.where(kept, 1.0 / np.where(kept, values, 1.0), 0.0)
    projected = np.einsum("gji,gj->gi", vectors, gradients)
    return -np.einsum("gij,gj->gi", vectors, inverse * projected)


def newton_stepped(state: GroupState, tol: float) -> np.ndarray:
    """θ moved by the Newton step its last statistics give, taken without measuring the
    point it lands on: only the small step a stop on `tol` declined. θ itself for a group
    that stopped otherwise (a step no line search could shorten enough, say)."""
    direction, change, decrease = _newton_step(state.statistics, state.theta, state.penalty)
    small = 0 < decrease <= tol * max(abs(state.objective), 1e-12)
    return state.theta + direction if change < 0 and small else state.theta.copy()


def _newton_step(statistics, theta, penalty) -> tuple[np.ndarray, float, float]:
    """One group's newton_direction, its predicted change and the model's decrease."""
    direction = newton_direction(statistics, theta, penalty)
    change = _predicted_change(statistics, theta, direction, penalty)
    return direction, change, _model_decrease(statistics, direction, change, penalty)


def _predicted_change(statistics, theta, direction, penalty) -> float:
    """The first-order change of the objective along the direction (≤ 0 for a descent step)."""
    smooth = float(np.sum(statistics.smooth_gradient(theta, penalty) * direction))
    lasso = float(np.sum(penalty.lasso * (np.abs(theta + direction) - np.abs(theta))))
    return smooth + lasso


def _model_decrease(statistics, direction, change: float, penalty: Penalty) -> float:
    """How much the step lowers the quadratic model of the objective: −(change + ½dᵀHd),
    the Newton decrement ½λ² when there is no l1 term. What a Newton stop compares to tol."""
    flat = direction.ravel()
    return -change - 0.5 * float(flat @ statistics.smooth_curvature(penalty) @ flat)


def _accept(state: GroupState, direction, losses: dict, change: float) -> bool:
    """Armijo's rule on the largest step that satisfies it; False when no step decreases."""
    for step in losses:
        candidate = state.theta + step * direction
        objective = losses[step] + state.penalty.value(candidate)
        if objective <= state.objective + ARMIJO * step * min(change, 0.0):
            state.theta, state.step = candidate, step
            return True
    return False


def descend(
    evaluate: Evaluate,
    line_search: LineSearch,
    thetas: dict,
    penalty: Penalty | dict,
    *,
    method: str,
    max_iter: int,
    tol: float,
    majorizes: bool = False,
    quadratic: bool = False,
    sampled_curvature: Curvature | None = None,
    learning_rate: float = 0.05,
    batches: int = 1,
) -> Iterator[Iteration]:
    """Runs `method` from θ, yielding after every step. A group stops when the objective the
    step predicts (Newton) or achieves falls below tol × |objective|; the run when all have.
    `penalty` is one for every group, or a dict of them by group key (candidates trained
    side by side). `sampled_curvature`, for Newton, sums the curvature alone over a sample
    of the rows; None when `evaluate` returns the exact curvature with the statistics."""
    penalties = penalty if isinstance(penalty, dict) else {key: penalty for key in thetas}
    if method == "adam":
        yield from _adam(
            evaluate,
            thetas,
            penalties,
            max_iter=max_iter,
            tol=tol,
            learning_rate=learning_rate,
            batches=batches,
        )
        return
    if method == "newton":
        yield from _newton(
            evaluate,
            line_search,
            thetas,
            penalties,
            max_iter=max_iter,
            tol=tol,
            majorizes=majorizes,
            quadratic=quadratic,
            sampled=sampled_curvature,
        )
        return
    states = _states(thetas, penalties)
    for number in range(1, max_iter + 1):
        active = {k: s for k, s in states.items() if not s.converged}
        statistics = evaluate({k: s.theta for k, s in active.items()}, False)
        directions, changes = {}, {}
        for key, state in active.items():
            stats = state.statistics = statistics[key]
            state.evaluated = state.theta.copy()
            previous = state.objective
            state.objective = stats.objective(state.theta, state.penalty)
            gradient = stats.smooth_gradient(state.theta, state.penalty)
            direction = _lbfgs_direction(state, gradient) if method == "lbfgs" else -gradient
            change = _predicted_change(stats, state.theta, direction, state.penalty)
            if method == "lbfgs" and change >= 0 and state.memory:
                state.memory.clear()  # a stale curvature model: restart from steepest descent
                direction = -gradient
                change = _predicted_change(stats, state.theta, direction, state.penalty)
            scale = max(abs(state.objective), 1e-12)
            stalled = np.isfinite(previous) and abs(previous - state.objective) <= tol * scale
            if stalled or change >= 0 or not np.any(direction):
                state.converged = True
                continue
            directions[key], changes[key] = direction, change
        if directions:
            losses = line_search({k: states[k].theta for k in directions}, directions, STEPS)
            for key, direction in directions.items():
                state = states[key]
                before = state.theta
                gradient = state.statistics.smooth_gradient(before, state.penalty)
                if not _accept(state, direction, losses[key], changes[key]):
                    if method == "lbfgs" and state.memory:
                        state.memory.clear()  # retry from steepest descent next iteration
                        state.objective = np.inf
                    else:
                        state.converged = True
                elif method == "lbfgs":
                    state.memory.append((state.theta - before, gradient))
        yield Iteration(number, states)
        if all(s.converged for s in states.values()):
            return


def _states(thetas: dict, penalties: dict) -> dict:
    return {key: GroupState(np.array(t, dtype=float), penalties[key]) for key, t in thetas.items()}


def _measure(state: GroupState, stats: Statistics) -> None:
    state.statistics = stats
    state.evaluated = state.theta.copy()
    state.objective = stats.objective(state.theta, state.penalty)


# A sampled curvature's Newton steps converge at least linearly: when the last two real
# decreases fall by this factor or more, the next is extrapolated at the same ratio.
CONVERGING = 0.1


def _record_decrease(state: GroupState, decrease: float) -> None:
    state.earlier_decrease, state.decrease = state.decrease, decrease


def _settled(state: GroupState, threshold: float) -> bool:
    """Whether the next step's real decrease will be below the threshold: the last one was,
    or the last two fell so fast that the next, at the same ratio, will be."""
    if state.decrease <= threshold:
        return True
    if not np.isfinite(state.earlier_decrease) or state.earlier_decrease <= 0:
        return False
    ratio = state.decrease / state.earlier_decrease
    return ratio <= CONVERGING and state.decrease * ratio <= threshold


def _quadratic_model(stats: Statistics, direction: np.ndarray) -> Statistics:
    """The statistics after a step on a quadratic loss, from those before it: exact, since
    the loss is its own second-order Taylor model (no validation loss: that needs a pass)."""
    flat = direction.ravel()
    moved = stats.curvature @ flat
    return Statistics(
        stats.weight,
        stats.loss + float(stats.gradient.ravel() @ flat) + 0.5 * float(flat @ moved),
        0.0,
        None,
        stats.gradient + moved.reshape(stats.gradient.shape),
        stats.curvature,
    )


# A carried curvature serves the next step while it measured the curvature along the last one
# (sᵀy / sᵀBs) within these bounds; outside them it is stale (a run far from the optimum,
# where the curvature still changes fast) and the sample is summed again at the new point.
CARRIED = (0.8, 1.25)


def _secant_update(curvature, step, gradient_change, free) -> tuple[np.ndarray | None, float]:
    """The sampled curvature corrected by BFGS with the full data's secant pair: the step s
    and the change y of the loss's gradient along it (fixed parameters masked out). The pair
    is exact, so the sampling error along s goes; elsewhere the sample's matrix stays. Also
    sᵀy / sᵀBs, how well the curvature before the update knew the one along s. None (and
    NaN) when the pair carries no curvature: sᵀBs not positive, or sᵀy too small to divide
    by (rounding in the sums)."""
    mask = free.ravel()
    s = step.ravel() * mask
    y = gradient_change.ravel() * mask
    bs = (curvature @ s) * mask
    sy, sbs = float(s @ y), float(s @ bs)
    flat = sy <= 1e-8 * float(np.linalg.norm(s) * np.linalg.norm(y))
    if flat or not (sbs > 0 and np.isfinite(sy) and np.isfinite(sbs)):
        return None, math.nan
    return curvature - np.outer(bs, bs) / sbs + np.outer(y, y) / sy, sy / sbs


def _stops_on_carried_curvature(state: GroupState, carried, tol: float) -> bool:
    """Whether a group whose trial was just measured can stop there: the Newton decrease
    predicted from the new gradient and the curvature carried over from the last point
    (sampled, so approximate anyway) is below tol, and the next real decrease will be too.
    The carried curvature becomes the group's for its next step."""
    stats = state.statistics
    stats.curvature = carried
    _, change, decrease = _newton_step(stats, state.theta, state.penalty)
    threshold = tol * max(abs(state.objective), 1e-12)
    return change < 0 and decrease <= threshold and _settled(state, threshold)


def _newton(
    evaluate, line_search, thetas, penalties, *, max_iter, tol, majorizes, quadratic, sampled
):
    """Newton steps, tried in full first: the statistics at θ + d are the next iteration's
    anyway, so a step Armijo accepts costs one pass, not a line search and a pass. Only a
    rejected step pays for the line search (and a pass at the point it picks). A quadratic
    loss's curvature is taken once and its full step is exact; without a validation split the
    statistics after it follow from the quadratic model, with no pass at all. With a sampled
    curvature the decrease it predicts is an estimate, so a group stops only once the next
    step's real decrease will be small too (_settled); and a trial is measured without its
    curvature: the last one is carried over, corrected by BFGS with the step and the full
    data's change of gradient (_secant_update), while it knew the curvature along that step
    (CARRIED); the sample is summed again otherwise, and after a line search."""
    states = _states(thetas, penalties)
    exact = quadratic and not any(p.has_lasso for p in penalties.values())
    statistics = evaluate({k: s.theta for k, s in states.items()}, True)
    for key, state in states.items():
        _measure(state, statistics[key])
    for number in range(1, max_iter + 1):
        directions, changes = {}, {}
        steps = newton_steps({k: s for k, s in states.items() if not s.converged})
        for key, (direction, change, decrease) in steps.items():
            state = states[key]
            scale = max(abs(state.objective), 1e-12)
            small_step = decrease <= tol * scale and not majorizes
            if sampled is not None and not _settled(state, tol * scale):
                small_step = False
            if small_step or change >= 0 or not np.any(direction):
                state.converged = True
                continue
            directions[key], changes[key] = direction, change
        if not directions:
            yield Iteration(number, states)
            return
        trials = {k: states[k].theta + d for k, d in directions.items()}
        if exact:
            predicted = {
                k: _quadratic_model(states[k].statistics, d)
                for k, d in directions.items()
                if states[k].statistics.validation_weight == 0
            }
            measured = {k: t for k, t in trials.items() if k not in predicted}
            trial_stats = {**predicted, **(evaluate(measured, False) if measured else {})}
            for key, stats in trial_stats.items():
                stats.curvature = states[key].statistics.curvature
        else:
            trial_stats = evaluate(trials, sampled is None)
        rejected, unmeasured = {}, {}
        for key, direction in directions.items():
            state = states[key]
            stats = trial_stats[key]
            previous = state.objective
            objective = stats.objective(trials[key], state.penalty)
            if exact or objective <= previous + ARMIJO * min(changes[key], 0.0):
                curvature, gradient = state.statistics.curvature, state.statistics.gradient
                state.theta, state.step = trials[key], 1.0
                _measure(state, stats)
                _record_decrease(state, previous - objective)
                scale = max(abs(objective), 1e-12)
                if majorizes and abs(previous - objective) <= tol * scale:
                    state.converged = True
                elif sampled is not None:
                    secant, ratio = _secant_update(
                        curvature, direction, stats.gradient - gradient, state.penalty.free
                    )
                    carried = curvature if secant is None else secant
                    if _stops_on_carried_curvature(state, carried, tol):
                        state.converged = True
                    elif not CARRIED[0] <= ratio <= CARRIED[1]:  # also NaN: no secant
                        unmeasured[key] = state.theta
            else:
                rejected[key] = direction
        if unmeasured:  # nothing fit to carry: the sample's curvature at the new points
            for key, matrix in sampled(unmeasured).items():
                states[key].statistics.curvature = matrix
        if rejected:
            steps = STEPS[1:]
            losses = line_search({k: states[k].theta for k in rejected}, rejected, steps)
            moved = {}
            for key, direction in rejected.items():
                state = states[key]
                before = state.objective
                if _accept(state, direction, losses[key], changes[key]):
                    moved[key] = state.theta
                    after = losses[key][state.step] + state.penalty.value(state.theta)
                    _record_decrease(state, before - after)
                else:
                    states[key].converged = True
            if moved:
                statistics = evaluate(moved, True)
                for key in moved:
                    _measure(states[key], statistics[key])
        yield Iteration(number, states)
        if all(s.converged for s in states.values()):
            return


def _lbfgs_direction(state: GroupState, gradient: np.ndarray, memory: int = 10) -> np.ndarray:
    """The two-loop recursion. The memory holds (step s_i, gradient before it g_i); with the
    current gradient appended, y_i = g_{i+1} − g_i."""
    recent = state.memory[-memory:]
    gradients = [g for _, g in recent] + [gradient]
    history = [(s, gradients[i + 1] - gradients[i]) for i, (s, _) in enumerate(recent)]
    history = [(s, y) for s, y in history if float(np.sum(s * y)) > 1e-300]
    q = gradient.copy()
    alphas = []
    for s, y in reversed(history):
        rho = 1.0 / float(np.sum(s * y))
        alpha = rho * float(np.sum(s * q))
        q = q - alpha * y
        alphas.append((alpha, rho, s, y))
    if history:
        s, y = history[-1]
        q = q * float(np.sum(s * y)) / float(np.sum(y * y))
    else:
        q = q / max(float(np.linalg.norm(gradient)), 1.0)
    for alpha, rho, s, y in reversed(alphas):
        q = q + s * (alpha - rho * float(np.sum(y * q)))
    return -q


def _adam(evaluate, thetas, penalties, *, max_iter, tol, learning_rate, batches):
    """Mini-batch Adam (Kingma & Ba): each step one query over one batch of rows."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    states = _states(thetas, penalties)
    for number in range(1, max_iter + 1):
        statistics = evaluate(
            {k: s.theta for k, s in states.items()}, False, (number - 1) % batches
        )
        if not any(stats.weight > 0 for stats in statistics.values()):
            continue  # a hash bucket that drew no row: no step, and no history row
        for key, state in states.items():
            stats = state.statistics = statistics[key]
            state.evaluated = state.theta.copy()
            if stats.weight <= 0:  # no row of this group in the batch: it sits the step out
                continue
            penalty = state.penalty
            state.objective = stats.objective(state.theta, penalty)
            gradient = stats.smooth_gradient(state.theta, penalty)
            m, v = state.moments or (np.zeros_like(gradient), np.zeros_like(gradient))
            m = beta1 * m + (1 - beta1) * gradient
            v = beta2 * v + (1 - beta2) * gradient**2
            state.moments = (m, v)
            update = (
                learning_rate * (m / (1 - beta1**number)) / (np.sqrt(v / (1 - beta2**number)) + eps)
            )
            state.theta = state.theta - update * penalty.free
            state.step = learning_rate
            if penalty.has_lasso:  # proximal step for the l1 part
                shrink = learning_rate * penalty.lasso
                state.theta = np.sign(state.theta) * np.maximum(np.abs(state.theta) - shrink, 0)
            state.converged = float(np.linalg.norm(update)) <= tol
        yield Iteration(number, states)
        if all(s.converged for s in states.values()):
            return
