{#- Whether <schema> holds the run tables training_runs and training_weights, asked of the
    warehouse and not of dbt's relation cache: dbt_loss.train writes them (in a Python model of
    the same `dbt build`, say) without dbt's cache hearing of it. Names compare exactly, as
    the trainer creates them quoted. -#}
{% macro run_tables_exist(schema) -%}
  {{ return(adapter.dispatch('run_tables_exist', 'dbt_loss')(schema)) }}
{%- endmacro %}

{% macro default__run_tables_exist(schema) -%}
  {%- set found = run_query(
      "select count(distinct table_name) as tables from information_schema.tables"
      ~ " where table_schema = " ~ dbt_loss.string_literal(schema)
      ~ " and table_name in ('training_runs', 'training_weights')") -%}
  {{ return(found.rows[0][0] == 2) }}
{%- endmacro %}
