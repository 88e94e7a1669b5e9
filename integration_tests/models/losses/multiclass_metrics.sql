select
    {{ metric_columns('multiclass_cases') }}
    case_id
from {{ source('cases', 'multiclass_cases') }}
group by case_id
