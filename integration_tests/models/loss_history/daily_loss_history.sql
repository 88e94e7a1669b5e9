{#- A history with one evaluation per value of a column: "Day", whose mixed case must stay
    quoted (PostgreSQL folds an unquoted name to lower case). -#}
{{ dbt_loss.loss_history(
    ref('demand_forecasts'), 'demand', 'forecast',
    metrics=['mae'],
    model_name='demand_forecast',
    row_condition="store_id <> 's4'",
    evaluated_at=adapter.quote('Day'),
) }}
