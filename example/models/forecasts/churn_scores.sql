-- Five thousand subscribers with a churn label and the scores of two models: the current one
-- and a legacy one that ignores support tickets and is over-confident.
with customers as (
    select
        customer_id,
        case when {{ uniform(['customer_id'], 'plan') }} < 0.5 then 'basic'
             when {{ uniform(['customer_id'], 'plan') }} < 0.85 then 'pro'
             else 'enterprise' end as plan,
        floor(1 + 60 * {{ uniform(['customer_id'], 'tenure') }}) as tenure_months,
        round(10 + 90 * {{ uniform(['customer_id'], 'spend') }}, 2) as monthly_spend,
        floor(-ln({{ uniform(['customer_id'], 'tickets') }}) * 1.5) as support_tickets,
        {{ normal(['customer_id'], 'score_noise') }} as score_noise
    from range(1, 5001) as c(customer_id)
),

risk as (
    select *, -1.0 - 0.04 * tenure_months + 0.45 * support_tickets
              + case plan when 'basic' then 0.6 when 'pro' then 0 else -0.8 end as churn_logit
    from customers
)

select
    customer_id, plan, tenure_months, monthly_spend, support_tickets,
    case when {{ uniform(['customer_id'], 'churn') }} < 1 / (1 + exp(-churn_logit)) then 1 else 0 end as churned,
    1 / (1 + exp(-(churn_logit + 0.3 * score_noise))) as churn_score,
    1 / (1 + exp(-2.5 * (-1.0 - 0.04 * tenure_months + 0.3 * score_noise))) as legacy_churn_score
from risk
