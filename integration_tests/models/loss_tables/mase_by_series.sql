{{ dbt_loss.mase(source('cases', 'series_cases'), 'actual', 'predicted', time_column='t',
                 season_length=7, group_by=['series_id'], train_condition='predicted is null') }}
