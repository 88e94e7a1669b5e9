{{ dbt_loss.loss_table(
    source('cases', 'series_cases'), 'actual', 'predicted',
    metrics=[
        {'name': 'mase', 'time_column': 't', 'season_length': 1, 'alias': 'mase_1'},
        {'name': 'mase', 'time_column': 't', 'season_length': 7, 'alias': 'mase_7'},
        {'name': 'rmsse', 'time_column': 't', 'season_length': 1, 'alias': 'rmsse_1'},
        {'name': 'rmsse', 'time_column': 't', 'season_length': 7, 'alias': 'rmsse_7'},
        'mae',
    ],
    group_by=['series_id'],
) }}
