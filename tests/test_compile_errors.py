"""Bad arguments fail when the model compiles, with a message naming the macro, the argument
and what was wrong, instead of a database error at run time."""

from __future__ import annotations

import pytest

from support.dbt import failure_text

BAD_CALLS = {
    "unknown metric": (
        "{{ dbt_loss.loss_table('t', 'y', 'p', metrics=['mse', 'msee']) }}",
        ["loss_table", "metrics", "unknown metric 'msee'"],
    ),
    "unknown metric parameter": (
        "{{ dbt_loss.loss_table('t', 'y', 'p', metrics=[{'name': 'huber', 'delt': 2}]) }}",
        ["loss_table", "has no parameter 'delt'", "delta"],
    ),
    "missing metric parameter": (
        "{{ dbt_loss.loss_table('t', 'y', 'p', metrics=['coverage']) }}",
        ["loss_table", "coverage", "needs the parameter 'lower'"],
    ),
    "no metrics": ("{{ dbt_loss.loss_table('t', 'y', 'p', metrics=[]) }}", ["at least one metric"]),
    "duplicate metric": (
        "{{ dbt_loss.loss_table('t', 'y', 'p', metrics=['mse', 'mse']) }}",
        ["listed twice", "alias"],
    ),
    "zero delta": ("select {{ dbt_loss.huber('y', 'p', delta=0) }}", ["huber", "'delta'", "> 0"]),
    "negative delta": (
        "select {{ dbt_loss.pseudo_huber('y', 'p', delta=-1) }}",
        ["pseudo_huber", "'delta'", "> 0", "-1"],
    ),
    "delta not a number": (
        "select {{ dbt_loss.huber('y', 'p', delta='ten') }}",
        ["huber", "'delta'", "must be a number"],
    ),
    "infinite delta": (  # through var(): Jinja folds a constant inf into code it cannot run
        "select {{ dbt_loss.huber('y', 'p', delta=(var('no_such_var', 'inf') | float)) }}",
        ["huber", "'delta'", "must be finite, got inf"],
    ),
    "zero scale": (
        "select {{ dbt_loss.general_robust_loss('y', 'p', alpha=1, scale=0) }}",
        ["general_robust_loss", "'scale'", "> 0"],
    ),
    "alpha above 1": (
        "select {{ dbt_loss.quantile_loss('y', 'p', alpha=1.5) }}",
        ["quantile_loss", "'alpha'", "<= 1", "1.5"],
    ),
    "alpha below 0": (
        "select {{ dbt_loss.quantile_loss('y', 'p', alpha=-0.1) }}",
        ["quantile_loss", "'alpha'", ">= 0"],
    ),
    "focal alpha above 1": (
        "select {{ dbt_loss.focal_loss('y', 'x', alpha=2) }}",
        ["focal_loss", "'alpha'", "<= 1"],
    ),
    "empty probabilities": (
        "select {{ dbt_loss.categorical_cross_entropy('y', {}) }}",
        ["categorical_cross_entropy", "'probabilities'", "non-empty mapping"],
    ),
    "empty logits": (
        "select {{ dbt_loss.categorical_cross_entropy_with_logits('y', {}) }}",
        ["categorical_cross_entropy_with_logits", "'logits'", "non-empty mapping"],
    ),
    "logits not a mapping": (
        "select {{ dbt_loss.categorical_cross_entropy_with_logits('y', ['z_a', 'z_b']) }}",
        ["'logits'", "non-empty mapping"],
    ),
    "class weight missing": (
        "select {{ dbt_loss.categorical_cross_entropy_with_logits('y', {'a': 'z_a', 'b': 'z_b'},"
        " class_weights={'a': 1}) }}",
        ["'class_weights'", 'no weight for class "b"'],
    ),
    "label smoothing above 1": (
        "select {{ dbt_loss.categorical_cross_entropy_with_logits('y', {'a': 'z_a'},"
        " label_smoothing=1.5) }}",
        ["'label_smoothing'", "<= 1"],
    ),
    "tweedie power between 0 and 1": (
        "select {{ dbt_loss.tweedie_deviance('y', 'p', power=0.5) }}",
        ["tweedie_deviance", "'power'", "0.5"],
    ),
    "negative pos_weight": (
        "select {{ dbt_loss.binary_cross_entropy_with_logits('y', 'x', pos_weight=-2) }}",
        ["binary_cross_entropy_with_logits", "'pos_weight'", ">= 0"],
    ),
    "season length zero": (
        "{{ dbt_loss.mase('t', 'y', 'p', time_column='ts', season_length=0) }}",
        ["mase", "'season_length'", ">= 1"],
    ),
    "fractional season length": (
        "{{ dbt_loss.rmsse('t', 'y', 'p', time_column='ts', season_length=1.5) }}",
        ["rmsse", "'season_length'", "whole number"],
    ),
}


@pytest.mark.parametrize(("sql", "expected"), BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_argument_fails_at_compile_time_naming_it(dbt_project, sql, expected):
    result = dbt_project.compile_inline(sql)
    assert not result.success
    message = failure_text(result)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in: {message}"


def test_good_call_compiles(dbt_project):
    """The control: the same harness accepts a valid call."""
    result = dbt_project.compile_inline("select {{ dbt_loss.huber('y', 'p', delta=10) }}")
    assert result.success, failure_text(result)
