{#- The loss history of docs/loss_history.md: every `dbt build` appends one evaluation of the
    hand-made forecast and of the trained model per region, stamped with the run's start. -#}
{{ config(materialized='incremental', unique_key='history_key', incremental_strategy='delete+insert') }}
{%- set metrics = ['mae', 'rmse', {'name': 'huber', 'delta': 10}, 'wape'] %}

with hand_made as (
{{ dbt_loss.loss_history(
    ref('demand_forecast_comparison'), 'demand', 'forecast',
    metrics=metrics, model_name='demand_forecast', group_by=['region'],
    row_condition='week >= 130',
) }}
),

trained as (
{{ dbt_loss.loss_history(
    ref('demand_forecast_comparison'), 'demand', 'model_forecast',
    metrics=metrics, model_name='demand_huber', group_by=['region'],
    row_condition='week >= 130',
) }}
)

select * from hand_made
union all
select * from trained
