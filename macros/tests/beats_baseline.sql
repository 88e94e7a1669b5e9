{#- Fails for each group where the model's loss is above `margin` × the baseline's loss, both
    computed on the same rows (those where the actual, the forecast, the baseline and the
    weight all exist). The baseline is a column (`baseline`), or computed: the naive
    (season_length 1) or seasonal-naive forecast y_{t−m}, the actual m rows earlier in the
    same series ordered by `time_column`, over all rows of the model (row_condition then
    selects the rows scored, so history before them still feeds the lag). -#}
{% test beats_baseline(model, metric, actual, predicted, baseline=none, time_column=none, season_length=1, margin=1.0, group_by=[], partition_by=none, weight=none, row_condition=none, min_rows=1) %}
  {{ return(adapter.dispatch('test_beats_baseline', 'dbt_loss')(model, metric, actual, predicted, baseline, time_column, season_length, margin, group_by, partition_by, weight, row_condition, min_rows)) }}
{% endtest %}

{% macro default__test_beats_baseline(model, metric, actual, predicted, baseline=none, time_column=none, season_length=1, margin=1.0, group_by=[], partition_by=none, weight=none, row_condition=none, min_rows=1) %}
  {%- set name = 'beats_baseline' -%}
  {%- set spec = dbt_loss.single_metric_spec(metric, name) -%}
  {%- if predicted is not string -%}
    {{ exceptions.raise_compiler_error("dbt_loss.beats_baseline: argument 'predicted' must be one column or expression (the baseline replaces it), got " ~ (predicted | tojson)) }}
  {%- endif -%}
  {%- if (baseline is none) == (time_column is none) -%}
    {{ exceptions.raise_compiler_error("dbt_loss.beats_baseline: give either 'baseline' (a column of baseline forecasts) or 'time_column' (to compute the naive or seasonal-naive baseline), not " ~ ("both" if baseline is not none else "neither")) }}
  {%- endif -%}
  {%- set groups = dbt_loss.column_list(group_by, 'group_by', name) -%}
  {%- set series = groups if partition_by is none else dbt_loss.column_list(partition_by, 'partition_by', name) -%}
  {%- set m = dbt_loss.check_count(season_length, 'season_length', name, minimum=1) -%}
  {%- set factor = dbt_loss.number_literal(dbt_loss.check_number(margin, 'margin', name, minimum=0)) -%}
  {%- set min_rows = dbt_loss.check_count(min_rows, 'min_rows', name) -%}
  {%- set checks = dbt_loss.loss_input_checks(spec, actual, predicted, weight, groups) + [['baseline', baseline, 'numeric'], ['time_column', time_column, 'any']] -%}
  {%- for column in series -%}
    {%- do checks.append(['partition_by', column, 'any']) -%}
  {%- endfor -%}
  {%- do dbt_loss.check_columns(model, name, checks) -%}
  {#- dbt parses a test with only the macros it calls by name, and loss_table looks its metric
      definitions up by name: build the query at run time only (arguments are checked above) -#}
  {%- if not execute -%}
    {{ return('select 1 as parse_placeholder') }}
  {%- endif -%}
  {%- set paired = dbt_loss.row_guard([actual, predicted, '__dbt_loss_baseline', weight]) -%}

with baseline_rows as (
    select
        *,
    {%- if baseline is not none %}
        {{ dbt_loss.as_double(baseline) }} as __dbt_loss_baseline
    {%- else %}
        {#- a row without a time has no place in its series: no baseline, and it is no
            earlier row's (NULLs last on every engine, Spark's default being first) #}
        case when {{ time_column }} is not null then
        lag({{ dbt_loss.as_double(actual) }}, {{ m }}) over (
            {%- if series %}partition by {{ series | join(', ') }} {% endif -%}
            order by {{ time_column }} nulls last) end as __dbt_loss_baseline
    {%- endif %}
    from {{ model }}
),

{# both forecasts are NULL outside the paired rows, so both losses skip the same rows and
   a group with no paired rows still shows up (with row_count 0) #}
paired_rows as (
    select
        *,
        case when {{ paired }} then {{ dbt_loss.as_double(predicted) }} end as __dbt_loss_model_forecast,
        case when {{ paired }} then __dbt_loss_baseline end as __dbt_loss_baseline_forecast
    from baseline_rows
),

model_losses as (
{{ dbt_loss.loss_table('paired_rows', actual, '__dbt_loss_model_forecast', [metric], groups, weight, row_condition) }}
),

baseline_losses as (
{{ dbt_loss.loss_table('paired_rows', actual, '__dbt_loss_baseline_forecast', [metric], groups, weight, row_condition) }}
),

compared as (
    select
    {%- for group in groups %}
        model_losses.{{ group }},
    {%- endfor %}
        model_losses.metric,
        model_losses.value,
        baseline_losses.value as baseline_value,
        {{ factor }} as margin,
        {{ factor }} * baseline_losses.value as bound,
        model_losses.row_count
    from model_losses
    inner join baseline_losses
        on model_losses.metric = baseline_losses.metric
    {%- for group in groups %}
        and {{ dbt_loss.null_safe_equals('model_losses.' ~ group, 'baseline_losses.' ~ group) }}
    {%- endfor %}
),

{%- if groups %}

{# no group at all (an empty model) fails too, as an empty ungrouped model does #}
compared_or_none as (
    select * from compared
    union all
    {{ dbt_loss.when_no_rows('compared', groups, [
        'cast(' ~ dbt_loss.string_literal(spec.label) ~ ' as ' ~ dbt.type_string() ~ ') as metric',
        dbt_loss.as_double('null') ~ ' as value',
        dbt_loss.as_double('null') ~ ' as baseline_value',
        factor ~ ' as margin',
        dbt_loss.as_double('null') ~ ' as bound',
        'cast(0 as ' ~ dbt.type_bigint() ~ ') as row_count']) }}
),
{%- endif %}

judged as (
    select
        *,
        case
            when row_count < {{ min_rows }} then {{ dbt_loss.too_few_rows_reason('row_count', min_rows) }}
            when value is null then {{ dbt_loss.string_literal('no value: the metric is undefined on these rows') }}
            when baseline_value is null then {{ dbt_loss.string_literal('no baseline value: the metric is undefined on these rows') }}
            {#- NaN = NaN and NaN above every number on DuckDB, PostgreSQL and Spark: a NaN
                loss or bound would pass the comparison below #}
            when value = {{ dbt_loss.nan() }} then {{ dbt_loss.string_literal("loss is NaN: inputs outside the metric's domain") }}
            when baseline_value = {{ dbt_loss.nan() }} then {{ dbt_loss.string_literal("baseline loss is NaN: inputs outside the metric's domain") }}
            when bound = {{ dbt_loss.nan() }} then {{ dbt_loss.string_literal('margin * baseline loss is NaN (0 * infinity)') }}
            when not (value <= bound) then {{ dbt_loss.string_literal('loss above margin * baseline loss') }}
        end as reason
    from {{ 'compared_or_none' if groups else 'compared' }}
)

select
{%- for group in groups %}
    {{ group }},
{%- endfor %}
    metric,
    value,
    baseline_value,
    margin,
    bound,
    row_count,
    reason
from judged
where reason is not null
{% endmacro %}
