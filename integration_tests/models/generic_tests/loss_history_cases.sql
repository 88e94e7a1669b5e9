-- The seeded table as a model, so tests attach to it as they would to a user's model. A
-- DataFrame's NaN loads as NULL, so the NaN evaluations of 'unusable_history' are made here.
select
    model_name,
    evaluated_at,
    store_id,
    metric,
    metric_name,
    case
        when model_name = 'unusable_history' and store_id = 's1' and value is null
            then {{ dbt_loss.nan() }}
        else value
    end as value
from {{ source('cases', 'loss_history_cases') }}
