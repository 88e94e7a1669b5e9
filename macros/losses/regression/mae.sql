{#- Mean absolute error, |r|. Reference: sklearn.metrics.mean_absolute_error. -#}
{% macro mae(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('mae', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__mae(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.mae_definition(actual, predicted), weight, 'mae')) }}
{%- endmacro %}

{% macro mae_definition(actual, predicted) -%}
  {{ return({'inputs': [actual, predicted], 'numerator': "abs(" ~ dbt_loss.residual(actual, predicted) ~ ")"}) }}
{%- endmacro %}
