"""The README's main job runs from the repository and prints the loss tables, the models it
trained inside `dbt build`, a loss chosen by select_loss, a training report, the loss history
and the data test outcomes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb

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

    # a loss chosen by select_loss, and a report on the trained runs and the winner
    assert "Choosing the demand loss" in output
    with duckdb.connect(str(tmp_path / "retail.duckdb"), read_only=True) as connection:
        candidates, winners, statuses = connection.execute(
            "select count(*), count(*) filter (where is_winner), count(distinct r.status) "
            "from dbt_loss.loss_selection join dbt_loss.training_runs r using (run_id)"
        ).fetchone()
    assert (candidates, winners, statuses) == (6, 1, 1)
    assert (tmp_path / "report" / "report.html").stat().st_size > 0
    assert len(list((tmp_path / "report").glob("*.png"))) >= 9
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
