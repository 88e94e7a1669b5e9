"""The final summary of a training run as rich tables: the run, then its weights."""

from __future__ import annotations

from collections.abc import Iterator

from rich.table import Table

from ..training.trainer import TrainingRun
from .output import jsonable
from .progress import number

MAX_WEIGHTS_SHOWN = 60
STATUS_STYLE = {"succeeded": "green", "failed": "bold red", "interrupted": "yellow"}


def run_table(run: TrainingRun, elapsed_seconds: float) -> Table:
    table = Table(title=f"Training run {run.run_id}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    style = STATUS_STYLE.get(run.status, "")
    rows = [
        ("run name", run.run_name or "—"),
        ("status", f"[{style}]{run.status}[/]" if style else run.status),
        ("model", run.model),
        ("loss", run.loss),
        ("iterations", str(run.iterations)),
        ("objective", number(run.objective)),
        ("train loss", number(run.train_loss)),
        ("validation loss", number(run.validation_loss)),
        ("time", f"{elapsed_seconds:.2f} s"),
        ("schema", run.schema),
    ]
    if run.message:
        rows.append(("message", run.message))
    for name, value in rows:
        table.add_row(name, value)
    return table


def weight_rows(run: TrainingRun) -> Iterator[tuple[str | None, str | None, str, float]]:
    """(group, class, feature, weight), the intercept first, from TrainingRun.weights:
    {feature: w}, {class: {feature: w}} or either of those per group key."""

    def features(weights: dict):
        if "intercept" in weights:
            yield "intercept", weights["intercept"]
        yield from ((f, w) for f, w in weights.items() if f != "intercept")

    def by_class(group, weights: dict):
        if not run.classes:
            yield from ((group, None, f, w) for f, w in features(weights))
            return
        for label, per_class in weights.items():
            yield from ((group, str(label), f, w) for f, w in features(per_class))

    if not run.group_by:
        yield from by_class(None, run.weights)
        return
    for key, weights in run.weights.items():
        values = key if isinstance(key, tuple) else (key,)
        yield from by_class(", ".join(str(jsonable(v)) for v in values), weights)


def weights_table(run: TrainingRun, limit: int = MAX_WEIGHTS_SHOWN) -> Table:
    rows = list(weight_rows(run))
    shown = rows[:limit]
    caption = None
    if len(rows) > limit:
        caption = (
            f"{len(rows) - limit} more of {len(rows)} weights not shown: see --json or "
            f"{run.schema}.training_weights"
        )
    table = Table(title="Weights", caption=caption, title_justify="left")
    if run.group_by:
        table.add_column(", ".join(run.group_by))
    if run.classes:
        table.add_column("class")
    table.add_column("feature")
    table.add_column("weight", justify="right")
    for group, label, feature, weight in shown:
        cells = ([group] if run.group_by else []) + ([label] if run.classes else [])
        table.add_row(*cells, feature, f"{weight:.6g}")
    return table
