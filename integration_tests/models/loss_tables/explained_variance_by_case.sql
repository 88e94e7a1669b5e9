{{ dbt_loss.explained_variance(source('cases', 'regression_cases'), 'actual', 'predicted', group_by='case_id') }}
