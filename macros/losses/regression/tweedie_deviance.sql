{#- Tweedie deviance with power p: 0 is squared error, 1 Poisson, 2 gamma; p in (0, 1) is not
    a distribution and fails at compile time. Rows outside the domain (ŷ ≤ 0 for p ≠ 0,
    y < 0 for 1 ≤ p < 2, y ≤ 0 for p ≥ 2) give NaN where scikit-learn raises.
    Reference: sklearn.metrics.mean_tweedie_deviance(power). -#}
{% macro tweedie_deviance(actual, predicted, power=0, weight=none) -%}
  {{ return(adapter.dispatch('tweedie_deviance', 'dbt_loss')(actual, predicted, power, weight)) }}
{%- endmacro %}

{% macro default__tweedie_deviance(actual, predicted, power=0, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.tweedie_deviance_definition(actual, predicted, power), weight, 'tweedie_deviance')) }}
{%- endmacro %}

{% macro tweedie_deviance_definition(actual, predicted, power=0) -%}
  {%- set p = dbt_loss.check_number(power, 'power', 'tweedie_deviance') -%}
  {%- if 0 < p < 1 -%}
    {{ exceptions.raise_compiler_error("dbt_loss.tweedie_deviance: argument 'power' must be <= 0 or >= 1 (no Tweedie distribution has 0 < power < 1), got " ~ power) }}
  {%- endif -%}
  {%- set y = dbt_loss.as_double(actual) -%}
  {%- set mu = dbt_loss.as_double(predicted) -%}
  {%- if p == 0 -%}
    {{ return(dbt_loss.mse_definition(actual, predicted)) }}
  {%- elif p == 1 -%}
    {%- set valid = y ~ " >= 0 and " ~ mu ~ " > 0" -%}
    {%- set deviance = "2 * (case when " ~ y ~ " = 0 then 0 else " ~ y ~ " * ln(" ~ y ~ " / " ~ mu ~ ") end - " ~ y ~ " + " ~ mu ~ ")" -%}
  {%- elif p == 2 -%}
    {%- set valid = y ~ " > 0 and " ~ mu ~ " > 0" -%}
    {%- set deviance = "2 * (ln(" ~ mu ~ " / " ~ y ~ ") + " ~ y ~ " / " ~ mu ~ " - 1)" -%}
  {%- else -%}
    {%- set one_minus_p = dbt_loss.number_literal(1 - p) -%}
    {%- set two_minus_p = dbt_loss.number_literal(2 - p) -%}
    {%- if p < 0 -%}
      {%- set valid = mu ~ " > 0" -%}
      {%- set y_term = "greatest(" ~ y ~ ", 0)" -%}
    {%- elif p < 2 -%}
      {%- set valid = y ~ " >= 0 and " ~ mu ~ " > 0" -%}
      {%- set y_term = y -%}
    {%- else -%}
      {%- set valid = y ~ " > 0 and " ~ mu ~ " > 0" -%}
      {%- set y_term = y -%}
    {%- endif -%}
    {%- set deviance = "2 * (power(" ~ y_term ~ ", " ~ two_minus_p ~ ") / (" ~ one_minus_p ~ " * " ~ two_minus_p ~ ")"
        ~ " - " ~ y ~ " * power(" ~ mu ~ ", " ~ one_minus_p ~ ") / " ~ one_minus_p
        ~ " + power(" ~ mu ~ ", " ~ two_minus_p ~ ") / " ~ two_minus_p ~ ")" -%}
  {%- endif -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      "case when " ~ valid ~ " then " ~ deviance ~ " else " ~ dbt_loss.nan() ~ " end"}) }}
{%- endmacro %}
