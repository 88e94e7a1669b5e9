-- Empty input: every metric is NULL, never 0 and never an error.
select
    {{ metric_columns('regression_cases') }}
    count(*) as row_count
from {{ source('cases', 'regression_cases') }}
where 1 = 0
