{#- Whether a column (from adapter.get_columns_in_relation) holds numbers. dbt's Column knows
    the common names; the list adds those it misses (DuckDB's DECIMAL(p,s) and HUGEINT,
    BigQuery's INT64/FLOAT64, Snowflake's NUMBER). Booleans count where `allow_boolean`
    (0/1 labels). -#}
{% macro is_numeric_column(column, allow_boolean=false) -%}
  {%- set base = (column.dtype | lower).split('(')[0] | trim -%}
  {%- set numeric = [
      'tinyint', 'smallint', 'integer', 'int', 'bigint', 'hugeint', 'utinyint', 'usmallint',
      'uinteger', 'ubigint', 'uhugeint', 'int1', 'int2', 'int4', 'int8', 'int64', 'byteint',
      'decimal', 'numeric', 'number', 'bignumeric', 'real', 'float', 'float4', 'float8',
      'float64', 'double', 'double precision'] -%}
  {{ return(column.is_number() or base in numeric or (allow_boolean and base in ['boolean', 'bool'])) }}
{%- endmacro %}
