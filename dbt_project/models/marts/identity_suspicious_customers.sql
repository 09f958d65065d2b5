-- Customers most worth an analyst's look, most suspicious first: several people's names in one
-- customer, a size far beyond the population's, links the limits or overrides refused, links
-- only the probabilistic model made. Each signal is a column and a reason; the run's report
-- shows the first 20 and `cdp explain --customer-id` tells the story of each.
with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

people_named as (
    select * from {{ ref('int_customer_people_named') }}
),

refused as (
    select * from {{ ref('int_identity_links_refused') }}
),

links as (
    select * from {{ ref('identity_links') }}
),

sizes as (
    select
        customer_id,
        count(*) as records_count
    from clustered
    group by customer_id
),

population as (
    select quantile_cont(records_count, 0.99) as records_p99
    from sizes
),

refusals as (
    -- Refusals that cut a customer (limits, overrides, contested values), not the exclusions
    -- every walk-in on a store's phone carries.
    select
        clustered.customer_id,
        count(*) as refused_links_count
    from refused
    inner join clustered on refused.record_key = clustered.record_key
    where refused.refusal <> 'excluded'
    group by clustered.customer_id
),

probabilistic as (
    select
        customer_id,
        count(*) // 2 as probabilistic_links_count
    from links
    where identifier_type = 'probabilistic'
    group by customer_id
),

signals as (
    select
        sizes.customer_id,
        sizes.records_count,
        round(sizes.records_count / greatest(population.records_p99, 1), 2) as size_vs_p99,
        coalesce(people_named.people_named_count, 0) as people_named_count,
        coalesce(refusals.refused_links_count, 0) as refused_links_count,
        coalesce(probabilistic.probabilistic_links_count, 0) as probabilistic_links_count
    from sizes
    cross join population
    left join people_named on sizes.customer_id = people_named.customer_id
    left join refusals on sizes.customer_id = refusals.customer_id
    left join probabilistic on sizes.customer_id = probabilistic.customer_id
),

suspicious as (
    select
        *,
        concat_ws(
            '; ',
            case when people_named_count >= 2 then people_named_count || ' people''s names' end,
            case
                when size_vs_p99 > 1 then
                    records_count || ' records, ' || size_vs_p99
                    || 'x the 99th percentile'
            end,
            case when refused_links_count > 0 then refused_links_count || ' links refused' end,
            case
                when probabilistic_links_count > 0 then
                    probabilistic_links_count
                    || ' probabilistic links'
            end
        ) as reasons
    from signals
    where
        people_named_count >= 2 or size_vs_p99 > 1 or refused_links_count > 0
        or probabilistic_links_count > 0
)

select
    row_number() over (
        order by
            people_named_count desc, size_vs_p99 desc, refused_links_count desc,
            probabilistic_links_count desc, customer_id asc
    ) as suspicion_rank,
    customer_id,
    records_count,
    size_vs_p99,
    people_named_count,
    refused_links_count,
    probabilistic_links_count,
    reasons
from suspicious
