"""The `dbt-loss` command line: every option reaches train() under its own name (and options
left out do not reach it at all), the JSON is the run dbt_loss.train returns, progress and
summaries are printed, and each kind of failure has its exit code and a one-line message."""

from __future__ import annotations

import importlib
import json
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import dbt_loss
from dbt_loss.cli import app
from dbt_loss.cli.summary import weights_table

cli_train = importlib.import_module("dbt_loss.cli.train")
cli_progress = importlib.import_module("dbt_loss.cli.progress")

TRAIN = "train --relation data --target y --features x0,x1"


@pytest.fixture
def database(tmp_path) -> Path:
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["x0", "x1", "x2"])
    frame["y"] = frame.to_numpy() @ [1.0, -2.0, 0.5] + 3 + rng.normal(0, 0.5, n)
    frame["region"] = rng.choice(["north", "south"], n)
    frame["label"] = (frame.y > 3).astype(int)
    frame["plan"] = rng.integers(0, 3, n)
    frame["count"] = rng.poisson(3, n)
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.register("frame", frame)
        connection.execute("create table data as select * from frame")
    return path


def invoke(database: Path, command: str):
    """Runs `dbt-loss <command> --database <database>` in-process; the command as a shell
    user types it."""
    return CliRunner().invoke(app, [*shlex.split(command), "--database", str(database)])


def fake_run() -> dbt_loss.TrainingRun:
    return dbt_loss.TrainingRun(
        run_id="r1",
        run_name=None,
        status="succeeded",
        model="linear",
        loss="mse",
        iterations=1,
        objective=0.0,
        train_loss=0.0,
        validation_loss=None,
        weights={"intercept": 0.0, "x0": 1.0},
        features=["x0"],
    )


@pytest.fixture
def recorded(monkeypatch) -> list[dict]:
    """The arguments the command passes to dbt_loss.train, which is not run."""
    calls = []

    def record(connection, relation, **kwargs):
        calls.append({"relation": relation, **kwargs})
        return fake_run()

    monkeypatch.setattr(cli_train, "train_model", record)
    return calls


def test_every_option_reaches_train_under_its_own_name(database, recorded):
    command = """train --relation main.data --target label --features 'x0, x1' --feature x2
        --model logistic --loss focal --l2 0.5 --l1 0.25 --sample-weight count
        --class-weight '{"0": 1, "1": 3.5}' --optimizer adam --max-iter 7 --tol 1e-6
        --validation-fraction 0.2 --early-stopping-rounds 3 --no-standardize
        --group-by region,plan --learning-rate 0.01 --batch-size 64 --delta 2 --alpha 0.3
        --gamma 1.5 --label-smoothing 0.1 --run-name all --schema runs --resume abc --json"""
    result = invoke(database, command)
    assert result.exit_code == 0, result.output
    assert recorded == [
        {
            "relation": "main.data",
            "target": "label",
            "features": ["x0", "x1", "x2"],
            "model": "logistic",
            "loss": "focal",
            "l2": 0.5,
            "l1": 0.25,
            "sample_weight": "count",
            "class_weight": {"0": 1, "1": 3.5},
            "optimizer": "adam",
            "max_iter": 7,
            "tol": 1e-6,
            "validation_fraction": 0.2,
            "early_stopping_rounds": 3,
            "standardize": False,
            "group_by": ["region", "plan"],
            "learning_rate": 0.01,
            "batch_size": 64,
            "delta": 2.0,
            "alpha": 0.3,
            "gamma": 1.5,
            "label_smoothing": 0.1,
            "run_name": "all",
            "schema": "runs",
            "resume": "abc",
        }
    ]


def test_options_left_out_are_not_passed(database, recorded):
    assert invoke(database, f"{TRAIN} --model linear --json").exit_code == 0
    assert recorded[0] == {
        "relation": "data",
        "target": "y",
        "features": ["x0", "x1"],
        "model": "linear",
    }
    assert invoke(database, f"{TRAIN} --model linear").exit_code == 0
    assert set(recorded[1]) == {"relation", "target", "features", "model", "progress"}


def test_json_is_the_run_train_returns(database):
    options = "--model linear --loss huber --delta 0.8 --l2 0.01 --validation-fraction 0.2"
    result = invoke(database, f"{TRAIN} --feature x2 {options} --group-by region --json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    with duckdb.connect(str(database)) as connection:
        run = dbt_loss.train(
            connection,
            "data",
            target="y",
            features=["x0", "x1", "x2"],
            model="linear",
            loss="huber",
            delta=0.8,
            l2=0.01,
            validation_fraction=0.2,
            group_by=["region"],
        )
    assert document["weights"] == {str(group): weights for group, weights in run.weights.items()}
    for name in ("status", "model", "loss", "iterations", "train_loss", "validation_loss"):
        assert document[name] == getattr(run, name)
    assert document["run_id"] != run.run_id
    assert {"run_name", "objective", "message", "elapsed_seconds"} <= set(document)


def test_softmax_class_weight_keys_become_the_integer_classes(database):
    options = """--model softmax --class-weight '{"0": 1, "1": 2, "2": 0.5}' --max-iter 3"""
    result = invoke(database, f"{TRAIN} --target plan {options} --json")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(database)) as connection:
        run = dbt_loss.train(
            connection,
            "data",
            target="plan",
            features=["x0", "x1"],
            model="softmax",
            class_weight={0: 1, 1: 2, 2: 0.5},
            max_iter=3,
        )
    assert json.loads(result.stdout)["weights"] == {str(c): w for c, w in run.weights.items()}


def test_progress_then_summary_tables(database):
    result = invoke(database, f"{TRAIN} --model linear --validation-fraction 0.25")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(database)) as connection:
        run_id, iterations, train_loss, validation_loss = connection.execute(
            "select run_id, iterations, train_loss, validation_loss from dbt_loss.training_runs"
        ).fetchone()
    assert f"iteration {iterations}" in result.stderr
    assert "train loss" in result.stderr and "validation loss" in result.stderr
    assert f"{validation_loss:.6g}" in result.stdout and f"{train_loss:.6g}" in result.stdout
    for text in (f"Training run {run_id}", "succeeded", "Weights", "intercept", "x0", "x1"):
        assert text in result.stdout


def test_many_weights_are_capped_with_a_note():
    run = fake_run()
    run.group_by, run.classes = ["store"], ["a", "b"]
    run.weights = {(s,): {c: {f"x{i}": 1.0 for i in range(10)} for c in "ab"} for s in range(5)}
    console = Console(width=100, record=True)
    console.print(weights_table(run, limit=30))
    text = console.export_text()
    assert "store" in text and "class" in text and "70 more of 100 weights not shown" in text


def test_runs_lists_runs_newest_first(database):
    assert "No training runs" in invoke(database, "runs").stderr
    assert json.loads(invoke(database, "runs --json").stdout) == []
    for name in ("first", "second"):
        assert invoke(database, f"{TRAIN} --model linear --run-name {name}").exit_code == 0
    listed = json.loads(invoke(database, "runs --json").stdout)
    assert [r["run_name"] for r in listed] == ["second", "first"]
    assert listed[0]["status"] == "succeeded" and listed[0]["iterations"] > 0
    result = invoke(database, "runs --limit 1")
    assert result.exit_code == 0
    assert listed[0]["run_id"] in result.stdout and listed[1]["run_id"] not in result.stdout
    assert "more with --limit" in result.stdout


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (f"{TRAIN} --model linear --loss huber --delta 0", "'delta'"),
        (f"{TRAIN} --model linear --validation-fraction 2", "--validation-fraction"),
        (f"{TRAIN} --model linear --feature nope", "'nope'"),
        (f"{TRAIN} --model linear --loss hinge", "hinge"),
        (f"{TRAIN} --model tree", "--model"),
        (f"{TRAIN} --model logistic --class-weight '{{oops'", "--class-weight"),
        ("train --relation data --target y --model linear", "--features"),
        ("train --relation nope --target y --features x0 --model linear", "nope"),
        (f"{TRAIN} --model linear --resume nosuch", "nosuch"),
        ("predict --run nosuch --relation data --output out", "nosuch"),
    ],
)
def test_bad_input_exits_2_naming_it(database, command, named):
    result = invoke(database, command)
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "Traceback" not in result.output


def test_missing_database_exits_2_and_is_not_created(tmp_path):
    missing = tmp_path / "missing.duckdb"
    for command in (f"{TRAIN} --model linear", "runs"):
        result = invoke(missing, command)
        assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not missing.exists()


def test_failed_run_exits_1(database):
    options = "--model poisson --optimizer adam --learning-rate 1e6 --max-iter 50"
    result = invoke(database, f"{TRAIN} --target count {options} --json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["status"] == "failed" and "diverged" in document["message"]


def test_interrupt_exits_130_and_the_run_resumes(database, monkeypatch):
    original = cli_progress.TrainingProgress.__call__

    def interrupt_at_3(self, history):
        original(self, history)
        if history["iteration"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_progress.TrainingProgress, "__call__", interrupt_at_3)
    slow = f"{TRAIN} --model linear --optimizer gd --max-iter 40 --tol 1e-300"
    result = invoke(database, slow)
    assert result.exit_code == 130
    with duckdb.connect(str(database)) as connection:
        run_id, status = connection.execute(
            "select run_id, status from dbt_loss.training_runs"
        ).fetchone()
    assert status == "interrupted"
    assert f"interrupted; resume with --resume {run_id}" in result.stderr
    document = json.loads(invoke(database, f"{slow} --resume {run_id} --json").stdout)
    assert document["run_id"] == run_id and document["iterations"] > 3


def test_predict_writes_the_scored_table(database):
    assert invoke(database, f"{TRAIN} --model linear --run-name m --json").exit_code == 0
    predict = "predict --run m --relation data --output scored --json"
    document = json.loads(invoke(database, predict).stdout)
    assert document["rows"] == 300 and document["columns"][-1] == "prediction"
    assert invoke(database, predict).exit_code == 2  # the table exists
    assert invoke(database, f"{predict} --replace").exit_code == 0
    with duckdb.connect(str(database)) as connection:
        expected = dbt_loss.predict(connection, "m", "data").order("x0").df().prediction
        written = connection.sql("select prediction from scored order by x0").df().prediction
    assert np.array_equal(expected.to_numpy(), written.to_numpy())


def test_the_installed_script_runs(database):
    script = Path(sys.executable).with_name("dbt-loss")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dbt_loss.cli"]
    arguments = shlex.split(
        f"{TRAIN} --model linear --json --database {shlex.quote(str(database))}"
    )
    completed = subprocess.run([*command, *arguments], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["status"] == "succeeded"
