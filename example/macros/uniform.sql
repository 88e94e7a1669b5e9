{#- A deterministic pseudo-random number in (0, 1) from a hash of the given keys: the example
    warehouse is the same on every machine and every run, and nothing is downloaded. -#}
{% macro uniform(keys, salt) -%}
  ((hash({{ keys | join(', ') }}, '{{ salt }}') % 1000003) + 0.5) / 1000003.0
{%- endmacro %}

{#- A standard normal draw by the Box–Muller transform of two uniform draws. -#}
{% macro normal(keys, salt) -%}
  (sqrt(-2 * ln({{ uniform(keys, salt ~ '_1') }})) * cos(2 * pi() * {{ uniform(keys, salt ~ '_2') }}))
{%- endmacro %}
