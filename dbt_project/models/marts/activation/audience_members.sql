-- Tonight's members of each declared audience: the customers its condition selects who granted
-- its consent purpose, are not under a processing restriction and, for an email audience, whose
-- address may receive marketing (int_audience_candidates.exclusion_reason). The identifiers are what the
-- destinations match people on: the golden-record email as the customer writes it (not folded:
-- int_customer_email_spellings) and the phone in E.164; each destination normalizes them its way.
with

candidates as (
    select * from {{ ref('int_audience_candidates') }}
),

customers as (
    select * from {{ ref('customers') }}
),

email_spellings as (
    select * from {{ ref('int_customer_email_spellings') }}
    where is_delivered
)

select
    candidates.audience_name,
    candidates.customer_id,
    candidates.consent_purpose,
    customers.full_name,
    coalesce(email_spellings.email_written, customers.email) as email,
    customers.phone,
    customers.city
from candidates
inner join customers on candidates.customer_id = customers.customer_id
left join email_spellings on candidates.customer_id = email_spellings.customer_id
where candidates.exclusion_reason is null
