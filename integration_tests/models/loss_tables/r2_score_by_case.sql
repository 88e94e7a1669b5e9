{{ dbt_loss.r2_score(source('cases', 'regression_cases'), 'actual', 'predicted', group_by=['case_id'], weight='weight') }}
