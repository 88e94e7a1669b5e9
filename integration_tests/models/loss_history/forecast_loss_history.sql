{#- The loss history of docs/loss_history.md, recording two models side by side. The var
    `history_evaluated_at` pins the evaluation time (the tests re-run one evaluation);
    without it each run is stamped with run_started_at. Spark's Parquet tables have no
    delete+insert (nor merge): there an evaluation's rows are a partition, and re-running it
    overwrites that partition only (insert_overwrite, dynamic). -#}
{%- if target.type == 'spark' %}
{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=['evaluated_at'], file_format='parquet') }}
{%- else %}
{{ config(materialized='incremental', unique_key='history_key', incremental_strategy='delete+insert') }}
{%- endif %}

{%- set pinned = var('history_evaluated_at', none) -%}
{%- set evaluated_at = ("cast(" ~ dbt_loss.string_literal(pinned) ~ " as " ~ dbt.type_timestamp() ~ ")") if pinned else none %}

with demand_history as (
{{ dbt_loss.loss_history(
    ref('demand_forecasts'), 'demand', 'forecast',
    metrics=['mse', 'rmse', 'mae', 'wape'],
    model_name='demand_forecast',
    group_by=['store_id'],
    row_condition="store_id <> 's4'",
    evaluated_at=evaluated_at,
) }}
),

churn_history as (
{{ dbt_loss.loss_history(
    ref('churn_predictions'), 'churned', 'churn_probability',
    metrics=['binary_cross_entropy'],
    model_name='churn_classifier',
    group_by=['store_id'],
    evaluated_at=evaluated_at,
) }}
)

select * from demand_history
union all
select * from churn_history
