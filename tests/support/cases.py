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
    residual = np.array(
        [-1000.0, -800.0, -711.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 711.0, 800.0, 1000.0]
    )
    random = _frame("random", actual=y, predicted=p, weight=w)
    positive = _frame("positive", actual=counts, predicted=rate, weight=w)
    frames = [
        random,
        positive,
        # inside every loss's domain (positive targets and predictions), so no side is NaN
        *invariance_cases(pd.concat([random[10:30], positive[positive.actual > 0][:20]]), rng),
        _frame(
            "large_targets", actual=big, predicted=big + rng.normal(0, 0.5, 200), weight=w[:200]
        ),
        _frame("nulls", actual=y_nulls, predicted=p_nulls, weight=w_nulls),
        _frame("zero_actuals", actual=y_zero, predicted=p_zero, weight=w[:50]),
        _frame("huge_residuals", actual=np.zeros(11), predicted=residual, weight=np.ones(11)),
        _frame(
            "constant_perfect", actual=np.full(20, 5.0), predicted=np.full(20, 5.0), weight=w[:20]
        ),
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
        _frame(
            "nulls", label=label_nulls, probability=sigmoid(x_nulls), logit=x_nulls, weight=w[:60]
        ),
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
    extreme_z = np.array(
        [
            [1000.0, -1000.0, 0.0],
            [-1000.0, 1000.0, 0.0],
            [0.0, 0.0, 1000.0],
            [37.0, -37.0, 0.0],
            [1000.0, 999.0, -1000.0],
            [-1000.0, -1000.0, -1000.0],
        ]
    )
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
        y = (
            np.full(t.size, 7.0)
            if flat
            else 20 + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, t.size)
        )
        predicted = np.where(t >= length, y + rng.normal(0, 1.5, t.size), np.nan)
        frames.append(
            pd.DataFrame({"series_id": series_id, "t": t, "actual": y, "predicted": predicted})
        )
    return pd.concat(frames, ignore_index=True)


# --- generic tests and loss history ------------------------------------------------------------

GENERIC_STORES = {"s1": 2.0, "s2": 2.0, "s3": 15.0}  # store → forecast noise: s3 is the bad one


def demand_forecasts() -> pd.DataFrame:
    """Daily demand with a weekly season per store, a forecast (good for s1 and s2, poor for
    s3), a seasonal-naive baseline column (the demand 7 days earlier), a sample weight and a
    text copy of the demand; s4 has 3 rows only (min_rows); s1 has one NULL forecast."""
    rng = np.random.default_rng(SEED + 5)
    frames = []
    for index, (store, noise) in enumerate({**GENERIC_STORES, "s4": 2.0}.items()):
        t = np.arange(3 if store == "s4" else 56)
        demand = 100 + 10 * index + 20 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 3, t.size)
        forecast = demand + rng.normal(0, noise, t.size)
        if store == "s1":
            forecast[10] = np.nan
        frame = pd.DataFrame({"store_id": store, "t": t, "demand": demand, "forecast": forecast})
        frame["naive_forecast"] = frame.demand.shift(7)
        frame["weight"] = rng.uniform(0.5, 2.0, t.size)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["demand_text"] = frame.demand.round(3).astype(str)
    frame["shortfall"] = -frame.demand  # negative: outside the Poisson deviance's domain (NaN)
    frame["Day"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.t, unit="D")  # mixed case
    return frame


def class_probabilities() -> pd.DataFrame:
    """Three-class probabilities per row; rows 3, 5 and 7 break the rules (p_a = 1.2,
    p_b = −0.1, a sum of 1.05), row 9 has a NULL and row 11 sums to 1 + 1e-9 (within the
    tolerance): neither is a violation."""
    rng = np.random.default_rng(SEED + 6)
    p = rng.dirichlet([2.0, 2.0, 2.0], 20)
    frame = pd.DataFrame({"p_a": p[:, 0], "p_b": p[:, 1], "p_c": p[:, 2]}, index=np.arange(1, 21))
    frame.index.name = "row_id"
    frame.loc[3, "p_a"] = 1.2
    frame.loc[5, "p_b"] = -0.1
    frame.loc[7, "p_c"] += 0.05
    frame.loc[9, "p_a"] = np.nan
    frame.loc[11, "p_c"] += 1e-9
    frame = frame.reset_index()
    frame["label_text"] = np.array(["a", "b", "c"])[p.argmax(axis=1)]
    return frame


def loss_history_cases() -> pd.DataFrame:
    """A recorded loss history (the columns of dbt_loss.loss_history): 10 daily evaluations of
    'demand_forecast' for stores s1 to s4, with mae and mse. In the latest one, s1's mae is 5%
    above the median of the previous 7 evaluations, s2's 30%, s4 has no value, s3 is absent
    and s5 is new. The two oldest evaluations are outliers that a lookback of 7 leaves out.
    'baseline_model' records s1 only; its latest mae (an earlier day) is 50% up."""
    rng = np.random.default_rng(SEED + 7)
    days = pd.date_range("2024-01-01", periods=10, freq="D")
    rows = []

    def record(model, day, store, metric, value):
        rows.append(
            {
                "model_name": model,
                "evaluated_at": day,
                "store_id": store,
                "metric": metric,
                "metric_name": metric,
                "value": value,
            }
        )

    for model, stores, n_days in [
        ("demand_forecast", {"s1": 1.05, "s2": 1.3, "s3": None, "s4": np.nan}, 10),
        ("baseline_model", {"s1": 1.5}, 8),
    ]:
        for store, factor in stores.items():
            mae = rng.uniform(4.0, 6.0, n_days)
            mae[:2] = 100.0
            mse = rng.uniform(30.0, 40.0, n_days)
            mae[-1] = np.median(mae[-8:-1]) * factor if factor is not None else np.nan
            mse[-1] = np.median(mse[-8:-1])  # steady: the mse tests pass
            for i, day in enumerate(days[:n_days]):
                if i == n_days - 1 and factor is None:
                    continue  # absent from the latest evaluation
                record(model, day, store, "mae", mae[i])
                record(model, day, store, "mse", mse[i])
    record("demand_forecast", days[-1], "s5", "mae", 50.0)
    record("demand_forecast", days[-1], "s5", "mse", 50.0)
    # 'unusable_history' (rmse only): s1's earlier values are NaN (NULL here: the model makes
    # them NaN) and its latest 1e9, s2's earlier values are NULL and so is its latest; both
    # must fail
    for i, day in enumerate(days[:4]):
        latest = i == 3
        record("unusable_history", day, "s1", "rmse", 1e9 if latest else np.nan)
        record("unusable_history", day, "s2", "rmse", None)
    return pd.DataFrame(rows)


def churn_predictions() -> pd.DataFrame:
    """Churn labels with a predicted probability per store: the log loss of the history."""
    rng = np.random.default_rng(SEED + 8)
    n = 90
    probability = rng.uniform(0.05, 0.95, n)
    return pd.DataFrame(
        {
            "store_id": np.array(list(GENERIC_STORES))[np.arange(n) % 3],
            "churned": (rng.uniform(size=n) < probability).astype(float),
            "churn_probability": probability,
        }
    )


def integer_cases() -> pd.DataFrame:
    """Integer-typed inputs: where PostgreSQL divides integers and truncates."""
    rng = np.random.default_rng(SEED + 9)
    n = 200
    actual = rng.integers(0, 20, n)
    return pd.DataFrame(
        {
            "case_id": "integers",
            "actual": actual,
            "predicted": actual + rng.integers(-3, 4, n),
            "weight": rng.integers(1, 5, n),
            "label": rng.integers(0, 2, n),
            "lower": actual - rng.integers(-1, 3, n),
            "upper": actual + rng.integers(-1, 3, n),
        }
    )


def all_tables() -> dict[str, pd.DataFrame]:
    return {
        "integer_cases": integer_cases(),
        "regression_cases": regression_cases(),
        "binary_cases": binary_cases(),
        "multiclass_cases": multiclass_cases(),
        "interval_cases": interval_cases(),
        "series_cases": series_cases(),
        "demand_forecasts": demand_forecasts(),
        "class_probabilities": class_probabilities(),
        "loss_history_cases": loss_history_cases(),
        "churn_predictions": churn_predictions(),
    }
