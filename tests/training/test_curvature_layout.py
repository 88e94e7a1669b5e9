"""The curvature sums a query returns rebuild the whole Hessian: each symmetric block summed
once, and softmax's last class derived from its zero block-row sums. Checked against the
Hessian numpy builds from the same rows."""

from __future__ import annotations

import numpy as np
import pytest
from sqlglot import exp

from dbt_loss.training.design import Design, Feature
from dbt_loss.training.queries import curvature_matrix, curvature_pairs

pytestmark = pytest.mark.engine_independent


def _design(width: int, classes: list) -> Design:
    features = [Feature(f"x{i}", f"x{i}") for i in range(width - 1)]
    return Design(exp.table_("t"), features, exp.column("y"), exp.column("w"), classes=classes)


def _rows(width: int, rows: int = 300):
    rng = np.random.default_rng(width)
    z = np.c_[np.ones(rows), rng.normal(size=(rows, width - 1))]
    return rng, z, rng.uniform(0.1, 2.0, rows)


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_softmax_hessian_from_the_summed_blocks(classes):
    width = 4
    rng, z, w = _rows(width)
    eta = rng.normal(size=(len(z), classes)) * 3
    p = np.exp(eta - eta.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    # the multinomial Hessian Σ w·(diag p − p pᵀ) ⊗ z zᵀ, block by block
    expected = np.block(
        [
            [(z * (w * p[:, k] * ((k == m) - p[:, m]))[:, None]).T @ z for m in range(classes)]
            for k in range(classes)
        ]
    )
    design = _design(width, list(range(classes)))
    pairs = curvature_pairs(design)
    sums = np.array(
        [np.sum(w * p[:, k] * ((k == m) - p[:, m]) * z[:, j] * z[:, n]) for k, j, m, n in pairs]
    )
    assert len(pairs) == (classes - 1) * classes // 2 * width * (width + 1) // 2
    np.testing.assert_allclose(curvature_matrix(design, sums), expected, atol=1e-10)


def test_one_output_hessian_from_the_upper_triangle():
    width = 5
    rng, z, w = _rows(width)
    c = w * rng.uniform(0, 1, len(z))
    design = _design(width, [])
    pairs = curvature_pairs(design)
    sums = np.array([np.sum(c * z[:, j] * z[:, n]) for _, j, _, n in pairs])
    assert len(pairs) == width * (width + 1) // 2
    np.testing.assert_allclose(curvature_matrix(design, sums), (z * c[:, None]).T @ z, atol=1e-10)


@pytest.mark.parametrize("classes", [[], [0, 1, 2]], ids=["one_output", "softmax"])
def test_stacked_sums_give_each_groups_matrix(classes):
    design = _design(4, classes)
    rng = np.random.default_rng(7)
    sums = rng.normal(size=(6, len(curvature_pairs(design))))
    stacked = curvature_matrix(design, sums)
    assert stacked.shape[0] == 6
    for group, row in enumerate(sums):
        np.testing.assert_array_equal(stacked[group], curvature_matrix(design, row))
