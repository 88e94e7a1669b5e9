{#- A tidy loss table: one row per group and metric with the value, the row count and the
    additive parts (loss_sum, weight_sum; for mase and rmsse also the scale), so a BI tool can
    re-aggregate across groups as Σ loss_sum / Σ weight_sum. One aggregate over the relation
    computes every metric:
    - loss_rows casts the inputs once per row (__dbt_loss_actual, _predicted, _weight) with
      a row counter (__dbt_loss_counted), and the strict metrics (see metric_catalog) read
      those columns, with no guard of their own. Without groups, when every metric skips the
      rows where actual, predicted or the weight is NULL, loss_rows filters those rows out;
      otherwise _actual, _weight and _counted are NULL on them (a strict metric is NULL where
      actual is, so _predicted needs no guard);
    - the other metrics guard their own inputs, as the single-aggregate macros do;
    - r2_score and explained_variance are centred on the weighted means of a first pass
      (a constant quantity's mean is the constant itself, exactly: see centering_means).
      Without groups that is a one-row aggregate of the relation, cross-joined (a window
      over () would hold every row in one partition). With groups it is window columns
      partitioned by them: a join on the group keys would have to match NULL keys, which
      PostgreSQL cannot do with a hash join;
    - mase and rmsse add a training flag and the lagged actual as window columns, one pair per
      distinct (time column, season length, training condition);
    - identical aggregates are computed once (mse and rmse share Σr², the strict metrics share
      the row count), and a strict metric that gives `linear_parts` is a sum of shared sums
      (quantile_loss: ½·Σ|r| + (½ − α)·Σr, with mae's Σ|r|; an infinite Σ|r| is the sum).
    `metrics` lists names or mappings with parameters: ['mse', {'name': 'huber', 'delta': 10}]. -#}
{% macro loss_table(relation, actual, predicted, metrics, group_by=[], weight=none, row_condition=none) -%}
  {{ return(adapter.dispatch('loss_table', 'dbt_loss')(relation, actual, predicted, metrics, group_by, weight, row_condition)) }}
{%- endmacro %}

{% macro default__loss_table(relation, actual, predicted, metrics, group_by=[], weight=none, row_condition=none) -%}
  {%- set specs = dbt_loss.metric_specs(metrics, 'loss_table') -%}
  {%- set groups = [group_by] if group_by is string else (group_by or []) -%}
  {%- set guarded = {'actual': '__dbt_loss_actual', 'predicted': '__dbt_loss_predicted'} -%}
  {%- set means = {'actual': '__dbt_loss_mean_actual', 'residual': '__dbt_loss_mean_residual'} -%}
  {%- set state = {'guarded': false, 'centered': false, 'mean_residual': false, 'every_row': false} -%}
  {%- set windows = [] -%}
  {%- set scaled_prefixes = {} -%}
  {%- set aggregates = {} -%}
  {%- set outputs = [] -%}
  {%- for spec in specs -%}
    {%- set build = dbt_loss[spec.name ~ '_definition'] -%}
    {%- if spec.strict -%}
      {%- if predicted is not string -%}
        {{ exceptions.raise_compiler_error("dbt_loss.loss_table: metric '" ~ spec.label ~ "' needs 'predicted' to be one column or expression, got " ~ (predicted | tojson)) }}
      {%- endif -%}
      {%- do state.update({'guarded': true}) -%}
    {%- endif -%}
    {%- if spec.reduction == 'centered' -%}
      {%- do state.update({'centered': true}) -%}
      {%- set definition = build(guarded.actual, guarded.predicted, mean_actual=means.actual, mean_residual=means.residual) -%}
      {%- if means.residual in (definition | string) -%}
        {%- do state.update({'mean_residual': true}) -%}
      {%- endif -%}
    {%- elif spec.reduction == 'scaled' -%}
      {%- set key = [spec.params.time_column, spec.params.season_length | float, spec.params.train_condition] | tojson -%}
      {%- if key not in scaled_prefixes -%}
        {%- set prefix = '__dbt_loss_series_' ~ (scaled_prefixes | length + 1) -%}
        {%- do scaled_prefixes.update({key: prefix}) -%}
        {%- do windows.extend(dbt_loss.seasonal_naive_windows(actual, predicted, spec.params, groups, prefix, spec.name)) -%}
      {%- endif -%}
      {%- set prefix = scaled_prefixes[key] -%}
      {%- set definition = build(actual, predicted, is_train=prefix ~ '_is_train', naive=prefix ~ '_naive') -%}
    {%- elif spec.strict -%}
      {%- set definition = build(guarded.actual, guarded.predicted, **spec.params) -%}
    {%- else -%}
      {%- set definition = build(actual, predicted, **spec.params) -%}
    {%- endif -%}
    {%- if spec.strict -%}
      {%- set parts = dbt_loss.guarded_parts(definition, weight is not none) -%}
    {%- else -%}
      {%- set parts = dbt_loss.mean_parts(definition, weight) -%}
    {%- endif -%}
    {#- a strict metric with linear_parts sums Σ c·term as Σ c·(Σ term), each Σ term shared -#}
    {%- set linear_parts = definition.get('linear_parts') if spec.strict else none -%}
    {%- set named = {'row_count': parts.row_count, 'weight_sum': parts.weight_sum} -%}
    {%- if linear_parts -%}
      {%- for coefficient, term in linear_parts -%}
        {%- set part = {'numerator': term, 'conditions': definition.get('conditions')} -%}
        {%- do named.update({'loss_sum_' ~ loop.index: dbt_loss.guarded_parts(part, weight is not none).loss_sum}) -%}
      {%- endfor -%}
    {%- else -%}
      {%- do named.update({'loss_sum': parts.loss_sum}) -%}
    {%- endif -%}
    {%- if spec.reduction == 'scaled' -%}
      {%- do named.update({
          'scale_sum': "sum(" ~ definition.scale_numerator ~ ")",
          'scale_count': "count(" ~ definition.scale_numerator ~ ")",
      }) -%}
    {%- endif -%}
    {%- set names = {} -%}
    {%- for part, expression in named.items() -%}
      {%- if expression not in aggregates -%}
        {%- do aggregates.update({expression: '__dbt_loss_' ~ (aggregates | length + 1) ~ '_' ~ (part if not part.startswith('loss_sum') else 'loss_sum')}) -%}
      {%- endif -%}
      {%- do names.update({part: aggregates[expression]}) -%}
    {%- endfor -%}
    {%- if linear_parts -%}
      {%- set combined = [] -%}
      {%- for coefficient, term in linear_parts -%}
        {%- do combined.append(dbt_loss.number_literal(coefficient) ~ " * " ~ names['loss_sum_' ~ loop.index]) -%}
      {%- endfor -%}
      {#- the first part is non-negative and bounds the metric: where its sum is not finite
          (x − x ≠ 0), the metric's sum is that sum, as summed row by row -#}
      {%- set first = names.loss_sum_1 -%}
      {%- do names.update({'loss_sum': "(case when " ~ first ~ " - " ~ first ~ " = 0 then "
                                        ~ (combined | join(' + ')) ~ " else " ~ first ~ " end)"}) -%}
    {%- endif -%}
    {%- do outputs.append({'spec': spec, 'names': names, 'value': dbt_loss.reduce_parts(spec, definition, names)}) -%}
    {%- if groups or spec.reduction == 'scaled' or not (spec.strict or (actual in definition.inputs and predicted in definition.inputs)) -%}
      {%- do state.update({'every_row': true}) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set guard = dbt_loss.row_guard([actual, predicted, weight]) -%}
  {#- Filter only without groups: a group with no usable row must still show up, with
      row_count 0. Where DuckDB can prove no input is NULL, the filter costs nothing. -#}
  {%- set filtered = not state.every_row -%}
  {%- set guarded_sql = {} -%}
  {#- a strict metric is NULL where actual is: predicted needs no guard of its own -#}
  {%- for name, expression in [['actual', actual], ['predicted', predicted], ['weight', weight]] if expression is not none -%}
    {%- do guarded_sql.update({name: dbt_loss.as_double(expression) if (filtered or name == 'predicted') else ("case when " ~ guard ~ " then " ~ dbt_loss.as_double(expression) ~ " end")}) -%}
  {%- endfor -%}
  {%- if weight is not none -%}
    {%- do guarded_sql.update({'counted': "case when " ~ ("" if filtered else guard ~ " and ") ~ dbt_loss.as_double(weight) ~ " <> 0 then 1 end"}) -%}
  {%- else -%}
    {%- do guarded_sql.update({'counted': "1" if filtered else ("case when " ~ guard ~ " then 1 end")}) -%}
  {%- endif -%}
  {%- set cross_join_means = state.centered and not groups -%}
  {%- set window_means = state.centered and groups -%}
  {%- if cross_join_means -%}
    {%- set mean_columns = dbt_loss.centering_means(actual, predicted, weight, means.actual, means.residual if state.mean_residual else none) -%}
  {%- elif window_means -%}
    {%- set mean_columns = dbt_loss.centering_means(guarded.actual, guarded.predicted, '__dbt_loss_weight' if weight is not none else none,
          means.actual, means.residual if state.mean_residual else none, over="over (partition by " ~ (groups | join(', ')) ~ ")") -%}
  {%- endif -%}

with loss_source as (
    select * from {{ relation }}
    {%- if row_condition %}
    where {{ row_condition }}
    {%- endif %}
),
{% if cross_join_means %}
{#- the relation again, not loss_source: DuckDB and PostgreSQL materialise a CTE read twice #}
loss_means as (
    select
        {{ mean_columns | join(',\n        ') }}
    from {{ relation }}
    where {{ guard }}
    {%- if row_condition %}
        and ({{ row_condition }})
    {%- endif %}
),
{% endif %}
loss_rows as (
    select *
    {%- if state.guarded %},
        {{ guarded_sql.actual }} as {{ guarded.actual }},
        {{ guarded_sql.predicted }} as {{ guarded.predicted }},
        {%- if weight is not none %}
        {{ guarded_sql.weight }} as __dbt_loss_weight,
        {%- endif %}
        {{ guarded_sql.counted }} as __dbt_loss_counted
    {%- endif %}
    {%- for window in windows %},
        {{ window }}
    {%- endfor %}
    from loss_source
    {%- if cross_join_means %}
    cross join loss_means
    {%- endif %}
    {%- if filtered %}
    where {{ guard }}
    {%- endif %}
),
{% if window_means %}
{#- over the guarded columns (NULL on the rows the guard rejects), which sum skips #}
loss_centered_rows as (
    select *,
        {{ mean_columns | join(',\n        ') }}
    from loss_rows
),
{% endif %}
loss_sums as (
    select
    {%- for group in groups %}
        {{ group }},
    {%- endfor %}
    {%- for expression, alias in aggregates.items() %}
        {{ expression }} as {{ alias }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ 'loss_centered_rows' if window_means else 'loss_rows' }}
    {%- if groups %}
    group by {{ groups | join(', ') }}
    {%- endif %}
)

{% for output in outputs -%}
{%- set names = output.names %}
select
{%- for group in groups %}
    {{ group }},
{%- endfor %}
    cast({{ dbt_loss.string_literal(output.spec.label) }} as {{ dbt.type_string() }}) as metric,
    cast({{ dbt_loss.string_literal(output.spec.name) }} as {{ dbt.type_string() }}) as metric_name,
    {{ dbt_loss.as_double(output.value) }} as value,
    cast({{ names.row_count }} as {{ dbt.type_bigint() }}) as row_count,
    {{ dbt_loss.as_double(names.loss_sum) }} as loss_sum,
    {{ dbt_loss.as_double(names.weight_sum) }} as weight_sum,
    {{ dbt_loss.as_double((names.scale_sum ~ ' / nullif(' ~ names.scale_count ~ ', 0)') if output.spec.reduction == 'scaled' else 'null') }} as scale
from loss_sums
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}
{%- endmacro %}
