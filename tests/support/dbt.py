"""Runs the integration_tests dbt project in-process, against a DuckDB file of the test's own."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_PROJECT = ROOT / "integration_tests"


class DbtProject:
    """One dbt project on one DuckDB file; target and logs go to a scratch folder."""

    def __init__(self, project_dir: Path, database: Path, scratch: Path, target: str = "duckdb"):
        self.project_dir = project_dir
        self.database = database
        self.scratch = scratch
        self.target = target

    def invoke(self, *args: str, vars: dict | None = None) -> dbtRunnerResult:
        """Runs dbt; the error-level log lines are kept on the result as `errors`."""
        os.environ["DBT_LOSS_DUCKDB_PATH"] = str(self.database)
        os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        os.environ["DBT_TARGET_PATH"] = str(self.scratch / "target")
        os.environ["DBT_LOG_PATH"] = str(self.scratch / "logs")
        command = [
            *args,
            "--project-dir",
            str(self.project_dir),
            "--profiles-dir",
            str(self.project_dir),
        ]
        if args and args[0] != "deps":
            command += ["--target", self.target]
        if vars:
            command += ["--vars", json.dumps(vars)]
        errors: list[str] = []

        def keep_errors(event) -> None:
            if event.info.level == "error":
                errors.append(event.info.msg)

        result = dbtRunner(callbacks=[keep_errors]).invoke(command)
        result.errors = errors
        return result

    def run(self, *args: str, vars: dict | None = None) -> dbtRunnerResult:
        """Invokes dbt and fails with dbt's own message when the command does not succeed."""
        result = self.invoke(*args, vars=vars)
        if not result.success:
            raise AssertionError(f"dbt {' '.join(args)} failed: {failure_text(result)}")
        return result

    def compile_inline(self, sql: str) -> dbtRunnerResult:
        return self.invoke("compile", "--inline", sql)

    def compiled_sql(self, model: str) -> str:
        matches = list((self.scratch / "target" / "compiled").rglob(f"{model}.sql"))
        assert matches, f"no compiled SQL for {model}"
        return matches[0].read_text()


def failure_text(result: dbtRunnerResult) -> str:
    """The error a user would read: the exception, or the messages of the failed nodes."""
    messages = list(getattr(result, "errors", []))
    if result.exception is not None:
        messages.append(str(result.exception))
    for node_result in getattr(result.result, "results", None) or []:
        if str(node_result.status) not in ("success", "pass"):
            messages.append(f"{node_result.node.name}: {node_result.message}")
    return "\n".join(messages)
