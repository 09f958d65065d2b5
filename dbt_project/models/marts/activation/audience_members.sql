-- Tonight's members of each declared audience: the customers its condition selects who granted
-- its consent purpose and are not under a processing restriction. The identifiers are the
-- customer's golden-record email and phone (E.164), as the destinations normalize them.
with

candidates as (
    select * from {{ ref('int_audience_candidates') }}
),

customers as (
    select * from {{ ref('customers') }}
)

select
    candidates.audience_name,
    candidates.customer_id,
    candidates.consent_purpose,
    customers.full_name,
    customers.email,
    customers.phone,
    customers.city
from candidates
inner join customers on candidates.customer_id = customers.customer_id
where candidates.consent_status = 'granted' and not candidates.is_processing_restricted
