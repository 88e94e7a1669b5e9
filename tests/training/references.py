"""Optima to compare with: scikit-learn under the mapping of docs/training.md where it has
the same objective, and scipy's L-BFGS-B on the numpy arrays where it does not."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit, logsumexp


def mean(values, w):
    return float(np.average(values, weights=w))


def row_loss(loss: str, eta, y, *, delta=1.0, alpha=0.5, gamma=2.0):
    r = eta - y
    if loss == "mse":
        return r**2
    if loss == "huber":
        return np.where(np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta))
    if loss == "pseudo_huber":
        return delta**2 * (np.sqrt(1 + (r / delta) ** 2) - 1)
    if loss == "log_cosh":
        return np.abs(r) + np.log1p(np.exp(-2 * np.abs(r))) - np.log(2)
    if loss == "quantile":
        return np.maximum(-alpha * r, (1 - alpha) * r)
    if loss == "binary_cross_entropy":
        return -(y * log_expit(eta) + (1 - y) * log_expit(-eta))
    if loss == "focal":
        s = 2 * y - 1
        alpha_t = alpha * y + (1 - alpha) * (1 - y) if alpha >= 0 else 1.0
        return alpha_t * expit(-s * eta) ** gamma * -log_expit(s * eta)
    if loss == "poisson_deviance":
        mu = np.exp(eta)
        return 2 * (np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0) - y + mu)
    raise ValueError(loss)


def objective(loss, X, y, coef, intercept, *, w=None, l2=0.0, l1=0.0, **params):
    eta = X @ coef + intercept
    return (
        mean(row_loss(loss, eta, y, **params), w)
        + l2 / 2 * np.sum(coef**2)
        + l1 * np.sum(np.abs(coef))
    )


def softmax_objective(X, y, coef, intercept, *, l2=0.0, w=None, smoothing=0.0):
    Z = X @ coef.T + intercept
    log_p = Z - logsumexp(Z, axis=1, keepdims=True)
    k = coef.shape[0]
    target = (1 - smoothing) * np.eye(k)[y] + smoothing / k
    return mean(-(target * log_p).sum(1), w) + l2 / 2 * np.sum(coef**2)


def scipy_optimum(loss, X, y, *, w=None, l2=0.0, **params):
    """L-BFGS-B on standardised features from a least-squares start, mapped back to raw units."""
    m, s = X.mean(0), X.std(0)
    Z = (X - m) / s

    def f(theta):
        coef, b = theta[1:] / s, theta[0] - theta[1:] / s @ m
        return objective(loss, X, y, coef, b, w=w, l2=l2, **params)

    start = np.linalg.lstsq(
        np.c_[np.ones(len(Z)), Z], y if loss != "poisson_deviance" else np.log1p(y), rcond=None
    )[0]
    if loss in ("binary_cross_entropy", "focal"):
        start = np.zeros(Z.shape[1] + 1)
    result = minimize(
        f,
        start,
        method="L-BFGS-B",
        options={"maxiter": 100000, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30},
    )
    theta = result.x
    return theta[1:] / s, theta[0] - theta[1:] / s @ m
