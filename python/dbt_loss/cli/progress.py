"""The live progress bar of a training run, fed by train()'s `progress` callback."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


class TrainingProgress:
    """A context manager and the callback train() calls after every iteration: the iteration
    (numbered across resumes), the training and validation loss, and the time so far.

    With --max-iter the bar counts this run's iterations towards it; without, the optimizer's
    own limit is not known here and the bar only pulses. On a terminal the line updates in
    place; piped to a file, rich writes its final state once when the run ends."""

    def __init__(self, console: Console, max_iter: int | None):
        columns = [
            SpinnerColumn(),
            TextColumn("iteration [bold]{task.fields[iteration]}[/]"),
            BarColumn(),
            *([MofNCompleteColumn()] if max_iter else []),
            TextColumn("train loss [cyan]{task.fields[train_loss]}[/]"),
            TextColumn("validation loss [magenta]{task.fields[validation_loss]}[/]"),
            TimeElapsedColumn(),
        ]
        self.progress = Progress(*columns, console=console)
        self.task = self.progress.add_task(
            "training", total=max_iter, iteration="—", train_loss="—", validation_loss="—"
        )
        self.iterations = 0

    def __enter__(self) -> TrainingProgress:
        self.progress.start()
        return self

    def __exit__(self, error_type, *_) -> None:
        if error_type is not None and not self.iterations:
            # Bad input found before the first step: the error message alone says it.
            self.progress.live.transient = True
        self.progress.stop()

    def __call__(self, history: dict) -> None:
        self.iterations += 1
        self.progress.update(
            self.task,
            advance=1,
            iteration=history["iteration"],
            train_loss=number(history.get("train_loss")),
            validation_loss=number(history.get("validation_loss")),
        )
