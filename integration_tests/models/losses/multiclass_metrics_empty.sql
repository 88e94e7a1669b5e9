-- Empty input: every metric is NULL, never 0 and never an error.
select
    {{ metric_columns('multiclass_cases') }}
    count(*) as row_count
from {{ source('cases', 'multiclass_cases') }}
where 1 = 0
