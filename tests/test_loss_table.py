"""loss_table and the table-level metrics: values against the references, the additive parts
BI re-aggregates, and the two-pass and seasonal-naive metrics against scikit-learn, sktime and
utilsforecast."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import explained_variance_score, r2_score

from support.compare import assert_agrees
from support.dbt import failure_text
from support.references import REGRESSION, expected

REGRESSION_CASE_IDS = [
    "random",
    "positive",
    "integer_weights",
    "zero_weights",
    "large_targets",
    "nulls",
    "zero_actuals",
    "huge_residuals",
    "constant_perfect",
    "constant_imperfect",
    "single_row",
    "all_zero_weights",
]


def by_key(rows, *keys):
    return {tuple(row[k] for k in keys): row for row in rows}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_loss_table_matches_references_and_counts_rows(engine_warehouse, weighted):
    table = by_key(
        engine_warehouse.model("regression_loss_table" + ("_weighted" if weighted else "")),
        "case_id",
        "metric",
    )
    source = engine_warehouse.tables["regression_cases"]
    for case in REGRESSION:
        for case_id, rows in source.groupby("case_id"):
            row = table[(case_id, case.column)]
            assert row["metric_name"] == case.macro
            if case_id not in case.ill_conditioned:
                assert_agrees(
                    row["value"],
                    expected(case, rows, weighted),
                    f"loss_table.{case.column}[{case_id}]",
                )
            used = rows.dropna(subset=["actual", "predicted"] + (["weight"] if weighted else []))
            if weighted:
                used = used[used.weight != 0]
            assert row["row_count"] == len(used), (case_id, case.column)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("metric", ["r2_score", "explained_variance"])
def test_two_pass_metrics_match_scikit_learn(engine_warehouse, metric, weighted):
    table = by_key(
        engine_warehouse.model("regression_loss_table" + ("_weighted" if weighted else "")),
        "case_id",
        "metric",
    )
    reference = {"r2_score": r2_score, "explained_variance": explained_variance_score}[metric]
    for case_id, rows in engine_warehouse.tables["regression_cases"].groupby("case_id"):
        used = rows.dropna(subset=["actual", "predicted"] + (["weight"] if weighted else []))
        w = used.weight.to_numpy() if weighted else None
        if used.empty or (w is not None and w.sum() == 0):
            want = None
        else:
            want = float(reference(used.actual, used.predicted, sample_weight=w))
        assert_agrees(table[(case_id, metric)]["value"], want, f"{metric}[{case_id}]")


def test_r2_at_targets_near_1e9_keeps_its_digits(engine_warehouse):
    """Σy² − (Σy)²/n would return noise here; the two-pass form agrees with scikit-learn."""
    rows = engine_warehouse.tables["regression_cases"].query("case_id == 'large_targets'")
    (ours,) = [
        r["value"]
        for r in engine_warehouse.model("r2_score_by_case")
        if r["case_id"] == "large_targets"
    ]
    want = r2_score(rows.actual, rows.predicted, sample_weight=rows.weight)
    assert 0.5 < want < 0.9  # a meaningful R², not 1 − noise
    assert_agrees(ours, float(want), "r2_score[large_targets]")


def test_standalone_table_level_macros_equal_loss_table(engine_warehouse):
    weighted = by_key(engine_warehouse.model("regression_loss_table_weighted"), "case_id", "metric")
    unweighted = by_key(engine_warehouse.model("regression_loss_table"), "case_id", "metric")
    for row in engine_warehouse.model("r2_score_by_case"):
        assert row["metric"] == "r2_score"
        assert_agrees(row["value"], weighted[(row["case_id"], "r2_score")]["value"], "r2_score()")
    for row in engine_warehouse.model("explained_variance_by_case"):
        assert_agrees(
            row["value"],
            unweighted[(row["case_id"], "explained_variance")]["value"],
            "explained_variance()",
        )


def test_additive_parts_reaggregate_across_groups(engine_warehouse):
    """What a BI tool does: Σ loss_sum / Σ weight_sum over groups equals the ungrouped value."""
    grouped = engine_warehouse.model("regression_loss_table_weighted")
    overall = {
        row["metric"]: row for row in engine_warehouse.model("regression_loss_table_overall")
    }
    wanted = {"random", "positive", "zero_actuals"}
    parts = pd.DataFrame([r for r in grouped if r["case_id"] in wanted])
    for alias, name in [
        ("mse", "mse"),
        ("mae", "mae"),
        ("huber_10", "huber_d10"),
        ("wape", "wape"),
    ]:
        subset = parts[parts.metric == name]
        value = subset.loss_sum.sum() / subset.weight_sum.sum()
        assert_agrees(overall[alias]["value"], float(value), f"re-aggregated {alias}")
        assert overall[alias]["row_count"] == subset.row_count.sum()
    rmse = parts[parts.metric == "mse"]
    assert_agrees(
        overall["rmse"]["value"],
        math.sqrt(rmse.loss_sum.sum() / rmse.weight_sum.sum()),
        "re-aggregated rmse",
    )
    assert overall["huber_10"]["metric_name"] == "huber"


def test_empty_relation_gives_null_values_and_zero_rows(engine_warehouse):
    rows = engine_warehouse.model("regression_loss_table_empty")
    assert sorted(r["metric"] for r in rows) == ["mse", "r2_score"]
    for row in rows:
        assert row["value"] is None and row["row_count"] == 0


def _series(engine_warehouse):
    frame = engine_warehouse.tables["series_cases"]
    for series_id, rows in frame.groupby("series_id"):
        rows = rows.sort_values("t")
        train = rows[rows.predicted.isna()]
        test = rows[rows.predicted.notna()]
        yield series_id, train, test


@pytest.mark.parametrize("season_length", [1, 7])
def test_mase_matches_sktime(engine_warehouse, season_length):
    from sktime.performance_metrics.forecasting import mean_absolute_scaled_error

    table = by_key(engine_warehouse.model("series_loss_table"), "series_id", "metric")
    standalone = by_key(engine_warehouse.model("mase_by_series"), "series_id")
    for series_id, train, test in _series(engine_warehouse):
        want = float(
            mean_absolute_scaled_error(
                test.actual.to_numpy(),
                test.predicted.to_numpy(),
                y_train=train.actual.to_numpy(),
                sp=season_length,
            )
        )
        row = table[(series_id, f"mase_{season_length}")]
        assert_agrees(row["value"], want, f"mase_{season_length}[{series_id}]")
        if season_length == 7:
            assert_agrees(standalone[(series_id,)]["value"], want, f"mase()[{series_id}]")
    flat = table[("flat", f"mase_{season_length}")]
    assert flat["scale"] == 0 and flat["value"] > 1e10  # a flat series: huge, finite


@pytest.mark.parametrize("season_length", [1, 7])
def test_rmsse_matches_utilsforecast(engine_warehouse, season_length):
    from utilsforecast.losses import rmsse

    table = by_key(engine_warehouse.model("series_loss_table"), "series_id", "metric")
    standalone = by_key(engine_warehouse.model("rmsse_by_series"), "series_id")
    for series_id, train, test in _series(engine_warehouse):
        df = pd.DataFrame(
            {"unique_id": series_id, "ds": test.t, "y": test.actual, "model": test.predicted}
        )
        train_df = pd.DataFrame({"unique_id": series_id, "ds": train.t, "y": train.actual})
        want = float(
            rmsse(df, models=["model"], seasonality=season_length, train_df=train_df)["model"].iloc[
                0
            ]
        )
        ours = table[(series_id, f"rmsse_{season_length}")]["value"]
        if not np.isfinite(want):  # a flat training series: utilsforecast divides by zero
            assert series_id == "flat" and ours is None
            continue
        assert_agrees(ours, want, f"rmsse_{season_length}[{series_id}]")
        if season_length == 7:
            assert_agrees(standalone[(series_id,)]["value"], want, f"rmsse()[{series_id}]")


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("grouped", [False, True], ids=["ungrouped", "grouped"])
def test_constant_target_is_detected_exactly_where_its_mean_rounds(dbt_project, grouped, weighted):
    """y = 0.1 on every counted row: the weighted Σy/Σw is not exactly 0.1, and centring on
    it would leave Σ(y − ȳ)² near 1e-33 instead of 0, so an imperfect forecast's R² would be
    about −1e30. Both metrics depend only on the residuals and on y − ȳ: the reference is
    scikit-learn with y − 0.1 (exactly 0) as the target and the same residuals. Rows of
    zero weight, whose y differs, do not count."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"g": ["perfect"] * 10 + ["imperfect"] * 10, "y": 0.1})
    frame["p"] = frame.y + np.where(frame.g == "perfect", 0.0, rng.normal(0, 1, len(frame)))
    frame["w"] = rng.uniform(0.5, 2.0, len(frame))
    frame.loc[::5, ["w", "y"]] = [0.0, 7.0]
    if not weighted:
        frame = frame[frame.w != 0]
    weight = ", weight='w'" if weighted else ""
    values = {}
    for case, subset in frame.groupby("g"):
        scope = ", group_by=['g']" if grouped else f", row_condition=\"g = '{case}'\""
        result = dbt_project.compile_inline(
            "{{ dbt_loss.loss_table('frame', 'y', 'p', "
            f"metrics=['r2_score', 'explained_variance']{scope}{weight}) }}}}"
        )
        assert result.success, failure_text(result)
        with duckdb.connect() as connection:
            connection.register("frame", frame)
            sql = result.result.results[0].node.compiled_code
            for row in connection.execute(sql).fetchall():
                group, metric, value = (
                    (row[0], row[1], row[3]) if grouped else (case, *row[:1], row[2])
                )
                values[(group, metric)] = value
        counted = subset[subset.w != 0]
        w = counted.w if weighted else None
        residual = counted.p - counted.y
        zero = np.zeros(len(counted))
        for metric, reference in [
            ("r2_score", r2_score),
            ("explained_variance", explained_variance_score),
        ]:
            want = float(reference(zero, residual, sample_weight=w))
            assert want in (0.0, 1.0)  # scikit-learn's force_finite: its y − ȳ is exactly 0
            assert_agrees(values[(case, metric)], want, f"{metric}[{case}]")
