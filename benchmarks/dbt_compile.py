"""Compiles a dbt_loss macro call to SQL with dbt itself, in a scratch dbt project (in the run's
temporary folder) that has this checkout as its dbt_loss package: the benchmark times the SQL
a user's model would run, not a copy of it."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from .measure import ROOT

PROJECT = """name: dbt_loss_benchmarks
version: "0.1.0"
config-version: 2
profile: dbt_loss_benchmarks
flags:
  send_anonymous_usage_stats: false
"""
PROFILES = """dbt_loss_benchmarks:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: ":memory:"
      threads: 1
"""


def compile_inline(workdir: Path, code: str) -> str:
    from dbt.cli.main import dbtRunner

    project = workdir / "dbt_project"
    packages = project / "dbt_packages"
    packages.mkdir(parents=True, exist_ok=True)
    (project / "dbt_project.yml").write_text(PROJECT)
    (project / "profiles.yml").write_text(PROFILES)
    link = packages / "dbt_loss"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)  # what `dbt deps` does for a local package
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DBT_TARGET_PATH"] = str(project / "target")
    os.environ["DBT_LOG_PATH"] = str(project / "logs")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # `compile --inline` prints the SQL
        result = dbtRunner().invoke(
            [
                "compile",
                "--inline",
                code,
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
                "--quiet",
            ]
        )
    if not result.success:
        raise RuntimeError(f"dbt compile failed: {result.exception}\n{printed.getvalue()}")
    return result.result.results[0].node.compiled_code
