-- Empty input: every metric is NULL, never 0 and never an error.
select
    {{ metric_columns('interval_cases') }}
    count(*) as row_count
from {{ source('cases', 'interval_cases') }}
where 1 = 0
