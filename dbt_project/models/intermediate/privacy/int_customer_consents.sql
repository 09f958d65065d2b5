-- One row per customer and consent purpose: the latest explicit statement of any of the
-- customer's records, a withdrawal winning over a grant made at the same moment; 'unknown'
-- when no record ever spoke for the purpose.
with

statements as (
    select * from {{ ref('int_consent_statements') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

customers as (
    select distinct customer_id from clustered
),

purposes as (
    select unnest({{ var('consent_purposes') | tojson | replace('"', "'") }}) as purpose
),

ranked as (
    select
        clustered.customer_id,
        statements.purpose,
        statements.status,
        statements.stated_at,
        statements.source,
        statements.record_id,
        statements.statement,
        row_number() over (
            partition by clustered.customer_id, statements.purpose
            order by
                statements.stated_at desc,
                statements.status = 'withdrawn' desc,
                statements.record_key asc,
                statements.statement asc
        ) as recency_rank
    from statements
    inner join clustered on statements.record_key = clustered.record_key
),

latest as (
    select * from ranked
    where recency_rank = 1
)

select
    customers.customer_id,
    purposes.purpose,
    coalesce(latest.status, 'unknown') as status,
    latest.stated_at,
    latest.source,
    latest.record_id,
    latest.statement
from customers
cross join purposes
left join latest
    on
        customers.customer_id = latest.customer_id
        and purposes.purpose = latest.purpose
