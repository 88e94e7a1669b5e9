"""dbt_loss: loss functions that live in the warehouse.

Train linear, logistic, softmax and Poisson models by gradient-based optimisation where every
step is one SQL aggregate, and score them in SQL."""

from .reporting import ReportError, report
from .scoring import UnknownRunError, predict
from .selection import SelectionError, SelectionResult, select_loss
from .training.options import OptionError
from .training.profile import TrainingInputError
from .training.trainer import TrainingRun, train

__all__ = [
    "OptionError",
    "ReportError",
    "SelectionError",
    "SelectionResult",
    "TrainingInputError",
    "TrainingRun",
    "UnknownRunError",
    "predict",
    "report",
    "select_loss",
    "train",
]
