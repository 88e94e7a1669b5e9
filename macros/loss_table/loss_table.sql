{#- A tidy loss table: one row per group and metric with the value, the row count and the
    additive parts (loss_sum, weight_sum; for mase and rmsse also the scale), so a BI tool can
    re-aggregate across groups as Σ loss_sum / Σ weight_sum. One scan of the relation computes
    every metric; the two-pass metrics (r2_score, explained_variance) and the scaled ones (mase,
    rmsse) add window columns to that scan instead of a second join.
    `metrics` lists names or mappings with parameters: ['mse', {'name': 'huber', 'delta': 10}]. -#}
{% macro loss_table(relation, actual, predicted, metrics, group_by=[], weight=none, row_condition=none) -%}
  {{ return(adapter.dispatch('loss_table', 'dbt_loss')(relation, actual, predicted, metrics, group_by, weight, row_condition)) }}
{%- endmacro %}

{% macro default__loss_table(relation, actual, predicted, metrics, group_by=[], weight=none, row_condition=none) -%}
  {%- set specs = dbt_loss.metric_specs(metrics, 'loss_table') -%}
  {%- set groups = [group_by] if group_by is string else (group_by or []) -%}
  {%- set windows = [] -%}
  {%- set sums = [] -%}
  {%- set outputs = [] -%}
  {%- for spec in specs -%}
    {%- set prefix = '__dbt_loss_' ~ loop.index -%}
    {%- set build = dbt_loss[spec.name ~ '_definition'] -%}
    {%- if spec.reduction == 'centered' -%}
      {%- do windows.extend(dbt_loss.centering_windows(actual, predicted, weight, groups, prefix)) -%}
      {%- set definition = build(actual, predicted, mean_actual=prefix ~ '_mean_actual', mean_residual=prefix ~ '_mean_residual') -%}
    {%- elif spec.reduction == 'scaled' -%}
      {%- do windows.extend(dbt_loss.seasonal_naive_windows(actual, predicted, spec.params, groups, prefix, spec.name)) -%}
      {%- set definition = build(actual, predicted, is_train=prefix ~ '_is_train', naive=prefix ~ '_naive') -%}
    {%- else -%}
      {%- set definition = build(actual, predicted, **spec.params) -%}
    {%- endif -%}
    {%- set parts = dbt_loss.mean_parts(definition, weight) -%}
    {%- set loss_sum = parts.loss_sum -%}
    {%- set weight_sum = parts.weight_sum -%}
    {%- if spec.reduction == 'centered' -%}
      {%- set counted = dbt_loss.row_guard(definition.inputs + [weight]) ~ (" and " ~ dbt_loss.as_double(weight) ~ " <> 0" if weight is not none else "") -%}
      {%- set weight_sum = dbt_loss.zero_when_constant(weight_sum, definition.constant_denominator_when_equal, counted) -%}
      {%- if definition.get('constant_numerator_when_equal') -%}
        {%- set loss_sum = dbt_loss.zero_when_constant(loss_sum, definition.constant_numerator_when_equal, counted) -%}
      {%- endif -%}
    {%- endif -%}
    {%- do sums.append(parts.row_count ~ " as " ~ prefix ~ "_row_count") -%}
    {%- do sums.append(loss_sum ~ " as " ~ prefix ~ "_loss_sum") -%}
    {%- do sums.append(weight_sum ~ " as " ~ prefix ~ "_weight_sum") -%}
    {%- if spec.reduction == 'scaled' -%}
      {%- do sums.append("sum(" ~ definition.scale_numerator ~ ") as " ~ prefix ~ "_scale_sum") -%}
      {%- do sums.append("count(" ~ definition.scale_numerator ~ ") as " ~ prefix ~ "_scale_count") -%}
    {%- endif -%}
    {%- do outputs.append({'spec': spec, 'prefix': prefix, 'value': dbt_loss.reduce_parts(spec, definition, prefix)}) -%}
  {%- endfor -%}

with loss_source as (
    select * from {{ relation }}
    {%- if row_condition %}
    where {{ row_condition }}
    {%- endif %}
),

loss_rows as (
    select *
    {%- for window in windows %},
        {{ window }}
    {%- endfor %}
    from loss_source
),

loss_sums as (
    select
    {%- for group in groups %}
        {{ group }},
    {%- endfor %}
        {{ sums | join(',\n        ') }}
    from loss_rows
    {%- if groups %}
    group by {{ groups | join(', ') }}
    {%- endif %}
)

{% for output in outputs -%}
{%- set prefix = output.prefix %}
select
{%- for group in groups %}
    {{ group }},
{%- endfor %}
    cast({{ dbt_loss.string_literal(output.spec.label) }} as {{ dbt.type_string() }}) as metric,
    cast({{ dbt_loss.string_literal(output.spec.name) }} as {{ dbt.type_string() }}) as metric_name,
    {{ dbt_loss.as_double(output.value) }} as value,
    cast({{ prefix }}_row_count as {{ dbt.type_bigint() }}) as row_count,
    {{ dbt_loss.as_double(prefix ~ '_loss_sum') }} as loss_sum,
    {{ dbt_loss.as_double(prefix ~ '_weight_sum') }} as weight_sum,
    {{ dbt_loss.as_double((prefix ~ '_scale_sum / nullif(' ~ prefix ~ '_scale_count, 0)') if output.spec.reduction == 'scaled' else 'null') }} as scale
from loss_sums
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}
{%- endmacro %}
