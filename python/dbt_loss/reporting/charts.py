"""The report's charts as Altair (Vega-Lite) specifications over the small aggregate frames of
queries.py. One function per plot; each returns a chart that renders the same in the HTML page
(vega-embed) and as a PNG (vl-convert)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .queries import Residuals

WIDTH, HEIGHT = 440, 260
COLOURS = {"training": "#4c78a8", "validation": "#f58518", "all rows": "#54a24b"}
# At most this many groups in a loss-by-group chart: the ones with the highest loss.
MAX_GROUPS = 40


def _splits(data: pd.DataFrame) -> alt.Scale:
    """The same colour for a split in every chart; the legend lists only the splits shown."""
    shown = [name for name in COLOURS if name in set(data["split"])] or list(COLOURS)
    return alt.Scale(domain=shown, range=[COLOURS[name] for name in shown])


def _chart(data: pd.DataFrame, title: str, subtitle: str | None = None) -> alt.Chart:
    heading = alt.TitleParams(title, subtitle=subtitle or "", anchor="start")
    return alt.Chart(data, title=heading, width=WIDTH, height=HEIGHT)


def loss_curve(history: pd.DataFrame, loss: str) -> alt.Chart:
    """Training and validation loss per iteration, from training_history."""
    return (
        _chart(history, "Loss by iteration", f"{loss} (training_history)")
        .mark_line(point=alt.OverlayMarkDef(size=30))
        .encode(
            x=alt.X("iteration:Q", title="iteration", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("loss:Q", title="loss", scale=alt.Scale(zero=False)),
            color=alt.Color("split:N", title=None, scale=_splits(history)),
            tooltip=["iteration:Q", "split:N", alt.Tooltip("loss:Q", format=".6g")],
        )
    )


def residual_histogram(residuals: Residuals, rows: str) -> alt.Chart:
    """Counts of r = ŷ − y in equal-width bins, counted by a GROUP BY in the warehouse."""
    return (
        _chart(
            residuals.histogram,
            "Residual distribution",
            f"prediction − actual, {residuals.rows} {rows}",
        )
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X("start:Q", title="residual (prediction − actual)", bin="binned"),
            x2="end:Q",
            y=alt.Y("count:Q", title="rows"),
            tooltip=[
                alt.Tooltip("start:Q", format=".4g"),
                alt.Tooltip("end:Q", format=".4g"),
                "count:Q",
            ],
        )
    )


def residual_vs_prediction(residuals: Residuals, rows: str) -> alt.LayerChart:
    """A binned scatter: rows per (prediction, residual) cell, and the mean residual per
    prediction bin on top. Bias shows as the line leaving zero."""
    cells = (
        _chart(
            residuals.heatmap,
            "Residual against prediction",
            f"rows per cell; line: mean residual per prediction bin; {residuals.rows} {rows}",
        )
        .mark_rect()
        .encode(
            x=alt.X("prediction_start:Q", title="prediction", bin="binned"),
            x2="prediction_end:Q",
            y=alt.Y("residual_start:Q", title="residual (prediction − actual)", bin="binned"),
            y2="residual_end:Q",
            color=alt.Color("count:Q", title="rows", scale=alt.Scale(scheme="blues")),
            tooltip=["count:Q"],
        )
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#888").encode(y="zero:Q")
    means = (
        alt.Chart(residuals.means)
        .mark_line(color="#e45756", point=alt.OverlayMarkDef(color="#e45756", size=20))
        .encode(
            x="prediction_middle:Q",
            y="mean_residual:Q",
            tooltip=[
                alt.Tooltip("prediction_middle:Q", format=".4g", title="prediction"),
                alt.Tooltip("mean_residual:Q", format=".4g", title="mean residual"),
                "count:Q",
            ],
        )
    )
    return alt.layer(cells, zero, means)


def calibration(frame: pd.DataFrame, model: str, rows: str) -> alt.LayerChart:
    """Mean predicted probability against the observed rate per probability bin; a
    calibrated model follows the diagonal."""
    score = "P(y = 1)" if model == "logistic" else "top-class probability"
    observed = "share of positives" if model == "logistic" else "share where the top class is right"
    rows_total = int(frame["count"].sum()) if not frame.empty else 0
    points = (
        _chart(frame, "Calibration", f"{score} in 10 bins, {rows_total} {rows}")
        .mark_line(point=True)
        .encode(
            x=alt.X("mean_score:Q", title=f"mean {score}", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("observed:Q", title=observed, scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("start:Q", title="bin from"),
                alt.Tooltip("end:Q", title="bin to"),
                "count:Q",
                alt.Tooltip("mean_score:Q", format=".4f"),
                alt.Tooltip("observed:Q", format=".4f"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}))
        .mark_line(color="#888", strokeDash=[4, 4])
        .encode(x="x:Q", y="y:Q")
    )
    return alt.layer(diagonal, points)


def loss_by_decile(frame: pd.DataFrame, model: str, loss: str, rows: str) -> alt.Chart:
    """The mean loss per score decile: where in the score range the model pays its loss."""
    score = "P(y = 1)" if model == "logistic" else "top-class probability"
    return (
        _chart(
            frame,
            "Loss by score decile",
            f"{loss}, deciles of {score}, {int(frame['count'].sum())} {rows}",
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "decile:O", title=f"decile of {score} (1 = lowest)", axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("loss:Q", title=loss),
            tooltip=[
                "decile:O",
                "count:Q",
                alt.Tooltip("min_score:Q", format=".4f"),
                alt.Tooltip("max_score:Q", format=".4f"),
                alt.Tooltip("loss:Q", format=".6g"),
            ],
        )
    )


def loss_by_group(frame: pd.DataFrame, group_by: list[str], loss: str) -> alt.Chart:
    """The mean loss per group, training and validation rows side by side; the groups with
    the highest loss when there are more than MAX_GROUPS."""
    groups = frame.groupby("group")["loss"].max().sort_values(ascending=False)
    shown = list(groups.index[:MAX_GROUPS])
    note = (
        f"; the {MAX_GROUPS} of {len(groups)} groups with the highest loss"
        if len(groups) > MAX_GROUPS
        else ""
    )
    data = frame[frame["group"].isin(shown)]
    return (
        _chart(data, "Loss by group", f"{loss} per {', '.join(group_by)}{note}")
        .mark_bar()
        .encode(
            x=alt.X("group:N", title=", ".join(group_by), sort=shown),
            xOffset=alt.XOffset("split:N"),
            y=alt.Y("loss:Q", title=loss),
            color=alt.Color("split:N", title=None, scale=_splits(data)),
            tooltip=["group:N", "split:N", "count:Q", alt.Tooltip("loss:Q", format=".6g")],
        )
    )
