{#- The median of an expression as an aggregate. Engines disagree on the spelling of an exact
    median, so it is dispatched: the SQL standard's ordered-set aggregate by default
    (PostgreSQL, DuckDB, Snowflake, Redshift), `percentile` on Spark and Databricks. -#}
{% macro median(expression) -%}
  {{ return(adapter.dispatch('median', 'dbt_loss')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
  percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
  percentile({{ expression }}, 0.5)
{%- endmacro %}

{% macro databricks__median(expression) -%}
  percentile({{ expression }}, 0.5)
{%- endmacro %}
