"""The README's main job runs from the repository and prints the loss tables, the models it
trained inside `dbt build`, the loss history and the data test outcomes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from support.dbt import ROOT


def run_demo(tmp_path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DBT_LOSS_EXAMPLE_PATH": str(tmp_path / "retail.duckdb"),
        "COLUMNS": "160",
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "example" / "demo.py")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_builds_the_example_warehouse_and_prints_loss_tables(tmp_path):
    result = run_demo(tmp_path)
    output = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Demand forecast against the seasonal-naive baseline" in output
    assert "huber(delta=10)" in output
    assert "binary_cross_entropy" in output

    # the models trained by the Python model, and scored against the hand-made ones
    assert "Models trained inside dbt build" in output
    for run_name, loss in [("demand_huber", "huber"), ("churn_logistic", "binary_cross_entropy")]:
        assert re.search(rf"{run_name}\W+\w+\W+{loss}\W+succeeded\W+\d+\W+[\d.]+", output), output
    assert "Trained models against the hand-made ones" in output
    assert "Loss history: forecast_loss_history holds 32 rows, 1 evaluation(s)" in output

    # data tests: some pass, the severity-warn ones warn with their failing groups
    assert re.search(r"demand_forecast_beats_seasonal_naive\W+PASS\W+0", output), output
    assert re.search(r"demand_huber_beats_seasonal_naive\W+PASS\W+0", output), output
    assert re.search(
        r"legacy_churn_log_loss_below_0_5\W+WARN\W+2\W+plan=basic; plan=pro", output
    ), output
    assert not re.search(r"\W(FAIL|ERROR)\W", output), output

    # a second build retrains, scores the new runs and appends to the history
    again = run_demo(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Loss history: forecast_loss_history holds 64 rows, 2 evaluation(s)" in again.stdout
    assert re.search(r"demand_forecast_mae_within_history\W+PASS\W+0", again.stdout), again.stdout
