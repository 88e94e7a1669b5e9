"""Seeded data and the edge cases of ../shared/LOSSES.md, as tables the dbt project reads.

Each table has a case_id; the dbt models compute every metric grouped by case_id, and the
tests compute the reference for each case from the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20261204


def _frame(case_id: str, **columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.insert(0, "case_id", case_id)
    return frame


def regression_cases() -> pd.DataFrame:
    """Targets and predictions; weight is a sample weight the weighted columns use."""
    rng = np.random.default_rng(SEED)
    n = 300
    y = rng.normal(50, 12, n)
    p = y + rng.normal(0, 4, n)
    p[:10] += rng.normal(0, 60, 10)  # outliers beyond every Huber delta
    w = rng.uniform(0.1, 3.0, n)
    counts = rng.poisson(3.0, n).astype(float)  # zeros included: 0·ln 0 = 0
    rate = rng.lognormal(1.0, 0.5, n)
    k = rng.integers(1, 4, 40)
    base_y, base_p = rng.normal(10, 3, 40), rng.normal(10, 3, 40)
    zero_w = rng.uniform(0.5, 2.0, 40)
    zero_w[::4] = 0.0
    big = 1e9 + rng.normal(0, 1, 200)
    y_nulls, p_nulls, w_nulls = y[:60].copy(), p[:60].copy(), w[:60].copy()
    y_nulls[::7], p_nulls[3::11], w_nulls[5::13] = np.nan, np.nan, np.nan
    y_zero = rng.normal(0, 5, 50)
    y_zero[::5] = 0.0
    p_zero = y_zero + rng.normal(0, 1, 50)
    p_zero[::10] = 0.0  # both zero for sMAPE
    residual = np.array([-1000.0, -800.0, -711.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 711.0, 800.0, 1000.0])
    frames = [
        _frame("random", actual=y, predicted=p, weight=w),
        _frame("positive", actual=counts, predicted=rate, weight=w),
        _frame("integer_weights", actual=base_y, predicted=base_p, weight=k.astype(float)),
        _frame(
            "repeated",
            actual=np.repeat(base_y, k),
            predicted=np.repeat(base_p, k),
            weight=np.ones(k.sum()),
        ),
        _frame("zero_weights", actual=base_y, predicted=base_p, weight=zero_w),
        _frame(
            "zero_weights_removed",
            actual=base_y[zero_w > 0],
            predicted=base_p[zero_w > 0],
            weight=zero_w[zero_w > 0],
        ),
        _frame("scaled_weights", actual=base_y, predicted=base_p, weight=zero_w * 1000.0),
        _frame("unit_weights", actual=base_y, predicted=base_p, weight=np.ones(40)),
        _frame("all_zero_weights", actual=base_y, predicted=base_p, weight=np.zeros(40)),
        _frame("large_targets", actual=big, predicted=big + rng.normal(0, 0.5, 200), weight=w[:200]),
        _frame("nulls", actual=y_nulls, predicted=p_nulls, weight=w_nulls),
        _frame("zero_actuals", actual=y_zero, predicted=p_zero, weight=w[:50]),
        _frame("huge_residuals", actual=np.zeros(11), predicted=residual, weight=np.ones(11)),
        _frame("constant_perfect", actual=np.full(20, 5.0), predicted=np.full(20, 5.0), weight=w[:20]),
        _frame(
            "constant_imperfect",
            actual=np.full(20, 5.0),
            predicted=5.0 + rng.normal(0, 1, 20),
            weight=w[:20],
        ),
        _frame("single_row", actual=[3.0], predicted=[4.5], weight=[2.0]),
    ]
    return pd.concat(frames, ignore_index=True)


def binary_cases() -> pd.DataFrame:
    """Labels with a probability, a logit and a weight."""
    rng = np.random.default_rng(SEED + 1)
    n = 300
    x = rng.normal(0, 3, n)
    label = (rng.uniform(size=n) < 1 / (1 + np.exp(-x))).astype(float)
    w = rng.uniform(0.1, 3.0, n)
    extreme_logits = np.array([-1000.0, -37.0, 0.0, 37.0, 1000.0] * 2)
    extreme_labels = np.array([0.0] * 5 + [1.0] * 5)
    exact = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1e-300])
    exact_labels = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    label_nulls, x_nulls = label[:60].copy(), x[:60].copy()
    label_nulls[::7], x_nulls[3::11] = np.nan, np.nan
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    frames = [
        _frame("random", label=label, probability=sigmoid(x), logit=x, weight=w),
        _frame(
            "extreme_logits",
            label=extreme_labels,
            probability=np.clip(sigmoid(extreme_logits), 0, 1),
            logit=extreme_logits,
            weight=np.linspace(0.5, 2.0, 10),
        ),
        _frame(
            "exact_probabilities",
            label=exact_labels,
            probability=exact,
            logit=np.array([-5.0, 5.0, -5.0, 5.0, 0.0, -700.0]),
            weight=np.ones(6),
        ),
        _frame("nulls", label=label_nulls, probability=sigmoid(x_nulls), logit=x_nulls, weight=w[:60]),
    ]
    return pd.concat(frames, ignore_index=True)


MULTICLASS_CLASSES = ["a", "b", "c"]


def multiclass_cases() -> pd.DataFrame:
    """Labels 'a', 'b', 'c' with probability columns p_* and logit columns z_*."""
    rng = np.random.default_rng(SEED + 2)
    n = 300
    z = rng.normal(0, 2, (n, 3))
    prob = np.exp(z - z.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(3, p=row) for row in prob])
    w = rng.uniform(0.1, 3.0, n)
    extreme_z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 1000.0],
                          [37.0, -37.0, 0.0], [1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    extreme_labels = np.array([1, 0, 2, 1, 0, 2])
    one_hot = np.eye(3)[[0, 1, 2, 0]]
    exact_labels = np.array([0, 0, 1, 2])

    def frame(case_id, label_index, probabilities, logits, weight):
        return _frame(
            case_id,
            label=np.array(MULTICLASS_CLASSES, dtype=object)[label_index],
            **{f"p_{c}": probabilities[:, i] for i, c in enumerate(MULTICLASS_CLASSES)},
            **{f"z_{c}": logits[:, i] for i, c in enumerate(MULTICLASS_CLASSES)},
            weight=weight,
        )

    return pd.concat(
        [
            frame("random", labels, prob, z, w),
            frame("extreme_logits", extreme_labels, np.full((6, 3), 1 / 3), extreme_z, np.ones(6)),
            frame("exact_probabilities", exact_labels, one_hot, np.zeros((4, 3)), np.ones(4)),
        ],
        ignore_index=True,
    )


def interval_cases() -> pd.DataFrame:
    """Actuals with a prediction interval; some exactly on an end (inclusive)."""
    rng = np.random.default_rng(SEED + 3)
    n = 200
    y = rng.normal(0, 1, n)
    lower, upper = -1.0 + rng.normal(0, 0.2, n), 1.0 + rng.normal(0, 0.2, n)
    y[:10], y[10:20] = lower[:10], upper[10:20]
    return _frame("random", actual=y, lower=lower, upper=upper, weight=rng.uniform(0.1, 3, n))


def series_cases() -> pd.DataFrame:
    """Series with a training part (predicted NULL) followed by a forecast horizon."""
    rng = np.random.default_rng(SEED + 4)
    frames = []
    for series_id, (length, horizon, flat) in {
        "seasonal": (60, 12, False),
        "short": (10, 5, False),
        "flat": (30, 6, True),
    }.items():
        t = np.arange(length + horizon)
        y = np.full(t.size, 7.0) if flat else 20 + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, t.size)
        predicted = np.where(t >= length, y + rng.normal(0, 1.5, t.size), np.nan)
        frames.append(pd.DataFrame({"series_id": series_id, "t": t, "actual": y, "predicted": predicted}))
    return pd.concat(frames, ignore_index=True)


def all_tables() -> dict[str, pd.DataFrame]:
    return {
        "regression_cases": regression_cases(),
        "binary_cases": binary_cases(),
        "multiclass_cases": multiclass_cases(),
        "interval_cases": interval_cases(),
        "series_cases": series_cases(),
    }
