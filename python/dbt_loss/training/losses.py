"""The training objectives, per row, as SQL: the loss of a linear predictor η, its derivative
∂ℓ/∂η (the gradient the trainer needs) and a curvature ∂²ℓ/∂η² for Newton steps.

Conventions match the dbt macros and ../shared/LOSSES.md, so a trained model's train_loss is
the number `dbt_loss.<loss>` reports on the same rows. `curvature` is None where the loss has
no useful second derivative; the trainer then uses a first-order method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from .sql import Expr, case, exp_neg_abs, greatest, least, number, paren, sigmoid, softplus

RowFunction = Callable[..., Expr]  # (η, y), or (η, y, shared) for a loss with `shared`


@dataclass(frozen=True)
class Loss:
    """ℓ(η, y) and its derivatives in η."""

    name: str
    value: RowFunction
    gradient: RowFunction
    curvature: RowFunction | None
    parameters: dict = field(default_factory=dict)
    # Majorize–minimize losses (quantile) give a curvature that bounds, not equals, ℓ''.
    majorizes: bool = False
    # ℓ'' does not depend on η (squared error): the curvature is taken once, and a Newton step
    # is exact, so it needs no line search.
    quadratic: bool = False
    # An expression of (η, y) that value, gradient and curvature all use (e^−|η| for the
    # logistic losses). The queries compute it once per row, as a column of its own, and pass
    # it to them as a third argument: inline, each use would repeat it, and a grouped query's
    # planner spends longer collapsing the copies than the pass takes to run.
    shared: RowFunction | None = None

    def row(self, part: str, eta: Expr, y: Expr, shared: Expr | None = None) -> Expr:
        """value, gradient or curvature at (η, y), given the shared column if there is one."""
        function = getattr(self, part)
        if self.shared is None:
            return function(eta, y)
        return function(eta, y, self.shared(eta, y) if shared is None else shared)


def _mse() -> Loss:
    def residual(eta, y):
        return paren(eta - y)

    return Loss(
        "mse",
        value=lambda eta, y: residual(eta, y) * residual(eta, y),
        gradient=lambda eta, y: number(2) * residual(eta, y),
        curvature=lambda eta, y: number(2),
        quadratic=True,
    )


def _huber(delta: float) -> Loss:
    d = number(delta)

    def value(eta, y):
        r = paren(eta - y)
        return case(
            exp.Abs(this=r) <= d, number(0.5) * r * r, d * paren(exp.Abs(this=r) - number(0.5) * d)
        )

    return Loss(
        "huber",
        value=value,
        gradient=lambda eta, y: greatest(least(paren(eta - y), d), exp.Neg(this=d)),
        curvature=lambda eta, y: case(exp.Abs(this=paren(eta - y)) <= d, number(1), number(0)),
        parameters={"delta": delta},
    )


def _pseudo_huber(delta: float) -> Loss:
    d = number(delta)

    def ratio_squared(eta, y):
        return paren(paren(eta - y) / d) * paren(paren(eta - y) / d)

    return Loss(
        "pseudo_huber",
        value=lambda eta, y, root: d * d * ratio_squared(eta, y) / paren(root + number(1)),
        gradient=lambda eta, y, root: paren(eta - y) / root,
        curvature=lambda eta, y, root: number(1) / paren(root * root * root),
        parameters={"delta": delta},
        shared=lambda eta, y: exp.Sqrt(this=number(1) + ratio_squared(eta, y)),
    )


def _log_cosh() -> Loss:
    """With e = e^−2|r|: ln cosh r = |r| + ln(1 + e) − ln 2 and tanh r = sign(r)(1 − e)/(1 + e)."""

    def tanh(eta, y, e):
        return exp.Sign(this=paren(eta - y)) * paren(number(1) - e) / paren(number(1) + e)

    return Loss(
        "log_cosh",
        value=lambda eta, y, e: (
            exp.Abs(this=paren(eta - y)) + exp.Ln(this=number(1) + e) - exp.Ln(this=number(2))
        ),
        gradient=tanh,
        curvature=lambda eta, y, e: number(1) - tanh(eta, y, e) * tanh(eta, y, e),
        shared=lambda eta, y: exp_neg_abs(number(2) * paren(eta - y)),
    )


def _quantile(alpha: float, epsilon: float) -> Loss:
    """Pinball loss ½|r| + (½ − α)r. Its curvature is the majorizer 1/(2·max(|r|, ε)) of ½|r|:
    Newton steps on it are iteratively reweighted least squares, each one decreasing ℓ."""
    a = number(alpha)

    def value(eta, y):
        r = paren(eta - y)
        return case(r <= number(0), a * exp.Neg(this=r), paren(number(1) - a) * r)

    def gradient(eta, y):
        r = paren(eta - y)
        return number(0.5) * exp.Sign(this=r) + number(0.5) - a

    return Loss(
        "quantile",
        value=value,
        gradient=gradient,
        curvature=lambda eta, y: (
            number(0.5) / greatest(exp.Abs(this=paren(eta - y)), number(epsilon))
        ),
        parameters={"alpha": alpha},
        majorizes=True,
    )


def _logistic_shared(eta, y):
    """e^−|η|: σ, softplus and σ(η)σ(−η) = e/(1 + e)² all follow from it (and |sη| = |η|)."""
    return exp_neg_abs(eta)


def _binary_cross_entropy() -> Loss:
    return Loss(
        "binary_cross_entropy",
        value=lambda eta, y, e: softplus(eta, e) - y * eta,
        gradient=lambda eta, y, e: sigmoid(eta, e) - y,
        curvature=lambda eta, y, e: e / paren(paren(number(1) + e) * paren(number(1) + e)),
        shared=_logistic_shared,
    )


def _focal(alpha: float, gamma: float) -> Loss:
    """Sigmoid focal loss α_t(1 − p_t)^γ·(−ln p_t) for labels in {0, 1}, with s = 2y − 1,
    p_t = σ(sη), 1 − p_t = σ(−sη) and −ln p_t = softplus(−sη), so nothing cancels."""
    a, g = number(alpha), number(gamma)

    def parts(eta, y, e):
        s = paren(number(2) * y - number(1))
        margin = paren(s * eta)
        alpha_t = (a * y + paren(number(1) - a) * paren(number(1) - y)) if alpha >= 0 else number(1)
        one_minus_pt = sigmoid(exp.Neg(this=margin), e)
        modulation = exp.Pow(this=one_minus_pt, expression=g) if gamma else number(1)
        return (
            s,
            alpha_t,
            sigmoid(margin, e),
            one_minus_pt,
            modulation,
            softplus(exp.Neg(this=margin), e),
        )

    def value(eta, y, e):
        _, alpha_t, _, _, modulation, nll = parts(eta, y, e)
        return alpha_t * modulation * nll

    def gradient(eta, y, e):
        s, alpha_t, pt, one_minus_pt, modulation, nll = parts(eta, y, e)
        return s * alpha_t * modulation * paren(exp.Neg(this=g) * pt * nll - one_minus_pt)

    return Loss(
        "focal",
        value=value,
        gradient=gradient,
        curvature=None,
        parameters={"alpha": alpha, "gamma": gamma},
        shared=_logistic_shared,
    )


def _poisson_deviance() -> Loss:
    """Deviance 2(y ln y − yη − y + e^η) of a log-link model, with 0·ln 0 = 0; μ = e^η shared."""

    def y_log_y(y):
        return case(y > number(0), y * exp.Ln(this=greatest(y, number(1e-300))), number(0))

    return Loss(
        "poisson_deviance",
        value=lambda eta, y, mu: number(2) * paren(y_log_y(y) - y * eta - y + mu),
        gradient=lambda eta, y, mu: number(2) * paren(mu - y),
        curvature=lambda eta, y, mu: number(2) * mu,
        shared=lambda eta, y: exp.Exp(this=least(eta, number(700))),
    )


MODEL_LOSSES = {
    "linear": ("mse", "huber", "quantile", "pseudo_huber", "log_cosh"),
    "logistic": ("binary_cross_entropy", "focal"),
    "softmax": ("categorical_cross_entropy",),
    "poisson": ("poisson_deviance",),
}
DEFAULT_LOSS = {
    "linear": "mse",
    "logistic": "binary_cross_entropy",
    "softmax": "categorical_cross_entropy",
    "poisson": "poisson_deviance",
}
LOSS_PARAMETERS = {
    "huber": {"delta": 1.0},
    "pseudo_huber": {"delta": 1.0},
    "quantile": {"alpha": 0.5},
    "focal": {"alpha": 0.25, "gamma": 2.0},
    "categorical_cross_entropy": {"label_smoothing": 0.0},
}


def build_loss(name: str, parameters: dict, *, quantile_epsilon: float = 1e-9) -> Loss:
    """The row functions of a scalar-output loss (every model but softmax)."""
    builders = {
        "mse": _mse,
        "huber": lambda: _huber(parameters["delta"]),
        "pseudo_huber": lambda: _pseudo_huber(parameters["delta"]),
        "log_cosh": _log_cosh,
        "quantile": lambda: _quantile(parameters["alpha"], quantile_epsilon),
        "binary_cross_entropy": _binary_cross_entropy,
        "focal": lambda: _focal(parameters["alpha"], parameters["gamma"]),
        "poisson_deviance": _poisson_deviance,
    }
    return builders[name]()


def per_candidate(selector: Expr, losses: list[Loss]) -> Loss:
    """Several losses as one, picked per row by the candidate number in `selector`: candidates
    trained side by side on the same rows, each with its own loss."""

    def pick(part: str) -> RowFunction:
        def row(eta: Expr, y: Expr) -> Expr:
            return exp.Case(
                ifs=[
                    exp.If(this=selector.eq(exp.Literal.number(i)), true=loss.row(part, eta, y))
                    for i, loss in enumerate(losses)
                ]
            )

        return row

    return Loss(
        "per_candidate",
        value=pick("value"),
        gradient=pick("gradient"),
        curvature=pick("curvature") if all(loss.curvature for loss in losses) else None,
        majorizes=any(loss.majorizes for loss in losses),
        quadratic=all(loss.quadratic for loss in losses),
    )
