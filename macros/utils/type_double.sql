{#- A 64-bit float on every engine: dbt.type_float() is 32-bit FLOAT on DuckDB. -#}
{% macro type_double() -%}
  {{ return(adapter.dispatch('type_double', 'dbt_loss')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
  double precision
{%- endmacro %}

{% macro spark__type_double() -%}
  double
{%- endmacro %}

{% macro databricks__type_double() -%}
  double
{%- endmacro %}

{% macro bigquery__type_double() -%}
  float64
{%- endmacro %}

{% macro trino__type_double() -%}
  double
{%- endmacro %}
