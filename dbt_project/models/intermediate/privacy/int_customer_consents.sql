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

restrictions as (
    select * from {{ ref('int_customer_restrictions') }}
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

-- A processing restriction withdraws every purpose, whatever was stated before or after.
select
    customers.customer_id,
    purposes.purpose,
    case
        when restrictions.customer_id is not null then 'withdrawn'
        else coalesce(latest.status, 'unknown')
    end as status,
    coalesce(restrictions.restricted_at, latest.stated_at) as stated_at,
    case when restrictions.customer_id is not null then 'privacy' else latest.source end
        as source,
    coalesce(restrictions.request_id, latest.record_id) as record_id,
    case
        when restrictions.customer_id is not null
            then 'processing restricted by privacy request'
        else latest.statement
    end as statement
from customers
cross join purposes
left join latest
    on
        customers.customer_id = latest.customer_id
        and purposes.purpose = latest.purpose
left join restrictions on customers.customer_id = restrictions.customer_id
