-- Four customers in five to train on; the fifth (customer_id % 5 = 0) is held out to compare
-- the trained model with the hand-made scores.
select customer_id, plan, tenure_months, monthly_spend, support_tickets, churned
from {{ ref('churn_scores') }}
where customer_id % 5 <> 0
