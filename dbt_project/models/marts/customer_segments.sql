-- RFM and lifecycle segments, plus the segments declared in `vars: declared_segments`.
with

-- A customer under a processing restriction is in no segment.
customers as (
    select * from {{ ref('customers') }}
    where not is_processing_restricted
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
    {%- for segment in var('declared_segments', []) %}
    select customer_id, 'declared' as segment_type, {{ sql_string(segment.name) }} as segment_name
    from customers
    where {{ segment.condition }}
    {{- "\n    union all" if not loop.last }}
    {%- else %}
    select customer_id, 'declared' as segment_type, segment_name
    from customers
    cross join (select cast(null as varchar) as segment_name) as no_segments
    where false
    {%- endfor %}
),

unioned as (
    select * from rfm
    union all
    select * from lifecycle
    union all
    select * from declared
)

select * from unioned
