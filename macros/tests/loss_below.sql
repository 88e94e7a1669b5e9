{#- Fails for each group whose loss is above `threshold`, has fewer than `min_rows` usable rows
    (so an empty group fails instead of passing on no data), or has no value. A loss table,
    filtered by that condition: one failing row per failing group with its keys, the metric,
    the value, the threshold, the row count and the reason. -#}
{% test loss_below(model, metric, actual, predicted, threshold, group_by=[], weight=none, row_condition=none, min_rows=1) %}
  {{ return(adapter.dispatch('test_loss_below', 'dbt_loss')(model, metric, actual, predicted, threshold, group_by, weight, row_condition, min_rows)) }}
{% endtest %}

{% macro default__test_loss_below(model, metric, actual, predicted, threshold, group_by=[], weight=none, row_condition=none, min_rows=1) %}
  {%- set spec = dbt_loss.single_metric_spec(metric, 'loss_below') -%}
  {%- set groups = dbt_loss.column_list(group_by, 'group_by', 'loss_below') -%}
  {%- set bound = dbt_loss.number_literal(dbt_loss.check_number(threshold, 'threshold', 'loss_below')) -%}
  {%- set min_rows = dbt_loss.check_count(min_rows, 'min_rows', 'loss_below') -%}
  {%- do dbt_loss.check_columns(model, 'loss_below', dbt_loss.loss_input_checks(spec, actual, predicted, weight, groups)) -%}
  {#- dbt parses a test with only the macros it calls by name, and loss_table looks its metric
      definitions up by name: build the query at run time only (arguments are checked above) -#}
  {%- if not execute -%}
    {{ return('select 1 as parse_placeholder') }}
  {%- endif -%}

with losses as (
{{ dbt_loss.loss_table(model, actual, predicted, [metric], groups, weight, row_condition) }}
),

{%- if groups %}

{# no group at all (an empty model) fails too, as an empty ungrouped model does #}
losses_or_none as (
    select * from losses
    union all
    {{ dbt_loss.when_no_rows('losses', groups, [
        'cast(' ~ dbt_loss.string_literal(spec.label) ~ ' as ' ~ dbt.type_string() ~ ') as metric',
        'cast(' ~ dbt_loss.string_literal(spec.name) ~ ' as ' ~ dbt.type_string() ~ ') as metric_name',
        dbt_loss.as_double('null') ~ ' as value',
        'cast(0 as ' ~ dbt.type_bigint() ~ ') as row_count',
        dbt_loss.as_double('null') ~ ' as loss_sum',
        dbt_loss.as_double('null') ~ ' as weight_sum',
        dbt_loss.as_double('null') ~ ' as scale']) }}
),
{%- endif %}

judged as (
    select
        *,
        {{ bound }} as threshold,
        case
            when row_count < {{ min_rows }} then {{ dbt_loss.too_few_rows_reason('row_count', min_rows) }}
            when value is null then {{ dbt_loss.string_literal('no value: the metric is undefined on these rows') }}
            when value = {{ dbt_loss.nan() }} then {{ dbt_loss.string_literal("loss is NaN: inputs outside the metric's domain") }}
            {# not (<=): NaN fails even where NaN = NaN is false #}
            when not (value <= {{ bound }}) then {{ dbt_loss.string_literal('loss above threshold') }}
        end as reason
    from {{ 'losses_or_none' if groups else 'losses' }}
)

select
{%- for group in groups %}
    {{ group }},
{%- endfor %}
    metric,
    value,
    threshold,
    row_count,
    reason
from judged
where reason is not null
{% endmacro %}
