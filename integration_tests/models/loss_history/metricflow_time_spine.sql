-- The daily time spine MetricFlow needs before it accepts any semantic model.
with days as (
{{ dbt.date_spine('day', "cast('2020-01-01' as date)", "cast('2031-01-01' as date)") }}
)

select cast(date_day as date) as date_day
from days
