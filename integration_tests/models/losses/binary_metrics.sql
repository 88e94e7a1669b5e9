select
    {{ metric_columns('binary_cases') }}
    case_id
from {{ source('cases', 'binary_cases') }}
group by case_id
