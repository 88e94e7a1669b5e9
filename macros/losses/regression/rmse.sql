{#- Root mean squared error, √mse (the root of the weighted mean, not a mean of roots).
    Reference: sklearn.metrics.root_mean_squared_error. -#}
{% macro rmse(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('rmse', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__rmse(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.rmse_definition(actual, predicted), weight, 'rmse')) }}
{%- endmacro %}

{% macro rmse_definition(actual, predicted) -%}
  {%- set definition = dbt_loss.mse_definition(actual, predicted) -%}
  {%- do definition.update({'reduction': 'root_mean'}) -%}
  {{ return(definition) }}
{%- endmacro %}
