{#- Mean error (bias) ŷ − y: positive means over-forecast. Reference: utilsforecast.losses.bias. -#}
{% macro mean_error(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('mean_error', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__mean_error(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.mean_error_definition(actual, predicted), weight, 'mean_error')) }}
{%- endmacro %}

{% macro mean_error_definition(actual, predicted) -%}
  {{ return({'inputs': [actual, predicted], 'numerator': dbt_loss.residual(actual, predicted)}) }}
{%- endmacro %}
