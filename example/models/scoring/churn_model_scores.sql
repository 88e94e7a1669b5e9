-- The held-out customers with the hand-made scores and the trained logistic model's
-- probability, scored in SQL from its weights.
-- depends_on: {{ ref('trained_models') }}
select
    customer_id,
    plan,
    tenure_months,
    monthly_spend,
    support_tickets,
    churned,
    churn_score,
    legacy_churn_score,
    {{ dbt_loss.prediction('churn_logistic') }} as trained_churn_score
from {{ ref('churn_scores') }}
where customer_id % 5 = 0
