"""With default options, every model and loss reaches the reference optimum: the objective
within 1e-6 relative and the weights within 1e-4, on scikit-learn's real datasets with their
raw, unscaled features and on seeded data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as lm

import dbt_loss

from .references import objective, scipy_optimum, softmax_objective

OBJECTIVE_TOLERANCE = 1e-6
WEIGHT_TOLERANCE = 1e-4


def _ours(run, features):
    coef = np.array([run.weights[f] for f in features])
    return coef, run.weights["intercept"]


def _assert_optimum(ours, reference, loss, X, y, **objective_args):
    (coef, intercept), (ref_coef, ref_intercept) = ours, reference
    mine = objective(loss, X, y, coef, intercept, **objective_args)
    best = objective(loss, X, y, ref_coef, ref_intercept, **objective_args)
    assert abs(mine - best) <= OBJECTIVE_TOLERANCE * abs(best), (mine, best)
    scale = np.maximum(1.0, np.abs(np.r_[ref_coef, ref_intercept]))
    error = np.abs(np.r_[coef, intercept] - np.r_[ref_coef, ref_intercept]) / scale
    assert error.max() <= WEIGHT_TOLERANCE, error


def _train(datasets, table, **kwargs):
    run = dbt_loss.train(
        datasets.connection,
        table,
        target="y",
        features=datasets.features(table),
        schema="optimum_runs",
        **kwargs,
    )
    assert run.status == "succeeded", run.message
    return run


@pytest.mark.parametrize("l2", [1e-3, 0.0])
def test_ridge_and_least_squares_on_diabetes(datasets, l2):
    X, y = datasets.arrays("diabetes")
    run = _train(datasets, "diabetes", model="linear", l2=l2)
    reference = lm.Ridge(alpha=len(y) * l2 / 2, tol=1e-12).fit(X, y)
    _assert_optimum(
        _ours(run, datasets.features("diabetes")),
        (reference.coef_, reference.intercept_),
        "mse",
        X,
        y,
        l2=l2,
    )
    assert run.objective == pytest.approx(
        objective("mse", X, y, *_ours(run, datasets.features("diabetes")), l2=l2), rel=1e-9
    )


def test_lasso_on_diabetes(datasets):
    X, y = datasets.arrays("diabetes")
    l1 = 0.5
    run = _train(datasets, "diabetes", model="linear", l1=l1)
    reference = lm.Lasso(alpha=l1 / 2, tol=1e-14, max_iter=1_000_000).fit(X, y)
    _assert_optimum(
        _ours(run, datasets.features("diabetes")),
        (reference.coef_, reference.intercept_),
        "mse",
        X,
        y,
        l1=l1,
    )


# curvature_rows below the table's size: Newton's curvature from a hash sample of the rows
# (the gradient from all of them), which must reach the same optimum.
@pytest.mark.parametrize(
    ("table", "l2", "curvature_rows"),
    [
        ("breast_cancer", 1e-2, None),
        ("breast_cancer", 1e-4, None),
        ("synthetic_binary", 1e-3, None),
        ("breast_cancer", 1e-4, 150),
        ("synthetic_binary", 1e-3, 200),
    ],
)
def test_logistic_matches_logistic_regression(datasets, table, l2, curvature_rows):
    X, y = datasets.arrays(table)
    # Newton on a sampled curvature converges linearly and stops right at tol, where exact
    # Newton's last step overshoots it by orders of magnitude. On breast_cancer at l2 = 1e-4
    # (condition number ~1e8) an objective 1e-10 from the optimum leaves the weights up to
    # ~1e-4 off, whichever steps led there; 1e-12 makes the weight comparison meaningful.
    tol = {} if curvature_rows is None else {"tol": 1e-12}
    run = _train(datasets, table, model="logistic", l2=l2, curvature_rows=curvature_rows, **tol)
    reference = lm.LogisticRegression(
        C=1 / (len(y) * l2), solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X, y)
    _assert_optimum(
        _ours(run, datasets.features(table)),
        (reference.coef_[0], reference.intercept_[0]),
        "binary_cross_entropy",
        X,
        y,
        l2=l2,
    )


def test_logistic_class_weight_balanced(datasets):
    X, y = datasets.arrays("breast_cancer")
    l2 = 1e-2
    run = _train(datasets, "breast_cancer", model="logistic", l2=l2, class_weight="balanced")
    reference = lm.LogisticRegression(
        C=1 / (len(y) * l2),
        solver="newton-cholesky",
        tol=1e-12,
        class_weight="balanced",
        max_iter=1000,
    ).fit(X, y)
    counts = np.bincount(y)
    w = (len(y) / (2 * counts))[y]
    _assert_optimum(
        _ours(run, datasets.features("breast_cancer")),
        (reference.coef_[0], reference.intercept_[0]),
        "binary_cross_entropy",
        X,
        y,
        w=w,
        l2=l2,
    )


@pytest.mark.parametrize("curvature_rows", [None, 40])
def test_softmax_matches_multinomial_logistic_regression(datasets, curvature_rows):
    X, y = datasets.arrays("wine")
    l2 = 1e-2
    run = _train(datasets, "wine", model="softmax", l2=l2, curvature_rows=curvature_rows)
    reference = lm.LogisticRegression(
        C=1 / (len(y) * l2), solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X, y)
    features = datasets.features("wine")
    coef = np.array([[run.weights[c][f] for f in features] for c in run.classes])
    intercept = np.array([run.weights[c]["intercept"] for c in run.classes])
    mine = softmax_objective(X, y, coef, intercept, l2=l2)
    best = softmax_objective(X, y, reference.coef_, reference.intercept_, l2=l2)
    assert abs(mine - best) <= OBJECTIVE_TOLERANCE * best, (mine, best)
    # intercepts are defined up to a common shift: compare them centred
    error = np.abs(
        np.c_[coef, intercept - intercept.mean()]
        - np.c_[reference.coef_, reference.intercept_ - reference.intercept_.mean()]
    )
    assert (
        error / np.maximum(1, np.abs(np.c_[reference.coef_, reference.intercept_]))
    ).max() <= WEIGHT_TOLERANCE


@pytest.mark.parametrize("table", ["diabetes", "synthetic_counts"])
def test_poisson_matches_poisson_regressor(datasets, table):
    X, y = datasets.arrays(table)
    l2 = 1e-3
    run = _train(datasets, table, model="poisson", l2=l2)
    reference = lm.PoissonRegressor(
        alpha=l2 / 2, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X, y)
    _assert_optimum(
        _ours(run, datasets.features(table)),
        (reference.coef_, reference.intercept_),
        "poisson_deviance",
        X,
        y,
        l2=l2,
    )


@pytest.mark.parametrize(
    ("loss", "params"),
    [("huber", {"delta": 2.0}), ("pseudo_huber", {"delta": 2.0}), ("log_cosh", {})],
)
def test_robust_linear_losses_match_scipy(datasets, loss, params):
    X, y = datasets.arrays("synthetic_linear")
    w = datasets.frames["synthetic_linear"].w.to_numpy()
    l2 = 1e-4
    run = _train(
        datasets, "synthetic_linear", model="linear", loss=loss, sample_weight="w", l2=l2, **params
    )
    reference = scipy_optimum(loss, X, y, w=w, l2=l2, **params)
    _assert_optimum(
        _ours(run, datasets.features("synthetic_linear")),
        reference,
        loss,
        X,
        y,
        w=w,
        l2=l2,
        **params,
    )


@pytest.mark.parametrize("table", ["synthetic_linear", "diabetes"])
def test_quantile_matches_quantile_regressor(datasets, table):
    X, y = datasets.arrays(table)
    run = _train(datasets, table, model="linear", loss="quantile", alpha=0.3)
    reference = lm.QuantileRegressor(quantile=0.3, alpha=0.0, solver="highs").fit(X, y)
    _assert_optimum(
        _ours(run, datasets.features(table)),
        (reference.coef_, reference.intercept_),
        "quantile",
        X,
        y,
        alpha=0.3,
    )


def test_focal_matches_scipy(datasets):
    X, y = datasets.arrays("synthetic_binary")
    run = _train(datasets, "synthetic_binary", model="logistic", loss="focal", l2=1e-3)
    reference = scipy_optimum("focal", X, y, l2=1e-3, alpha=0.25, gamma=2.0)
    _assert_optimum(
        _ours(run, datasets.features("synthetic_binary")),
        reference,
        "focal",
        X,
        y,
        l2=1e-3,
        alpha=0.25,
        gamma=2.0,
    )
