{#- Symmetric MAPE 2|y − ŷ| / (|y| + |ŷ|), 0 where both are 0; a fraction in [0, 2].
    Reference: sktime mean_absolute_percentage_error(symmetric=True) (denominator floored at ε).
    utilsforecast's smape is half of this and darts' is ×100. -#}
{% macro smape(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('smape', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__smape(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.smape_definition(actual, predicted), weight, 'smape')) }}
{%- endmacro %}

{% macro smape_definition(actual, predicted) -%}
  {%- set y = dbt_loss.as_double(actual) -%}
  {%- set p = dbt_loss.as_double(predicted) -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      "abs(" ~ dbt_loss.residual(actual, predicted) ~ ") / (" ~ dbt_loss.floor_at(
          "(abs(" ~ y ~ ") + abs(" ~ p ~ "))", dbt_loss.number_literal(2.220446049250313e-16)) ~ " / 2)"}) }}
{%- endmacro %}
