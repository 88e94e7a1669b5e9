{#- A grouped test's judged rows come from its loss table, which has no row at all when no row
    is left (an empty model, a row_condition that keeps nothing): then nothing would fail. This
    is `select <values> from <relation>` giving one row, with NULL group keys and row_count 0,
    only when the relation is empty, for the test to union to its own and fail as too small.
    `values` lists the test's other columns as SQL expressions, in its order. -#}
{% macro when_no_rows(relation, groups, values) -%}
select
{%- for group in groups %}
    null as {{ group }},
{%- endfor %}
    {{ values | join(',\n    ') }}
from (select count(*) as __dbt_loss_rows from {{ relation }}) as counted
where __dbt_loss_rows = 0
{%- endmacro %}
