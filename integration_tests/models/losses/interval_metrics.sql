select
    {{ metric_columns('interval_cases') }}
    case_id
from {{ source('cases', 'interval_cases') }}
group by case_id
