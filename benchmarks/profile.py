"""Where one warm dbt_loss.train run spends its time: every query it sends, grouped by kind,
with the time DuckDB needs just to plan it (EXPLAIN of the same SQL and parameters) and the
Python time between queries. For the profiling notes in docs/benchmarks.md:

    python -m benchmarks.profile ridge|linear-huber|logistic|softmax [--rows N] [--groups G]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import duckdb

import dbt_loss
from dbt_loss.training import engine as engine_module

from . import data
from .cases.time_to_optimum import problems
from .warm import warm_up

KINDS = ("fetch", "fetch_prepared", "execute", "insert_rows", "load_table")


def kind_of(sql: str) -> str:
    text = " ".join(sql.split()).upper()
    if text.startswith("SELECT COUNT(*) AS ROWS"):
        return "profile: checks and means"
    if text.startswith("SELECT AVG("):
        return "profile: variances"
    if text.startswith('CREATE TEMPORARY TABLE "DBT_LOSS_SAMPLE'):
        return "curvature sample: copy"
    if text.startswith('CREATE TEMPORARY TABLE "DBT_LOSS_WARM'):
        return "warm start: copy"
    if '"DBT_LOSS_WARM_' in text:
        return "warm start on a sample"
    if ("AS H_0" in text or " H_0," in text) and "LOSS_TRAIN" not in text:
        return "curvature on a sample"
    if "AS H_0" in text or " H_0," in text:
        return "statistics with curvature"
    if "SW_TRAIN" in text and "LOSS_0" in text:
        return "line search"
    if "SW_TRAIN" in text:
        return "statistics, gradient only"
    if text.startswith(("INSERT", "CREATE", "UPDATE", "DELETE", "BEGIN", "COMMIT")):
        return "run tables and parameters"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    names = {p.key: p for p in problems(1e-4)}
    parser.add_argument("problem", choices=sorted(names))
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument(
        "--groups", type=int, default=0, help="groups of equal size, one model each"
    )
    parser.add_argument("--features", type=int, default=16)
    args = parser.parse_args(argv)
    problem = names[args.problem]
    connection = duckdb.connect()
    group_rows = args.rows // args.groups if args.groups else None
    data.create_table(
        connection, "t", data.training_query(args.rows, args.features, group_rows=group_rows)
    )
    warm_up(connection, problem, data.feature_names(args.features), group_rows=group_rows)
    calls: list[tuple[str, float, str, object]] = []
    originals = {name: getattr(engine_module.Engine, name) for name in KINDS}

    def spy(name):
        def wrapped(self, *args_, **kwargs):
            started = time.perf_counter()
            try:
                return originals[name](self, *args_, **kwargs)
            finally:
                seconds = time.perf_counter() - started
                first = args_[0] if args_ else ""
                params = args_[1] if name == "fetch_prepared" and len(args_) > 1 else None
                calls.append((name, seconds, first, params))

        return wrapped

    for name in KINDS:
        setattr(engine_module.Engine, name, spy(name))
    # the run drops its curvature sample; kept until its queries are explained below
    dropped: list[str] = []
    drop_temporary = engine_module.Engine.drop_temporary
    engine_module.Engine.drop_temporary = lambda self, name: dropped.append(name)
    options = {"group_by": ["g"]} if group_rows else {}
    started = time.perf_counter()
    run = dbt_loss.train(
        connection,
        "t",
        target=problem.target,
        features=data.feature_names(args.features),
        **options,
        **problem.train_options(),
    )
    total = time.perf_counter() - started
    for name, original in originals.items():
        setattr(engine_module.Engine, name, original)
    engine = engine_module.engine_for(connection)
    calls = [  # rendered only now: rendering inside the spy would count as the run's Python
        (name, seconds, first if isinstance(first, str) else engine.render(first), params)
        if first
        else (name, seconds, "", params)
        for name, seconds, first, params in calls
    ]
    engine_module.Engine.drop_temporary = drop_temporary

    summary: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    planned: dict[str, float] = {}
    with engine.training_session():  # planned as the run planned them
        for name, seconds, sql, params in calls:
            kind = (
                kind_of(sql)
                if name in ("fetch", "fetch_prepared", "execute")
                else "run tables and parameters"
            )
            entry = summary[kind]
            entry[0] += 1
            entry[1] += seconds
            if name == "fetch_prepared" and sql not in planned:
                began = time.perf_counter()
                connection.execute("explain " + sql, params).fetchall()
                planned[sql] = time.perf_counter() - began
            if name == "fetch_prepared":
                entry[2] += planned[sql]
    for name in dropped:
        engine.drop_temporary(name)
    in_queries = sum(seconds for _, seconds, _, _ in calls)
    print(
        f"{problem.name}: {args.rows:,} rows × {args.features}"
        f"{f', {args.groups} groups' if args.groups else ''}; {run.iterations} iterations, "
        f"{total:.2f} s in train(), {in_queries:.2f} s in {len(calls)} engine calls, "
        f"{total - in_queries:.2f} s in Python"
    )
    print(f"{'kind':32s} {'calls':>5s} {'seconds':>8s} {'of which planning':>18s}")
    for kind, (count, seconds, planning) in sorted(summary.items(), key=lambda kv: -kv[1][1]):
        print(f"{kind:32s} {count:5d} {seconds:8.2f} {planning:18.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
