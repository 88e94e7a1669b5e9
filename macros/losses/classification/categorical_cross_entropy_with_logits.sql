{#- Softmax cross-entropy on logits: −ln softmax(z)_y = lse(z) − z_y, the log-sum-exp taken with
    the row maximum subtracted. `logits` maps class value to logit column; `class_weights`
    class value to weight, normalised by Σ w_y as torch does; `label_smoothing` ε mixes in
    the uniform target: (1 − ε)·(−ln p_y) + ε/K·Σ_k w_k·(−ln p_k). `weight` is a sample weight
    on top. A label not in the mapping gives NaN.
    Reference: torch.nn.CrossEntropyLoss(weight, label_smoothing). -#}
{% macro categorical_cross_entropy_with_logits(label, logits, class_weights=none, label_smoothing=0.0, weight=none) -%}
  {{ return(adapter.dispatch('categorical_cross_entropy_with_logits', 'dbt_loss')(label, logits, class_weights, label_smoothing, weight)) }}
{%- endmacro %}

{% macro default__categorical_cross_entropy_with_logits(label, logits, class_weights=none, label_smoothing=0.0, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.categorical_cross_entropy_with_logits_definition(label, logits, class_weights, label_smoothing), weight, 'categorical_cross_entropy_with_logits')) }}
{%- endmacro %}

{% macro categorical_cross_entropy_with_logits_definition(label, logits, class_weights=none, label_smoothing=0.0) -%}
  {%- set name = 'categorical_cross_entropy_with_logits' -%}
  {%- do dbt_loss.check_mapping(logits, 'logits', name) -%}
  {%- set epsilon = dbt_loss.check_number(label_smoothing, 'label_smoothing', name, minimum=0, maximum=1) -%}
  {%- if class_weights is not none -%}
    {%- do dbt_loss.check_mapping(class_weights, 'class_weights', name) -%}
    {%- for class_value in logits if class_value not in class_weights -%}
      {{ exceptions.raise_compiler_error("dbt_loss." ~ name ~ ": argument 'class_weights' has no weight for class " ~ (class_value | tojson)) }}
    {%- endfor -%}
    {%- for class_value in class_weights if class_value not in logits -%}
      {{ exceptions.raise_compiler_error("dbt_loss." ~ name ~ ": argument 'class_weights' names class " ~ (class_value | tojson) ~ ", which is not in 'logits'") }}
    {%- endfor -%}
  {%- endif -%}
  {%- set z = {} -%}
  {%- for class_value, column in logits.items() -%}
    {%- do z.update({class_value: dbt_loss.as_double(column)}) -%}
  {%- endfor -%}
  {%- set row_max = z.values() | first if z | length == 1 else "greatest(" ~ (z.values() | join(', ')) ~ ")" -%}
  {%- set exps = [] -%}
  {%- for column in z.values() -%}
    {%- do exps.append("exp(greatest(" ~ column ~ " - " ~ row_max ~ ", -700))") -%}
  {%- endfor -%}
  {%- set lse = "(" ~ row_max ~ " + ln(" ~ (exps | join(' + ')) ~ "))" -%}
  {%- set class_weight = {} -%}
  {%- for class_value in z -%}
    {%- do class_weight.update({class_value: dbt_loss.number_literal(dbt_loss.check_number(class_weights[class_value], 'class_weights', name, minimum=0)) if class_weights is not none else none}) -%}
  {%- endfor -%}
  {%- set target_branches = [] -%}
  {%- set weight_branches = [] -%}
  {%- set smooth_terms = [] -%}
  {%- for class_value, column in z.items() -%}
    {%- set w = class_weight[class_value] -%}
    {%- do target_branches.append("when " ~ dbt_loss.value_literal(class_value) ~ " then " ~ ((w ~ " * ") if w else "") ~ "(" ~ lse ~ " - " ~ column ~ ")") -%}
    {%- do weight_branches.append("when " ~ dbt_loss.value_literal(class_value) ~ " then " ~ (w or "1")) -%}
    {%- do smooth_terms.append(((w ~ " * ") if w else "") ~ "(" ~ lse ~ " - " ~ column ~ ")") -%}
  {%- endfor -%}
  {%- set target_loss = "case " ~ label ~ " " ~ (target_branches | join(' ')) ~ " else " ~ dbt_loss.nan() ~ " end" -%}
  {%- if epsilon > 0 -%}
    {%- set numerator = dbt_loss.number_literal(1 - epsilon) ~ " * " ~ target_loss ~ " + "
        ~ dbt_loss.number_literal(epsilon / (z | length)) ~ " * (" ~ (smooth_terms | join(' + ')) ~ ")" -%}
  {%- else -%}
    {%- set numerator = target_loss -%}
  {%- endif -%}
  {%- set definition = {'inputs': [label] + (logits.values() | list), 'numerator': numerator} -%}
  {%- if class_weights is not none -%}
    {%- do definition.update({'denominator': "case " ~ label ~ " " ~ (weight_branches | join(' ')) ~ " end"}) -%}
  {%- endif -%}
  {{ return(definition) }}
{%- endmacro %}
