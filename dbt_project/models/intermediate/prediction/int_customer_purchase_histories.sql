-- Each buyer's purchase history in the shape buy-till-you-die models read, in days: repeat
-- purchase days (`frequency`: days with a purchase after the first), the age at the last one
-- (`recency`), the age now (`customer_age_days`, the models' T) and the average net amount of
-- the repeat purchases. A purchase is an order neither cancelled nor refunded in full; several
-- orders on one day are one purchase. An order whose time was set aside (ordered_at NULL, in
-- marts.data_issues) is in no history: it cannot be placed in one.
with

orders as (
    select * from {{ ref('int_orders_attributed') }}
    where customer_id is not null and not is_cancelled and net_revenue > 0
),

records as (
    select * from {{ ref('int_records_clustered') }}
),

as_of as (
    {{ as_of('records', 'last_seen_at') }}
),

purchase_days as (
    select
        orders.customer_id,
        cast(orders.ordered_at as date) as purchase_date,
        sum(orders.net_revenue) as net_revenue
    from orders
    cross join as_of
    where orders.ordered_at <= as_of.as_of_at
    group by orders.customer_id, cast(orders.ordered_at as date)
),

ranked as (
    select
        *,
        min(purchase_date) over (partition by customer_id) as first_purchase_date
    from purchase_days
)

select
    ranked.customer_id,
    count(*) - 1 as frequency,
    {{ dbt.datediff("min(ranked.purchase_date)", "max(ranked.purchase_date)", "day") }}
        as recency,
    {{ dbt.datediff("min(ranked.purchase_date)", "cast(any_value(as_of.as_of_at) as date)", "day") }}
        as customer_age_days,
    coalesce(
        avg(ranked.net_revenue) filter (where ranked.purchase_date > ranked.first_purchase_date),
        0
    ) as repeat_purchase_value,
    sum(ranked.net_revenue) as net_revenue,
    any_value(as_of.as_of_at) as as_of_at
from ranked
cross join as_of
group by ranked.customer_id
