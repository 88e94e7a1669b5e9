-- The same metrics for the seasonal-naive baseline, over the same rows.
{{ dbt_loss.loss_table(
    ref('demand_forecast'), 'demand', 'seasonal_naive_forecast',
    metrics=['mae', 'rmse', {'name': 'huber', 'delta': 10}, 'wape'],
    group_by=['region'],
) }}
