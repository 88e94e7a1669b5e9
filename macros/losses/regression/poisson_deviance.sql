{#- Poisson deviance 2(y ln(y/ŷ) − y + ŷ) with 0·ln 0 = 0. Defined for y ≥ 0 and ŷ > 0;
    a row outside that gives NaN (scikit-learn raises). Reference:
    sklearn.metrics.mean_poisson_deviance. -#}
{% macro poisson_deviance(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('poisson_deviance', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__poisson_deviance(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.poisson_deviance_definition(actual, predicted), weight, 'poisson_deviance')) }}
{%- endmacro %}

{% macro poisson_deviance_definition(actual, predicted) -%}
  {{ return(dbt_loss.tweedie_deviance_definition(actual, predicted, power=1)) }}
{%- endmacro %}
