"""The runs a report shows, read back from the run tables: what was trained on which rows,
and the expressions that score those rows again in the warehouse. Every run is resolved and
checked before any plot's query runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from ..scoring import relation_types
from ..training.engine import Engine
from ..training.run_tables import RunTables
from ..training.trainer import TrainingRun, validation_rows
from .errors import ReportError, UnknownReportRunError


@dataclass
class ReportRun:
    """One run as the report needs it: its record in training_runs, its weights, the relation
    it was trained on and the predicate of its validation rows (None without a split)."""

    record: dict
    weights: list[tuple]
    source: exp.Expression
    validation: exp.Expression | None
    options: dict
    types: dict  # scoring.relation_types of `source`, for scoring.scored_relation

    @property
    def run_id(self) -> str:
        return self.record["run_id"]

    @property
    def label(self) -> str:
        return self.record["run_name"] or self.record["run_id"]

    @property
    def model(self) -> str:
        return self.record["model"]

    @property
    def target(self) -> str:
        return self.record["target"]

    @property
    def features(self) -> list[str]:
        return json.loads(self.record["features"] or "[]")

    @property
    def group_by(self) -> list[str]:
        return json.loads(self.record["group_by"] or "[]")

    @property
    def classes(self) -> list:
        return json.loads(self.record["classes"] or "[]")

    @property
    def validation_fraction(self) -> float:
        return float(self.options.get("validation_fraction") or 0.0)

    @property
    def sample_weight(self) -> str | None:
        return self.options.get("sample_weight")


def relation_of(record: dict, engine: Engine) -> exp.Expression:
    """The relation the run was trained on. training_runs keeps it as train() rendered it
    (quoted identifiers, or a subquery), so it is parsed back, not pasted into SQL."""
    text = record["relation"]
    try:
        if re.match(r"\s*(select|with)\b", text, re.IGNORECASE):  # trained on a query
            return sqlglot.parse_one(text, read=engine.dialect).subquery("relation")
        select = sqlglot.parse_one(f"SELECT * FROM {text}", read=engine.dialect)
    except sqlglot.errors.ParseError as error:
        raise ReportError(
            f"dbt_loss.report: run {record['run_id']!r} has a relation that does not parse: "
            f"{text!r}"
        ) from error
    return select.args["from_"].this


def _run_ids(runs) -> list:
    if isinstance(runs, (str, TrainingRun)):
        runs = [runs]
    if not isinstance(runs, (list, tuple)) or not runs:
        raise ReportError(
            "dbt_loss.report: argument 'runs' must name at least one run: a list of run ids, "
            f"names of succeeded runs or TrainingRun objects, got {runs!r}"
        )
    ids = []
    for run in runs:
        if isinstance(run, TrainingRun):
            run = run.run_id
        if not isinstance(run, str) or not run.strip():
            raise ReportError(
                f"dbt_loss.report: argument 'runs' must hold run ids or names, got {run!r}"
            )
        ids.append(run)
    return ids


def resolve_runs(engine: Engine, schema: str, runs) -> list[ReportRun]:
    """The runs, in the order given (a run named twice appears once), each one checked: known,
    not failed, with weights to score with."""
    tables = RunTables(engine, schema)
    wanted = _run_ids(runs)
    if not tables.exists():
        raise UnknownReportRunError(
            f"dbt_loss.report: argument 'runs' names run {wanted[0]!r}, but schema {schema!r} "
            "has no run tables (training_runs); train a model first or name the schema"
        )
    resolved: dict[str, ReportRun] = {}
    for run in wanted:
        record = tables.find(run)
        if record is None:
            raise UnknownReportRunError(
                f"dbt_loss.report: argument 'runs' names an unknown run {run!r}: no run of that "
                f"id, and no succeeded run of that name, in schema {schema!r}"
            )
        if record["run_id"] in resolved:
            continue
        if record["status"] == "failed":
            raise ReportError(
                f"dbt_loss.report: argument 'runs' names run {run!r}, which failed "
                f"({record['message'] or 'no message'}); report on a run that trained"
            )
        weights = tables.weights(record["run_id"])
        if not weights:
            raise ReportError(
                f"dbt_loss.report: argument 'runs' names run {run!r} ({record['status']}), "
                "which has no weights yet to score its rows with"
            )
        options = json.loads(record["options"] or "{}")
        features = json.loads(record["features"] or "[]")
        fraction = options.get("validation_fraction") or 0.0
        source = relation_of(record, engine)
        resolved[record["run_id"]] = ReportRun(
            record=record,
            weights=weights,
            source=source,
            validation=validation_rows(engine, features, record["target"], fraction),
            options=options,
            types=relation_types(engine, source),
        )
    return list(resolved.values())
