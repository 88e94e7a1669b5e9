select
    {{ metric_columns('regression_cases') }}
    case_id
from {{ source('cases', 'regression_cases') }}
group by case_id
