{#- One expression per group as a CASE over the group columns (null-safe equality, so a NULL
    group is a group), NULL for a group the run never saw. Ungrouped runs have one
    expression, under the key none. Group keys are JSON lists of the group values. -#}
{% macro per_group_prediction(group_by, by_group) -%}
  {%- if group_by | length == 0 -%}
    {{ return(by_group[none]) }}
  {%- endif -%}
  {%- set ifs = [] -%}
  {%- for key, expression in by_group.items() -%}
    {%- set conditions = [] -%}
    {%- for value in fromjson(key) -%}
      {%- set group_column = adapter.quote(group_by[loop.index0]) -%}
      {%- if value is none -%}
        {%- do conditions.append(group_column ~ ' is null') -%}
      {%- elif value is string -%}
        {%- do conditions.append(dbt_loss.null_safe_equals(group_column, dbt_loss.string_literal(value))) -%}
      {%- elif value is sameas true or value is sameas false -%}
        {%- do conditions.append(dbt_loss.null_safe_equals(group_column, 'true' if value else 'false')) -%}
      {%- elif value is integer -%}
        {#- exact: as a double, 2^53 + 1 would name the group 2^53 -#}
        {%- do conditions.append(dbt_loss.null_safe_equals(group_column, value | string)) -%}
      {%- else -%}
        {%- do conditions.append(dbt_loss.null_safe_equals(group_column, dbt_loss.number_literal(value))) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- do ifs.append('when ' ~ (conditions | join(' and ')) ~ ' then ' ~ expression) -%}
  {%- endfor -%}
  {{ return('(case ' ~ (ifs | join(' ')) ~ ' end)') }}
{%- endmacro %}
