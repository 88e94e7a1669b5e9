"""The peers: export from DuckDB to numpy, then scikit-learn where it has our objective and
scipy's L-BFGS-B where it does not; and the objective itself in numpy, to check that both
sides reached the same optimum.

The objective is dbt_loss.train's: mean row loss + (l2/2)·‖β‖², intercepts free. Its
scikit-learn equivalents (docs/training.md): Ridge(alpha = n·l2/2),
LogisticRegression(C = 1/(n·l2)), binary and multinomial. Huber with a fixed delta has no
scikit-learn equivalent (HuberRegressor also fits a scale), so its peer is L-BFGS-B."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_expit, logsumexp
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

# The peers' stopping rules, set to reach the optimum to well within the 1e-6 the cases check.
NEWTON_TOL = 1e-8  # LogisticRegression(solver="newton-cholesky", tol=...)
LBFGS_FTOL = 1e-10  # scipy L-BFGS-B: relative decrease, the same rule as dbt_loss's tol=1e-10
LBFGS_GTOL = 1e-8


def export(
    connection, relation: str, features: list[str], target: str, order_by: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The features as one float64 matrix and the target, as a scikit-learn user would load
    them: DuckDB's fetchnumpy (its fastest path to numpy) and a column stack."""
    columns = ", ".join(f'"{f}"' for f in features)
    query = f'select {columns}, "{target}" from {relation}'
    if order_by:
        query += f' order by "{order_by}"'
    arrays = connection.sql(query).fetchnumpy()
    X = np.column_stack([np.asarray(arrays[f], dtype=np.float64) for f in features])
    return X, np.asarray(arrays[target])


# --- objectives -----------------------------------------------------------------------------


def row_loss(loss: str, eta: np.ndarray, y: np.ndarray, delta: float = 1.0) -> np.ndarray:
    if loss == "mse":
        return (eta - y) ** 2
    if loss == "huber":
        r = np.abs(eta - y)
        return np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta))
    if loss == "binary_cross_entropy":
        return -(y * log_expit(eta) + (1 - y) * log_expit(-eta))
    raise ValueError(loss)


def objective(loss: str, X, y, coef, intercept, *, l2: float, delta: float = 1.0) -> float:
    eta = X @ coef + intercept
    return float(np.mean(row_loss(loss, eta, y, delta)) + 0.5 * l2 * np.sum(coef**2))


def softmax_objective(X, y, coef, intercept, *, l2: float) -> float:
    """coef (K, d), intercept (K,), y the class index."""
    scores = X @ coef.T + intercept
    log_p = scores - logsumexp(scores, axis=1, keepdims=True)
    return float(-np.mean(log_p[np.arange(len(y)), y]) + 0.5 * l2 * np.sum(coef**2))


def model_objective(problem: Problem, X, y, coef, intercept) -> float:
    if problem.model == "softmax":
        return softmax_objective(X, y.astype(int), coef, intercept, l2=problem.l2)
    return objective(problem.loss, X, y, coef, intercept, l2=problem.l2, delta=problem.delta)


# --- fits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One training problem, named as dbt_loss.train takes it."""

    name: str
    model: str
    loss: str
    target: str
    l2: float
    delta: float = 1.0

    @property
    def key(self) -> str:
        """The name as a unit name: letters, digits and dashes."""
        return "".join(c if c.isalnum() else "-" for c in self.name.split(" ")[0])

    def train_options(self) -> dict:
        options = {"model": self.model, "loss": self.loss, "l2": self.l2}
        if self.loss == "huber":
            options["delta"] = self.delta
        return options


@dataclass
class Fit:
    coef: np.ndarray  # (d,) or (K, d)
    intercept: np.ndarray | float
    solver: str
    iterations: int | None


def fit(problem: Problem, X: np.ndarray, y: np.ndarray) -> Fit:
    """The peer's fit of `problem` on in-memory arrays."""
    n = len(y)
    if problem.model == "linear" and problem.loss == "mse":
        if problem.l2 == 0:
            model = LinearRegression().fit(X, y)
            return Fit(model.coef_, model.intercept_, "sklearn LinearRegression", None)
        model = Ridge(alpha=n * problem.l2 / 2, solver="cholesky").fit(X, y)
        return Fit(model.coef_, model.intercept_, "sklearn Ridge(solver='cholesky')", None)
    if problem.model in ("logistic", "softmax"):
        model = LogisticRegression(
            C=1 / (n * problem.l2) if problem.l2 else np.inf,
            solver="newton-cholesky",
            tol=NEWTON_TOL,
            max_iter=1000,
        )
        model.fit(X, y)
        coef, intercept = model.coef_, model.intercept_
        if problem.model == "logistic":
            coef, intercept = coef[0], intercept[0]
        return Fit(
            coef,
            intercept,
            f"sklearn LogisticRegression(solver='newton-cholesky', tol={NEWTON_TOL:g})",
            int(np.max(model.n_iter_)),
        )
    if problem.loss == "huber":
        return huber_lbfgs(X, y, l2=problem.l2, delta=problem.delta)
    raise ValueError(problem)


def huber_lbfgs(X: np.ndarray, y: np.ndarray, *, l2: float, delta: float) -> Fit:
    """scipy L-BFGS-B on mean Huber loss + (l2/2)‖β‖² with its analytic gradient, on
    standardised columns (as dbt_loss preconditions), from the intercept at mean(y)."""
    n = len(y)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    Z = (X - mean) / scale

    def value_and_gradient(theta):
        r = Z @ theta[1:] + theta[0] - y
        a = np.abs(r)
        value = np.mean(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)))
        slope = np.clip(r, -delta, delta)
        beta = theta[1:] / scale
        gradient = np.empty_like(theta)
        gradient[0] = slope.mean()
        gradient[1:] = Z.T @ slope / n + l2 * beta / scale
        return value + 0.5 * l2 * beta @ beta, gradient

    start = np.zeros(X.shape[1] + 1)
    start[0] = y.mean()
    result = minimize(
        value_and_gradient,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 10_000, "ftol": LBFGS_FTOL, "gtol": LBFGS_GTOL},
    )
    coef = result.x[1:] / scale
    return Fit(
        coef,
        result.x[0] - coef @ mean,
        f"scipy L-BFGS-B (ftol={LBFGS_FTOL:g}, gtol={LBFGS_GTOL:g})",
        int(result.nit),
    )


def ours_arrays(run, features: list[str]) -> tuple[np.ndarray, np.ndarray | float]:
    """dbt_loss.train's raw weights as (coef, intercept) arrays, classes in run.classes order."""
    if run.classes:
        coef = np.array([[run.weights[c][f] for f in features] for c in run.classes])
        return coef, np.array([run.weights[c]["intercept"] for c in run.classes])
    return np.array([run.weights[f] for f in features]), run.weights["intercept"]
