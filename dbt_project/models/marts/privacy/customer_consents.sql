-- One row per customer and consent purpose, with the statement that decides it.
select
    customer_id,
    purpose,
    status,
    stated_at,
    source,
    record_id,
    statement
from {{ ref('int_customer_consents') }}
