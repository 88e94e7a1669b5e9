"""`dbt-loss train`: dbt_loss.train from a shell, option for option. An option left out is not
passed at all, so train()'s own defaults apply and stay in one place."""

from __future__ import annotations

import dataclasses
import json
import time
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..training.engine import Engine
from ..training.losses import MODEL_LOSSES
from ..training.options import OPTIMIZERS
from ..training.run_tables import now
from ..training.trainer import TrainingRun, relation_expression
from ..training.trainer import train as train_model
from .database import DEFAULT_DATABASE, DEFAULT_SCHEMA, Database, Schema, connect
from .errors import FAILED, INTERRUPTED, handled
from .output import print_json, stderr, stdout
from .progress import TrainingProgress
from .runs import latest_run_since
from .summary import run_table, weights_table

Model = StrEnum("Model", [(m, m) for m in MODEL_LOSSES])
Optimizer = StrEnum("Optimizer", [(o, o) for o in OPTIMIZERS])

DATA, MODEL, LOSS, FIT, RUN = "Data", "Model", "Loss parameters", "Optimisation", "Run"

# train()'s argument names and the flags that set them, to name the flag in error messages.
FLAGS = {
    name: "--" + name.replace("_", "-")
    for name in (
        "relation target model loss sample_weight group_by class_weight l2 l1 delta alpha "
        "gamma label_smoothing optimizer max_iter tol learning_rate batch_size "
        "validation_fraction early_stopping_rounds run_name schema resume"
    ).split()
} | {"features": "--features", "standardize": "--no-standardize"}


def columns(values: list[str] | None) -> list[str]:
    """Column names from repeated and comma-separated values: `--features a,b --feature c`."""
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def parse_class_weight(text: str) -> str | dict:
    if text == "balanced":
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(w, (int, float)) and not isinstance(w, bool) for w in value.values()
    ):
        raise typer.BadParameter(
            "must be 'balanced' or a JSON object of class to weight, e.g. '{\"0\": 1, \"1\": 4}'",
            param_hint="'--class-weight'",
        )
    return value


def class_weight_keys(connection, relation: str, target: str, mapping: dict) -> dict:
    """JSON keys are strings; the classes of an integer softmax target are integers, and
    train() matches class_weight keys to classes by value."""
    types = Engine(connection).column_types(relation_expression(relation))
    if "int" not in types.get(target, ""):
        return mapping
    try:
        return {int(key): weight for key, weight in mapping.items()}
    except ValueError:
        return mapping  # train() names the classes that have no weight


def run_document(run: TrainingRun, elapsed_seconds: float) -> dict:
    return {**dataclasses.asdict(run), "elapsed_seconds": elapsed_seconds}


def _interrupted(connection, resume: str | None, schema: str, since) -> None:
    run_id = resume or latest_run_since(Engine(connection), schema, since)
    hint = f"; resume with --resume {run_id}" if run_id else " before the run started"
    stderr().print(f"interrupted{hint}")
    raise typer.Exit(INTERRUPTED)


def _is_interrupt(error: BaseException) -> bool:
    # Ctrl-C inside a DuckDB query surfaces as RuntimeError("Query interrupted"), not
    # KeyboardInterrupt; and most of a run's time is spent inside queries.
    return isinstance(error, KeyboardInterrupt) or (
        type(error) is RuntimeError and str(error) == "Query interrupted"
    )


def train(
    relation: Annotated[
        str,
        typer.Option(help="The table to train on: table or schema.table.", rich_help_panel=DATA),
    ],
    target: Annotated[str, typer.Option(help="The target column.", rich_help_panel=DATA)],
    model: Annotated[Model, typer.Option(help="The model to fit.", rich_help_panel=MODEL)],
    features: Annotated[
        list[str] | None,
        typer.Option(help="Feature columns, comma-separated.", rich_help_panel=DATA),
    ] = None,
    feature: Annotated[
        list[str] | None,
        typer.Option(help="A feature column; repeat for more.", rich_help_panel=DATA),
    ] = None,
    sample_weight: Annotated[
        str | None, typer.Option(help="A column of row weights.", rich_help_panel=DATA)
    ] = None,
    group_by: Annotated[
        list[str] | None,
        typer.Option(help="Train one model per group of these columns.", rich_help_panel=DATA),
    ] = None,
    loss: Annotated[
        str | None,
        typer.Option(help="The loss; default: the model's own (mse, …).", rich_help_panel=MODEL),
    ] = None,
    l2: Annotated[
        float | None, typer.Option(help="L2 penalty (l2/2)·‖β‖².", rich_help_panel=MODEL)
    ] = None,
    l1: Annotated[
        float | None, typer.Option(help="L1 penalty l1·‖β‖₁.", rich_help_panel=MODEL)
    ] = None,
    class_weight: Annotated[
        str | None,
        typer.Option(help="'balanced' or a JSON object of class to weight.", rich_help_panel=MODEL),
    ] = None,
    no_standardize: Annotated[
        bool,
        typer.Option(
            "--no-standardize", help="Do not precondition by standardising.", rich_help_panel=MODEL
        ),
    ] = False,
    delta: Annotated[
        float | None, typer.Option(help="huber, pseudo_huber: the threshold.", rich_help_panel=LOSS)
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(
            help="quantile: the quantile; focal: the class balance.", rich_help_panel=LOSS
        ),
    ] = None,
    gamma: Annotated[
        float | None, typer.Option(help="focal: the focusing exponent.", rich_help_panel=LOSS)
    ] = None,
    label_smoothing: Annotated[
        float | None,
        typer.Option(help="categorical_cross_entropy: smoothing in [0, 1].", rich_help_panel=LOSS),
    ] = None,
    optimizer: Annotated[
        Optimizer | None, typer.Option(help="default: auto.", rich_help_panel=FIT)
    ] = None,
    max_iter: Annotated[
        int | None, typer.Option(help="default: the optimizer's own.", rich_help_panel=FIT)
    ] = None,
    tol: Annotated[
        float | None, typer.Option(help="Convergence tolerance.", rich_help_panel=FIT)
    ] = None,
    learning_rate: Annotated[
        float | None, typer.Option(help="gd and adam: the step size.", rich_help_panel=FIT)
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="adam: rows per mini-batch.", rich_help_panel=FIT)
    ] = None,
    validation_fraction: Annotated[
        float | None,
        typer.Option(help="Share of rows held out for the validation loss.", rich_help_panel=FIT),
    ] = None,
    early_stopping_rounds: Annotated[
        int | None,
        typer.Option(
            help="Stop after this many iterations without a better validation loss.",
            rich_help_panel=FIT,
        ),
    ] = None,
    run_name: Annotated[
        str | None, typer.Option(help="A name for the run.", rich_help_panel=RUN)
    ] = None,
    schema: Schema = None,
    resume: Annotated[
        str | None,
        typer.Option(help="Continue this run id from its last checkpoint.", rich_help_panel=RUN),
    ] = None,
    database: Database = Path(DEFAULT_DATABASE),
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="No progress bar; print the run as one JSON object.", rich_help_panel=RUN
        ),
    ] = False,
) -> None:
    """Train a model in the warehouse: every optimiser step is one aggregate query.

    Exits 0 when the run succeeded, 1 when it failed, 2 on bad input, 130 on Ctrl-C."""
    names = columns(features) + columns(feature)
    if not names:
        raise typer.BadParameter("give the feature columns", param_hint="'--features'")
    options = {
        "loss": loss,
        "run_name": run_name,
        "schema": schema,
        "resume": resume,
        "sample_weight": sample_weight,
        "group_by": columns(group_by) or None,
        "class_weight": parse_class_weight(class_weight) if class_weight is not None else None,
        "l2": l2,
        "l1": l1,
        "standardize": False if no_standardize else None,
        "delta": delta,
        "alpha": alpha,
        "gamma": gamma,
        "label_smoothing": label_smoothing,
        "optimizer": optimizer.value if optimizer else None,
        "max_iter": max_iter,
        "tol": tol,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "validation_fraction": validation_fraction,
        "early_stopping_rounds": early_stopping_rounds,
    }
    options = {name: value for name, value in options.items() if value is not None}

    with handled(FLAGS), connect(database) as connection:
        if isinstance(options.get("class_weight"), dict) and model is Model.softmax:
            options["class_weight"] = class_weight_keys(
                connection, relation, target, options["class_weight"]
            )
        since, started = now(), time.perf_counter()
        bar = None if as_json else TrainingProgress(stderr(), max_iter)
        try:
            with bar or nullcontext():
                run = train_model(
                    connection,
                    relation,
                    target=target,
                    features=names,
                    model=model.value,
                    **({"progress": bar} if bar else {}),
                    **options,
                )
        except (KeyboardInterrupt, RuntimeError) as error:
            if not _is_interrupt(error):
                raise
            _interrupted(connection, resume, schema or DEFAULT_SCHEMA, since)
        elapsed = time.perf_counter() - started

    if as_json:
        print_json(run_document(run, elapsed))
    else:
        console = stdout()
        console.print(run_table(run, elapsed))
        console.print(weights_table(run))
    if run.status != "succeeded":
        raise typer.Exit(FAILED)
