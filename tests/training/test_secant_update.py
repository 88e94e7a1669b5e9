"""A sampled curvature corrected by the full data's secant pair (BFGS): it then maps the step
onto the exact change of the gradient, stays symmetric and positive definite, leaves held
parameters alone, and is refused when the pair carries no curvature."""

from __future__ import annotations

import numpy as np
import pytest

from dbt_loss.training.optimizers import _secant_update

pytestmark = pytest.mark.engine_independent


def _problem(seed: int, width: int = 6):
    """A true curvature, a sampled estimate of it, and a step with its exact gradient change."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(4000, width))
    exact = rows.T @ rows / len(rows)
    sample = rows[:300].T @ rows[:300] / 300
    step = rng.normal(size=(1, width))
    return exact, sample, step, (exact @ step.ravel()).reshape(1, width)


def test_the_updated_curvature_maps_the_step_onto_the_gradient_change():
    exact, sample, step, change = _problem(1)
    free = np.ones((1, exact.shape[0]), dtype=bool)
    updated, ratio = _secant_update(sample, step, change, free)
    np.testing.assert_allclose(updated @ step.ravel(), change.ravel(), rtol=1e-10)
    np.testing.assert_allclose(updated, updated.T, atol=1e-12)
    assert np.linalg.eigvalsh(updated).min() > 0
    # along the step the sample's error is gone: the exact curvature's quadratic form
    s = step.ravel()
    assert s @ updated @ s == pytest.approx(s @ exact @ s, rel=1e-10)
    assert abs(s @ sample @ s - s @ exact @ s) > 1e-3 * (s @ exact @ s)
    # the ratio says how far off the sample's curvature along the step was
    assert ratio == pytest.approx((s @ exact @ s) / (s @ sample @ s), rel=1e-12)


def test_held_parameters_are_left_out_of_the_update():
    exact, sample, step, change = _problem(2)
    free = np.array([[True, True, False, True, True, True]])
    change = change.copy()
    change[0, 2] = 5.0  # a held parameter's gradient moves; its step is zero
    step = step * free
    updated, _ = _secant_update(sample, step, change, free)
    np.testing.assert_allclose(updated[2], sample[2], atol=1e-12)
    np.testing.assert_allclose(updated[:, 2], sample[:, 2], atol=1e-12)


@pytest.mark.parametrize("kind", ["none", "negative", "lost in rounding"])
def test_a_pair_without_curvature_is_refused(kind):
    """No curvature along the step, a negative one, or one lost in the sums' rounding (a
    gradient change almost orthogonal to the step)."""
    _, sample, step, change = _problem(3)
    free = np.ones_like(step, dtype=bool)
    s = step.ravel()
    other = np.roll(s, 1) - (np.roll(s, 1) @ s) / (s @ s) * s  # orthogonal to the step
    y = {
        "none": 0.0 * change,
        "negative": -change,
        "lost in rounding": 1e-10 * change + other * np.linalg.norm(change) / np.linalg.norm(other),
    }[kind]
    updated, ratio = _secant_update(sample, step, y.reshape(change.shape), free)
    assert updated is None and np.isnan(ratio)
