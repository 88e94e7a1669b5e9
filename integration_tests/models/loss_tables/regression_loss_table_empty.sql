{{ dbt_loss.loss_table(
    source('cases', 'regression_cases'), 'actual', 'predicted',
    metrics=['mse', 'r2_score'],
    row_condition='1 = 0',
) }}
