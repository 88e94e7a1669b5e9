"""The options of dbt_loss.train, validated at the boundary with messages that name the
argument, as scikit-learn's estimators do."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .losses import DEFAULT_LOSS, LOSS_PARAMETERS, MODEL_LOSSES

RESERVED_GROUP = "dbt_loss_group_index"  # queries.GROUP_INDEX

LOSS_ALIASES = {
    "quantile_loss": "quantile",
    "focal_loss": "focal",
    "log_loss": "binary_cross_entropy",
    "cross_entropy": "categorical_cross_entropy",
}
OPTIMIZERS = ("auto", "newton", "lbfgs", "gd", "adam")
DEFAULT_MAX_ITER = {"newton": 100, "lbfgs": 1000, "gd": 5000, "adam": 5000}
# Newton steps need the curvature matrix: (outputs × (features + 1))² sums per query.
NEWTON_MAX_PARAMETERS = 120


class OptionError(ValueError):
    """An argument of train() is invalid; raised before anything is written."""


@dataclass
class Options:
    model: str
    loss: str
    loss_parameters: dict
    l2: float = 0.0
    l1: float = 0.0
    sample_weight: str | None = None
    class_weight: object = None
    optimizer: str = "auto"
    max_iter: int | None = None
    tol: float = 1e-10
    validation_fraction: float = 0.0
    early_stopping_rounds: int | None = None
    standardize: bool = True
    group_by: list[str] = field(default_factory=list)
    learning_rate: float = 0.05
    batch_size: int | None = None
    curvature_rows: int | None = 250_000

    def as_dict(self) -> dict:
        return asdict(self)

    def resolved_optimizer(self, parameters: int, has_curvature: bool) -> str:
        if self.optimizer != "auto":
            return self.optimizer
        return "newton" if has_curvature and parameters <= NEWTON_MAX_PARAMETERS else "lbfgs"


def _number(name, value, *, minimum=None, maximum=None, strict=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OptionError(
            f"dbt_loss.train: argument {name!r} must be a finite number, got {value!r}"
        )
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        raise OptionError(
            f"dbt_loss.train: argument {name!r} must be {'>' if strict else '>='} "
            f"{minimum}, got {value!r}"
        )
    if maximum is not None and value > maximum:
        raise OptionError(f"dbt_loss.train: argument {name!r} must be <= {maximum}, got {value!r}")
    return float(value)


def _class_weights(model: str, given: dict) -> dict:
    """class → weight, each a finite number ≥ 0 and not all 0; a logistic model's classes are
    the labels 0 and 1 (given as numbers or as their text)."""
    weights = {}
    for label, value in given.items():
        if model == "logistic":
            try:
                key = int(label)
            except (TypeError, ValueError):
                key = None
            if isinstance(label, float) and label != key or key not in (0, 1):
                raise OptionError(
                    "dbt_loss.train: argument 'class_weight' of a logistic model maps the "
                    f"labels 0 and 1 to weights, got the class {label!r}"
                )
            label = key
        weights[label] = _number(f"class_weight[{label!r}]", value, minimum=0)
    if weights and not any(weights.values()):
        raise OptionError("dbt_loss.train: argument 'class_weight' is zero for every class")
    return weights


def parse_options(model: str, loss: str | None, options: dict) -> Options:
    if model not in MODEL_LOSSES:
        raise OptionError(
            f"dbt_loss.train: argument 'model' must be one of "
            f"{', '.join(MODEL_LOSSES)}, got {model!r}"
        )
    loss = LOSS_ALIASES.get(loss, loss) if loss else DEFAULT_LOSS[model]
    if loss not in MODEL_LOSSES[model]:
        raise OptionError(
            f"dbt_loss.train: loss {loss!r} does not apply to a {model} model; "
            f"it takes: {', '.join(MODEL_LOSSES[model])}"
        )
    parameters = dict(LOSS_PARAMETERS.get(loss, {}))
    for name in list(parameters):
        if name in options:
            parameters[name] = options.pop(name)
    for name, value in parameters.items():
        if name == "delta":
            parameters[name] = _number("delta", value, minimum=0, strict=True)
        elif name in ("label_smoothing",) or (name == "alpha" and loss == "quantile"):
            parameters[name] = _number(name, value, minimum=0, maximum=1)
        elif name == "alpha":
            parameters[name] = _number(name, value, maximum=1)
        elif name == "gamma":
            parameters[name] = _number(name, value, minimum=0)
    known = set(Options.__dataclass_fields__) - {"model", "loss", "loss_parameters"}
    unknown = set(options) - known
    if unknown:
        raise OptionError(
            f"dbt_loss.train: unknown option(s) {', '.join(sorted(unknown))}; "
            f"options: {', '.join(sorted(known))}"
        )
    result = Options(model=model, loss=loss, loss_parameters=parameters, **options)
    result.l2 = _number("l2", result.l2, minimum=0)
    result.l1 = _number("l1", result.l1, minimum=0)
    result.tol = _number("tol", result.tol, minimum=0, strict=True)
    result.validation_fraction = _number(
        "validation_fraction", result.validation_fraction, minimum=0, maximum=0.9
    )
    result.learning_rate = _number("learning_rate", result.learning_rate, minimum=0, strict=True)
    if result.optimizer not in OPTIMIZERS:
        raise OptionError(
            f"dbt_loss.train: argument 'optimizer' must be one of "
            f"{', '.join(OPTIMIZERS)}, got {result.optimizer!r}"
        )
    for name in ("max_iter", "early_stopping_rounds", "batch_size", "curvature_rows"):
        value = getattr(result, name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise OptionError(
                f"dbt_loss.train: argument {name!r} must be a positive integer, got {value!r}"
            )
    if result.early_stopping_rounds and not result.validation_fraction:
        raise OptionError(
            "dbt_loss.train: argument 'early_stopping_rounds' needs a "
            "validation_fraction > 0 to measure the validation loss on"
        )
    if result.class_weight is not None and model not in ("logistic", "softmax"):
        raise OptionError(
            "dbt_loss.train: argument 'class_weight' applies to logistic and softmax models"
        )
    if (
        result.class_weight is not None
        and result.class_weight != "balanced"
        and not isinstance(result.class_weight, dict)
    ):
        raise OptionError(
            "dbt_loss.train: argument 'class_weight' must be 'balanced' or a mapping "
            f"of class to weight, got {result.class_weight!r}"
        )
    if isinstance(result.class_weight, dict):
        result.class_weight = _class_weights(model, result.class_weight)
    if result.l1 and result.optimizer in ("lbfgs", "gd"):
        raise OptionError(
            f"dbt_loss.train: l1 needs optimizer 'newton', 'adam' or 'auto', "
            f"got {result.optimizer!r}"
        )
    if isinstance(result.group_by, str):
        result.group_by = [result.group_by]
    result.group_by = list(result.group_by or [])
    if RESERVED_GROUP in result.group_by:  # the parameter table's column of that name
        raise OptionError(
            f"dbt_loss.train: group_by column {RESERVED_GROUP!r} has the name dbt_loss gives "
            "each group's row in its parameter table; rename it in the relation"
        )
    return result
