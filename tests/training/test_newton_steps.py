"""Newton's steps for many groups at once (one batched solve) equal the step each group's own
lstsq solve gives, including curvatures that are singular, nearly singular or that hold a
feature fixed at zero; the decrease each predicts is the quadratic model's."""

from __future__ import annotations

import numpy as np
import pytest

from dbt_loss.training.objective import Penalty, Statistics
from dbt_loss.training.optimizers import (
    GroupState,
    _model_decrease,
    _predicted_change,
    newton_direction,
    newton_stepped,
    newton_steps,
)

pytestmark = pytest.mark.engine_independent


def _state(rng, penalty: Penalty, width: int, rank: int) -> GroupState:
    """A group whose curvature is a weighted Gram matrix of `rank` random rows."""
    rows = np.c_[
        np.ones(rank), rng.normal(size=(rank, width - 1)) * rng.uniform(0.1, 10, width - 1)
    ]
    curvature = (rows * rng.uniform(0.05, 0.25, rank)[:, None]).T @ rows / rank
    stats = Statistics(rank, 0.7, 0.0, None, rng.normal(size=(1, width)), curvature)
    return GroupState(rng.normal(size=(1, width)), penalty, statistics=stats)


@pytest.mark.parametrize("l2", [0.0, 1e-3])
@pytest.mark.parametrize("rank", [200, 5])  # full rank, and fewer rows than parameters
def test_batched_steps_equal_each_groups_lstsq_step(l2, rank):
    rng = np.random.default_rng(rank)
    width = 8
    constant = [False, False, True, False, False, False, False]  # one feature held at zero
    penalty = Penalty.build([2.0] * (width - 1), constant, 1, l2, 0.0)
    states = {(g,): _state(rng, penalty, width, rank) for g in range(40)}
    steps = newton_steps(states)
    assert set(steps) == set(states)
    for key, state in states.items():
        expected = newton_direction(state.statistics, state.theta, state.penalty)
        change = _predicted_change(state.statistics, state.theta, expected, state.penalty)
        direction, predicted, decrease = steps[key]
        scale = np.abs(expected).max()
        np.testing.assert_allclose(direction, expected, rtol=0, atol=1e-9 * scale)
        assert direction[0, 3] == 0.0  # the constant feature's parameter never moves
        assert predicted == pytest.approx(change, rel=1e-9)
        # the batched ½λ² is the model's decrease −(gᵀd + ½dᵀHd), computed in full
        full = _model_decrease(state.statistics, expected, change, state.penalty)
        assert decrease == pytest.approx(full, rel=1e-7)
        assert decrease == -0.5 * predicted


@pytest.mark.parametrize("smallest", [1e-15, 5e-14, 1e-11])
def test_a_nearly_singular_group_among_many_gets_lstsqs_step(smallest):
    """Below RCOND × the largest eigenvalue lstsq drops a direction, and the batch must too:
    the LU solve serves a batch only when every curvature is far enough from singular."""
    rng = np.random.default_rng(11)
    width = 6
    penalty = Penalty.build([1.0] * (width - 1), [False] * (width - 1), 1, 0.0, 0.0)
    states = {(g,): _state(rng, penalty, width, 100) for g in range(30)}
    basis, _ = np.linalg.qr(rng.normal(size=(width, width)))
    odd = _state(rng, penalty, width, 100)
    odd.statistics.curvature = basis @ np.diag(np.geomspace(1.0, smallest, width)) @ basis.T
    states[("odd",)] = odd
    steps = newton_steps(states)
    for key, state in states.items():
        expected = newton_direction(state.statistics, state.theta, state.penalty)
        # a step along a direction of curvature 1e-11 carries rounding of about 1e-16 / 1e-11
        error = 1e-9 if key != ("odd",) else 1e-3
        scale = np.abs(expected).max()
        np.testing.assert_allclose(steps[key][0], expected, rtol=0, atol=error * scale)
    last = basis[:, -1] @ steps[("odd",)][0].ravel()  # the step along the flattest direction
    full = -(basis[:, -1] @ odd.statistics.gradient.ravel()) / smallest
    if smallest < 1e-13:
        assert abs(last) < 1e-6 * abs(full)  # dropped, where the inverse would blow it up
    else:
        assert last == pytest.approx(full, rel=1e-3)


def test_groups_with_an_l1_penalty_keep_coordinate_descent():
    rng = np.random.default_rng(3)
    lasso = Penalty.build([1.0] * 4, [False] * 4, 1, 1e-3, 0.05)
    plain = Penalty.build([1.0] * 4, [False] * 4, 1, 1e-3, 0.0)
    states = {("a",): _state(rng, lasso, 5, 100), ("b",): _state(rng, plain, 5, 100)}
    steps = newton_steps(states)
    for key, state in states.items():
        expected = newton_direction(state.statistics, state.theta, state.penalty)
        np.testing.assert_allclose(steps[key][0], expected, rtol=1e-9, atol=1e-12)
        direction, change, decrease = steps[key]
        d = direction.ravel()
        hessian = state.statistics.smooth_curvature(state.penalty)
        model = change + 0.5 * d @ hessian @ d  # gᵀd + Δl1 + ½dᵀHd
        assert decrease == pytest.approx(-model, rel=1e-12)
        assert decrease > 0


def test_the_unmeasured_last_step_lands_on_a_quadratics_minimum():
    """The warm start takes the small step its stop on tol declined, without measuring it:
    on a quadratic that step is exact. A larger step (a group that stopped because no line
    search could shorten it enough) is not taken, and at a minimum there is none."""
    rng = np.random.default_rng(5)
    penalty = Penalty.build([1.5] * 4, [False] * 4, 1, 1e-2, 0.0)
    state = _state(rng, penalty, 5, 100)
    state.objective = state.statistics.objective(state.theta, penalty)
    assert np.array_equal(newton_stepped(state, 1e-6), state.theta)  # too big a step to take
    stepped = newton_stepped(state, np.inf)
    hessian = state.statistics.smooth_curvature(penalty)
    gradient_after = (
        state.statistics.smooth_gradient(state.theta, penalty).ravel()
        + hessian @ (stepped - state.theta).ravel()
    )
    np.testing.assert_allclose(gradient_after, 0, atol=1e-10)
    at_minimum = GroupState(stepped, penalty, statistics=state.statistics)
    at_minimum.statistics.gradient = -penalty.ridge * stepped  # smooth gradient zero there
    np.testing.assert_array_equal(newton_stepped(at_minimum, np.inf), stepped)
