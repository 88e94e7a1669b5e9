-- No group_by: one row per metric over the whole (filtered) relation.
{{ dbt_loss.loss_table(
    source('cases', 'regression_cases'), 'actual', 'predicted',
    metrics=['mse', 'rmse', 'mae', {'name': 'huber', 'delta': 10, 'alias': 'huber_10'}, 'wape'],
    weight='weight',
    row_condition="case_id in ('random', 'positive', 'zero_actuals')",
) }}
