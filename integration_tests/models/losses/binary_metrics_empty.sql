-- Empty input: every metric is NULL, never 0 and never an error.
select
    {{ metric_columns('binary_cases') }}
    count(*) as row_count
from {{ source('cases', 'binary_cases') }}
where 1 = 0
