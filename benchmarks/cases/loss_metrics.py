"""Case 1: six metrics over one table with dbt_loss.loss_table (compiled by dbt, run in DuckDB),
against the same six as one hand-written DuckDB aggregate, and against export to numpy plus
scikit-learn's metric functions."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .. import data
from ..dbt_compile import compile_inline
from ..measure import repeated
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


def run(unit: str, size: Size, workdir: Path) -> list[Result]:
    connection = duckdb.connect()
    data.create_table(connection, TABLE, data.metric_query(size.metric_rows))
    sql = compile_inline(workdir, loss_table_call())

    ours, rows = repeated(lambda: connection.execute(sql).fetchall(), size.repeats)
    by_label = {row[0]: row[2] for row in rows}
    loss_table = [by_label[label] for label in LABELS]
    hand, (hand_row,) = repeated(lambda: connection.execute(HAND_WRITTEN).fetchall(), size.repeats)
    sklearn, reference = repeated(lambda: sklearn_metrics(connection), size.repeats)

    def agreement(other: list[float]) -> tuple[bool, str, float]:
        worst = max(relative_difference(a, b) for a, b in zip(loss_table, other, strict=True))
        return worst <= TOLERANCE, f"max rel diff {worst:.1e}", worst

    values = dict(zip(LABELS, loss_table, strict=True))
    notes = f"{size.metric_rows:,} rows; {', '.join(LABELS)}"
    results = []
    for variant, peer, phase, other, target in [
        (
            "vs hand-written SQL",
            "DuckDB hand-written SQL",
            hand,
            list(hand_row),
            Target("≤ 1.1×", at_most=1.1),
        ),
        (
            "vs export + scikit-learn",
            "fetchnumpy + sklearn.metrics",
            sklearn,
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
                notes=notes,
                details={
                    "rows": size.metric_rows,
                    "loss_table": values,
                    "peer_values": dict(zip(LABELS, other, strict=True)),
                    "max_relative_difference": worst,
                    "sql": sql,
                },
            )
        )
    return results
