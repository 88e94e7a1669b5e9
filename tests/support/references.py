"""Each metric the dbt models compute, with the reference implementation it must match.

A reference takes the case's rows (NULL rows already dropped) and the sample weights (None
for the unweighted column) and returns the expected value. The model computes each entry
twice: `<column>` unweighted and `<column>__weighted` with weight='weight'.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mpmath
import numpy as np
import pandas as pd
import torch
from sklearn import metrics as skm

from .cases import MULTICLASS_CLASSES

mpmath.mp.dps = 50
EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class MetricCase:
    column: str
    macro: str
    args: Sequence  # column names, or a class → column mapping
    reference: Callable[[pd.DataFrame, np.ndarray | None], float | None]
    kwargs: dict = field(default_factory=dict)
    weighted: bool = True  # whether the macro takes a sample weight
    # Cases where the reference itself is ill-conditioned and loses its digits, so agreement
    # would be luck: the Tweedie family at targets near 1e9 cancels terms of size 1e5 to
    # leave 1e-13.
    ill_conditioned: frozenset = frozenset()

    @property
    def columns(self) -> list[str]:
        used = []
        for arg in self.args:
            used += list(arg.values()) if isinstance(arg, dict) else [arg]
        return used

    def as_var(self) -> dict:
        return {
            "column": self.column,
            "macro": self.macro,
            "args": list(self.args),
            "kwargs": self.kwargs,
            "weighted": self.weighted,
        }


def weighted_mean(per_row: np.ndarray, w: np.ndarray | None) -> float:
    """Σ w·ℓ / Σ w, the convention every weighted loss follows."""
    return float(np.average(per_row, weights=w))


def torch_rows(loss: torch.nn.Module, prediction, target) -> np.ndarray:
    return loss(
        torch.as_tensor(prediction, dtype=torch.float64),
        torch.as_tensor(target, dtype=torch.float64),
    ).numpy()


def high_precision(formula: Callable) -> Callable:
    """A reference from the published formula, evaluated in 50-digit mpmath then averaged."""

    def reference(frame, w):
        rows = [formula(mpmath.mpf(r)) for r in frame.predicted - frame.actual]
        return weighted_mean(np.array([float(v) for v in rows]), w)

    return reference


# --- regression ------------------------------------------------------------------------------


def _sk(function, **kwargs):
    return lambda f, w: float(function(f.actual, f.predicted, sample_weight=w, **kwargs))


def _huber(delta):
    loss = torch.nn.HuberLoss(reduction="none", delta=delta)
    return lambda f, w: weighted_mean(torch_rows(loss, f.predicted, f.actual), w)


def _pseudo_huber(delta):
    d = mpmath.mpf(delta)
    return high_precision(lambda r: d * d * (mpmath.sqrt(1 + (r / d) ** 2) - 1))


def _barron(alpha, scale):
    c = mpmath.mpf(scale)

    def rho(r):
        x = (r / c) ** 2
        if alpha == 2:
            return x / 2
        if alpha == 0:
            return mpmath.log(x / 2 + 1)
        if alpha == "-inf":
            return 1 - mpmath.exp(-x / 2)
        a = mpmath.mpf(alpha)
        b = abs(a - 2)
        return b / a * ((x / b + 1) ** (a / 2) - 1)

    return high_precision(rho)


def _mean_error(f, w):
    from utilsforecast.losses import bias

    if w is None:
        frame = pd.DataFrame(
            {"unique_id": 0, "y": f.actual.to_numpy(), "model": f.predicted.to_numpy()}
        )
        return float(bias(frame, models=["model"])["model"].iloc[0])
    return weighted_mean(f.predicted - f.actual, w)


def _smape(f, w):
    from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

    return float(
        mean_absolute_percentage_error(
            f.actual.to_numpy(), f.predicted.to_numpy(), symmetric=True, horizon_weight=w
        )
    )


def _wape(f, w):
    """utilsforecast's wape; where Σ|y| = 0 it divides by zero, and we give no value (NULL)."""
    from utilsforecast.losses import wape

    if np.sum(np.abs(f.actual) * (1 if w is None else w)) == 0:
        return None
    if w is None:
        frame = pd.DataFrame(
            {"unique_id": 0, "y": f.actual.to_numpy(), "model": f.predicted.to_numpy()}
        )
        return float(wape(frame, models=["model"])["model"].iloc[0])
    return float(np.sum(w * np.abs(f.predicted - f.actual)) / np.sum(w * np.abs(f.actual)))


LARGE = frozenset({"large_targets"})

REGRESSION = [
    MetricCase("mse", "mse", ["actual", "predicted"], _sk(skm.mean_squared_error)),
    MetricCase("rmse", "rmse", ["actual", "predicted"], _sk(skm.root_mean_squared_error)),
    MetricCase("mae", "mae", ["actual", "predicted"], _sk(skm.mean_absolute_error)),
    MetricCase("huber", "huber", ["actual", "predicted"], _huber(1.0)),
    MetricCase("huber_d10", "huber", ["actual", "predicted"], _huber(10.0), {"delta": 10}),
    MetricCase("huber_d03", "huber", ["actual", "predicted"], _huber(0.3), {"delta": 0.3}),
    MetricCase("pseudo_huber", "pseudo_huber", ["actual", "predicted"], _pseudo_huber(1.0)),
    MetricCase(
        "pseudo_huber_d5", "pseudo_huber", ["actual", "predicted"], _pseudo_huber(5.0), {"delta": 5}
    ),
    MetricCase(
        "log_cosh",
        "log_cosh",
        ["actual", "predicted"],
        high_precision(lambda r: mpmath.log(mpmath.cosh(r))),
    ),
    *[
        MetricCase(
            f"quantile_{str(a).replace('.', '')}",
            "quantile_loss",
            ["actual", "predicted"],
            _sk(skm.mean_pinball_loss, alpha=a),
            {"alpha": a},
        )
        for a in (0.5, 0.1, 0.9, 0, 1)
    ],
    MetricCase(
        "poisson_deviance",
        "poisson_deviance",
        ["actual", "predicted"],
        _sk(skm.mean_poisson_deviance),
        ill_conditioned=LARGE,
    ),
    *[
        MetricCase(
            f"tweedie_{str(p).replace('.', '').replace('-', 'm')}",
            "tweedie_deviance",
            ["actual", "predicted"],
            _sk(skm.mean_tweedie_deviance, power=p),
            {"power": p},
            ill_conditioned=LARGE if p != 0 else frozenset(),
        )
        for p in (0, 1, 1.5, 2, 3, -1)
    ],
    MetricCase("msle", "msle", ["actual", "predicted"], _sk(skm.mean_squared_log_error)),
    MetricCase("mean_error", "mean_error", ["actual", "predicted"], _mean_error),
    MetricCase("mape", "mape", ["actual", "predicted"], _sk(skm.mean_absolute_percentage_error)),
    MetricCase("smape", "smape", ["actual", "predicted"], _smape),
    MetricCase("wape", "wape", ["actual", "predicted"], _wape),
    *[
        MetricCase(
            f"robust_{name}",
            "general_robust_loss",
            ["actual", "predicted"],
            _barron(alpha, scale),
            {"alpha": alpha, "scale": scale},
        )
        for name, alpha, scale in [
            ("l2", 2, 1.0),
            ("cauchy", 0, 1.0),
            ("welsch", "-inf", 2.0),
            ("charbonnier", 1, 0.5),
            ("geman", -2, 1.0),
            ("half", 0.5, 3.0),
            ("alpha4", 4, 1.5),
        ]
    ],
]


# --- binary classification -------------------------------------------------------------------


def _log_loss(f, w):
    return float(skm.log_loss(f.label, f.probability, sample_weight=w, labels=[0, 1]))


def _bce_with_logits(pos_weight):
    pw = None if pos_weight is None else torch.tensor(pos_weight, dtype=torch.float64)
    loss = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=pw)
    return lambda f, w: weighted_mean(torch_rows(loss, f.logit, f.label), w)


def sigmoid_focal_loss(inputs, targets, alpha: float = 0.25, gamma: float = 2.0):
    """torchvision.ops.sigmoid_focal_loss, reduction='none', line for line (torchvision's wheels
    do not import beside the torch build installed here)."""
    p = torch.sigmoid(inputs)
    ce_loss = torch.nn.functional.binary_cross_entropy_with_logits(
        inputs, targets, reduction="none"
    )
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss


def _focal(alpha, gamma):
    def reference(f, w):
        rows = sigmoid_focal_loss(
            torch.as_tensor(f.logit.to_numpy(), dtype=torch.float64),
            torch.as_tensor(f.label.to_numpy(), dtype=torch.float64),
            alpha,
            gamma,
        )
        return weighted_mean(rows.numpy(), w)

    return reference


BINARY = [
    MetricCase("binary_cross_entropy", "binary_cross_entropy", ["label", "probability"], _log_loss),
    MetricCase(
        "bce_logits", "binary_cross_entropy_with_logits", ["label", "logit"], _bce_with_logits(None)
    ),
    MetricCase(
        "bce_logits_pw3",
        "binary_cross_entropy_with_logits",
        ["label", "logit"],
        _bce_with_logits(3.0),
        {"pos_weight": 3},
    ),
    MetricCase("focal", "focal_loss", ["label", "logit"], _focal(0.25, 2.0)),
    MetricCase(
        "focal_plain", "focal_loss", ["label", "logit"], _focal(-1, 0.0), {"alpha": -1, "gamma": 0}
    ),
    MetricCase(
        "focal_a05_g15",
        "focal_loss",
        ["label", "logit"],
        _focal(0.5, 1.5),
        {"alpha": 0.5, "gamma": 1.5},
    ),
    MetricCase(
        "brier",
        "brier_score",
        ["label", "probability"],
        lambda f, w: float(skm.brier_score_loss(f.label, f.probability, sample_weight=w)),
    ),
    MetricCase(
        "hinge",
        "hinge_loss",
        ["label", "logit"],
        lambda f, w: float(skm.hinge_loss(f.label, f.logit, sample_weight=w)),
    ),
]


# --- multiclass ------------------------------------------------------------------------------

PROBABILITIES = {c: f"p_{c}" for c in MULTICLASS_CLASSES}
LOGITS = {c: f"z_{c}" for c in MULTICLASS_CLASSES}
CLASS_WEIGHTS = {"a": 0.5, "b": 2.0, "c": 1.25}


def _categorical_log_loss(f, w):
    probabilities = f[[f"p_{c}" for c in MULTICLASS_CLASSES]].to_numpy()
    return float(skm.log_loss(f.label, probabilities, sample_weight=w, labels=MULTICLASS_CLASSES))


def _cross_entropy(class_weights, label_smoothing):
    """torch.nn.CrossEntropyLoss; with a sample weight s on top, Σ s·ℓ / Σ s·w_y, where ℓ is
    torch's unreduced row loss and w_y the class weight of the row's label."""
    cw = (
        None
        if class_weights is None
        else torch.tensor([class_weights[c] for c in MULTICLASS_CLASSES], dtype=torch.float64)
    )

    def reference(f, w):
        logits = torch.as_tensor(
            f[[f"z_{c}" for c in MULTICLASS_CLASSES]].to_numpy(), dtype=torch.float64
        )
        target = torch.as_tensor([MULTICLASS_CLASSES.index(v) for v in f.label])
        if w is None:
            loss = torch.nn.CrossEntropyLoss(weight=cw, label_smoothing=label_smoothing)
            return float(loss(logits, target))
        rows = torch.nn.CrossEntropyLoss(
            weight=cw, label_smoothing=label_smoothing, reduction="none"
        )(logits, target).numpy()
        row_weight = np.ones(len(f)) if cw is None else cw.numpy()[target.numpy()]
        return float(np.sum(w * rows) / np.sum(w * row_weight))

    return reference


MULTICLASS = [
    MetricCase("cce", "categorical_cross_entropy", ["label", PROBABILITIES], _categorical_log_loss),
    MetricCase(
        "cce_logits",
        "categorical_cross_entropy_with_logits",
        ["label", LOGITS],
        _cross_entropy(None, 0.0),
    ),
    MetricCase(
        "cce_logits_weighted",
        "categorical_cross_entropy_with_logits",
        ["label", LOGITS],
        _cross_entropy(CLASS_WEIGHTS, 0.0),
        {"class_weights": CLASS_WEIGHTS},
    ),
    MetricCase(
        "cce_logits_smooth",
        "categorical_cross_entropy_with_logits",
        ["label", LOGITS],
        _cross_entropy(None, 0.1),
        {"label_smoothing": 0.1},
    ),
    MetricCase(
        "cce_logits_weighted_smooth",
        "categorical_cross_entropy_with_logits",
        ["label", LOGITS],
        _cross_entropy(CLASS_WEIGHTS, 0.2),
        {"class_weights": CLASS_WEIGHTS, "label_smoothing": 0.2},
    ),
]


# --- intervals -------------------------------------------------------------------------------


def _coverage(f, w):
    from utilsforecast.losses import coverage

    if w is not None:
        return weighted_mean(((f.actual >= f.lower) & (f.actual <= f.upper)).astype(float), w)
    frame = pd.DataFrame(
        {
            "unique_id": 0,
            "y": f.actual.to_numpy(),
            "model-lo-80": f.lower.to_numpy(),
            "model-hi-80": f.upper.to_numpy(),
        }
    )
    return float(coverage(frame, models=["model"], level=80)["model"].iloc[0])


INTERVAL = [MetricCase("coverage", "coverage", ["actual", "lower", "upper"], _coverage)]

TABLES = {
    "regression_cases": REGRESSION,
    "binary_cases": BINARY,
    "multiclass_cases": MULTICLASS,
    "interval_cases": INTERVAL,
}


def expected(case: MetricCase, frame: pd.DataFrame, weighted: bool) -> float | None:
    """The reference value for one case: None where there is no value (no rows, all-zero
    weights), NaN where the reference rejects the input (outside the loss's domain)."""
    used = case.columns + (["weight"] if weighted else [])
    rows = frame.dropna(subset=used)
    weights = rows.weight.to_numpy() if weighted else None
    if rows.empty or (weights is not None and weights.sum() == 0):
        return None
    try:
        return case.reference(rows.reset_index(drop=True), weights)
    except ValueError:
        return math.nan
