{#- The column checks (see check_columns) for the inputs of a loss: actual, predicted (or the
    class → column mapping), weight, the group columns and the columns a metric's parameters
    name. -#}
{% macro loss_input_checks(spec, actual, predicted, weight, groups) -%}
  {%- set categorical = spec.name.startswith('categorical_') -%}
  {%- set checks = [['actual', actual, 'any' if categorical else 'label'], ['weight', weight, 'numeric']] -%}
  {%- if predicted is mapping -%}
    {%- for column in predicted.values() -%}
      {%- do checks.append(['predicted', column, 'numeric']) -%}
    {%- endfor -%}
  {%- elif spec.name != 'coverage' -%}
    {%- do checks.append(['predicted', predicted, 'numeric']) -%}
  {%- endif -%}
  {%- for group in groups -%}
    {%- do checks.append(['group_by', group, 'any']) -%}
  {%- endfor -%}
  {%- for parameter in ['lower', 'upper'] if spec.params.get(parameter) is string -%}
    {%- do checks.append(['metric.' ~ parameter, spec.params[parameter], 'numeric']) -%}
  {%- endfor -%}
  {%- if spec.params.get('time_column') is string -%}
    {%- do checks.append(['metric.time_column', spec.params.time_column, 'any']) -%}
  {%- endif -%}
  {{ return(checks) }}
{%- endmacro %}
