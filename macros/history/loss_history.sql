{#- A loss table stamped for a history: loss_table's rows with `model_name`, `evaluated_at`
    and `history_key`, a hash of (model_name, evaluated_at, metric, group values) that is
    unique per row, so an incremental model with unique_key='history_key' replaces instead of
    duplicating rows when the same evaluation runs again. `evaluated_at` defaults to the
    run's start (run_started_at, UTC); a column name records one evaluation per value of that
    column (it is grouped by); any other SQL expression is a constant for the run. -#}
{% macro loss_history(relation, actual, predicted, metrics, model_name, group_by=[], weight=none, row_condition=none, evaluated_at=none) -%}
  {{ return(adapter.dispatch('loss_history', 'dbt_loss')(relation, actual, predicted, metrics, model_name, group_by, weight, row_condition, evaluated_at)) }}
{%- endmacro %}

{% macro default__loss_history(relation, actual, predicted, metrics, model_name, group_by=[], weight=none, row_condition=none, evaluated_at=none) -%}
  {%- if model_name is not string or model_name | trim == '' -%}
    {{ exceptions.raise_compiler_error("dbt_loss.loss_history: argument 'model_name' must be a non-empty string naming the model evaluated, got " ~ (model_name | tojson)) }}
  {%- endif -%}
  {%- set groups = dbt_loss.column_list(group_by, 'group_by', 'loss_history') -%}
  {#- a column name, as written: quotes kept (PostgreSQL folds an unquoted "ForecastDate") -#}
  {%- set time_column = (evaluated_at | trim) if dbt_loss.plain_identifier(evaluated_at) is not none else none -%}
  {%- if evaluated_at is none -%}
    {%- set stamp = "cast(" ~ dbt_loss.string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')) ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
  {%- elif time_column is not none -%}
    {%- set stamp = "cast(" ~ time_column ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
  {%- else -%}
    {%- set stamp = "cast(" ~ evaluated_at ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
  {%- endif -%}
  {%- set table_groups = groups + ([time_column] if time_column is not none and time_column not in groups else []) -%}
  {#- the key's parts, '|'-separated; a NULL group value becomes '<null>' so it still hashes -#}
  {%- set key_parts = ["model_name", "'|'", "cast(evaluated_at as " ~ dbt.type_string() ~ ")", "'|'", "metric"] -%}
  {%- for group in groups -%}
    {%- do key_parts.extend(["'|'", "coalesce(cast(" ~ group ~ " as " ~ dbt.type_string() ~ "), '<null>')"]) -%}
  {%- endfor -%}

with history_losses as (
{{ dbt_loss.loss_table(relation, actual, predicted, metrics, table_groups, weight, row_condition) }}
),

stamped as (
    select
        cast({{ dbt_loss.string_literal(model_name) }} as {{ dbt.type_string() }}) as model_name,
        {{ stamp }} as evaluated_at,
    {%- for group in groups %}
        {{ group }},
    {%- endfor %}
        metric,
        metric_name,
        value,
        row_count,
        loss_sum,
        weight_sum,
        scale
    from history_losses
)

select
    *,
    {{ dbt.hash(dbt.concat(key_parts)) }} as history_key
from stamped
{%- endmacro %}
