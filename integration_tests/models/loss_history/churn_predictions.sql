-- The seeded table as a model, so tests attach to it as they would to a user's model.
select * from {{ source('cases', 'churn_predictions') }}
