"""Integer-typed inputs give the reference's value on every engine (PostgreSQL truncates an
integer division; the macros compute in double precision)."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from support.compare import assert_agrees


def test_integer_columns_match_the_references(engine_warehouse):
    (row,) = engine_warehouse.model("integer_metrics")
    f = engine_warehouse.tables["integer_cases"]
    y, p = f.actual.to_numpy(), f.predicted.to_numpy()
    expected = {
        "mse": skm.mean_squared_error(y, p),
        "mae_weighted": skm.mean_absolute_error(y, p, sample_weight=f.weight),
        "mape": skm.mean_absolute_percentage_error(y, p),
        "wape": np.abs(y - p).sum() / np.abs(y).sum(),
        "coverage": np.mean((f.lower <= y) & (y <= f.upper)),
        "hinge": skm.hinge_loss(f.label, p),
        "quantile_09": skm.mean_pinball_loss(y, p, alpha=0.9),
    }
    for name, value in expected.items():
        assert_agrees(row[name], float(value), f"integer_metrics.{name}")
