{#- ln cosh r, computed as |r| + log1p(e^−2|r|) − ln 2: the naive ln(cosh r) overflows at
    |r| ≈ 710. Reference: Keras log_cosh. -#}
{% macro log_cosh(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('log_cosh', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__log_cosh(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.log_cosh_definition(actual, predicted), weight, 'log_cosh')) }}
{%- endmacro %}

{% macro log_cosh_definition(actual, predicted) -%}
  {%- set abs_r = "abs(" ~ dbt_loss.residual(actual, predicted) ~ ")" -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      "(" ~ abs_r ~ " + " ~ dbt_loss.log1p(dbt_loss.exp_neg_abs("2 * " ~ abs_r)) ~ " - ln(2))"}) }}
{%- endmacro %}
