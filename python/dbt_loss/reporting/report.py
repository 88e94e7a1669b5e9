"""dbt_loss.report: an HTML page and PNG images on how trained runs fit, from aggregates the
warehouse computes. Every argument and run is checked and every query has run before a file
is written, so bad input or a failing query leaves no partial report behind."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..training.engine import Engine, engine_for
from ..training.trainer import TrainingRun
from . import queries
from .errors import ReportError
from .losses import loss_label
from .plots import choose_plots
from .runs import ReportRun, resolve_runs

DEFAULT_SCHEMA = "dbt_loss"


def _number(value) -> str:
    return "—" if value is None else f"{value:.6g}"


def _facts(run: ReportRun) -> list[tuple[str, str]]:
    record = run.record
    fraction = run.validation_fraction
    facts = [
        ("run id", run.run_id),
        ("run name", record["run_name"] or "—"),
        ("status", record["status"]),
        ("model", run.model),
        ("loss", f"{record['loss']} (plotted as {loss_label(run)})"),
        ("relation", record["relation"]),
        ("target", run.target),
        ("features", ", ".join(run.features)),
        ("group by", ", ".join(run.group_by) or "—"),
        ("validation fraction", f"{fraction:g}" if fraction else "none: every row trains"),
        ("iterations", str(record["iterations"])),
        ("objective", _number(record["objective"])),
        ("train loss", _number(record["train_loss"])),
        ("validation loss", _number(record["validation_loss"])),
        ("started (UTC)", str(record["started_at"] or "—")),
    ]
    if record["message"]:
        facts.append(("message", record["message"]))
    return facts


def _figure(engine: Engine, schema: str, run: ReportRun, plot: str, cache: dict):
    """(chart, caption) of one plot of one run; its queries run here (the residuals query
    once for both residual plots)."""
    from . import charts  # Altair: imported when a report is made, not with dbt_loss

    rows = "validation rows" if run.validation is not None else "rows (no validation split)"
    loss = loss_label(run)
    if plot == "loss_curve":
        chart = charts.loss_curve(queries.loss_history(engine, schema, run), run.record["loss"])
        where = "training and validation rows" if run.validation is not None else "training rows"
        return chart, f"The objective's loss term per iteration, on the {where}."
    if plot in ("residual_histogram", "residual_vs_prediction"):
        if (run.run_id, "residuals") not in cache:
            cache[run.run_id, "residuals"] = queries.residuals(engine, run)
        residuals = cache[run.run_id, "residuals"]
        if plot == "residual_histogram":
            return charts.residual_histogram(residuals, rows), (
                f"Residuals on the {rows}, counted per bin in the warehouse."
            )
        return charts.residual_vs_prediction(residuals, rows), (
            f"Residual against prediction on the {rows}, binned in the warehouse."
        )
    if plot == "calibration":
        frame = queries.calibration(engine, run)
        return charts.calibration(frame, run.model, rows), (
            f"Calibration on the {rows}: the diagonal is perfect calibration."
        )
    if plot == "loss_by_decile":
        frame = queries.decile_losses(engine, run)
        return charts.loss_by_decile(frame, run.model, loss, rows), (
            f"Mean {loss} per score decile on the {rows}."
        )
    if plot == "loss_by_group":
        frame = queries.group_losses(engine, run)
        return charts.loss_by_group(frame, run.group_by, loss), (
            f"Mean {loss} per group, "
            + (
                "training and validation rows apart."
                if run.validation is not None
                else "on every row (no validation split)."
            )
        )
    raise AssertionError(plot)  # every PLOTS entry is handled above


def _schema(schema, runs) -> str:
    if schema is None:
        given = runs if isinstance(runs, (list, tuple)) else [runs]
        trained = [r.schema for r in given if isinstance(r, TrainingRun)]
        return trained[0] if trained else DEFAULT_SCHEMA
    if not isinstance(schema, str) or not schema.strip():
        raise ReportError(f"dbt_loss.report: argument 'schema' must be a name, got {schema!r}")
    return schema


def _output(output) -> Path:
    if not isinstance(output, (str, os.PathLike)) or not str(output).strip():
        raise ReportError(
            f"dbt_loss.report: argument 'output' must be a directory path, got {output!r}"
        )
    path = Path(output)
    if path.exists() and not path.is_dir():
        raise ReportError(
            f"dbt_loss.report: argument 'output' must be a directory, but {str(path)!r} is a file"
        )
    return path


def _file_name(run: ReportRun, plot: str) -> str:
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', run.run_id)}-{plot}.png"


def report(
    connection,
    runs: Sequence[str | TrainingRun] | str | TrainingRun,
    *,
    schema: str | None = None,
    output: str | os.PathLike = "report",
    plots: Sequence[str] | None = None,
) -> list[Path]:
    """Writes `<output>/report.html` (self-contained, works offline) and one PNG per chart for
    the runs (run ids, names of succeeded runs, or TrainingRun objects): loss curves; residual
    histogram and residual against prediction for linear and Poisson models; calibration and
    loss by score decile for logistic and softmax; loss by group for grouped runs. `plots`
    picks some of these by name (see PLOTS); each must fit every run. Returns the paths
    written, the page first. Bad input raises ReportError (a ValueError) naming the argument,
    before anything is written. See docs/report.md."""
    from . import render  # vl-convert: imported when a report is made, not with dbt_loss

    engine = engine_for(connection)
    schema = _schema(schema, runs)
    directory = _output(output)
    selected = resolve_runs(engine, schema, runs)
    chosen = choose_plots(plots, selected)

    sections, images, cache = [], {}, {}
    for run in selected:
        section = render.Section(
            title=f"{run.label} · {run.model}, {run.record['loss']}", facts=_facts(run)
        )
        if run.validation is None:
            section.notes.append(
                "This run had no validation split: its residuals and calibration are on every "
                "row, the rows it was trained on."
            )
        for plot in chosen[run.run_id]:
            chart, caption = _figure(engine, schema, run, plot, cache)
            name = _file_name(run, plot)
            images[name] = render.png(chart)
            section.figures.append(render.Figure(chart, caption, name, run.run_id, plot))
        sections.append(section)

    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = render.page(
        "dbt_loss training report",
        f"{len(selected)} run(s) from schema {schema!r}, generated {generated}. Every chart is "
        "drawn from aggregates computed in the warehouse (GROUP BY over bins); no rows were "
        "exported.",
        sections,
    )
    return render.write(directory, {render.PAGE: page, **images})
