{#- Not-a-number, for rows outside a loss's domain (a negative count for the Poisson
    deviance): the mean becomes NaN, as in numpy, instead of silently dropping the row. -#}
{% macro nan() -%}
  {{ return(adapter.dispatch('nan', 'dbt_loss')()) }}
{%- endmacro %}

{% macro default__nan() -%}
  cast('NaN' as {{ dbt_loss.type_double() }})
{%- endmacro %}
