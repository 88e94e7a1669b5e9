{#- A value (a class label, a metric name) as a quoted SQL string literal:
    values are never spliced in as raw SQL. -#}
{% macro string_literal(value) -%}
  {{ return(adapter.dispatch('string_literal', 'dbt_loss')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
  '{{ (value | string).replace("'", "''") }}'
{%- endmacro %}

{#- Spark and BigQuery read '' as two adjacent literals: escape with a backslash. -#}
{% macro spark__string_literal(value) -%}
  '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
{%- endmacro %}

{% macro databricks__string_literal(value) -%}
  {{ dbt_loss.spark__string_literal(value) }}
{%- endmacro %}

{% macro bigquery__string_literal(value) -%}
  {{ dbt_loss.spark__string_literal(value) }}
{%- endmacro %}
