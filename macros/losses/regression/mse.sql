{#- Mean squared error, r². Reference: sklearn.metrics.mean_squared_error. -#}
{% macro mse(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('mse', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__mse(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.mse_definition(actual, predicted), weight, 'mse')) }}
{%- endmacro %}

{% macro mse_definition(actual, predicted) -%}
  {%- set r = dbt_loss.residual(actual, predicted) -%}
  {{ return({'inputs': [actual, predicted], 'numerator': r ~ " * " ~ r}) }}
{%- endmacro %}
