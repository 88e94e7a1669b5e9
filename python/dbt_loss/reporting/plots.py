"""The plots a report can hold and the runs each fits. A run gets every plot that fits it
unless `plots` asks for some by name; then each asked-for plot must fit every run, so a
report never silently leaves out what was asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ReportError
from .runs import ReportRun

REGRESSION = ("linear", "poisson")
CLASSIFIER = ("logistic", "softmax")


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    fits: Callable[[ReportRun], bool]
    needs: str  # what a run needs for this plot, for the error message


PLOTS = {
    plot.name: plot
    for plot in (
        Plot("loss_curve", "Training and validation loss", lambda run: True, "any run"),
        Plot(
            "residual_histogram",
            "Residual distribution",
            lambda run: run.model in REGRESSION,
            "a linear or poisson model",
        ),
        Plot(
            "residual_vs_prediction",
            "Residual against prediction",
            lambda run: run.model in REGRESSION,
            "a linear or poisson model",
        ),
        Plot(
            "calibration",
            "Calibration",
            lambda run: run.model in CLASSIFIER,
            "a logistic or softmax model",
        ),
        Plot(
            "loss_by_decile",
            "Loss by score decile",
            lambda run: run.model in CLASSIFIER,
            "a logistic or softmax model",
        ),
        Plot(
            "loss_by_group",
            "Loss by group",
            lambda run: bool(run.group_by),
            "a run trained with group_by",
        ),
    )
}


def choose_plots(plots, runs: list[ReportRun]) -> dict[str, list[str]]:
    """{run_id: plot names, in PLOTS order}: every plot that fits, or the ones asked for."""
    if plots is None:
        return {run.run_id: [n for n, p in PLOTS.items() if p.fits(run)] for run in runs}
    if isinstance(plots, str):
        plots = [plots]
    if not isinstance(plots, (list, tuple)) or not plots:
        raise ReportError(
            "dbt_loss.report: argument 'plots' must be None (every plot that fits) or a "
            f"non-empty list of plot names: {', '.join(PLOTS)}; got {plots!r}"
        )
    unknown = [p for p in plots if p not in PLOTS]
    if unknown:
        raise ReportError(
            f"dbt_loss.report: argument 'plots' has unknown plot(s) "
            f"{', '.join(map(repr, unknown))}; known: {', '.join(PLOTS)}"
        )
    for name in plots:
        plot = PLOTS[name]
        for run in runs:
            if not plot.fits(run):
                raise ReportError(
                    f"dbt_loss.report: argument 'plots' asks for {name!r}, which does not fit "
                    f"run {run.run_id!r} ({run.label}: a {run.model} model"
                    f"{'' if run.group_by else ' trained without group_by'}); {name} needs "
                    f"{plot.needs}"
                )
    return {run.run_id: [n for n in PLOTS if n in plots] for run in runs}
