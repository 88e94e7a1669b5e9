{#- Mean absolute percentage error |y − ŷ| / max(|y|, ε) as a fraction (not ×100), ε the
    float64 machine epsilon: y = 0 gives a huge finite value, not infinity.
    Reference: sklearn.metrics.mean_absolute_percentage_error. -#}
{% macro mape(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('mape', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__mape(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.mape_definition(actual, predicted), weight, 'mape')) }}
{%- endmacro %}

{% macro mape_definition(actual, predicted) -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      "abs(" ~ dbt_loss.residual(actual, predicted) ~ ") / " ~ dbt_loss.floor_at(
          "abs(" ~ dbt_loss.as_double(actual) ~ ")", dbt_loss.number_literal(2.220446049250313e-16))}) }}
{%- endmacro %}
