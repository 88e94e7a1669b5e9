{#- Mean absolute scaled error per series: the test MAE divided by the in-sample MAE of the
    seasonal-naive forecast y_{t−m} on that series' training rows, floored at ε (a flat training
    series gives a huge finite value, as sktime does). Training rows are those where
    `train_condition` holds (default: `predicted` is NULL); each group is a series, ordered by
    `time_column`. Returns one row per series, with the columns of loss_table and the scale.
    Reference: sktime mean_absolute_scaled_error(y_true, y_pred, y_train=..., sp=m). -#}
{% macro mase(relation, actual, predicted, time_column, season_length=1, group_by=[], train_condition=none, weight=none, row_condition=none) -%}
  {{ return(adapter.dispatch('mase', 'dbt_loss')(relation, actual, predicted, time_column, season_length, group_by, train_condition, weight, row_condition)) }}
{%- endmacro %}

{% macro default__mase(relation, actual, predicted, time_column, season_length=1, group_by=[], train_condition=none, weight=none, row_condition=none) -%}
  {{ return(dbt_loss.loss_table(relation, actual, predicted,
      [{'name': 'mase', 'time_column': time_column, 'season_length': season_length, 'train_condition': train_condition}],
      group_by, weight, row_condition)) }}
{%- endmacro %}

{#- is_train and naive name columns loss_table computed in its first pass. -#}
{% macro mase_definition(actual, predicted, is_train, naive) -%}
  {{ return(dbt_loss.scaled_error_definition(actual, predicted, is_train, naive, 'abs')) }}
{%- endmacro %}
