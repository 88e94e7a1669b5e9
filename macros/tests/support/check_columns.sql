{#- Fails with a message naming the test, the argument and the column when a column named in
    an argument is missing from the relation, or is not numeric where a number is needed:
    better than the database's cast error. `checks` lists [argument, expression, kind] with
    kind 'any', 'numeric' or 'label' (numeric or boolean). Only plain column names are
    checked (an expression is left to the database), and only at run time, when the relation
    exists; a relation whose columns cannot be listed (ephemeral, or wrapped by a `where`
    config) is not checked. -#}
{% macro check_columns(relation, macro_name, checks) -%}
  {%- if not execute or relation is string -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set columns = adapter.get_columns_in_relation(relation) -%}
  {%- if columns | length == 0 -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set by_name = {} -%}
  {%- for column in columns -%}
    {%- do by_name.update({column.name | lower: column}) -%}
  {%- endfor -%}
  {%- for argument, expression, kind in checks -%}
    {%- set name = dbt_loss.plain_identifier(expression) -%}
    {%- if name is not none -%}
      {%- set where = "dbt_loss." ~ macro_name ~ ": column '" ~ name ~ "' (argument '" ~ argument ~ "')" -%}
      {%- if name | lower not in by_name -%}
        {{ exceptions.raise_compiler_error(where ~ " not found in " ~ relation ~ "; its columns: " ~ (columns | map(attribute='name') | join(', '))) }}
      {%- endif -%}
      {%- set column = by_name[name | lower] -%}
      {%- if kind in ['numeric', 'label'] and not dbt_loss.is_numeric_column(column, allow_boolean=(kind == 'label')) -%}
        {{ exceptions.raise_compiler_error(where ~ " in " ~ relation ~ " has type " ~ column.dtype ~ "; it must be numeric") }}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}
