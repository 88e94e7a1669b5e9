{#- Normalises a metrics argument ('mse', or {'name': 'huber', 'delta': 10, 'alias': ...}) to
    a list of {name, label, params, reduction, strict}, with defaults filled in. Fails at compile time
    on an unknown metric, an unknown or missing parameter, or a duplicate label. -#}
{% macro metric_specs(metrics, macro_name='loss_table') -%}
  {%- set catalog = dbt_loss.metric_catalog() -%}
  {%- set where = "dbt_loss." ~ macro_name ~ ": argument 'metrics'" -%}
  {%- set metric_list = [metrics] if (metrics is string or metrics is mapping) else metrics -%}
  {%- if metric_list is none or metric_list | length == 0 -%}
    {{ exceptions.raise_compiler_error(where ~ " must name at least one metric") }}
  {%- endif -%}
  {%- set specs = [] -%}
  {%- set labels = [] -%}
  {%- for metric in metric_list -%}
    {%- set given = {'name': metric} if metric is string else metric -%}
    {%- if given is not mapping or given.get('name') is not string -%}
      {{ exceptions.raise_compiler_error(where ~ ": each metric is a name or a mapping with a 'name' key, got " ~ (metric | tojson)) }}
    {%- endif -%}
    {%- if given.name not in catalog -%}
      {{ exceptions.raise_compiler_error(where ~ ": unknown metric '" ~ given.name ~ "'; known metrics: " ~ (catalog.keys() | sort | join(', '))) }}
    {%- endif -%}
    {%- set entry = catalog[given.name] -%}
    {%- set params = {} -%}
    {%- for key, default in entry.params.items() -%}
      {%- if key not in given and default == 'required' -%}
        {{ exceptions.raise_compiler_error(where ~ ": metric '" ~ given.name ~ "' needs the parameter '" ~ key ~ "'") }}
      {%- endif -%}
      {%- do params.update({key: given.get(key, default)}) -%}
    {%- endfor -%}
    {%- for key in given if key not in ['name', 'alias'] and key not in entry.params -%}
      {{ exceptions.raise_compiler_error(where ~ ": metric '" ~ given.name ~ "' has no parameter '" ~ key ~ "'; it takes: " ~ ((entry.params.keys() | list | join(', ')) or 'no parameters')) }}
    {%- endfor -%}
    {%- set shown = [] -%}
    {%- for key in given if key not in ['name', 'alias'] and given[key] is not mapping -%}
      {%- do shown.append(key ~ "=" ~ given[key]) -%}
    {%- endfor -%}
    {%- set label = given.get('alias') or (given.name ~ (("(" ~ (shown | join(', ')) ~ ")") if shown else "")) -%}
    {%- if label in labels -%}
      {{ exceptions.raise_compiler_error(where ~ ": the metric '" ~ label ~ "' is listed twice; give one an 'alias'") }}
    {%- endif -%}
    {%- do labels.append(label) -%}
    {%- do specs.append({'name': given.name, 'label': label, 'params': params, 'reduction': entry.reduction, 'strict': entry.get('strict', false)}) -%}
  {%- endfor -%}
  {{ return(specs) }}
{%- endmacro %}
