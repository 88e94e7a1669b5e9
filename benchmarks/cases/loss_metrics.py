"""Case 1: six metrics over one table with dbt_loss.loss_table (compiled by dbt, run in DuckDB),
against the same six as one hand-written DuckDB aggregate, and against export to numpy plus
scikit-learn's metric functions.

loss_table and the hand-written SQL run in turn, round after round (one warm-up round, then
`repeats` timed ones), so a change in the shared machine's load falls on both alike; each
side's time is the median of its rounds. Export + scikit-learn runs after them: its peak RSS
would otherwise carry over into the SQL sides' (DuckDB keeps the memory fetchnumpy used). The
median CPU seconds of each run (all of the process's threads) are recorded beside the wall
time."""

from __future__ import annotations

import resource
import statistics
from collections.abc import Callable
from pathlib import Path

import duckdb

from .. import data
from ..dbt_compile import compile_inline
from ..measure import Phase, repeated
from ..report import Result, Target, relative_difference
from ..sizes import Size

TABLE = "metric_rows"
METRICS = ["mse", "rmse", "mae", "mape", {"name": "quantile_loss", "alpha": 0.9}, "r2_score"]
LABELS = ["mse", "rmse", "mae", "mape", "quantile_loss(alpha=0.9)", "r2_score"]
# One pass, each metric as one would write it by hand; rows with a NULL are skipped, as the
# macros skip them. r2 from DuckDB's var_pop (a stable one-pass variance).
HAND_WRITTEN = f"""
select
    avg((p - y) * (p - y)) as mse,
    sqrt(avg((p - y) * (p - y))) as rmse,
    avg(abs(p - y)) as mae,
    avg(abs(p - y) / greatest(abs(y), 2.220446049250313e-16)) as mape,
    avg(case when p - y <= 0 then 0.9 * (y - p) else 0.1 * (p - y) end) as quantile_90,
    1 - sum((p - y) * (p - y)) / (count(*) * var_pop(y)) as r2
from {TABLE}
where y is not null and p is not null
"""
TOLERANCE = 1e-9


def loss_table_call() -> str:
    return f"{{{{ dbt_loss.loss_table('{TABLE}', 'y', 'p', metrics={METRICS!r}) }}}}"


def sklearn_metrics(connection) -> list[float]:
    from sklearn import metrics

    arrays = connection.sql(f"select y, p from {TABLE}").fetchnumpy()
    y, p = arrays["y"], arrays["p"]
    return [
        metrics.mean_squared_error(y, p),
        metrics.root_mean_squared_error(y, p),
        metrics.mean_absolute_error(y, p),
        metrics.mean_absolute_percentage_error(y, p),
        metrics.mean_pinball_loss(y, p, alpha=0.9),
        metrics.r2_score(y, p),
    ]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def interleaved(
    sides: dict[str, Callable[[], object]], repeats: int
) -> dict[str, tuple[Phase, object, float]]:
    """Each side's Phase (wall samples of the timed rounds, median, peak RSS over its runs),
    last result and median CPU seconds per run, the sides run in turn each round."""
    phases = {name: Phase(exact=True) for name in sides}
    cpu = {name: [] for name in sides}
    results = {}
    for round_number in range(1 + repeats):
        for name, function in sides.items():
            results[name] = None
            before = _cpu_seconds()
            measured, results[name] = repeated(function, 1, warmup=0)
            if round_number == 0:
                phases[name].start_rss_mb = measured.start_rss_mb
            else:
                phases[name].samples.extend(measured.samples)
                cpu[name].append(_cpu_seconds() - before)
            phases[name].peak_rss_mb = max(phases[name].peak_rss_mb, measured.peak_rss_mb)
            phases[name].exact = phases[name].exact and measured.exact
    for phase in phases.values():
        phase.seconds = statistics.median(phase.samples)
    return {name: (phases[name], results[name], statistics.median(cpu[name])) for name in sides}


def run(unit: str, size: Size, workdir: Path) -> list[Result]:
    connection = duckdb.connect()
    data.create_table(connection, TABLE, data.metric_query(size.metric_rows))
    sql = compile_inline(workdir, loss_table_call())

    measured = interleaved(
        {
            "ours": lambda: connection.execute(sql).fetchall(),
            "hand": lambda: connection.execute(HAND_WRITTEN).fetchall(),
        },
        size.repeats,
    )
    measured.update(interleaved({"sklearn": lambda: sklearn_metrics(connection)}, size.repeats))
    ours, rows, ours_cpu = measured["ours"]
    hand, (hand_row,), hand_cpu = measured["hand"]
    sklearn, reference, sklearn_cpu = measured["sklearn"]
    by_label = {row[0]: row[2] for row in rows}
    loss_table = [by_label[label] for label in LABELS]

    def agreement(other: list[float]) -> tuple[bool, str, float]:
        worst = max(relative_difference(a, b) for a, b in zip(loss_table, other, strict=True))
        return worst <= TOLERANCE, f"max rel diff {worst:.1e}", worst

    values = dict(zip(LABELS, loss_table, strict=True))
    notes = f"{size.metric_rows:,} rows; {', '.join(LABELS)}"
    results = []
    for variant, peer, phase, peer_cpu, other, target in [
        (
            "vs hand-written SQL",
            "DuckDB hand-written SQL",
            hand,
            hand_cpu,
            list(hand_row),
            Target("≤ 1.1×", at_most=1.1),
        ),
        (
            "vs export + scikit-learn",
            "fetchnumpy + sklearn.metrics",
            sklearn,
            sklearn_cpu,
            reference,
            Target("≤ 0.2× (≥ 5× faster)", at_most=0.2),
        ),
    ]:
        agree, text, worst = agreement(other)
        results.append(
            Result.compare(
                "loss_metrics",
                variant,
                peer,
                ours,
                phase,
                target,
                agree=agree,
                agreement=text,
                notes=f"{notes}; CPU per run {ours_cpu:.3f} s vs {peer_cpu:.3f} s",
                details={
                    "rows": size.metric_rows,
                    "loss_table": values,
                    "peer_values": dict(zip(LABELS, other, strict=True)),
                    "max_relative_difference": worst,
                    "cpu_seconds": {"ours": ours_cpu, "peer": peer_cpu},
                    "cpu_ratio": ours_cpu / peer_cpu if peer_cpu else None,
                    "sql": sql,
                },
            )
        )
    return results
