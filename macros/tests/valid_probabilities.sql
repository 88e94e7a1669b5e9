{#- Fails for each row with a probability outside [0, 1] (NaN included) or, with `sum_to_one`,
    whose probabilities sum to more than `tolerance` away from 1. A NULL probability is not a
    violation (use not_null for that); a row with a NULL among its probabilities is not
    checked for its sum. Returns the offending rows, with `probability_sum` and `reason`.
    `columns` lists the probability columns (or maps class → column); attached to a column,
    the test checks that column. -#}
{% test valid_probabilities(model, columns=none, sum_to_one=false, tolerance=1e-6, row_condition=none, column_name=none) %}
  {{ return(adapter.dispatch('test_valid_probabilities', 'dbt_loss')(model, columns, sum_to_one, tolerance, row_condition, column_name)) }}
{% endtest %}

{% macro default__test_valid_probabilities(model, columns=none, sum_to_one=false, tolerance=1e-6, row_condition=none, column_name=none) %}
  {%- set name = 'valid_probabilities' -%}
  {%- set given = columns.values() | list if columns is mapping else (columns if columns is not none else column_name) -%}
  {%- set probabilities = dbt_loss.column_list(given, 'columns', name) -%}
  {%- if probabilities | length == 0 -%}
    {{ exceptions.raise_compiler_error("dbt_loss.valid_probabilities: argument 'columns' must name at least one probability column") }}
  {%- endif -%}
  {%- if sum_to_one is not sameas true and sum_to_one is not sameas false -%}
    {{ exceptions.raise_compiler_error("dbt_loss.valid_probabilities: argument 'sum_to_one' must be true or false, got " ~ (sum_to_one | tojson)) }}
  {%- endif -%}
  {%- set allowed = dbt_loss.number_literal(dbt_loss.check_number(tolerance, 'tolerance', name, minimum=0)) -%}
  {%- set checks = [] -%}
  {%- for column in probabilities -%}
    {%- do checks.append(['columns', column, 'numeric']) -%}
  {%- endfor -%}
  {%- do dbt_loss.check_columns(model, name, checks) -%}
  {%- set total = [] -%}
  {%- for column in probabilities -%}
    {%- do total.append(dbt_loss.as_double(column)) -%}
  {%- endfor -%}

{#- the test's own columns get names of their own until the end: a model column named
    probability_sum or reason would otherwise be the one compared, or be ambiguous #}
with probability_rows as (
    select
        *,
        {{ total | join(' + ') }} as __dbt_loss_probability_sum
    from {{ model }}
    {%- if row_condition %}
    where {{ row_condition }}
    {%- endif %}
),

judged as (
    select
        *,
        {#- not (0 <= p <= 1): NaN fails too, NULL passes #}
        case
        {%- for column in probabilities %}
            when not ({{ dbt_loss.as_double(column) }} >= 0 and {{ dbt_loss.as_double(column) }} <= 1)
                then {{ dbt_loss.string_literal(column ~ ' outside [0, 1]') }}
        {%- endfor %}
        {%- if sum_to_one %}
            when not (abs(__dbt_loss_probability_sum - 1) <= {{ allowed }})
                then {{ dbt_loss.string_literal('probabilities sum to more than tolerance ' ~ tolerance ~ ' away from 1') }}
        {%- endif %}
        end as __dbt_loss_reason
    from probability_rows
)

select
    *,
    __dbt_loss_probability_sum as probability_sum,
    __dbt_loss_reason as reason
from judged
where __dbt_loss_reason is not null
{% endmacro %}
