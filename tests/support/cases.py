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


def invariance_cases(base: pd.DataFrame, rng: np.random.Generator) -> list[pd.DataFrame]:
    """The four weight invariances of LOSSES.md as pairs of cases that must agree: integer
    weights k vs rows repeated k times, zero weights vs the rows removed, all weights scaled
    by 1000, and all-ones weights vs no weights."""
    base = base.drop(columns="case_id").reset_index(drop=True)
    k = rng.integers(1, 4, len(base)).astype(float)
    zero = rng.uniform(0.5, 2.0, len(base))
    zero[::4] = 0.0

    def case(case_id, frame, weight):
        return frame.assign(weight=weight).assign(case_id=case_id)

    repeated = base.loc[base.index.repeat(k.astype(int))]
    return [
        case("integer_weights", base, k),
        case("repeated", repeated, np.ones(len(repeated))),
        case("zero_weights", base, zero),
        case("zero_weights_removed", base[zero > 0], zero[zero > 0]),
        case("scaled_weights", base, zero * 1000.0),
        case("unit_weights", base, np.ones(len(base))),
        case("all_zero_weights", base, np.zeros(len(base))),
    ]


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
    big = 1e9 + rng.normal(0, 1, 200)
    y_nulls, p_nulls, w_nulls = y[:60].copy(), p[:60].copy(), w[:60].copy()
    y_nulls[::7], p_nulls[3::11], w_nulls[5::13] = np.nan, np.nan, np.nan
    y_zero = rng.normal(0, 5, 50)
    y_zero[::5] = 0.0
    p_zero = y_zero + rng.normal(0, 1, 50)
    p_zero[::10] = 0.0  # both zero for sMAPE
    residual = np.array([-1000.0, -800.0, -711.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 711.0, 800.0, 1000.0])
    random = _frame("random", actual=y, predicted=p, weight=w)
    positive = _frame("positive", actual=counts, predicted=rate, weight=w)
    frames = [
        random,
        positive,
        # inside every loss's domain (positive targets and predictions), so no side is NaN
        *invariance_cases(pd.concat([random[10:30], positive[positive.actual > 0][:20]]), rng),
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
    random = _frame("random", label=label, probability=sigmoid(x), logit=x, weight=w)
    frames = [
        random,
        *invariance_cases(random[:40], rng),
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

    random = frame("random", labels, prob, z, w)
    return pd.concat(
        [
            random,
            *invariance_cases(random[:40], rng),
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
    random = _frame("random", actual=y, lower=lower, upper=upper, weight=rng.uniform(0.1, 3, n))
    return pd.concat([random, *invariance_cases(random[:40], rng)], ignore_index=True)


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
