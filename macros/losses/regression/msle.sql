{#- Mean squared logarithmic error (log1p(ŷ) − log1p(y))². Defined for y, ŷ > −1; a row
    outside gives NaN (scikit-learn raises). Reference: sklearn.metrics.mean_squared_log_error. -#}
{% macro msle(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('msle', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__msle(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.msle_definition(actual, predicted), weight, 'msle')) }}
{%- endmacro %}

{% macro msle_definition(actual, predicted) -%}
  {%- set y = dbt_loss.as_double(actual) -%}
  {%- set p = dbt_loss.as_double(predicted) -%}
  {%- set difference = "(" ~ dbt_loss.log1p(p) ~ " - " ~ dbt_loss.log1p(y) ~ ")" -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      "case when " ~ y ~ " > -1 and " ~ p ~ " > -1 then " ~ difference ~ " * " ~ difference
      ~ " else " ~ dbt_loss.nan() ~ " end"}) }}
{%- endmacro %}
