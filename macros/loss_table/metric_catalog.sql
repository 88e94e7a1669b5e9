{#- Every metric loss_table knows: its parameters with their defaults ('required' where there
    is none) and how its parts reduce to a value. 'mean' and 'root_mean' also exist as
    single aggregates; 'centered' (two passes) and 'scaled' (a seasonal-naive scale per
    series) are table-level.
    'strict': the definition reads actual and predicted only as doubles (through as_double or
    residual), and its numerator and denominator are NULL wherever either is NULL. loss_table
    then hands it the row's guarded doubles, computed once per row for all such metrics, and
    sums its parts without a per-metric guard. msle and the deviances are not strict (a NULL
    input gives NaN, their out-of-domain value), nor is general_robust_loss (the default
    expm1 returns -1 for a NULL on PostgreSQL, whose greatest() skips NULLs), nor are metrics
    with other inputs. The
    loss_table tests' `nulls` case checks every strict metric on every engine. -#}
{% macro metric_catalog() -%}
  {%- set scaled_params = {'time_column': 'required', 'season_length': 1, 'train_condition': none} -%}
  {{ return({
      'mse': {'params': {}, 'reduction': 'mean', 'strict': true},
      'rmse': {'params': {}, 'reduction': 'root_mean', 'strict': true},
      'mae': {'params': {}, 'reduction': 'mean', 'strict': true},
      'huber': {'params': {'delta': 1.0}, 'reduction': 'mean', 'strict': true},
      'pseudo_huber': {'params': {'delta': 1.0}, 'reduction': 'mean', 'strict': true},
      'log_cosh': {'params': {}, 'reduction': 'mean', 'strict': true},
      'quantile_loss': {'params': {'alpha': 0.5}, 'reduction': 'mean', 'strict': true},
      'poisson_deviance': {'params': {}, 'reduction': 'mean'},
      'tweedie_deviance': {'params': {'power': 0}, 'reduction': 'mean'},
      'msle': {'params': {}, 'reduction': 'mean'},
      'mean_error': {'params': {}, 'reduction': 'mean', 'strict': true},
      'r2_score': {'params': {}, 'reduction': 'centered', 'strict': true},
      'explained_variance': {'params': {}, 'reduction': 'centered', 'strict': true},
      'binary_cross_entropy': {'params': {}, 'reduction': 'mean'},
      'binary_cross_entropy_with_logits': {'params': {'pos_weight': none}, 'reduction': 'mean'},
      'categorical_cross_entropy': {'params': {}, 'reduction': 'mean'},
      'categorical_cross_entropy_with_logits': {'params': {'class_weights': none, 'label_smoothing': 0.0}, 'reduction': 'mean'},
      'focal_loss': {'params': {'alpha': 0.25, 'gamma': 2.0}, 'reduction': 'mean'},
      'brier_score': {'params': {}, 'reduction': 'mean'},
      'hinge_loss': {'params': {}, 'reduction': 'mean'},
      'mape': {'params': {}, 'reduction': 'mean', 'strict': true},
      'smape': {'params': {}, 'reduction': 'mean', 'strict': true},
      'wape': {'params': {}, 'reduction': 'mean', 'strict': true},
      'coverage': {'params': {'lower': 'required', 'upper': 'required'}, 'reduction': 'mean'},
      'mase': {'params': scaled_params, 'reduction': 'scaled'},
      'rmsse': {'params': scaled_params, 'reduction': 'scaled'},
      'general_robust_loss': {'params': {'alpha': 1.0, 'scale': 1.0}, 'reduction': 'mean'},
  }) }}
{%- endmacro %}
