"""Case 4: training from a Parquet source at growing sizes. Our side reads the file through a
DuckDB view in every query, so its peak RSS should not grow with the rows; the peer (export to
numpy + scikit-learn) holds the whole matrix.

One process per size (ours, then the peer), so each peak is that size's alone; the Parquet
files are written first by a process of their own. The connection keeps DuckDB's defaults: the
trainer itself turns DuckDB's Parquet read-ahead off on a local file, as it would for a user (see
Engine.training_session), and the one pass timed alone runs the same way."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np

import dbt_loss
from dbt_loss.training.engine import engine_for
from dbt_loss.training.plan import relation_expression

from .. import data
from ..measure import Phase, phase
from ..ours import StepQuery
from ..peers import Problem, export, fit, model_objective, ours_arrays
from ..report import Result, Target, relative_difference
from ..sizes import Size
from ..warm import warm_up

VIEW = "scaling_source"
TOLERANCE = 1e-6
FLAT = Target("±10 %", within=0.10)


def units(size: Size) -> list[str]:
    return ["scaling.prepare"] + [f"scaling.{rows}" for rows in size.scaling_rows]


def parquet_path(workdir: Path, rows: int) -> Path:
    return workdir / f"scaling_{rows}.parquet"


def problem(size: Size) -> Problem:
    return Problem("logistic", "logistic", "binary_cross_entropy", "y_bin", size.l2)


def prepare(size: Size, workdir: Path) -> None:
    connection = duckdb.connect()
    for rows in size.scaling_rows:
        path = parquet_path(workdir, rows)
        if not path.exists():
            partial = path.with_suffix(".partial")
            data.write_parquet(connection, str(partial), data.training_query(rows, size.features))
            partial.rename(path)


def _train(connection, chosen: Problem, features: list[str], size: Size):
    """Ours: training end to end, then one Newton statistics pass (the time per pass)."""
    with phase() as training:
        run_ = dbt_loss.train(
            connection,
            VIEW,
            target=chosen.target,
            features=features,
            run_name="benchmark scaling",
            **chosen.train_options(),
        )
    with engine_for(connection).training_session(relation_expression(VIEW)):  # as train() runs
        step = StepQuery(
            connection,
            VIEW,
            target=chosen.target,
            features=features,
            model=chosen.model,
            l2=chosen.l2,
        )
        with phase() as one_pass:
            step.evaluate(np.zeros((1, size.features + 1)), curvature=True)
    return run_, training, one_pass


def run(unit: str, size: Size, workdir: Path) -> list[Result]:
    if unit == "scaling.prepare":
        prepare(size, workdir)
        return []
    rows = int(unit.split(".")[1])
    connection = duckdb.connect()
    source = parquet_path(workdir, rows)
    connection.execute(f"create view {VIEW} as select * from read_parquet('{source}')")
    features = data.feature_names(size.features)
    chosen = problem(size)
    if size.warm_up:
        warm_up(connection, chosen, features)

    run_, training, one_pass = _train(connection, chosen, features, size)
    details = {
        "rows": rows,
        "ours_iterations": run_.iterations,
        "ours_seconds_per_pass": one_pass.seconds,
        "ours_pass_peak_rss_mb": one_pass.peak_rss_mb,
        "parquet_bytes": source.stat().st_size,
    }
    ours_notes = f"logistic; ours {run_.iterations} it, {one_pass.seconds:.2f} s/pass (Newton)"
    with phase() as peer:
        started = time.perf_counter()
        X, y = export(connection, VIEW, features, chosen.target)
        exported = time.perf_counter() - started
        fitted = fit(chosen, X, y)
    ours_objective = model_objective(chosen, X, y, *ours_arrays(run_, features))
    peer_objective = model_objective(chosen, X, y, fitted.coef, fitted.intercept)
    difference = relative_difference(ours_objective, peer_objective)
    fit_seconds = peer.seconds - exported
    result = Result.compare(
        "scaling",
        f"{rows:,} rows",
        f"Parquet → numpy + {fitted.solver}",
        training,
        peer,
        None,
        agree=run_.status == "succeeded" and difference <= TOLERANCE,
        agreement=f"objective rel diff {difference:.1e}",
        notes=(
            f"{ours_notes}; peer export {exported:.2f} s + fit {fit_seconds:.2f} s "
            f"({fitted.iterations} it)"
        ),
        details={
            **details,
            "peer_export_seconds": exported,
            "peer_fit_seconds": fit_seconds,
            "peer_iterations": fitted.iterations,
            "peer_fit_seconds_per_iteration": fit_seconds / fitted.iterations
            if fitted.iterations
            else None,
            "ours_objective": ours_objective,
            "peer_objective": peer_objective,
        },
    )
    result.ours_rss_mb = max(training.peak_rss_mb, one_pass.peak_rss_mb)
    return [result]


def _phase(p: Phase) -> dict:
    return {"seconds": p.seconds, "peak_rss_mb": p.peak_rss_mb, "start_rss_mb": p.start_rss_mb}


def summarize(results: list[Result], size: Size) -> list[Result]:
    """The flat-memory target: our peak RSS at the largest size over the smallest."""
    sized = sorted(
        (r for r in results if r.case == "scaling" and "rows" in r.details),
        key=lambda r: r.details["rows"],
    )
    if len(sized) < 2:
        return []
    small, large = sized[0], sized[-1]
    ratio = large.ours_rss_mb / small.ours_rss_mb
    peer_ratio = large.peer_rss_mb / small.peer_rss_mb
    notes = (
        f"ratio is of RSS, not time: ours {small.ours_rss_mb:.0f} → {large.ours_rss_mb:.0f} MiB; "
        f"peer {small.peer_rss_mb:.0f} → {large.peer_rss_mb:.0f} MiB ({peer_ratio:.2f}×)"
    )
    details = {
        "ours_rss_mb": {r.details["rows"]: r.ours_rss_mb for r in sized},
        "peer_rss_mb": {r.details["rows"]: r.peer_rss_mb for r in sized},
        "peer_ratio": peer_ratio,
    }
    return [
        Result(
            "scaling",
            f"peak RSS {large.details['rows']:,} / {small.details['rows']:,} rows",
            "scikit-learn",
            None,
            None,
            large.ours_rss_mb,
            large.peer_rss_mb,
            FLAT.text,
            FLAT.met(ratio),
            None,
            "",
            ratio,
            notes,
            details,
        )
    ]
