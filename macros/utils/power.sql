{#- base^exponent for a base in [0, 1] and exponent > 0. PostgreSQL raises when the result
    underflows, so there a base below 1e-100 gives 0 (at most 1e-100^exponent away). -#}
{% macro power(base, exponent) -%}
  {{ return(adapter.dispatch('power', 'dbt_loss')(base, exponent)) }}
{%- endmacro %}

{% macro default__power(base, exponent) -%}
  power({{ base }}, {{ exponent }})
{%- endmacro %}

{% macro postgres__power(base, exponent) -%}
  (case when {{ base }} < 1e-100 then 0 else power({{ base }}, {{ exponent }}) end)
{%- endmacro %}
