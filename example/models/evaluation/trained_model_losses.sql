-- The trained models against the hand-made ones, on the same held-out rows.
{% set demand_metrics = ['mae', 'rmse', {'name': 'huber', 'delta': 10}, 'wape'] %}
{% set churn_metrics = ['binary_cross_entropy', 'brier_score'] %}
{% set comparisons = [
    ('demand', 'forecast', 'hand-made forecast', 'demand', demand_metrics, ref('demand_forecast_comparison'), 'week >= 130'),
    ('demand', 'model_forecast', 'demand_huber (trained)', 'demand', demand_metrics, ref('demand_forecast_comparison'), 'week >= 130'),
    ('churn', 'churn_score', 'hand-made churn_score', 'churned', churn_metrics, ref('churn_model_scores'), none),
    ('churn', 'trained_churn_score', 'churn_logistic (trained)', 'churned', churn_metrics, ref('churn_model_scores'), none),
] %}
{% for task, column, label, actual, metrics, relation, condition in comparisons %}
select '{{ task }}' as task, '{{ label }}' as model, metric, value, row_count
from (
    {{ dbt_loss.loss_table(relation, actual, column, metrics=metrics, row_condition=condition) }}
) as losses
{% if not loop.last %}union all{% endif %}
{% endfor %}
