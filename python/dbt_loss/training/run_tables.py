"""The tables a training run leaves for BI, in the run's schema (created if missing):

- training_runs: one row per run, its settings, status and final losses;
- training_history: one row per iteration (objective, losses, gradient norm, step, time),
  like BigQuery ML's ML.TRAINING_INFO;
- training_weights: the latest weights in raw feature units, one row per group, class and
  feature, intercept included. During a run they are the checkpoint `resume=` starts from.

Every checkpoint is one transaction: a crash leaves the previous checkpoint whole. Checkpoints
are written at most every Engine.checkpoint_seconds (every iteration on PostgreSQL, every
second on DuckDB, every 10 s on Spark, where each write is a job of its own) and hold every
iteration since the last.
How a run's rows are created, replaced and updated is the engine's (engine.py): Spark, which
has no transactions and no DELETE on Parquet, partitions the tables by run_id instead.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlglot import exp

from .engine import Engine

RUNS, HISTORY, WEIGHTS = "training_runs", "training_history", "training_weights"

COLUMNS = {
    RUNS: [
        ("run_id", "varchar"),
        ("run_name", "varchar"),
        ("model", "varchar"),
        ("loss", "varchar"),
        ("options", "varchar"),
        ("relation", "varchar"),
        ("target", "varchar"),
        ("features", "varchar"),
        ("group_by", "varchar"),
        ("classes", "varchar"),
        ("status", "varchar"),
        ("message", "varchar"),
        ("started_at", "timestamp"),
        ("finished_at", "timestamp"),
        ("iterations", "integer"),
        ("objective", "double"),
        ("train_loss", "double"),
        ("validation_loss", "double"),
    ],
    HISTORY: [
        ("run_id", "varchar"),
        ("iteration", "integer"),
        ("objective", "double"),
        ("train_loss", "double"),
        ("validation_loss", "double"),
        ("gradient_norm", "double"),
        ("step_size", "double"),
        ("elapsed_seconds", "double"),
    ],
    WEIGHTS: [
        ("run_id", "varchar"),
        ("group_key", "varchar"),
        ("class", "varchar"),
        ("feature", "varchar"),
        ("source_column", "varchar"),
        ("category", "varchar"),
        ("weight", "double"),
    ],
}


class RunTables:
    def __init__(self, engine: Engine, schema: str):
        self.engine = engine
        self.schema = schema

    def table(self, name: str) -> exp.Table:
        return exp.table_(name, db=self.schema, quoted=True)

    def create(self) -> None:
        self.engine.execute(
            exp.Create(this=exp.to_identifier(self.schema, quoted=True), kind="SCHEMA", exists=True)
        )
        for name, columns in COLUMNS.items():
            self.engine.create_table(self.table(name), columns, key="run_id")

    def _where_run(self, run_id: str) -> exp.Expression:
        return exp.column("run_id", quoted=True).eq(exp.Literal.string(run_id))

    def start(self, run: dict) -> None:
        columns = [c for c, _ in COLUMNS[RUNS]]
        row = {**run, "status": "running", "started_at": now(), "iterations": 0}
        with self.engine.transaction():
            self.engine.insert_rows(self.table(RUNS), columns, [tuple(row.get(c) for c in columns)])

    def checkpoint(
        self, run_id: str, history: list[dict], weights: list[tuple], summary: dict
    ) -> None:
        """The iterations since the last checkpoint: their history rows, the weights after the
        last of them, and the run's progress, in this order (on an engine without
        transactions, the run's row is written last)."""
        with self.engine.transaction():
            self._insert_history(run_id, history)
            self._replace_weights(run_id, weights)
            self._update(run_id, summary)

    def finish(
        self,
        run_id: str,
        status: str,
        summary: dict,
        weights: list[tuple] | None,
        history: list[dict] = (),
    ) -> None:
        """The run's end: the iterations not yet written, its final weights and its row."""
        with self.engine.transaction():
            self._insert_history(run_id, history)
            if weights is not None:
                self._replace_weights(run_id, weights)
            self._update(run_id, {**summary, "status": status, "finished_at": now()})

    def _insert_history(self, run_id: str, history: list[dict]) -> None:
        columns = [c for c, _ in COLUMNS[HISTORY]]
        self.engine.insert_rows(
            self.table(HISTORY),
            columns,
            [tuple({"run_id": run_id, **row}.get(c) for c in columns) for row in history],
        )

    def _replace_weights(self, run_id: str, weights: list[tuple]) -> None:
        columns = [c for c, _ in COLUMNS[WEIGHTS]]
        self.engine.replace_rows(
            self.table(WEIGHTS), "run_id", run_id, columns, [(run_id, *w) for w in weights]
        )

    def _update(self, run_id: str, values: dict) -> None:
        self.engine.update_rows(self.table(RUNS), "run_id", run_id, values)

    def run(self, run_id: str) -> dict | None:
        columns = [c for c, _ in COLUMNS[RUNS]]
        query = (
            exp.select(*[exp.column(c, quoted=True) for c in columns])
            .from_(self.table(RUNS))
            .where(self._where_run(run_id))
        )
        rows = self.engine.fetch(query)
        if not rows:
            return None
        return dict(zip(columns, rows[0], strict=True))

    def find(self, run: str) -> dict | None:
        """A run by id, or the latest succeeded run of that name."""
        found = self.run(run)
        if found:
            return found
        query = (
            exp.select(exp.column("run_id", quoted=True))
            .from_(self.table(RUNS))
            .where(
                exp.and_(
                    exp.column("run_name", quoted=True).eq(exp.Literal.string(run)),
                    exp.column("status", quoted=True).eq(exp.Literal.string("succeeded")),
                )
            )
            .order_by(exp.Ordered(this=exp.column("started_at", quoted=True), desc=True))
            .limit(1)
        )
        rows = self.engine.fetch(query)
        return self.run(rows[0][0]) if rows else None

    def weights(self, run_id: str) -> list[tuple]:
        columns = [c for c, _ in COLUMNS[WEIGHTS]][1:]
        query = (
            exp.select(*[exp.column(c, quoted=True) for c in columns])
            .from_(self.table(WEIGHTS))
            .where(self._where_run(run_id))
        )
        return self.engine.fetch(query)

    def exists(self) -> bool:
        return self.engine.table_exists(self.schema, RUNS)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def dumps(value) -> str:
    return json.dumps(value, default=str, sort_keys=True)
