{#- `-- depends_on:` lines for the staging models over the run tables: one per model named in
    var('dbt_loss_trained_by') (the models that call dbt_loss.train, e.g. a Python model), so
    in one `dbt build` the staging views are created after the run tables exist. Names are
    models of the root project, or 'package.model'; the two-argument ref says which. -#}
{% macro training_dependencies() -%}
  {%- set names = var('dbt_loss_trained_by', []) -%}
  {%- for name in ([names] if names is string else names) %}
    {%- set parts = name.split('.', 1) if '.' in name else [project_name, name] %}
-- depends_on: {{ ref(parts[0], parts[1]) }}
  {%- endfor %}
{%- endmacro %}
