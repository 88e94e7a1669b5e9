"""What report() raises on bad input, before any query for a plot runs and before anything is
written: an OptionError (so a ValueError, and the CLI's exit code 2), naming the argument."""

from __future__ import annotations

from ..scoring import UnknownRunError
from ..training.options import OptionError


class ReportError(OptionError):
    """An argument of dbt_loss.report is invalid (a run, a plot, the output directory)."""


class UnknownReportRunError(ReportError, UnknownRunError):
    """A run named in `runs` is not in the run tables: a ReportError, and the same
    UnknownRunError dbt_loss.predict raises, so either `except` catches it."""
