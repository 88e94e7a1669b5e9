"""Training reports: loss curves, residuals, calibration and per-group losses of trained runs
as one offline HTML page and PNG images, every chart drawn from aggregates the warehouse
computes (see docs/report.md)."""

from .errors import ReportError, UnknownReportRunError
from .plots import PLOTS
from .report import report

__all__ = ["PLOTS", "ReportError", "UnknownReportRunError", "report"]
