{#- One column per metric listed in the var `metric_cases.<table>` (the pytest suite owns that
    list and the reference for each entry): `<column>` unweighted and `<column>__weighted`. -#}
{% macro metric_columns(table) -%}
  {%- for case in var('metric_cases', {}).get(table, []) -%}
    {%- set loss = dbt_loss[case.macro] %}
    {{ loss(*case.args, **case.kwargs) }} as {{ case.column }},
    {%- if case.weighted %}
    {{ loss(*case.args, weight='weight', **case.kwargs) }} as {{ case.column }}__weighted,
    {%- endif -%}
  {%- endfor %}
{%- endmacro %}
