{#- The `reason` of a failing group for a too-small group, as a SQL string expression:
    'too few rows: 3 < min_rows 10'. -#}
{% macro too_few_rows_reason(row_count, min_rows) -%}
  {{ return(dbt.concat([
      dbt_loss.string_literal('too few rows: '),
      "cast(" ~ row_count ~ " as " ~ dbt.type_string() ~ ")",
      dbt_loss.string_literal(' < min_rows ' ~ min_rows)])) }}
{%- endmacro %}
