{#- Pseudo-Huber loss δ²(√(1 + (r/δ)²) − 1), as XGBoost's reg:pseudohubererror defines it;
    computed as δ²·x / (√(1 + x) + 1) with x = (r/δ)², which is the same number without the
    cancellation for small r. -#}
{% macro pseudo_huber(actual, predicted, delta=1.0, weight=none) -%}
  {{ return(adapter.dispatch('pseudo_huber', 'dbt_loss')(actual, predicted, delta, weight)) }}
{%- endmacro %}

{% macro default__pseudo_huber(actual, predicted, delta=1.0, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.pseudo_huber_definition(actual, predicted, delta), weight, 'pseudo_huber')) }}
{%- endmacro %}

{% macro pseudo_huber_definition(actual, predicted, delta=1.0) -%}
  {%- set d = dbt_loss.number_literal(dbt_loss.check_number(delta, 'delta', 'pseudo_huber', minimum=0, strict_minimum=true)) -%}
  {%- set x = "power(" ~ dbt_loss.residual(actual, predicted) ~ " / " ~ d ~ ", 2)" -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      d ~ " * " ~ d ~ " * " ~ x ~ " / (sqrt(1 + " ~ x ~ ") + 1)"}) }}
{%- endmacro %}
