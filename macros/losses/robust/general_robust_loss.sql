{#- Barron's general and adaptive robust loss (CVPR 2019), with x = (r/c)²:
    ρ = (|α − 2|/α)·[(x/|α − 2| + 1)^{α/2} − 1], computed as (|α − 2|/α)·expm1(α/2·log1p(x/|α − 2|)),
    and the limits taken exactly: α = 2 is ½x (L2), α = 0 is log1p(½x) (Cauchy),
    α = −inf is −expm1(−½x) (Welsch), α = inf is expm1(½x). α is a number or 'inf' / '-inf'.
    Reference: robust_loss_pytorch.general.lossfun. -#}
{% macro general_robust_loss(actual, predicted, alpha, scale, weight=none) -%}
  {{ return(adapter.dispatch('general_robust_loss', 'dbt_loss')(actual, predicted, alpha, scale, weight)) }}
{%- endmacro %}

{% macro default__general_robust_loss(actual, predicted, alpha, scale, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.general_robust_loss_definition(actual, predicted, alpha, scale), weight, 'general_robust_loss')) }}
{%- endmacro %}

{% macro general_robust_loss_definition(actual, predicted, alpha=1.0, scale=1.0) -%}
  {%- set name = 'general_robust_loss' -%}
  {%- set limit = (alpha | string | lower) if (alpha | string | lower) in ['inf', '-inf'] else none -%}
  {%- set a = none if limit else dbt_loss.check_number(alpha, 'alpha', name) -%}
  {%- set c = dbt_loss.check_number(scale, 'scale', name, minimum=0, strict_minimum=true) -%}
  {%- set x = "power(" ~ dbt_loss.residual(actual, predicted) ~ " / " ~ dbt_loss.number_literal(c) ~ ", 2)" -%}
  {%- if limit == '-inf' -%}
    {%- set loss = "-" ~ dbt_loss.expm1("-0.5 * " ~ x) -%}
  {%- elif limit == 'inf' -%}
    {%- set loss = dbt_loss.expm1("0.5 * " ~ x) -%}
  {%- elif a == 2 -%}
    {%- set loss = "0.5 * " ~ x -%}
  {%- elif a == 0 -%}
    {%- set loss = dbt_loss.log1p("0.5 * " ~ x) -%}
  {%- else -%}
    {%- set beta = (a - 2) | abs -%}
    {%- set loss = dbt_loss.number_literal(beta / a) ~ " * "
        ~ dbt_loss.expm1(dbt_loss.number_literal(a / 2) ~ " * " ~ dbt_loss.log1p(x ~ " / " ~ dbt_loss.number_literal(beta))) -%}
  {%- endif -%}
  {{ return({'inputs': [actual, predicted], 'numerator': loss}) }}
{%- endmacro %}
