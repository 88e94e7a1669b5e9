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

RowFunction = Callable[[Expr, Expr], Expr]


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

    def root(eta, y):
        return exp.Sqrt(this=number(1) + ratio_squared(eta, y))

    return Loss(
        "pseudo_huber",
        value=lambda eta, y: d * d * ratio_squared(eta, y) / paren(root(eta, y) + number(1)),
        gradient=lambda eta, y: paren(eta - y) / root(eta, y),
        curvature=lambda eta, y: number(1) / paren(root(eta, y) * root(eta, y) * root(eta, y)),
        parameters={"delta": delta},
    )


def _log_cosh() -> Loss:
    def tanh(eta, y):
        r = paren(eta - y)
        e2 = exp_neg_abs(number(2) * r)
        return exp.Sign(this=r) * paren(number(1) - e2) / paren(number(1) + e2)

    def value(eta, y):
        abs_r = exp.Abs(this=paren(eta - y))
        return (
            abs_r + exp.Ln(this=number(1) + exp_neg_abs(number(2) * abs_r)) - exp.Ln(this=number(2))
        )

    return Loss(
        "log_cosh",
        value=value,
        gradient=tanh,
        curvature=lambda eta, y: number(1) - tanh(eta, y) * tanh(eta, y),
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


def _binary_cross_entropy() -> Loss:
    return Loss(
        "binary_cross_entropy",
        value=lambda eta, y: softplus(eta) - y * eta,
        gradient=lambda eta, y: sigmoid(eta) - y,
        curvature=lambda eta, y: sigmoid(eta) * sigmoid(exp.Neg(this=eta)),
    )


def _focal(alpha: float, gamma: float) -> Loss:
    """Sigmoid focal loss α_t(1 − p_t)^γ·(−ln p_t) for labels in {0, 1}, with s = 2y − 1,
    p_t = σ(sη), 1 − p_t = σ(−sη) and −ln p_t = softplus(−sη), so nothing cancels."""
    a, g = number(alpha), number(gamma)

    def parts(eta, y):
        s = paren(number(2) * y - number(1))
        margin = paren(s * eta)
        alpha_t = (a * y + paren(number(1) - a) * paren(number(1) - y)) if alpha >= 0 else number(1)
        one_minus_pt = sigmoid(exp.Neg(this=margin))
        modulation = exp.Pow(this=one_minus_pt, expression=g) if gamma else number(1)
        return s, alpha_t, sigmoid(margin), one_minus_pt, modulation, softplus(exp.Neg(this=margin))

    def value(eta, y):
        _, alpha_t, _, _, modulation, nll = parts(eta, y)
        return alpha_t * modulation * nll

    def gradient(eta, y):
        s, alpha_t, pt, one_minus_pt, modulation, nll = parts(eta, y)
        return s * alpha_t * modulation * paren(exp.Neg(this=g) * pt * nll - one_minus_pt)

    return Loss(
        "focal",
        value=value,
        gradient=gradient,
        curvature=None,
        parameters={"alpha": alpha, "gamma": gamma},
    )


def _poisson_deviance() -> Loss:
    """Deviance 2(y ln y − yη − y + e^η) of a log-link model, with 0·ln 0 = 0."""

    def y_log_y(y):
        return case(y > number(0), y * exp.Ln(this=greatest(y, number(1e-300))), number(0))

    def mu(eta):
        return exp.Exp(this=least(eta, number(700)))

    return Loss(
        "poisson_deviance",
        value=lambda eta, y: number(2) * paren(y_log_y(y) - y * eta - y + mu(eta)),
        gradient=lambda eta, y: number(2) * paren(mu(eta) - y),
        curvature=lambda eta, y: number(2) * mu(eta),
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
                    exp.If(
                        this=selector.eq(exp.Literal.number(i)), true=getattr(loss, part)(eta, y)
                    )
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
