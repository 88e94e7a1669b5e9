"""The README's main job runs from the repository and prints the loss tables."""

from __future__ import annotations

import os
import subprocess
import sys

from support.dbt import ROOT


def test_demo_builds_the_example_warehouse_and_prints_loss_tables(tmp_path):
    environment = {**os.environ, "DBT_LOSS_EXAMPLE_PATH": str(tmp_path / "retail.duckdb"),
                   "COLUMNS": "160"}
    result = subprocess.run([sys.executable, str(ROOT / "example" / "demo.py")], env=environment,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Demand forecast against the seasonal-naive baseline" in result.stdout
    assert "huber(delta=10)" in result.stdout
    assert "binary_cross_entropy" in result.stdout
