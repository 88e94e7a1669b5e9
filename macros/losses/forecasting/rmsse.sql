{#- Root mean squared scaled error per series: √(test MSE / in-sample MSE of the seasonal-naive
    forecast y_{t−m} on the training rows). NULL for a flat training series (utilsforecast
    divides by zero there). Arguments as for mase. Reference: utilsforecast.losses.rmsse. -#}
{% macro rmsse(relation, actual, predicted, time_column, season_length=1, group_by=[], train_condition=none, weight=none, row_condition=none) -%}
  {{ return(adapter.dispatch('rmsse', 'dbt_loss')(relation, actual, predicted, time_column, season_length, group_by, train_condition, weight, row_condition)) }}
{%- endmacro %}

{% macro default__rmsse(relation, actual, predicted, time_column, season_length=1, group_by=[], train_condition=none, weight=none, row_condition=none) -%}
  {{ return(dbt_loss.loss_table(relation, actual, predicted,
      [{'name': 'rmsse', 'time_column': time_column, 'season_length': season_length, 'train_condition': train_condition}],
      group_by, weight, row_condition)) }}
{%- endmacro %}

{% macro rmsse_definition(actual, predicted, is_train, naive) -%}
  {{ return(dbt_loss.scaled_error_definition(actual, predicted, is_train, naive, 'square')) }}
{%- endmacro %}
