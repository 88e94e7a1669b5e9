{#- Every metric loss_table knows: its parameters with their defaults ('required' where there
    is none) and how its parts reduce to a value. 'mean' and 'root_mean' also exist as
    single aggregates; 'centered' (two passes) and 'scaled' (a seasonal-naive scale per
    series) are table-level. -#}
{% macro metric_catalog() -%}
  {%- set scaled_params = {'time_column': 'required', 'season_length': 1, 'train_condition': none} -%}
  {{ return({
      'mse': {'params': {}, 'reduction': 'mean'},
      'rmse': {'params': {}, 'reduction': 'root_mean'},
      'mae': {'params': {}, 'reduction': 'mean'},
      'huber': {'params': {'delta': 1.0}, 'reduction': 'mean'},
      'pseudo_huber': {'params': {'delta': 1.0}, 'reduction': 'mean'},
      'log_cosh': {'params': {}, 'reduction': 'mean'},
      'quantile_loss': {'params': {'alpha': 0.5}, 'reduction': 'mean'},
      'poisson_deviance': {'params': {}, 'reduction': 'mean'},
      'tweedie_deviance': {'params': {'power': 0}, 'reduction': 'mean'},
      'msle': {'params': {}, 'reduction': 'mean'},
      'mean_error': {'params': {}, 'reduction': 'mean'},
      'r2_score': {'params': {}, 'reduction': 'centered'},
      'explained_variance': {'params': {}, 'reduction': 'centered'},
      'binary_cross_entropy': {'params': {}, 'reduction': 'mean'},
      'binary_cross_entropy_with_logits': {'params': {'pos_weight': none}, 'reduction': 'mean'},
      'categorical_cross_entropy': {'params': {}, 'reduction': 'mean'},
      'categorical_cross_entropy_with_logits': {'params': {'class_weights': none, 'label_smoothing': 0.0}, 'reduction': 'mean'},
      'focal_loss': {'params': {'alpha': 0.25, 'gamma': 2.0}, 'reduction': 'mean'},
      'brier_score': {'params': {}, 'reduction': 'mean'},
      'hinge_loss': {'params': {}, 'reduction': 'mean'},
      'mape': {'params': {}, 'reduction': 'mean'},
      'smape': {'params': {}, 'reduction': 'mean'},
      'wape': {'params': {}, 'reduction': 'mean'},
      'coverage': {'params': {'lower': 'required', 'upper': 'required'}, 'reduction': 'mean'},
      'mase': {'params': scaled_params, 'reduction': 'scaled'},
      'rmsse': {'params': scaled_params, 'reduction': 'scaled'},
      'general_robust_loss': {'params': {'alpha': 1.0, 'scale': 1.0}, 'reduction': 'mean'},
  }) }}
{%- endmacro %}
