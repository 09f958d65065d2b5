-- One row per address a channel knows a person by: an email address any email tool has stated
-- something of, a Zalo OA's follower or a chat thread (an OA's or a Page's conversation with a
-- person), a phone Zalo's notification service (ZNS) answered for. Its subscription state now,
-- apart from purpose consent: the latest statement wins across every source; at one moment the
-- most restrictive (a spam complaint, then an unsubscribe, then a block, then a hard bounce). A
-- statement whose own time was set aside (marts.data_issues) still blocks, dated by its load; a
-- subscription without a time states nothing. An email is keyed by the mailbox (normalized),
-- so an unsubscribe of "an.nguyen@gmail.com" also holds for "annguyen@gmail.com".
--
-- A chat thread also has its reply window, from the person's last message: Zalo lets the OA
-- answer free for `zalo_free_reply_hours` and, paid, until `zalo_reply_window_days`; Messenger
-- lets the Page answer within `messenger_reply_window_hours`. Open or not as of the build's
-- "today" (macro as_of).
with

statements as (
    -- Every enabled source's channel statements (kind `channel_statements`).
    {{ union_source_models('channel_statements') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

chat_messages as (
    -- Every enabled source's chat activity (kind `chat_messages`).
    {{ union_source_models('chat_messages') }}
),

zns_statements as (
    -- What Zalo's notification service answered of a phone (cdp/activation/destinations/
    -- zalo_zns.py records every answer): a blocked OA or a refusal of notifications.
    {{ zns_channel_statements() }}
),

as_of as (
    {{ as_of('clustered', 'last_seen_at') }}
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
            when 'blocked' then 3
            when 'cleaned' then 4
            when 'subscribed' then 5
            else 6
        end as restrictiveness
    from (
        select * from statements
        union all
        select * from zns_statements
    ) as every_statement
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
),

threads as (
    select
        channel,
        address,
        max(source) as source,
        max(record_id) as record_id,
        max(occurred_at) filter (where direction = 'inbound') as last_inbound_at,
        count(*) filter (where direction = 'inbound') as inbound_count
    from chat_messages
    group by channel, address
),

joined as (
    select
        coalesce(latest.channel, threads.channel) as channel,
        coalesce(latest.address, threads.address) as address,
        coalesce(latest.address_written, threads.address) as address_written,
        latest.status,
        latest.effective_at as stated_at,
        coalesce(latest.source, threads.source) as source,
        coalesce(latest.record_id, threads.record_id) as record_id,
        latest.statement,
        coalesce(latest.statements_count, 0) as statements_count,
        threads.last_inbound_at
    from latest
    full outer join threads
        on latest.channel = threads.channel and latest.address = threads.address
),

windows as (
    select
        joined.*,
        case joined.channel
            when 'zalo' then {{ dbt.dateadd(
                'hour', var('zalo_free_reply_hours'), 'joined.last_inbound_at') }}
            when 'messenger' then {{ dbt.dateadd(
                'hour', var('messenger_reply_window_hours'), 'joined.last_inbound_at') }}
        end as free_reply_until,
        case joined.channel
            when 'zalo' then {{ dbt.dateadd(
                'day', var('zalo_reply_window_days'), 'joined.last_inbound_at') }}
            when 'messenger' then {{ dbt.dateadd(
                'hour', var('messenger_reply_window_hours'), 'joined.last_inbound_at') }}
        end as reply_window_closes_at
    from joined
)

select
    windows.channel,
    windows.address,
    windows.address_written,
    windows.status,
    windows.stated_at,
    windows.source,
    windows.record_id,
    -- A ZNS answer names the customer its message was for.
    coalesce(
        clustered.customer_id, case when windows.source = 'zns' then windows.record_id end
    ) as customer_id,
    windows.statement,
    windows.statements_count,
    coalesce(windows.status != 'cleaned', true) as is_deliverable,
    case
        -- A Page may send no promotion through Messenger; an OA broadcasts to followers only.
        when windows.channel = 'messenger' then false
        when windows.channel = 'zalo' then coalesce(windows.status = 'subscribed', false)
        else coalesce(
            windows.status not in ('unsubscribed', 'complained', 'cleaned', 'blocked'), true
        )
    end as may_receive_marketing,
    windows.last_inbound_at,
    windows.free_reply_until,
    windows.reply_window_closes_at,
    coalesce(as_of.as_of_at < windows.reply_window_closes_at, false) as is_reply_window_open
from windows
cross join as_of
left join clustered
    on windows.source = clustered.source and windows.record_id = clustered.record_id
