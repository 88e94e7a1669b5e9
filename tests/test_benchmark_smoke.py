"""The benchmark suite (benchmarks/, `python -m benchmarks`) at its smoke size, so it cannot rot:
every case runs and both sides' answers agree. No timing is asserted; the targets are the
benchmark's to measure and report (docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "loss_metrics": 2,  # vs hand-written SQL, vs export + scikit-learn
    "gradient_pass": 2,  # linear, logistic
    "time_to_optimum": 4,  # ridge, linear-huber, logistic, softmax
    "scaling": None,  # one row per size and the peak-RSS summary
    "per_group": 2,  # logistic, ridge
    "convergence": 3,  # linear-mse, linear-huber, logistic
}


def test_benchmark_suite_runs_and_answers_agree(tmp_path):
    out = tmp_path / "smoke.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "smoke", "--jobs", "2", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    document = json.loads(out.read_text())
    assert document["failures"] == []
    results = document["results"]
    by_case: dict[str, list[dict]] = {}
    for result in results:
        by_case.setdefault(result["case"], []).append(result)
    assert set(by_case) == set(EXPECTED)
    for case, count in EXPECTED.items():
        if count is not None:
            assert len(by_case[case]) == count, (case, by_case[case])
    assert sum(r["target"] == "±10 %" for r in by_case["scaling"]) == 1  # the RSS summary
    for result in results:
        where = f"{result['case']} / {result['variant']}"
        if result["case"] == "scaling" and "rows" not in result["details"]:
            assert result["ratio"] > 0, where  # a peak-RSS summary: no answers to compare
            continue
        assert result["agree"] is True, (where, result["agreement"])
        assert result["ours_s"] > 0 and result["ours_rss_mb"] > 0, where
        assert result["peer_s"] > 0 and result["peer_rss_mb"] > 0, where
    # the loss values themselves: loss_table equals the hand-written SQL and scikit-learn
    for result in by_case["loss_metrics"]:
        for metric, value in result["details"]["loss_table"].items():
            other = result["details"]["peer_values"][metric]
            assert abs(value - other) <= 1e-9 * abs(other), (metric, value, other)
    # time to optimum: both sides at the same objective
    for result in by_case["time_to_optimum"] + by_case["convergence"]:
        details = result["details"]
        assert details["status"] == "succeeded", details["message"]
        assert details["objective_relative_difference"] <= 1e-6, result["variant"]
    assert document["environment"]["blas"], "the BLAS kernel numpy runs is recorded"
