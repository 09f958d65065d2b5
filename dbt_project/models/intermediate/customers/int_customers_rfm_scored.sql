-- RFM for every buyer: recency and monetary as quintiles among buyers, frequency against the
-- order counts in `rfm_frequency_cut_points`, and the segment the recency and frequency scores
-- name. (Quintiles of order counts collapse: most buyers bought once, and scored 4 or 5.)
-- Recency ranks only the buyers with a dated order: one whose every order has no plausible time
-- (ordered_at NULL, listed in marts.data_issues) has no recency score and no segment, and moves
-- nobody else's.
{%- set cut_points = var('rfm_frequency_cut_points') %}
{%- if cut_points | length != 4 or cut_points | unique | sort | list != cut_points | list %}
    {{ exceptions.raise_compiler_error(
        "rfm_frequency_cut_points needs four ascending order counts (where scores 2, 3, 4 "
        ~ "and 5 start), got " ~ cut_points) }}
{%- endif %}
with

orders as (
    select * from {{ ref('int_orders_attributed') }}
),

buyers as (
    select
        customer_id,
        count(*) as orders_count,
        coalesce(sum(net_revenue), 0) as net_revenue,
        max(ordered_at) as last_order_at
    from orders
    where customer_id is not null
    group by customer_id
),

positioned as (
    -- Where each buyer stands among all buyers: how many rank strictly below, how many tie.
    select
        customer_id,
        orders_count,
        net_revenue,
        last_order_at,
        count(*) over () as buyers_count,
        count(last_order_at) over () as dated_buyers_count,
        rank() over (order by last_order_at asc nulls last) - 1 as buyers_less_recent,
        count(*) over (partition by last_order_at) as buyers_as_recent,
        rank() over (order by net_revenue) - 1 as buyers_spending_less,
        count(*) over (partition by net_revenue) as buyers_spending_same
    from buyers
),

scored as (
    -- Quintiles by mid-rank: a buyer's percentile is the middle of the positions its block of
    -- equal values spans, (below + ties / 2) / buyers, and the score is ceil(5 * percentile).
    -- Equal values always score the same (ntile would split them by an arbitrary tie-break);
    -- a big block of ties scores by where it sits, not by its top edge (cume_dist lifts it to
    -- the top: one-time buyers all scored F=4) nor its bottom edge (percent_rank). Without
    -- ties this is plain quintiles. One division of whole numbers: boundaries are hit exactly.
    select
        customer_id,
        orders_count,
        net_revenue,
        last_order_at,
        case
            when last_order_at is not null
                then cast(ceil(
                    5.0 * (2 * buyers_less_recent + buyers_as_recent) / (2 * dated_buyers_count)
                ) as integer)
        end as rfm_recency_score,
        case
            {%- for cut_point in cut_points | reverse %}
                when orders_count >= {{ cut_point }} then {{ 6 - loop.index }}
            {%- endfor %}
            else 1
        end as rfm_frequency_score,
        cast(ceil(
            5.0 * (2 * buyers_spending_less + buyers_spending_same) / (2 * buyers_count)
        ) as integer) as rfm_monetary_score
    from positioned
),

segmented as (
    -- Segments from recency (R) and frequency (F); with the default cut points F >= 4 means 5+
    -- orders, so a one-time buyer (F = 1) is never a Champion nor Loyal.
    select
        *,
        case
            when rfm_recency_score is null then null
            when rfm_recency_score >= 4 and rfm_frequency_score >= 4 then 'Champions'
            when rfm_recency_score = 3 and rfm_frequency_score >= 4 then 'Loyal'
            when rfm_recency_score >= 4 and rfm_frequency_score >= 2 then 'Potential loyalists'
            when rfm_recency_score >= 4 then 'New customers'
            when rfm_recency_score = 3 and rfm_frequency_score >= 2 then 'Need attention'
            when rfm_recency_score = 3 then 'Promising'
            when rfm_frequency_score >= 3 then 'At risk'
            else 'Hibernating'
        end as rfm_segment
    from scored
)

select * from segmented
