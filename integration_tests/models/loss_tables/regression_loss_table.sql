{{ dbt_loss.loss_table(
    source('cases', 'regression_cases'), 'actual', 'predicted',
    metrics=var('loss_table_metrics', ['mse']),
    group_by=['case_id'],
) }}
