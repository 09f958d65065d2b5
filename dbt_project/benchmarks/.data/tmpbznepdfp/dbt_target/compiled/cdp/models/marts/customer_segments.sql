-- RFM and lifecycle segments, plus the segments declared in `vars: declared_segments`.
with

customers as (
    select * from "bench"."marts"."customers"
),

rfm as (
    select customer_id, 'rfm' as segment_type, rfm_segment as segment_name
    from customers
    where rfm_segment is not null
),

lifecycle as (
    select customer_id, 'lifecycle' as segment_type, lifecycle_status as segment_name
    from customers
),

declared as (
    select customer_id, 'declared' as segment_type, 'VIP' as segment_name
    from customers
    where net_revenue >= 5000000
    union all
    select customer_id, 'declared' as segment_type, 'Hanoi marketing audience' as segment_name
    from customers
    where city = 'Hà Nội' and has_marketing_consent
    union all
    select customer_id, 'declared' as segment_type, 'Web browsers who never bought' as segment_name
    from customers
    where web_sessions_count > 0 and orders_count = 0
),

unioned as (
    select * from rfm
    union all
    select * from lifecycle
    union all
    select * from declared
)

select * from unioned