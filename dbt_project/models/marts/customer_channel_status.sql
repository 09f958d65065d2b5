-- One row per email address any email tool has stated something of: its subscription state
-- now, apart from purpose consent. The latest statement wins across every email source; at one
-- moment the most restrictive (a spam complaint, then an unsubscribe, then a hard bounce). A
-- statement whose own time was set aside (marts.data_issues) still blocks, dated by its load;
-- a subscription without a time states nothing. Keyed by the mailbox (normalized), so an
-- unsubscribe of "an.nguyen@gmail.com" also holds for "annguyen@gmail.com".
with

statements as (
    -- Every enabled source's channel statements (kind `channel_statements`).
    {{ union_source_models('channel_statements') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

dated as (
    select
        *,
        coalesce(
            stated_at, case when status in ('unsubscribed', 'complained', 'cleaned') then loaded_at end
        ) as effective_at,
        case status
            when 'complained' then 1
            when 'unsubscribed' then 2
            when 'cleaned' then 3
            when 'subscribed' then 4
            else 5
        end as restrictiveness
    from statements
),

ranked as (
    select
        *,
        row_number() over (
            partition by channel, address
            order by effective_at desc, restrictiveness asc, loaded_at desc, record_id asc
        ) as recency_rank,
        count(*) over (partition by channel, address) as statements_count
    from dated
    where effective_at is not null
),

latest as (
    select * from ranked
    where recency_rank = 1
)

select
    latest.channel,
    latest.address,
    latest.address_written,
    latest.status,
    latest.effective_at as stated_at,
    latest.source,
    latest.record_id,
    clustered.customer_id,
    latest.statement,
    latest.statements_count,
    latest.status != 'cleaned' as is_deliverable,
    latest.status not in ('unsubscribed', 'complained', 'cleaned') as may_receive_marketing
from latest
left join clustered
    on latest.source = clustered.source and latest.record_id = clustered.record_id
