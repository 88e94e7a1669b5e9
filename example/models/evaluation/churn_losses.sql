-- Log loss and Brier score of both churn models per plan.
{% for score in ['churn_score', 'legacy_churn_score'] %}
select '{{ score }}' as model, * from (
    {{ dbt_loss.loss_table(ref('churn_scores'), 'churned', score,
                           metrics=['binary_cross_entropy', 'brier_score'], group_by=['plan']) }}
) as losses
{% if not loop.last %}union all{% endif %}
{% endfor %}
