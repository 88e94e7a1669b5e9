-- The forecast's quality per region, as a tidy loss table a dashboard reads.
{{ dbt_loss.loss_table(
    ref('demand_forecast'), 'demand', 'forecast',
    metrics=['mae', 'rmse', {'name': 'huber', 'delta': 10}, 'wape', 'smape', 'mean_error'],
    group_by=['region'],
) }}
