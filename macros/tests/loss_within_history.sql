{#- Reads a loss history (see dbt_loss.loss_history) and fails for each group whose loss in the
    latest evaluation exceeds the median of its previous `lookback` evaluations by more than
    `max_increase`, relative: value > median + max_increase × |median|. Evaluations are the
    distinct `time_column` values of each model_name; a group without previous evaluations
    passes (there is nothing to compare with yet). -#}
{% test loss_within_history(model, metric, model_name=none, group_by=[], lookback=7, max_increase=0.1, time_column='evaluated_at', history=none) %}
  {{ return(adapter.dispatch('test_loss_within_history', 'dbt_loss')(model, metric, model_name, group_by, lookback, max_increase, time_column, history)) }}
{% endtest %}

{% macro default__test_loss_within_history(model, metric, model_name=none, group_by=[], lookback=7, max_increase=0.1, time_column='evaluated_at', history=none) %}
  {%- set name = 'loss_within_history' -%}
  {%- set history = model if history is none else history -%}
  {%- set label = dbt_loss.history_metric_label(metric, name) -%}
  {%- set groups = dbt_loss.column_list(group_by, 'group_by', name) -%}
  {%- set lookback = dbt_loss.check_count(lookback, 'lookback', name, minimum=1) -%}
  {%- set allowed = dbt_loss.number_literal(dbt_loss.check_number(max_increase, 'max_increase', name, minimum=0)) -%}
  {%- set checks = [['time_column', time_column, 'any'], ['history', 'model_name', 'any'], ['history', 'metric', 'any'], ['history', 'value', 'numeric']] -%}
  {%- for group in groups -%}
    {%- do checks.append(['group_by', group, 'any']) -%}
  {%- endfor -%}
  {%- do dbt_loss.check_columns(history, name, checks) -%}
  {%- do dbt_loss.check_recorded(history, 'metric', label, 'metric', name) -%}
  {%- if model_name is not none -%}
    {%- do dbt_loss.check_recorded(history, 'model_name', model_name, 'model_name', name) -%}
  {%- endif -%}
  {%- set keys = ['model_name'] + groups -%}

with scoped as (
    select
    {%- for key in keys %}
        {{ key }},
    {%- endfor %}
        {{ time_column }} as evaluated_at,
        metric,
        {{ dbt_loss.as_double('value') }} as value
    from {{ history }}
    where metric = {{ dbt_loss.string_literal(label) }}
    {%- if model_name is not none %}
        and model_name = {{ dbt_loss.string_literal(model_name) }}
    {%- endif %}
),

{# evaluations are ranked per model, so a group missing from the latest one is not tested
   against stale values #}
evaluations as (
    select
        model_name,
        evaluated_at,
        dense_rank() over (partition by model_name order by evaluated_at desc) as evaluation_rank
    from (select distinct model_name, evaluated_at from scoped) as distinct_evaluations
),

ranked as (
    select scoped.*, evaluations.evaluation_rank
    from scoped
    inner join evaluations
        on {{ dbt_loss.null_safe_equals('scoped.model_name', 'evaluations.model_name') }}
        and scoped.evaluated_at = evaluations.evaluated_at
),

trailing_medians as (
    select
    {%- for key in keys %}
        {{ key }},
    {%- endfor %}
        {{ dbt_loss.median('value') }} as trailing_median,
        count(*) as previous_evaluations
    from ranked
    where evaluation_rank between 2 and {{ lookback + 1 }}
    group by {{ keys | join(', ') }}
),

compared as (
    select
    {%- for key in keys %}
        latest.{{ key }},
    {%- endfor %}
        latest.metric,
        latest.evaluated_at,
        latest.value,
        trailing_medians.trailing_median,
        {{ allowed }} as max_increase,
        trailing_medians.trailing_median + {{ allowed }} * abs(trailing_medians.trailing_median) as bound,
        trailing_medians.previous_evaluations
    from ranked as latest
    inner join trailing_medians
        on 1 = 1
    {%- for key in keys %}
        and {{ dbt_loss.null_safe_equals('latest.' ~ key, 'trailing_medians.' ~ key) }}
    {%- endfor %}
    where latest.evaluation_rank = 1
),

judged as (
    select
        *,
        case
            when value is null then {{ dbt_loss.string_literal('no value in the latest evaluation') }}
            {#- NaN = NaN and NaN above every number on DuckDB, PostgreSQL and Spark #}
            when value = {{ dbt_loss.nan() }} then {{ dbt_loss.string_literal('loss is NaN in the latest evaluation') }}
            when trailing_median = {{ dbt_loss.nan() }} then {{ dbt_loss.string_literal('the trailing median is NaN: an earlier evaluation is NaN') }}
            when not (value <= bound) then {{ dbt_loss.string_literal('loss above the trailing median by more than max_increase') }}
        end as reason
    from compared
    {#- no usable history is no regression; a NULL latest value fails all the same #}
    where trailing_median is not null or value is null
)

select * from judged
where reason is not null
{% endmacro %}
