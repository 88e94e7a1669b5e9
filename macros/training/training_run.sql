{#- A run's record and weight rows, read with run_query: the run by run_id, else the latest
    succeeded run of that run_name (as dbt_loss.scoring.load_run). Fails naming the run and
    the schema when the run tables are missing or hold no such run. -#}
{% macro training_run(run, schema) -%}
  {%- set missing = "dbt_loss.prediction: no run '" ~ run ~ "' in schema '" ~ schema ~ "'" -%}
  {%- if not dbt_loss.run_tables_exist(schema) -%}
    {{ exceptions.raise_compiler_error(missing ~ " (it has no run tables training_runs and training_weights: train a model with dbt_loss.train first)") }}
  {%- endif -%}
  {%- set runs = adapter.quote(schema) ~ '.' ~ adapter.quote('training_runs') -%}
  {%- set name = dbt_loss.string_literal(run) -%}
  {%- set records = run_query(
      "select run_id, model, group_by, classes from " ~ runs
      ~ " where run_id = " ~ name ~ " or (run_name = " ~ name ~ " and status = 'succeeded')"
      ~ " order by case when run_id = " ~ name ~ " then 0 else 1 end, started_at desc limit 1") -%}
  {%- if records.rows | length == 0 -%}
    {{ exceptions.raise_compiler_error(missing ~ " (by run_id, or succeeded by run_name)") }}
  {%- endif -%}
  {%- set row = records.rows[0] -%}
  {%- set record = {'run_id': row['run_id'], 'model': row['model'], 'group_by': row['group_by'], 'classes': row['classes']} -%}
  {#- no order by: rows come back as the trainer wrote them, the order scoring.py sums in -#}
  {%- set weights = run_query(
      "select group_key, " ~ adapter.quote('class') ~ " as class_label, feature, source_column, category, weight from "
      ~ adapter.quote(schema) ~ '.' ~ adapter.quote('training_weights')
      ~ " where run_id = " ~ dbt_loss.string_literal(record['run_id'])) -%}
  {%- if weights.rows | length == 0 -%}
    {{ exceptions.raise_compiler_error("dbt_loss.prediction: run '" ~ run ~ "' in schema '" ~ schema ~ "' has no weights") }}
  {%- endif -%}
  {{ return({'record': record, 'weights': weights.rows}) }}
{%- endmacro %}
