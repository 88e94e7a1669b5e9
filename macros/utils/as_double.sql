{#- Casts an expression to our 64-bit float, so PostgreSQL never divides integers
    and DuckDB never rounds to 32 bits. -#}
{% macro as_double(expression) -%}
  cast({{ expression }} as {{ dbt_loss.type_double() }})
{%- endmacro %}
